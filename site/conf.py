"""Sphinx configuration of the course site (built by ``python -m autograder.site``).

The build copies this file and ``_static/`` into a staging folder (``build/site-src/``)
next to the generated landing page and the executed student notebooks; see
``autograder/site.py``. Everything the pages load is local: the theme's assets, MathJax 2.7
from jupyter-server-mathjax (copied to ``_static/mathjax/``), nothing from the internet.
"""

from autograder.handouts import MATHJAX_DONE, mathjax_settings

project = "Information Theory for Language Models"
author = "The course's authors"
copyright = "the course's authors, MIT licence"

extensions = ["myst_nb"]

# The notebooks arrive executed (student version, figures included): never run them here.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
myst_update_mathjax = False  # we configure MathJax 2 ourselves below

exclude_patterns = ["_build", "_extra", "**.ipynb_checkpoints", ".doctrees"]
html_extra_path = ["_extra"]  # downloads/ and handouts/, copied as they are
html_static_path = ["_static"]
html_css_files = ["itlm.css"]
html_favicon = "_static/favicon.svg"
html_copy_source = False
html_show_sourcelink = False
html_title = project

html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
html_context = {"default_mode": "light"}  # the theme's light/dark switch starts on light

# MathJax 2.7, served from this site (Sphinx's default is a CDN), set up as for the handouts.
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
mathjax2_config = mathjax_settings(inline=[["\\(", "\\)"]], display=[["\\[", "\\]"]])
mathjax2_config["tex2jax"].update(ignoreClass="document", processClass="math|output_area")


def setup(app):
    app.add_js_file(None, type="text/x-mathjax-config", body=MATHJAX_DONE)

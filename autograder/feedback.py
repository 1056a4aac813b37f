"""Feedback without hidden tests: an nbconvert preprocessor for ``nbgrader generate_feedback``.

nbgrader puts the full test cells back before grading, so its feedback shows the hidden
tests' source and any traceback through them (nbgrader issue #917). ``StripHiddenTests``
removes the hidden region from every test cell and shortens tracebacks in test cells to
their final message, which keeps the teaching report printed by the checks.
``FeedbackHTMLExporter`` writes the same pages as nbconvert's HTML exporter, faster, and
safe to open: nothing a student wrote runs in the reader's browser (:func:`safe_notebook`,
:func:`clean_html`, and a Content-Security-Policy that allows only the page's own scripts).
Both are registered in ``nbgrader_config.py``.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import re

import bleach
import jinja2
import nbformat
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool

HIDDEN_REGION = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*$", re.S | re.M
)
PLACEHOLDER = "# (hidden tests ran here; their report is in the output below)"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_hidden_tests(source: str) -> str:
    return HIDDEN_REGION.sub(PLACEHOLDER, source)


def is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


class StripHiddenTests(NbGraderPreprocessor):
    """Remove hidden-test source and tracebacks from test cells (feedback only).

    (nbgrader's base class, because plain nbconvert preprocessors are disabled by default.)
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_test_cell(cell):
            cell.source = strip_hidden_tests(cell.source)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    message = ANSI.sub(
                        "", f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
                    )
                    output["traceback"] = [message]
        return cell, resources


# -- student content, made inert ---------------------------------------------------------------

# What a feedback page may show of a student's output; every other kind is dropped (script,
# widgets, Mermaid source, which the template writes unescaped, anything unknown). HTML and
# Markdown go through clean_html; SVG is shown as an <img>, where a browser runs no script.
SAFE_OUTPUT_TYPES = {
    "text/plain",
    "text/html",
    "text/markdown",
    "text/latex",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/svg+xml",
    "application/json",
}
SAFE_TAGS = {
    *("a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details"),
    *("div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr"),
    *("i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small"),
    *("span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead"),
    *("tr", "u", "ul", "var"),
}
SAFE_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type"},
    "details": {"open"},
    **{f"h{n}": {"id"} for n in range(1, 7)},  # the anchors of markdown headings
}
SAFE_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*$")
STYLE_BLOCK = re.compile(r"<style\b.*?</style\s*>", re.S | re.I)  # (pandas' table styles)


def _attribute_allowed(tag: str, name: str, value: str) -> bool:
    if name not in SAFE_ATTRIBUTES["*"] | SAFE_ATTRIBUTES.get(tag, set()):
        return False
    if name == "src":  # images: embedded PNG/JPEG/GIF only (no request leaves the page)
        return bool(SAFE_IMAGE_DATA.match(value))
    if name == "href":
        return not value.strip().lower().startswith("data:")
    return True


_CLEANER = bleach.Cleaner(
    tags=SAFE_TAGS,
    attributes=_attribute_allowed,
    protocols={"http", "https", "mailto", "data"},
    strip=False,  # a tag not allowed is shown as text: the reader sees what was there
    strip_comments=True,
)


def clean_html(html: str | bytes) -> str:
    """``html`` reduced to an allow-list of tags and attributes (bleach): no script, no event
    handler, no ``javascript:`` link, no style, no frame or form; disallowed tags are shown
    as text. Used on every Markdown cell and every HTML or Markdown output of a feedback
    page (nbconvert's template calls its ``clean_html`` filter when ``sanitize_html``)."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else str(html)
    return _clean(text)


@functools.lru_cache(maxsize=4096)  # the course's own cells are the same on every page
def _clean(text: str) -> str:
    return _CLEANER.clean(STYLE_BLOCK.sub("", text))


def safe_notebook(nb):
    """A copy of ``nb`` whose outputs hold only :data:`SAFE_OUTPUT_TYPES`, with no widget
    state in its metadata and no odd stream name (what the template writes unescaped)."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") not in {
                "stdout",
                "stderr",
            }:
                output["name"] = "stdout"
            data = output.get("data")
            if isinstance(data, dict):
                dropped = [m for m in data if m not in SAFE_OUTPUT_TYPES]
                if "image/svg+xml" in data and not isinstance(data["image/svg+xml"], str):
                    dropped.append("image/svg+xml")
                for mime in dropped:
                    del data[mime]
                if dropped and not data:
                    data["text/plain"] = f"({', '.join(dropped)}: not shown in feedback)"
    return nb


def _script_hash(body: str) -> str:
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
SCRIPT_HOSTS = "https://cdnjs.cloudflare.com"  # MathJax, require.js, Mermaid (nbconvert's)


def page_script_hashes(html: str) -> list[str]:
    """The CSP hashes of the inline scripts of a page."""
    return list(dict.fromkeys(_script_hash(m.group(1)) for m in INLINE_SCRIPT.finditer(html)))


def content_security_policy(hashes: list[str]) -> str:
    """What a page may load and run: the inline scripts of ``hashes`` and scripts from
    MathJax's host; no other script, no inline event handler, no plugin, no frame, no form,
    images only embedded."""
    scripts = " ".join(hashes)
    return (
        "default-src 'none'; "
        f"script-src {scripts} {SCRIPT_HOSTS} 'unsafe-eval'; "
        f"style-src 'unsafe-inline' {SCRIPT_HOSTS}; "
        f"font-src data: {SCRIPT_HOSTS}; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


NO_ALT = "No description has been provided for this image"  # nbconvert's own default
IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)")
FOCUSABLE = re.compile(
    r'(<div\b[^>]*\bclass="[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b[^"]*")'
)


class FeedbackHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter without its BeautifulSoup pass over the whole page.

    ``HTMLExporter.from_notebook_node`` parses every page it renders with BeautifulSoup only
    to give images alt text and make cells focusable (``tabindex``); on a feedback page (a
    whole notebook, figures included) that pass is about 60% of the time of
    ``nbgrader generate_feedback``. Here the same attributes are added to the tags the
    template writes with two regular expressions. Set as nbgrader's feedback exporter in
    ``nbgrader_config.py`` (``GenerateFeedback.exporter_class``).
    """

    sanitize_html = Bool(
        True, help="Sanitize HTML in Markdown cells and outputs (always, for feedback)."
    ).tag(config=True)

    def from_notebook_node(self, nb, resources=None, **kw):
        """The page of ``nb``, safe to open (see the module docstring)."""
        if getattr(self, "_policy", None) is None:
            # The template's own scripts: those of a page of an empty notebook, rendered
            # the same way (nothing of a student's can be among them).
            empty = nbformat.v4.new_notebook()
            own, _ = self._render(empty, copy.deepcopy(resources), **kw)
            self._policy = content_security_policy(page_script_hashes(own))
        html, resources = self._render(safe_notebook(nb), resources, **kw)
        csp = f'<meta http-equiv="Content-Security-Policy" content="{self._policy}">'
        head = '<meta charset="utf-8" />' if '<meta charset="utf-8" />' in html else "<head>"
        return html.replace(head, f"{head}\n{csp}", 1), resources  # before any script

    @jinja2.pass_context
    def markdown2html(self, context, source):
        """Markdown as HTML, through :func:`clean_html`: nbgrader's feedback template renders
        Markdown cells (and comments) without nbconvert's own ``clean_html``."""
        return clean_html(super().markdown2html(context, source))

    def _render(self, nb, resources=None, **kw):
        self.register_filter("clean_html", clean_html)
        # As HTMLExporter.from_notebook_node, up to its call of TemplateExporter's.
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
        )
        resources = self._init_resources(resources)
        filter_data_type = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", filter_data_type)
        html, resources = super(HTMLExporter, self).from_notebook_node(nb, resources, **kw)
        html = IMG_WITHOUT_ALT.sub(f'<img alt="{NO_ALT}"', html)
        html = FOCUSABLE.sub(r'\1 tabindex="0"', html)
        return html, resources

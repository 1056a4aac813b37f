"""Feedback without hidden tests: an nbconvert preprocessor for ``nbgrader generate_feedback``.

nbgrader puts the full test cells back before grading, so its feedback shows the hidden
tests' source and any traceback through them (nbgrader issue #917). ``StripHiddenTests``
removes the hidden region from every test cell and shortens tracebacks in test cells to
their final message, which keeps the teaching report printed by the checks.
``FeedbackHTMLExporter`` writes the same pages as nbconvert's HTML exporter, faster.
Both are registered in ``nbgrader_config.py``.
"""

from __future__ import annotations

import re

from nbconvert.exporters import HTMLExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbgrader.preprocessors import NbGraderPreprocessor

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

    def from_notebook_node(self, nb, resources=None, **kw):
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

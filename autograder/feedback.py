"""Feedback without hidden tests: an nbconvert preprocessor for ``nbgrader generate_feedback``.

nbgrader puts the full test cells back before grading, so its feedback shows the hidden
tests' source and any traceback through them (nbgrader issue #917). ``StripHiddenTests``
removes the hidden region from every test cell and shortens tracebacks in test cells to
their final message, which keeps the teaching report printed by the checks.
Registered in ``nbgrader_config.py``.
"""

from __future__ import annotations

import re

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

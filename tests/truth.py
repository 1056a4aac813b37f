"""What the source notebooks say, as the handout and site tests hold their output against it.

The truth here is read from ``source/`` and ``release/`` directly, never from the code that
builds handouts or the site: the lines of each reference solution a student must never see,
each hidden test, and the figures the worked examples draw.
"""

from __future__ import annotations

import re

from autograder.assignments import REPO
from autograder.handouts import EXECUTED
from autograder.notebook import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, read


def squash(text: str) -> str:
    """Text without any whitespace: a code line wrapped by the printer still matches."""
    return re.sub(r"\s+", "", text)


def _cells(assignment):
    return read(assignment.source_path).cells


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _between(source: str, begin: str, end: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            lines.append(line)
    return lines


def solution_lines(assignment) -> dict[str, list[str]]:
    """Per exercise, the lines of its reference solution that a student never sees.

    Lines between the solution markers of the source notebook, at least 16 characters long,
    that appear nowhere in the release notebook (a worked example may use the same line).
    """
    release = REPO / "release" / assignment.id / assignment.notebook
    seen = squash("\n".join(c.source for c in read(release).cells))
    lines = {}
    for cell in _cells(assignment):
        if cell.cell_type == "code" and BEGIN_SOLUTION in cell.source:
            body = _between(cell.source, BEGIN_SOLUTION, END_SOLUTION)
            lines[_grade_id(cell)] = [
                line.strip()
                for line in body
                if len(line.strip()) >= 16 and squash(line) not in seen
            ]
    return lines


def hidden_lines(assignment) -> list[str]:
    """The non-blank lines of every hidden test of the source notebook."""
    return [
        line.strip()
        for cell in _cells(assignment)
        for line in _between(cell.source, BEGIN_HIDDEN, END_HIDDEN)
        if line.strip()
    ]


def figures(assignment) -> int:
    """Figures the worked examples draw: image outputs of the executed notebook outside the
    exercises' solution and test cells (those are cleared in the student handout)."""
    nb = read(EXECUTED / assignment.notebook)
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        and not cell.get("metadata", {}).get("nbgrader", {}).get("solution")
        and not cell.get("metadata", {}).get("nbgrader", {}).get("grade")
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    )


def markdown_tex(assignment) -> list[str]:
    """The TeX of the prose's formulas (``$...$`` and ``$$...$$`` in Markdown cells) that use
    a command (``\\frac``, ``\\log``...) and appear in no code cell: typeset, none of it may
    be left as text."""
    cells = read(assignment.source_path).cells
    code = squash("\n".join(c.source for c in cells if c.cell_type == "code"))
    found = []
    for cell in cells:
        if cell.cell_type != "markdown":
            continue
        for tex in re.findall(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", cell.source, flags=re.S):
            tex = (tex[0] or tex[1]).strip()
            if "\\" in tex and squash(tex) not in code:
                found.append(tex)
    return found


def figure_titles(assignment) -> list[str]:
    """The titles the worked examples give their figures as plain string literals
    (``set_title("...")``, ``suptitle("...")``, ``title="..."``; f-strings and mathtext left
    out): each must be in the description of some figure."""
    pattern = r"""(?:set_title|suptitle)\(\s*"([^"$\\{}]+)"|\btitle="([^"$\\{}]+)\""""
    return [
        a or b
        for cell in _cells(assignment)
        if cell.cell_type == "code" and not cell.get("metadata", {}).get("nbgrader", {})
        for a, b in re.findall(pattern, cell.source)
    ]

"""Workshop handouts: the PDFs and pages ``python -m autograder.handouts`` prints, read back
with poppler (``pdftotext``, ``pdfinfo``, ``pdfimages``, ``pdffonts``).

The truth they are held against is the source notebooks themselves: every exercise of
COURSE.md, every figure a worked example draws, every line between a solution's markers
(which must be in the instructor key and nowhere in the student handout) and every hidden
test (which must be in neither). The PDFs, executed notebooks and pages are kept in
``build/handouts/`` and ``build/executed/`` for a person to look at.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest

from autograder import handouts
from autograder.assignments import REPO, built_assignments
from autograder.notebook import BEGIN_HIDDEN, BEGIN_SOLUTION, END_SOLUTION, read
from tests.truth import figure_titles, figures, hidden_lines, markdown_tex, solution_lines
from tests.truth import squash as _squash

pytestmark = pytest.mark.slow
ASSIGNMENTS = built_assignments()
IDS = [a.id for a in ASSIGNMENTS]
OUT = handouts.HANDOUTS
# Page sizes in PostScript points (1/72 inch).
PAGE_POINTS = {"A4": (595.3, 841.9), "Letter": (612.0, 792.0)}
RIGHT_MARGIN_PT = 15 / 25.4 * 72  # the handouts' 15 mm side margins


def _poppler(*args: str) -> str:
    tool = shutil.which(args[0])
    if tool is None:
        pytest.fail(f"{args[0]} not found: install Debian's poppler-utils (.ci/run does)")
    return subprocess.run([tool, *args[1:]], check=True, capture_output=True, text=True).stdout


@cache
def pdf_text(path: Path) -> str:
    return _poppler("pdftotext", "-layout", str(path), "-")


def pdf_images(path: Path) -> int:
    """Images drawn in a PDF (``pdfimages -list``; soft masks are not counted)."""
    rows = _poppler("pdfimages", "-list", str(path)).splitlines()[2:]
    return sum(1 for row in rows if row.split()[2] == "image")


@pytest.fixture(scope="module")
def built():
    """Run the command a workshop leader runs, for every notebook: HTML and PDF, both kinds."""
    assert handouts.main([]) == 0
    return OUT


@pytest.mark.parametrize("assignment_id", IDS)
def test_every_handout_file_is_written(built, assignment_id):
    """Are there a student handout and an instructor key, as HTML and on A4 and Letter?"""
    for kind in handouts.KINDS:
        handout = handouts.Handout(built, kind, assignment_id)
        assert handout.html.stat().st_size > 10_000
        for paper in handouts.PAPERS:
            assert handout.pdf(paper).read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize("paper", list(handouts.PAPERS))
@pytest.mark.parametrize("kind", handouts.KINDS)
def test_pages_have_the_paper_size_and_nothing_runs_off_them(built, kind, paper):
    """Is every page of every PDF A4 (or Letter), and does all text stay inside the margins?"""
    width, height = PAGE_POINTS[paper]
    for assignment in ASSIGNMENTS:
        pdf = handouts.Handout(built, kind, assignment.id).pdf(paper)
        info = _poppler("pdfinfo", str(pdf))
        size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
        assert abs(float(size[1]) - width) < 1 and abs(float(size[2]) - height) < 1, info
        pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
        assert pages >= 3, (pdf, pages)
        boxes = ET.fromstring(_poppler("pdftotext", "-bbox", str(pdf), "-"))
        words = [w for w in boxes.iter() if w.tag.endswith("word")]
        assert words, pdf
        overflow = [
            w.text for w in words if float(w.get("xMax")) > width - RIGHT_MARGIN_PT / 2 + 0.5
        ]
        assert not overflow, f"{pdf.name}: text past the right margin: {overflow[:5]}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_student_handout_has_every_exercise_and_an_empty_box(built, assignment):
    """Does the student handout show each exercise's signature and an empty answer box?"""
    for paper in handouts.PAPERS:
        text = _squash(pdf_text(handouts.Handout(built, "student", assignment.id).pdf(paper)))
        assert "studenthandout" in text.lower()
        for exercise in assignment.exercises:
            assert _squash(f"def {exercise.name}(") in text, (paper, exercise.name)
            assert _squash(f"Your answer: the body of {exercise.name}") in text, exercise.name


@pytest.mark.parametrize("kind", handouts.KINDS)
@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_every_figure_is_printed(built, assignment, kind):
    """Is every figure of the worked examples in both PDFs (and on both papers)?"""
    expected = figures(assignment)
    assert expected >= 2, f"{assignment.id} draws {expected} figures: is the cache right?"
    for paper in handouts.PAPERS:
        pdf = handouts.Handout(built, kind, assignment.id).pdf(paper)
        assert pdf_images(pdf) >= expected, (pdf.name, pdf_images(pdf), expected)


@pytest.mark.parametrize("kind", handouts.KINDS)
@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_every_figure_is_described(built, assignment, kind):
    """Does every figure's image carry a description (not nbconvert's "No description has
    been provided") that names the title the notebook gives it?"""
    page = handouts.Handout(built, kind, assignment.id).html.read_text()
    found = re.findall(r'<img[^>]*\balt="([^"]*)"', page)
    alts = [" ".join(html.unescape(alt).split()) for alt in found]
    described = [alt for alt in alts if alt.startswith("Figure")]
    assert len(described) >= figures(assignment), alts
    assert not any("No description" in alt for alt in alts), alts
    for title in figure_titles(assignment):
        assert any(" ".join(title.split()) in alt for alt in described), (title, described)


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_no_solution_leaks_into_the_student_handout(built, assignment):
    """Is no line of a reference solution in the student handout, while the instructor key,
    printed the same way, shows them (so this check can see a leak)?"""
    lines = solution_lines(assignment)
    assert set(lines) == {e.name for e in assignment.exercises}
    for exercise, body in lines.items():
        assert body, f"{assignment.id}: no distinctive solution line for {exercise}"
    for paper in handouts.PAPERS:
        student = _squash(pdf_text(handouts.Handout(built, "student", assignment.id).pdf(paper)))
        key = _squash(pdf_text(handouts.Handout(built, "instructor", assignment.id).pdf(paper)))
        html_page = handouts.Handout(built, "student", assignment.id).html.read_text()
        for exercise, body in lines.items():
            leaked = [line for line in body if _squash(line) in student]
            assert not leaked, f"{assignment.id} {paper}: {exercise}'s solution in the handout"
            in_key = [line for line in body if _squash(line) in key]
            # A code line split by a page break is not found whole: most lines must be.
            assert len(in_key) >= max(1, 0.75 * len(body)), (exercise, paper, body)
        assert BEGIN_SOLUTION not in html_page and END_SOLUTION not in key


@pytest.mark.parametrize("kind", handouts.KINDS)
@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_no_hidden_test_in_any_handout(built, assignment, kind):
    """Is no hidden test (nor the grader it imports) in either handout, PDF or HTML?"""
    hidden = hidden_lines(assignment)
    assert len(hidden) >= len(assignment.exercises)
    handout = handouts.Handout(built, kind, assignment.id)
    for text in [pdf_text(handout.pdf(p)) for p in handouts.PAPERS] + [handout.html.read_text()]:
        squashed = _squash(text)
        assert not [line for line in hidden if _squash(line) in squashed]
        assert "autograder" not in text and BEGIN_HIDDEN not in text


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_instructor_key_has_the_expected_outputs(built, assignment):
    """Does the key show what each exercise's visible tests print for the reference?"""
    text = pdf_text(handouts.Handout(built, "instructor", assignment.id).pdf("A4"))
    assert "instructor key" in text.lower()
    student = pdf_text(handouts.Handout(built, "student", assignment.id).pdf("A4"))
    nb = read(handouts.EXECUTED / assignment.notebook)
    passes = [
        line.strip()
        for cell in nb.cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
        for output in cell.get("outputs", [])
        for line in output.get("text", "").splitlines()
        if line.startswith("✓")
    ]
    assert len(passes) >= len(assignment.exercises)
    key = _squash(text)
    assert sum(_squash(line) in key for line in passes) >= 0.75 * len(passes)
    shown = _squash(student)  # the student handout has no test output to copy
    assert not [line for line in passes if _squash(line) in shown]


@pytest.mark.parametrize("kind", handouts.KINDS)
def test_math_is_typeset(built, kind):
    """Is the math typeset (MathJax's STIX glyphs, which carry the Unicode mathematical
    italic letters such as 𝐻 and 𝑝) with no TeX source left in the text?"""
    for assignment in ASSIGNMENTS:
        pdf = handouts.Handout(built, kind, assignment.id).pdf("A4")
        prose = pdf_text(pdf)
        math_letters = sum(0x1D400 <= ord(ch) <= 0x1D7FF for ch in prose)
        assert math_letters >= 50, (pdf.name, math_letters)
        tex = markdown_tex(assignment)
        assert len(tex) >= 10, assignment.id
        shown = _squash(prose)
        raw = [t for t in tex if _squash(t) in shown]
        assert not raw, (pdf.name, raw[:3])
        # The page printed holds that TeX as text (MathJax sets it in the browser), so the
        # check above is one that an unrendered page would fail.
        page = _squash(html.unescape(handouts.Handout(built, kind, assignment.id).html.read_text()))
        assert sum(_squash(t) in page for t in tex) >= 0.9 * len(tex), pdf.name


def test_student_notebook_cells_are_the_release(built):
    """Is the student version made by nbgrader from the source the release notebook, cell for
    cell (so the handout shows students what their notebook shows)?"""
    for assignment in ASSIGNMENTS:
        executed = read(handouts.EXECUTED / assignment.notebook)
        student = handouts.student_notebook(executed)
        release = read(REPO / "release" / assignment.id / assignment.notebook)
        assert [c.source for c in student.cells] == [c.source for c in release.cells]


def test_answer_box_is_empty_and_sized(built):
    """Is the answer box empty ruled space, with room for the reference body?"""
    box = handouts.answer_box("entropy", handouts.answer_lines(12))
    assert box.count('class="itlm-rule"') == 16
    assert "def " not in box and "return" not in box
    assert handouts.answer_lines(1) == 7 and handouts.answer_lines(100) == 26


def test_unknown_notebook_is_a_clear_error(capsys):
    """Does asking for a notebook that does not exist say so, without a traceback?"""
    assert handouts.main(["99-nonsense", "--html-only"]) == 1
    assert "99-nonsense" in capsys.readouterr().err


def test_one_notebook_alone_runs_in_one_kernel(built, tmp_path):
    """Does a single notebook (one kernel, the libraries' own thread count: the path of
    ``python -m autograder.handouts 01-entropy``) execute, with every figure described, the
    same figures as the full build's?"""
    assignment = ASSIGNMENTS[0]
    alone = handouts.executed_notebook(assignment, cache=tmp_path, force=True, threads=None)
    images = [
        output
        for cell in alone.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    assert len(images) >= figures(assignment) >= 2
    for output in images:
        assert output.metadata["image/png"]["alt"].startswith("Figure"), output.metadata
    assert not [o for c in alone.cells for o in c.get("outputs", []) if o.output_type == "error"]

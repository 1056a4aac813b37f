"""Every source notebook has the shape COURSE.md asks for, and its answers come from solutions/."""

import re

import pytest

from autograder.assignments import built_assignments
from autograder.notebook import BEGIN_HIDDEN, END_HIDDEN, check_call, grade_id, read, sync

ASSIGNMENTS = built_assignments()


def nb_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


@pytest.fixture(params=ASSIGNMENTS, ids=lambda a: a.id)
def assignment(request):
    return request.param


def test_some_notebooks_are_built():
    """Is there at least the first notebook (the release test would be vacuous otherwise)?"""
    assert [a.id for a in ASSIGNMENTS][:1] == ["01-entropy"]


def test_solution_cells_equal_the_reference(assignment):
    """Is every solution cell exactly its solutions/ function (run `make sync` if not)?"""
    assert sync(assignment, check_only=True) == []


def test_each_exercise_has_solution_then_test_cell(assignment):
    """Does each exercise have its solution cell, then right after it its test cell with the
    contract's points and a hidden check of that function?"""
    nb = read(assignment.source_path)
    ids = [grade_id(c) for c in nb.cells]
    for exercise in assignment.exercises:
        i = ids.index(exercise.name)
        solution, test = nb.cells[i], nb.cells[i + 1]
        assert nb_meta(solution)["solution"] and not nb_meta(solution)["grade"]
        assert grade_id(test) == exercise.test_id
        meta = nb_meta(test)
        assert meta["grade"] and meta["locked"] and meta["points"] == exercise.points
        hidden = test.source.split(BEGIN_HIDDEN)[1].split(END_HIDDEN)[0]
        assert check_call(exercise.name) in hidden
        visible = test.source.split(BEGIN_HIDDEN)[0]
        assert visible.count("expect_") >= 2, f"{exercise.name}: at least two visible tests"
    graded = [grade_id(c) for c in nb.cells if nb_meta(c).get("grade")]
    assert graded == [e.test_id for e in assignment.exercises]


def test_notebook_contains_what_every_notebook_contains(assignment):
    """Objectives, a locked setup cell, figures, check-your-understanding, anchor, references?"""
    nb = read(assignment.source_path)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    for needle in (
        "learning objectives",
        "prerequisites",
        "check your understanding",
        "summary",
        "references",
        "shannon",
    ):
        assert needle in text, needle
    setup = next(c for c in nb.cells if grade_id(c) == "setup")
    assert nb_meta(setup)["locked"]
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert len(re.findall(r"plt\.(subplots|figure)\(", code)) >= 2, "at least two figures"


def test_answers_are_only_imported_by_hidden_tests(assignment):
    """Outside hidden regions, does no cell import solutions/ or autograder/?"""
    nb = read(assignment.source_path)
    for cell in nb.cells:
        visible = re.sub(f"{BEGIN_HIDDEN}.*?{END_HIDDEN}", "", cell.source, flags=re.S)
        assert not re.search(r"\b(import|from)\s+(solutions|autograder)\b", visible), cell.source[
            :80
        ]


def test_source_is_committed_without_outputs(assignment):
    """Are outputs and execution counts cleared in the committed source?"""
    nb = read(assignment.source_path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None

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


def test_notebook_07s_written_out_adam_takes_torch_optim_adams_steps():
    """07 trains its model with Adam written out in a few lines (torch.optim's first use costs
    about 2 s of imports): with a cosine-decayed learning rate, it must take the same steps as
    torch.optim.Adam with a LambdaLR schedule, the independent truth."""
    import math

    import torch

    nb = read(next(a for a in ASSIGNMENTS if a.id == "07-llm-losses").source_path)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    (source,) = [s for s in code if s.startswith("class Adam:")]
    scope = {"torch": torch, "math": math}
    exec(source, scope)
    gen = torch.Generator().manual_seed(0)
    start = [torch.randn(shape, generator=gen, dtype=torch.float64) for shape in [(5, 3), (4,)]]
    ours = [p.clone().requires_grad_(True) for p in start]
    truth = [p.clone().requires_grad_(True) for p in start]
    adam = scope["Adam"](ours)
    reference = torch.optim.Adam(truth, lr=0.05)
    cosine = lambda s: 0.5 * (1 + math.cos(math.pi * s / 30))  # noqa: E731
    schedule = torch.optim.lr_scheduler.LambdaLR(reference, cosine)
    target = torch.randn(5, 3, generator=gen, dtype=torch.float64)

    def loss(w, b):  # gradients of unequal scales
        return ((w - target) ** 4).sum() + (b.sin() * 3).sum()

    for step in range(30):
        loss(*ours).backward()
        adam.step(lr=0.05 * cosine(step))
        assert all(p.grad is None for p in ours), "step() clears the gradients"
        reference.zero_grad()
        loss(*truth).backward()
        reference.step()
        schedule.step()
    for a, b, first in zip(ours, truth, start, strict=True):
        assert not torch.allclose(b, first)  # it moved
        torch.testing.assert_close(a.detach(), b.detach(), rtol=1e-12, atol=1e-12)

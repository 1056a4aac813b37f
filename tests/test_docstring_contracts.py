"""Does each exercise's docstring promise what docs/COURSE.md's contract grades, and no more?"""

from __future__ import annotations

import inspect
import re

import pytest

from autograder.assignments import ASSIGNMENTS, REPO

CONTRACT = (REPO / "docs" / "COURSE.md").read_text()
EXERCISES = [(a, e) for a in ASSIGNMENTS.values() for e in a.exercises]
EXCEPTION = re.compile(r"\b([A-Z][A-Za-z]*(?:Error|Exception))\b")


def _contract_row(name: str) -> str:
    row = re.search(rf"^\| `{re.escape(name)}\(.*$", CONTRACT, re.M)
    assert row, f"docs/COURSE.md has no contract row for {name}"
    return row.group(0)


def _raises_section(doc: str) -> str:
    """The text of a numpydoc 'Raises' section (empty when there is none)."""
    match = re.search(r"^\s*Raises\n\s*-+\n(.*?)(?=^\s*\w[\w ]*\n\s*-{3,}\n|\Z)", doc, re.M | re.S)
    return match.group(1) if match else ""


@pytest.mark.parametrize(
    ("assignment", "exercise"), EXERCISES, ids=[f"{a.id}:{e.name}" for a, e in EXERCISES]
)
def test_docstring_raises_only_what_the_contract_grades(assignment, exercise):
    """Is every exception a docstring promises also in the contract (so a check tests it)?"""
    doc = inspect.getdoc(getattr(assignment.reference(), exercise.name)) or ""
    promised = set(EXCEPTION.findall(_raises_section(doc)))
    contracted = set(EXCEPTION.findall(_contract_row(exercise.name)))
    assert promised <= contracted, (
        f"{exercise.name}'s docstring promises {sorted(promised - contracted)}, which "
        f"docs/COURSE.md does not ask for: drop it from the docstring or add it to the contract"
    )
    assert contracted <= promised, (
        f"docs/COURSE.md grades {sorted(contracted - promised)} for {exercise.name}, "
        "but its docstring has no 'Raises' entry saying so"
    )

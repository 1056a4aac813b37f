"""The assignment registry against the course contract (COURSE.md)."""

import re
from pathlib import Path

import pytest

from autograder.assignments import ASSIGNMENTS, REPO, find_exercise

# The contract ships in docs/; the steering copy sits beside the repository during development.
CONTRACTS = [
    p for p in (REPO / "docs" / "COURSE.md", REPO.parent / "shared" / "COURSE.md") if p.exists()
]


def contract_tables(path: Path) -> dict[str, list[tuple[str, float]]]:
    """{assignment id: [(function, points), ...]} parsed from the exercise tables."""
    tables, current = {}, None
    for line in path.read_text().splitlines():
        heading = re.match(r"^### (\d\d-[a-z-]+)", line)
        if heading:
            current = heading.group(1)
            tables[current] = []
            continue
        row = re.match(r"^\| `([a-z_0-9]+)\(.*\| (\d+) \|$", line)
        if current and row:
            tables[current].append((row.group(1), float(row.group(2))))
    return tables


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda p: str(p.relative_to(REPO.parent)))
def test_registry_matches_contract(contract):
    """Are the ids, exercise names, order and points exactly those of COURSE.md?"""
    tables = contract_tables(contract)
    assert list(tables) == list(ASSIGNMENTS)
    for assignment_id, rows in tables.items():
        registry = [(e.name, e.points) for e in ASSIGNMENTS[assignment_id].exercises]
        assert registry == rows, assignment_id


def _without_minutes(text: str) -> str:
    """The contract without what the notebooks decide: the minutes of each notebook's core
    path (the last column of the sequence table, held to the notebooks by test_timing.py)
    and the paragraph saying how they are estimated."""
    text = re.sub(r"^(\| \d \| `\d\d-[a-z-]+` \|[^\n]*\|)\s*\d+\s*\|$", r"\1 |", text, flags=re.M)
    return re.sub(r"\nMinutes are those of the core path.*?\n\n", "\n", text, flags=re.S)


def test_vendored_contract_is_current():
    """Does docs/COURSE.md match the steering copy (but for the minutes) when it is present?"""
    assert CONTRACTS, "docs/COURSE.md is missing"
    texts = {_without_minutes(p.read_text()) for p in CONTRACTS}
    assert len(texts) == 1, "docs/COURSE.md differs from ../shared/COURSE.md: copy it over"


def test_exercise_names_are_unique_course_wide():
    """Can a hidden check find its exercise by name alone?"""
    names = [e.name for a in ASSIGNMENTS.values() for e in a.exercises]
    assert len(names) == len(set(names))
    assert find_exercise("softmax")[0].id == "01-entropy"

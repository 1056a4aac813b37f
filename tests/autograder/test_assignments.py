"""The assignment registry against the course contract (COURSE.md)."""

import re
from pathlib import Path

import pytest

from autograder.assignments import (
    ASSIGNMENTS,
    CONTRACT,
    REPO,
    ContractError,
    contract_exercises,
    find_exercise,
)

# The contract ships in docs/; the steering copy sits beside the repository during development.
CONTRACTS = [
    p for p in (REPO / "docs" / "COURSE.md", REPO.parent / "shared" / "COURSE.md") if p.exists()
]


def contract_tables(path: Path) -> dict[str, list[tuple[str, float]]]:
    """{assignment id: [(function, points), ...]} parsed from the exercise tables (written
    apart from the registry's own parser)."""
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
    """Are the ids, exercise names, order and points exactly those of COURSE.md (the
    registry reads docs/COURSE.md; the steering copy must say the same)?"""
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


def _contract_with(tmp_path, old: str, new: str) -> tuple[Path, int]:
    """A copy of the contract with one line changed, and that line's number."""
    lines = CONTRACT.read_text(encoding="utf-8").splitlines()
    (number,) = [i for i, line in enumerate(lines, 1) if line == old]
    lines[number - 1] = new
    path = tmp_path / "COURSE.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, number


KRAFT = "| `kraft_sum(lengths, D=2)` | `sum(D ** -l)` | 1 |"


def test_malformed_contract_tables_are_refused_naming_the_line(tmp_path):
    """Does a row that does not read `| `name(...)` | contract | points |`, a total that does
    not add up, or a heading without its points stop the registry with the line's number?"""
    path, number = _contract_with(tmp_path, KRAFT, "| kraft_sum(lengths, D=2) | sum | 1 |")
    with pytest.raises(ContractError, match=rf"^COURSE.md:{number}: an exercise row must"):
        contract_exercises(path)
    path, number = _contract_with(tmp_path, KRAFT, KRAFT.replace("| 1 |", "| 2 |"))
    with pytest.raises(ContractError, match=r"add up to 19, the heading says 18"):
        contract_exercises(path)
    heading = "### 02-source-coding (18 points)"
    path, number = _contract_with(tmp_path, heading, "### 02-source-coding")
    with pytest.raises(ContractError, match=rf"^COURSE.md:{number}: expected '### <id>"):
        contract_exercises(path)


def test_points_keep_their_type():
    """Are whole points ints (the grades export and the self-check data print them so)?"""
    kraft = contract_exercises()["02-source-coding"][0]
    assert (kraft.name, kraft.points, type(kraft.points)) == ("kraft_sum", 1, int)

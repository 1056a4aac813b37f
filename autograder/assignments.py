"""The course's assignments and graded exercises: ids, reference modules and points.

The exercises (names, points, order) are read from the contract's tables in
``docs/COURSE.md``, the one place they are written; the notebook titles are here. A
notebook's reference module in ``solutions/`` (and its checks and answers) is named after its
id: ``02-source-coding`` is ``source_coding``. Everything else (the checks, the release, the
grade export) reads points and order from here.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Exercise:
    name: str  # the function the student writes; also the solution cell's grade_id
    points: float  # points of its test cell, grade_id ``test_<name>``

    @property
    def test_id(self) -> str:
        return f"test_{self.name}"


@dataclass(frozen=True)
class Assignment:
    id: str  # nbgrader assignment id, e.g. "01-entropy"
    title: str
    module: str  # the reference module in ``solutions/``
    exercises: tuple[Exercise, ...]

    @property
    def notebook(self) -> str:
        return f"{self.id}.ipynb"

    @property
    def source_path(self) -> Path:
        return REPO / "source" / self.id / self.notebook

    @property
    def total_points(self) -> float:
        return sum(e.points for e in self.exercises)

    def reference(self) -> ModuleType:
        return importlib.import_module(f"solutions.{self.module}")

    def exercise(self, name: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.name == name:
                return exercise
        raise KeyError(f"{self.id} has no exercise {name!r}")


class ContractError(ValueError):
    """The exercise tables of the contract cannot be read; the message names the line."""


CONTRACT = REPO / "docs" / "COURSE.md"
# The title of each notebook, in course order (the exercises come from the contract).
TITLES = {
    "01-entropy": "Entropy: measuring surprise",
    "02-source-coding": "Source coding: from entropy to bits on the wire",
    "03-cross-entropy": "Cross-entropy and maximum likelihood",
    "04-kl-divergence": "KL divergence: the cost of the wrong model",
    "05-mutual-information": "Mutual information and PMI",
    "06-perplexity": "Perplexity and n-gram language models",
    "07-llm-losses": "The losses that train language models",
}
_HEADING = re.compile(r"^### (\d\d-[a-z0-9-]+) \((\d+(?:\.\d+)?) points\b")
_ROW = re.compile(r"^\| `([a-z_][a-z_0-9]*)\(.*\| *(\d+(?:\.\d+)?) *\|$")
_TABLE_HEAD = re.compile(r"^\| *function *\| *contract *\| *pts *\|$|^\|[-| :]+\|$")


def contract_exercises(path: Path = CONTRACT) -> dict[str, tuple[Exercise, ...]]:
    """``{assignment id: exercises in notebook order}`` from the contract's exercise tables.

    Each notebook is a heading ``### <id> (<total> points...)`` followed by a table whose
    rows are ``| `name(signature)` | contract | points |``. A row that does not read so, a
    heading without rows, or rows whose points do not add up to the heading's total raise a
    :class:`ContractError` naming the line.
    """
    where = path.name
    tables: dict[str, list[Exercise]] = {}
    current, total, heading_line = None, 0.0, 0

    def finish() -> None:
        if current is None:
            return
        rows = tables[current]
        if not rows:
            raise ContractError(f"{where}:{heading_line}: {current} has no exercise table")
        if abs(sum(e.points for e in rows) - total) > 1e-9:
            raise ContractError(
                f"{where}:{heading_line}: the points of {current}'s exercises add up to "
                f"{sum(e.points for e in rows):g}, the heading says {total:g}"
            )

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            finish()
            current = None
            heading = _HEADING.match(line)
            if heading:
                current, total, heading_line = heading[1], float(heading[2]), number
                if current in tables:
                    raise ContractError(f"{where}:{number}: {current} appears twice")
                tables[current] = []
            elif line.startswith("### ") and re.match(r"^### \d\d-", line):
                raise ContractError(
                    f"{where}:{number}: expected '### <id> (<n> points)', got {line!r}"
                )
            continue
        if current is None or not line.startswith("|") or _TABLE_HEAD.match(line):
            continue
        row = _ROW.match(line)
        if not row:
            raise ContractError(
                f"{where}:{number}: an exercise row must read "
                f"'| `name(signature)` | contract | points |', got {line[:80]!r}"
            )
        points = float(row[2]) if "." in row[2] else int(row[2])
        tables[current].append(Exercise(row[1], points))
    finish()
    if not tables:
        raise ContractError(f"{where}: no '### <id> (<n> points)' exercise tables")
    return {assignment_id: tuple(rows) for assignment_id, rows in tables.items()}


def _assignments(path: Path = CONTRACT) -> dict[str, Assignment]:
    exercises = contract_exercises(path)
    if list(exercises) != list(TITLES):
        raise ContractError(
            f"{path.name} has the notebooks {list(exercises)}, autograder/assignments.py "
            f"titles {list(TITLES)}: give each notebook a title in TITLES, in course order"
        )
    return {
        assignment_id: Assignment(
            assignment_id, TITLES[assignment_id], assignment_id[3:].replace("-", "_"), rows
        )
        for assignment_id, rows in exercises.items()
    }


ASSIGNMENTS: dict[str, Assignment] = _assignments()


def get_assignment(assignment_id: str) -> Assignment:
    try:
        return ASSIGNMENTS[assignment_id]
    except KeyError:
        known = ", ".join(ASSIGNMENTS)
        raise KeyError(f"unknown assignment {assignment_id!r}; the course has: {known}") from None


def built_assignments() -> list[Assignment]:
    """The assignments whose source notebook exists (the others are still being written)."""
    return [a for a in ASSIGNMENTS.values() if a.source_path.exists()]


def find_exercise(name: str) -> tuple[Assignment, Exercise]:
    """The assignment and exercise of a graded function name (names are unique course-wide)."""
    for assignment in ASSIGNMENTS.values():
        for exercise in assignment.exercises:
            if exercise.name == name:
                return assignment, exercise
    raise KeyError(f"no graded exercise is called {name!r}")

"""Does every graded exercise have all its parts (docs/ADDING_AN_EXERCISE.md)?

The exercises are those of the contract's tables (``docs/COURSE.md``, read by
``autograder/assignments.py``), so each has its contract row; a check, mistake or alternative
for a name the contract lacks fails ``tests/autograder/test_checks_all.py``."""

from __future__ import annotations

import importlib
import json
import re

import pytest

from autograder.assignments import ASSIGNMENTS, REPO
from autograder.notebook import grade_id, read

EXERCISES = [(a, e) for a in ASSIGNMENTS.values() for e in a.exercises]


@pytest.mark.parametrize(
    ("assignment", "exercise"), EXERCISES, ids=[f"{a.id}:{e.name}" for a, e in EXERCISES]
)
def test_exercise_has_every_part(assignment, exercise):
    """Reference, its tests, hidden check, public cases, mistakes, alternatives, and the
    notebook's solution and test cells: are they all there?"""
    name, module = exercise.name, assignment.module
    missing = []
    if not callable(getattr(assignment.reference(), name, None)):
        missing.append(f"the reference solutions/{module}.py:{name}")
    tests = REPO / "tests" / "solutions" / f"test_{module}.py"
    if not tests.exists() or not re.search(rf"\b{name}\b", tests.read_text()):
        missing.append(f"tests of the reference in {tests.relative_to(REPO)}")
    checks = importlib.import_module(f"autograder.checks.{module}")
    if name not in getattr(checks, "CHECKS", {}):
        missing.append(f"CHECKS[{name!r}] in autograder/checks/{module}.py")
    answers = importlib.import_module(f"autograder.answers.{module}")
    if not any(m.exercise == name for m in answers.MISTAKES):
        missing.append(f"a classic mistake in autograder/answers/{module}.py")
    if not answers.ALTERNATIVES.get(name):
        missing.append(f"an alternative answer in autograder/answers/{module}.py")
    data = REPO / "course" / "data" / "selfcheck" / f"{assignment.id}.json"
    public = json.loads(data.read_text()) if data.exists() else {"exercises": []}
    cases = [
        case
        for ex in public["exercises"]
        if ex["name"] == name
        for criterion in ex["criteria"]
        for case in criterion["cases"]
    ]
    if not cases:
        where = data.relative_to(REPO)
        missing.append(f"public cases in {where} (python -m autograder.public_cases)")
    ids = [grade_id(c) for c in read(assignment.source_path).cells]
    if name not in ids or exercise.test_id not in ids:
        missing.append(f"the solution cell {name!r} and test cell {exercise.test_id!r}")
    assert not missing, f"{name} lacks: " + "; ".join(missing)

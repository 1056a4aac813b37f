"""Hidden checks: ``check("entropy", entropy)`` is the whole of a hidden test cell.

Each notebook has a spec module here (``autograder/checks/<module>.py``) whose ``CHECKS``
maps an exercise name to a function building its criteria, and a module of known mistakes
in ``autograder/examples/<module>.py``. ``check`` prints the teaching report (stdout only) and
returns the points as a plain float, which nbgrader records as partial credit.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from autograder.assignments import find_exercise
from autograder.checks.core import Criterion, CriterionResult, Result, judge, run_cases

__all__ = ["check", "grade_function", "criteria_for", "mistakes_for"]


def _spec_module(module: str):
    return importlib.import_module(f"autograder.checks.{module}")


def criteria_for(name: str) -> list[Criterion]:
    """The criteria (with their seeded cases) of a graded exercise."""
    assignment, _ = find_exercise(name)
    return _spec_module(assignment.module).CHECKS[name]()


def mistakes_for(name: str) -> list:
    """The known mistakes of an exercise, in the order they are tried."""
    assignment, _ = find_exercise(name)
    examples = importlib.import_module(f"autograder.examples.{assignment.module}")
    return [m for m in examples.MISTAKES if m.exercise == name]


def grade_function(name: str, fn: Callable) -> Result:
    """Run and judge a student's function; nothing is printed."""
    assignment, exercise = find_exercise(name)
    criteria = criteria_for(name)
    if not callable(fn):
        results = [CriterionResult(c.name, c.weight, False, len(c.cases)) for c in criteria]
        return Result(name, 0.0, exercise.points, results, note=f"{name} is not a function.")
    outcomes = run_cases(fn, criteria)
    reference = getattr(assignment.reference(), name)
    return judge(name, exercise.points, criteria, outcomes, reference, mistakes_for(name))


def check(name: str, fn: Callable) -> float:
    """Grade ``fn`` as the exercise ``name``: print the report, return the points."""
    result = grade_function(name, fn)
    print(result.report())
    return float(result.points)

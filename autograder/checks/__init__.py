"""Hidden checks: ``check("entropy", entropy)`` is the whole of a hidden test cell.

Each notebook has a spec module here (``autograder/checks/<module>.py``) whose ``CHECKS``
maps an exercise name to a function building its criteria from a random generator (the
hidden seed, :func:`hidden_rng`; the public cases use another), and whose
``public_cases(rng)`` holds the hand-picked public cases of the learner's self-check; and a
module of known wrong and right answers in ``autograder/answers/<module>.py``. ``check``
prints the teaching report (stdout only) and returns the points as a plain float, which
nbgrader records as partial credit.
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Callable
from dataclasses import asdict, replace

import numpy as np

from autograder.assignments import find_exercise
from autograder.checks.core import Criterion, CriterionResult, Result, judge, run_cases

__all__ = [
    "check",
    "criteria_for",
    "derived_for",
    "grade_function",
    "judge_outcomes",
    "mistakes_for",
    "partners_for",
]


def _spec_module(module: str):
    return importlib.import_module(f"autograder.checks.{module}")


def hidden_rng(name: str) -> np.random.Generator:
    """The generator of an exercise's hidden cases: seeded by its name, the same every run."""
    return np.random.default_rng(sum(name.encode()) * 7919)


def criteria_for(name: str, rng: np.random.Generator | None = None) -> list[Criterion]:
    """The criteria of a graded exercise, their cases drawn from ``rng`` (by default the
    hidden cases, :func:`hidden_rng`)."""
    assignment, _ = find_exercise(name)
    builder = _spec_module(assignment.module).CHECKS[name]
    return builder(hidden_rng(name) if rng is None else rng)


def mistakes_for(name: str) -> list:
    """The known mistakes of an exercise, in the order they are tried."""
    assignment, _ = find_exercise(name)
    answers = importlib.import_module(f"autograder.answers.{assignment.module}")
    return [m for m in answers.MISTAKES if m.exercise == name]


def partners_for(name: str) -> dict[str, str]:
    """The other exercises a check runs together with ``name``: ``{keyword: exercise}``.

    Declared once per spec module as ``PARTNERS`` (e.g. the arithmetic decoder is checked by
    a round trip through the student's own encoder: ``{"encoder": "arithmetic_encode"}``);
    the notebook's test cell passes those functions to :func:`check`.
    """
    assignment, _ = find_exercise(name)
    return dict(getattr(_spec_module(assignment.module), "PARTNERS", {}).get(name, {}))


def grade_function(name: str, fn: Callable, **partners: Callable) -> Result:
    """Run and judge a student's function; nothing is printed.

    ``partners`` are the student's functions named by :func:`partners_for`; the reference is
    judged with the reference functions of the same exercises.
    """
    assignment, exercise = find_exercise(name)
    criteria = criteria_for(name)
    wanted = partners_for(name)
    if (
        not callable(fn)
        or set(partners) != set(wanted)
        or not all(map(callable, partners.values()))
    ):
        note = (
            f"{name} is not a function."
            if not callable(fn)
            else f"{name} is checked together with {', '.join(wanted.values()) or 'nothing'}, "
            "which must be defined as functions."
        )
        results = [CriterionResult(c.name, c.weight, False, len(c.cases)) for c in criteria]
        return Result(name, 0.0, exercise.points, results, note=note)
    return judge_outcomes(name, run_cases(fn, criteria, partners=partners), criteria)


@functools.cache
def reference_outcomes(name: str) -> tuple[list[Criterion], list]:
    """The criteria of ``name`` and the reference's outcomes on their cases, built once.

    The cases are seeded, so they and the reference's outcomes are the same for every
    student: the grading process, which judges a whole class, computes them once per
    exercise instead of once per submission. Treat both as read-only.
    """
    assignment, _ = find_exercise(name)
    module = assignment.reference()
    criteria = criteria_for(name)
    partners = {key: getattr(module, other) for key, other in partners_for(name).items()}
    return criteria, run_cases(getattr(module, name), criteria, budget=math.inf, partners=partners)


def judge_outcomes(name: str, outcomes, criteria: list[Criterion] | None = None) -> Result:
    """Judge recorded outcomes of ``name`` against the reference (trusted code only): what
    :func:`grade_function` does after running the student's code, and what the grading
    process does with outcomes recorded in the sandbox. Without ``criteria``, the cached
    :func:`reference_outcomes` are used."""
    assignment, exercise = find_exercise(name)
    expected = None
    if criteria is None:
        criteria, expected = reference_outcomes(name)
    wanted = partners_for(name)
    module = assignment.reference()
    # A mistake's companions are named by exercise; the check's adapters take keywords.
    mistakes = [
        replace(
            m, companions={k: m.companions[ex] for k, ex in wanted.items() if ex in m.companions}
        )
        for m in mistakes_for(name)
    ]
    return judge(
        name,
        exercise.points,
        criteria,
        outcomes,
        getattr(module, name),
        mistakes,
        {key: getattr(module, other) for key, other in wanted.items()},
        expected=expected,
        derived=derived_for(name),
    )


@functools.cache
def derived_for(name: str) -> list:
    """The operator-derived mistakes of ``name`` (:mod:`autograder.answers.derived`)."""
    from autograder.answers.derived import derived_mistakes

    assignment, _ = find_exercise(name)
    return derived_mistakes(name, getattr(assignment.reference(), name))


# In the grading sandbox (autograder/sandbox.py) a hidden check only *records* what the
# student's functions did; the judging happens in the grading process, which never runs
# student code (autograder/judging.py). The sandbox sets this while a cell runs.
RECORDER: Callable[[str, dict], None] | None = None


def record(name: str, fn: Callable, **partners: Callable) -> dict:
    """Run the student's function(s) on the check's cases; plain data for the judge."""
    wanted = partners_for(name)
    if (
        not callable(fn)
        or set(partners) != set(wanted)
        or not all(map(callable, partners.values()))
    ):
        return {"note": "not callable"}
    outcomes = run_cases(fn, criteria_for(name), partners=partners)
    return {"outcomes": [[asdict(o) for o in group] for group in outcomes]}


def check(name: str, fn: Callable, **partners: Callable) -> float | None:
    """Grade ``fn`` as the exercise ``name``: print the report, return the points.

    (In the grading sandbox: record the outcomes for the judge and return nothing.)
    """
    if RECORDER is not None:
        RECORDER(name, record(name, fn, **partners))
        return None
    result = grade_function(name, fn, **partners)
    print(result.report())
    return float(result.points)

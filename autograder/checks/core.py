"""The machinery of a hidden check: cases, running the student's function, judging, reporting.

A check is a list of :class:`Criterion` (a named group of seeded cases, weighted). Calling a
function and comparing outcomes is :mod:`course.harness`, which the learner's self-check
shares; naming a mistake is :mod:`course.diagnosis`, shared too. Grading a function is two
steps kept apart on purpose:

1. :func:`run_cases` calls the student's function on every case and records plain data
   (:class:`Outcome`: the value, or the exception's type and message; whether the input was
   modified; the time taken). Warnings and stderr are silenced, each call is time-limited.
2. :func:`judge` compares those outcomes with the reference outcomes from ``solutions/``,
   gives partial credit by criterion, and names a known mistake when the student's outcomes
   reproduce one (``autograder/answers``).

Step 2 never calls student code, so it can run in another process than step 1.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from course.adapters import CALL, Adapter
from course.comparisons import Comparison, close  # noqa: F401 - the checks import close here
from course.diagnosis import NOT_KNOWN, explain, named_arguments
from course.harness import (  # noqa: F401 - the checks' modules import these from here
    CALL_SECONDS,
    Case,
    Compare,
    Outcome,
    as_array,
    call,
    first_line,
    quiet,
    short,
    verdict,
)

CHECK_SECONDS = 150.0  # all calls of one check, well inside nbgrader's 300 s per cell


@dataclass
class Criterion:
    """A named requirement of the contract, checked on a group of cases."""

    name: str  # shown to the student, e.g. "zero probabilities contribute 0 (0 log 0 = 0)"
    cases: list[Case]
    compare: Comparison  # how an outcome is judged (its data form is public)
    weight: float = 1.0
    adapt: Adapter = CALL  # how the graded function is called (course.adapters)

    def target(self, fn: Callable, partners: dict | None = None) -> Callable:
        return self.adapt(fn, partners or {})


@dataclass
class CriterionResult:
    name: str
    weight: float
    passed: bool
    n_cases: int
    failure: str = ""  # the first failing case, explained


@dataclass
class Result:
    """The judgement of one exercise."""

    exercise: str
    points: float
    max_points: float
    criteria: list[CriterionResult]
    diagnosis: tuple[str, str] | None = None  # (mistake name, hint)
    note: str = ""  # e.g. "not implemented yet"

    def report(self) -> str:
        lines = [f"{self.exercise}: {self.points:g} / {self.max_points:g} points"]
        if self.note:
            lines.append(f"  {self.note}")
            return "\n".join(lines)
        for c in self.criteria:
            mark = "✓" if c.passed else "✗"
            lines.append(f"  {mark} {c.name}  ({c.n_cases} case{'s' if c.n_cases != 1 else ''})")
            if c.failure:
                lines.extend("      " + line for line in c.failure.splitlines())
        if self.diagnosis:
            name, hint = self.diagnosis
            lines.append(f"  Likely mistake: {name}. {hint}")
        elif any(not c.passed for c in self.criteria):
            lines.append(f"  {NOT_KNOWN[0].capitalize()}. {NOT_KNOWN[1]}")
        return "\n".join(lines)


# -- running student code -------------------------------------------------------------------


def run_cases(
    fn: Callable,
    criteria: Sequence[Criterion],
    budget: float | None = None,
    partners: dict | None = None,
) -> list[list[Outcome]]:
    """Call ``fn`` (adapted per criterion) on every case, within a total time ``budget``.

    Once the budget is spent, the remaining cases are not run and count as timed out, so a
    uniformly slow answer gets partial credit instead of tripping nbgrader's cell timeout.
    """
    deadline = time.perf_counter() + (CHECK_SECONDS if budget is None else budget)
    outcomes = []
    for criterion in criteria:
        group = []
        target = criterion.target(fn, partners)
        for case in criterion.cases:
            left = deadline - time.perf_counter()
            if left <= 0:
                group.append(
                    Outcome(
                        error="TimeoutError",
                        error_types=("TimeoutError",),
                        message="not run: the check's time budget was used up by earlier cases",
                    )
                )
            else:
                group.append(call(target, case, min(CALL_SECONDS, left)))
        outcomes.append(group)
    return outcomes


# -- judging ----------------------------------------------------------------------------------


def judge(
    exercise: str,
    max_points: float,
    criteria: Sequence[Criterion],
    outcomes: Sequence[Sequence[Outcome]],
    reference: Callable,
    mistakes: Sequence = (),
    reference_partners: dict | None = None,
    expected: Sequence[Sequence[Outcome]] | None = None,
    derived: Sequence = (),
) -> Result:
    """Compare the student's outcomes with the reference's and turn them into points.

    Only trusted code runs here: the reference and the known mistakes, each with the
    reference's partners. ``expected``: the reference's outcomes on these very criteria,
    when already computed.
    """
    if expected is None:
        expected = run_cases(reference, criteria, budget=math.inf, partners=reference_partners)
    results: list[CriterionResult] = []
    failed_cases: list[tuple[int, int]] = []
    for ci, criterion in enumerate(criteria):
        failure = ""
        for ki, case in enumerate(criterion.cases):
            reason = verdict(outcomes[ci][ki], expected[ci][ki], case, criterion.compare)
            if reason is not None:
                failed_cases.append((ci, ki))
                if not failure:
                    failure = _explain(exercise, case, expected[ci][ki], outcomes[ci][ki], reason)
        results.append(
            CriterionResult(
                criterion.name, criterion.weight, not failure, len(criterion.cases), failure
            )
        )
    total = sum(r.weight for r in results)
    earned = sum(r.weight for r in results if r.passed)
    points = math.floor(max_points * earned / total * 100 + 1e-9) / 100 if total else 0.0
    if earned < total:
        points = min(points, max_points - 0.01)  # any failure costs something
    result = Result(exercise, points, max_points, results)
    all_outcomes = [o for group in outcomes for o in group]
    if all_outcomes and all(o.error == "NotImplementedError" for o in all_outcomes):
        result.note = "Not implemented yet: the function still raises NotImplementedError."
        return result
    if failed_cases:
        result.diagnosis = diagnose(
            criteria,
            outcomes,
            failed_cases,
            mistakes,
            reference_partners,
            expected,
            derived,
            parameters=parameters_of(reference),
        )
    return result


def diagnose(
    criteria,
    outcomes,
    failed_cases,
    mistakes,
    partners=None,
    expected=None,
    derived: Sequence = (),
    parameters: Sequence[tuple[str, Any]] = (),
) -> tuple[str, str] | None:
    """Name the mistake the student made, or None when it is not certain.

    First the hand-written classics, in order: one that reproduces the student's output on
    every failed case is named. Then the general explanations: the relations of
    :mod:`course.diagnosis` between the student's and the expected outcomes, and the
    ``derived`` operator mistakes (:mod:`autograder.answers.derived`); one of these is named
    only when it is the single explanation that fits every failed case.
    """
    for mistake in mistakes:
        if _reproduces(mistake, criteria, outcomes, failed_cases, partners):
            return mistake.name, mistake.hint
    found: dict[str, tuple[str, str]] = {}
    if expected is not None:
        failures = [
            (
                outcomes[ci][ki],
                expected[ci][ki],
                named_arguments(
                    criteria[ci].cases[ki].args, criteria[ci].cases[ki].kwargs, parameters
                ),
                functools.partial(_fits, case=criteria[ci].cases[ki], compare=criteria[ci].compare),
            )
            for ci, ki in failed_cases
        ]
        for relation in explain(failures, lambda value: Outcome(value=value)):
            found.setdefault(relation.name, (relation.name, relation.hint))
    for mistake in derived:
        if len(found) > 1:
            break
        if mistake.name not in found and _reproduces(
            mistake, criteria, outcomes, failed_cases, partners
        ):
            found[mistake.name] = (mistake.name, mistake.hint)
    return next(iter(found.values())) if len(found) == 1 else None


def parameters_of(fn: Callable) -> list[tuple[str, Any]]:
    """``(name, default)`` of each parameter of ``fn`` (default None when it has none)."""
    import inspect

    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return []
    return [(p.name, None if p.default is p.empty else p.default) for p in parameters]


def _fits(got: Outcome, candidate: Outcome, *, case: Case, compare: Compare) -> bool:
    return verdict(got, candidate, case, compare) is None


def _reproduces(mistake, criteria, outcomes, failed_cases, partners) -> bool:
    """Does ``mistake`` give the student's outcome on every failed case?"""
    mistake_partners = {**(partners or {}), **mistake.companions}
    for ci, ki in failed_cases:
        case = criteria[ci].cases[ki]
        theirs = call(criteria[ci].target(mistake.fn, mistake_partners), case)
        if verdict(outcomes[ci][ki], theirs, case, criteria[ci].compare) is not None:
            return False
    return True


def _explain(exercise: str, case: Case, expected: Outcome, got: Outcome, reason: str) -> str:
    return "\n".join(
        [
            f"input:    {case.call_text(exercise)}",
            f"expected: {expected.text()}",
            f"got:      {got.text()}",
            f"why:      {reason}",
        ]
    )

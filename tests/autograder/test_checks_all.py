"""Every exercise's hidden check, held to GRADING.md's first promise: every correct answer
gets full points, every wrong one loses points on that exercise, and a blank one gets 0.

Runs for each assignment whose spec module exists in autograder/checks/.
"""

import importlib
import importlib.util

import pytest

from autograder.assignments import ASSIGNMENTS
from autograder.checks import grade_function, partners_for

SPECCED = [
    a for a in ASSIGNMENTS.values() if importlib.util.find_spec(f"autograder.checks.{a.module}")
]


def answers_of(assignment):
    return importlib.import_module(f"autograder.answers.{assignment.module}")


def reference_partners(assignment, name):
    module = assignment.reference()
    return {key: getattr(module, other) for key, other in partners_for(name).items()}


EXERCISES = [(a, e.name) for a in SPECCED for e in a.exercises]
ALTERNATIVES = [
    (a, name, i)
    for a in SPECCED
    for name, fns in answers_of(a).ALTERNATIVES.items()
    for i in range(len(fns))
]
MISTAKES = [(a, m) for a in SPECCED for m in answers_of(a).MISTAKES]


def test_every_specced_assignment_covers_every_exercise():
    """Does each spec module have a check for each exercise, and known mistakes and
    alternative answers for each?"""
    assert SPECCED and SPECCED[0].id == "01-entropy"
    for assignment in SPECCED:
        spec = importlib.import_module(f"autograder.checks.{assignment.module}")
        names = [e.name for e in assignment.exercises]
        assert sorted(spec.CHECKS) == sorted(names)
        assert sorted(answers_of(assignment).ALTERNATIVES) == sorted(names)
        assert {m.exercise for m in answers_of(assignment).MISTAKES} == set(names)


@pytest.mark.parametrize("assignment,name", EXERCISES, ids=lambda x: getattr(x, "id", x))
def test_reference_earns_full_points(assignment, name):
    """Does the reference itself earn every point?"""
    fn = getattr(assignment.reference(), name)
    result = grade_function(name, fn, **reference_partners(assignment, name))
    assert result.points == result.max_points, result.report()


@pytest.mark.parametrize("assignment,name", EXERCISES, ids=lambda x: getattr(x, "id", x))
def test_blank_answer_earns_zero(assignment, name):
    """Does the release's stub earn 0 with a short note, whatever the partners are?"""

    def stub(*args, **kwargs):
        raise NotImplementedError("Replace this line with your code.")

    partners = {key: stub for key in partners_for(name)}
    result = grade_function(name, stub, **partners)
    assert result.points == 0 and "Not implemented" in result.report()


@pytest.mark.parametrize(
    "assignment,name,index",
    ALTERNATIVES,
    ids=lambda x: getattr(x, "id", x) if not isinstance(x, int) else f"#{x}",
)
def test_alternative_earns_full_points(assignment, name, index):
    """Does every correct answer written unlike the reference earn full points (paired
    exercises with their alternative partners of the same index)?"""
    alts = answers_of(assignment).ALTERNATIVES
    partners = {key: alts[other][index] for key, other in partners_for(name).items()}
    result = grade_function(name, alts[name][index], **partners)
    assert result.points == result.max_points, result.report()
    assert result.diagnosis is None and "mistake" not in result.report().lower()


@pytest.mark.parametrize(
    "assignment,mistake", MISTAKES, ids=lambda x: getattr(x, "id", None) or f"{x.exercise}:{x.name}"
)
def test_mistake_loses_points_and_is_named(assignment, mistake):
    """Does every classic mistake lose points on its exercise, with its name in the report?"""
    partners = reference_partners(assignment, mistake.exercise)
    partners.update(
        {
            key: mistake.companions[other]
            for key, other in partners_for(mistake.exercise).items()
            if other in mistake.companions
        }
    )
    result = grade_function(mistake.exercise, mistake.fn, **partners)
    assert result.points < result.max_points, result.report()
    assert result.diagnosis is not None and result.diagnosis[0] == mistake.name, result.report()

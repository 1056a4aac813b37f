"""Does diagnosis name the mistake a student made, only when it is certain?"""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograder.checks as checks
from autograder.checks.core import Case, Criterion, Outcome, close, judge
from tests.autograder.mistake_set import SET


@pytest.mark.slow
def test_the_self_check_names_the_same_mistakes():
    """Does the learner's self-check, on the public cases, name those mistakes right too?"""
    from autograder.assignments import find_exercise
    from course.selfcheck import check_exercise, load_public

    named, wrong = 0, []
    for exercise, accepted, fn in SET:
        public = load_public(find_exercise(exercise)[0].id)
        (spec,) = [e for e in public.exercises if e.name == exercise]
        report = check_exercise(spec, fn, {})
        assert report.status == "fail", f"{fn.__name__} passes the public cases"
        if report.mistake:
            named += 1
            if not any(w.lower() in report.mistake[0].lower() for w in accepted.split("|")):
                wrong.append(f"{fn.__name__}: named {report.mistake[0]!r}")
    assert not wrong, "\n".join(wrong)
    assert named >= 0.9 * len(SET)


class Broken:
    """A result object whose repr (and str) raises."""

    def __repr__(self):
        raise RuntimeError("no repr")

    __str__ = __repr__


@pytest.mark.parametrize(
    ("exercise", "fn"),
    [
        ("entropy", lambda p, base=2: Broken()),
        ("decode", lambda bits, code: [Broken()] * len(bits)),  # compared symbol by symbol
        ("ngram_counts", lambda tokens, n: {Broken(): 1}),  # a key shown in the reason
    ],
    ids=["alone", "in-a-list", "as-a-key"],
)
def test_an_answer_whose_repr_raises_is_reported_not_crashed(exercise, fn, capsys):
    """Is a result object whose __repr__ raises reported, not crashed on: on the grader's
    in-kernel path (check prints the report, as under --plain) and in the self-check?"""
    from autograder.assignments import find_exercise
    from course.selfcheck import check_exercise, load_public

    points = checks.check(exercise, fn)
    report = capsys.readouterr().out
    assert points < find_exercise(exercise)[1].points and "got:" in report
    if exercise == "entropy":
        assert "Broken" in report  # shown by its type
    (public,) = [
        e for e in load_public(find_exercise(exercise)[0].id).exercises if e.name == exercise
    ]
    result = check_exercise(public, fn)
    assert result.status == "fail" and result.failure["got"].startswith("<a ")


def _named(exercise, fn) -> tuple[str | None, float, float]:
    result = checks.grade_function(exercise, fn)
    return (result.diagnosis[0] if result.diagnosis else None), result.points, result.max_points


@pytest.mark.slow
def test_independent_mistakes_are_named_right():
    """Are at least 90% of mistakes written apart from autograder/answers named, and none
    wrongly?"""
    named, wrong, lines = 0, [], []
    for exercise, accepted, fn in SET:
        name, points, max_points = _named(exercise, fn)
        assert points < max_points, f"{fn.__name__} earned full points on {exercise}"
        if name is None:
            lines.append(f"unnamed: {fn.__name__}")
            continue
        named += 1
        if not any(word.lower() in name.lower() for word in accepted.split("|")):
            wrong.append(f"{fn.__name__}: named {name!r}, expected one of {accepted!r}")
    assert not wrong, "\n".join(wrong)
    assert named >= 0.9 * len(SET), f"only {named}/{len(SET)} named:\n" + "\n".join(lines)


def _judge_values(expected_values, got_values, args_list, parameters=(("p", None),)):
    """Judge hand-made outcomes with a plain `close` criterion."""
    cases = [Case(args) for args in args_list]
    criteria = [Criterion("values", cases, close())]
    expected = [[Outcome(value=v) for v in expected_values]]
    outcomes = [[Outcome(value=v) for v in got_values]]

    def reference(p):  # never called: the expected outcomes are given
        raise AssertionError

    reference.__signature__ = None
    return judge("f", 1.0, criteria, outcomes, reference, expected=expected)


def test_a_constant_ratio_of_ln2_is_named_natural_log():
    """Are results 0.693 times the expected ones named 'natural log where bits are asked'?"""
    expected = [1.0, 2.5, 0.3]
    result = _judge_values(expected, [v * math.log(2) for v in expected], [(0.1,), (0.2,), (0.3,)])
    assert result.diagnosis[0] == "natural log where bits are asked"


def test_two_explanations_that_fit_give_no_name():
    """Is a doubling on inputs of length 2 (a missing 1/2, or a sum over 2) left unnamed?"""
    args = [(np.array([0.5, 0.5]),), (np.array([0.25, 0.75]),)]
    result = _judge_values([1.0, 3.0], [2.0, 6.0], args)
    assert result.diagnosis is None
    assert "not a known mistake" in result.report().lower()


def test_one_case_that_fits_no_relation_gives_no_name():
    """Does one failing case that no relation explains keep the others from being named?"""
    expected = [1.0, 2.5, 0.3]
    got = [expected[0] * math.log(2), expected[1] * math.log(2), 7.0]
    result = _judge_values(expected, got, [(0.1,), (0.2,), (0.3,)])
    assert result.diagnosis is None


def test_sum_for_mean_uses_the_size_of_each_case():
    """Is a result N times the expected one, N each input's length, named a sum for a mean?"""
    args = [(np.arange(3.0),), (np.arange(5.0),), (np.arange(7.0),)]
    expected = [1.0, 2.0, 0.5]
    result = _judge_values(expected, [1.0 * 3, 2.0 * 5, 0.5 * 7], args)
    assert result.diagnosis[0] == "a sum where a mean is asked"


def test_a_full_score_is_never_diagnosed():
    """Is nothing named, and no 'not a known mistake' line printed, when every case passes?"""
    result = _judge_values([1.0, 2.0], [1.0, 2.0], [(0.1,), (0.2,)])
    assert result.diagnosis is None and result.points == 1.0
    assert "mistake" not in result.report().lower()

"""The check machinery: partial credit, diagnosis, and the promises of GRADING.md."""

import math
import sys
import time
import warnings

import numpy as np

import solutions.entropy as reference
from autograder.answers import entropy as answers
from autograder.checks import check, core, criteria_for, grade_function


def test_warning_and_stderr_never_cost_points():
    """Is a correct answer that warns and writes to stderr still graded full?"""

    def noisy_entropy(p, base=2):
        warnings.warn("about to compute", RuntimeWarning, stacklevel=1)
        print("debugging to stderr", file=sys.stderr)
        p = np.asarray(p, dtype=float)
        if p.ndim != 1 or p.size == 0 or (p < 0).any() or abs(p.sum() - 1) > 1e-6:
            raise ValueError("bad p")
        terms = p * np.log(p)  # log(0) warns; 0 * -inf is nan
        return float(-np.nansum(terms) / np.log(base))

    result = grade_function("entropy", noisy_entropy)
    assert result.points == 3, result.report()


def test_subclass_of_valueerror_is_accepted():
    """Does raising a subclass of the required exception count?"""

    class BadDistribution(ValueError):
        pass

    def strict_entropy(p, base=2):
        try:
            return reference.entropy(p, base)
        except ValueError as error:
            raise BadDistribution(str(error)) from None

    assert grade_function("entropy", strict_entropy).points == 3


def test_modifying_the_input_is_caught():
    """Does an answer that sorts its argument in place lose points, and say why?"""

    def in_place(p, base=2):
        if isinstance(p, np.ndarray):
            p.sort()
        return reference.entropy(p, base)

    result = grade_function("entropy", in_place)
    assert result.points < 3
    assert "modified its input" in result.report()


def test_slow_call_is_stopped(monkeypatch):
    """Is an endless loop cut off by the per-call limit instead of hanging the grader?"""
    monkeypatch.setattr(core, "CALL_SECONDS", 0.05)

    def forever(p):
        while True:
            pass

    start = time.perf_counter()
    outcome = core.call(forever, core.Case((0.5,)), seconds=0.05)
    assert outcome.error == "TimeoutError"
    assert time.perf_counter() - start < 5


def test_check_budget_bounds_a_slow_answer(monkeypatch):
    """Does a uniformly slow answer stop at the check's budget with partial results?"""
    monkeypatch.setattr(core, "CALL_SECONDS", 0.2)

    def slow_entropy(p, base=2):
        time.sleep(0.1)
        return reference.entropy(p, base)

    criteria = criteria_for("entropy")
    start = time.perf_counter()
    outcomes = core.run_cases(slow_entropy, criteria, budget=0.5)
    assert time.perf_counter() - start < 2
    flat = [o for group in outcomes for o in group]
    assert flat[0].error is None and flat[-1].error == "TimeoutError"


def test_except_exception_cannot_swallow_the_timeout():
    """Does the time limit get through a student's bare `except Exception`?"""

    def stubborn(p):
        while True:
            try:
                while True:
                    pass
            except Exception:  # noqa: BLE001
                continue

    outcome = core.call(stubborn, core.Case((0.5,)), seconds=0.05)
    assert outcome.error == "TimeoutError"


def test_blank_answer_scores_zero_with_a_short_note(capsys):
    """Does an unimplemented stub get 0 and a one-line explanation?"""

    def entropy(p, base=2):
        raise NotImplementedError("Replace this line with your code.")

    assert check("entropy", entropy) == 0.0
    out = capsys.readouterr()
    assert "Not implemented yet" in out.out and out.err == ""


def test_not_a_function_scores_zero():
    """Does a non-callable (e.g. the student overwrote the name) score 0 without crashing?"""
    assert grade_function("entropy", 3.0).points == 0


def test_partial_credit_is_proportional_and_never_full_on_failure():
    """Is a single failed criterion a loss, and are points a plain float?"""
    result = grade_function("entropy", answers.entropy_no_validation)
    assert 0 < result.points < 3
    assert type(check("entropy", answers.entropy_no_validation)) is float


def test_report_never_shows_reference_code():
    """Does a failure report leave out every line of the reference implementation?"""
    import inspect

    body = inspect.getsource(reference.softmax).split('"""')[-1]
    lines = [line.strip() for line in body.splitlines() if len(line.strip()) > 12]
    report = grade_function("softmax", answers.softmax_no_max_shift).report()
    assert lines and not any(line in report for line in lines)


def test_report_shows_input_expected_and_got():
    """Does the report name the failing input, the expected value and what came back?"""
    report = grade_function("surprisal", answers.surprisal_natural_log).report()
    assert "input:    surprisal(0.5)" in report
    assert "expected: 1.0" in report and f"got:      {math.log(2)!r}" in report
    assert "Likely mistake: natural log instead of log2" in report


def test_string_and_object_arrays_can_be_inputs():
    """Are non-numeric array inputs compared for modification without crashing?"""
    words = np.array(["to", "be", "or"])
    outcome = core.call(lambda a: len(a), core.Case((words,)))
    assert outcome.value == 3 and not outcome.modified_input

"""The machinery of a hidden check: cases, running the student's function, judging, reporting.

A check is a list of :class:`Criterion` (a named group of seeded cases, weighted). Grading a
function is two steps kept apart on purpose:

1. :func:`run_cases` calls the student's function on every case and records plain data
   (:class:`Outcome`: the value, or the exception's type and message; whether the input was
   modified; the time taken). Warnings and stderr are silenced, each call is time-limited.
2. :func:`judge` compares those outcomes with the reference outcomes from ``solutions/``,
   gives partial credit by criterion, and names a known mistake when the student's outcomes
   reproduce one (``autograder/examples``).

Step 2 never calls student code, so it can run in another process than step 1.
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
import signal
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

CALL_SECONDS = 20.0  # one call of a student's function, generous: slow but correct earns points
CHECK_SECONDS = 150.0  # all calls of one check, well inside nbgrader's 300 s per cell


@dataclass
class Case:
    """One call: ``fn(*args, **kwargs)``."""

    args: tuple
    kwargs: dict = field(default_factory=dict)

    def call_text(self, name: str, limit: int = 160) -> str:
        parts = [_short(a, limit) for a in self.args]
        parts += [f"{k}={_short(v, limit)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


# A comparison returns None when ``got`` is acceptable, else a short reason.
Compare = Callable[["Outcome", "Outcome", Case], "str | None"]


# An adapter turns the graded function (and its partners, e.g. the student's own encoder
# for a decoder) into the callable that is actually run on the cases. Adapters are how a
# check exercises several student functions together, or reads gradients from a PyTorch
# loss, while every student call still happens in the run step and the judge sees data only.
Adapter = Callable[[Callable, dict], Callable]


@dataclass
class Criterion:
    """A named requirement of the contract, checked on a group of cases."""

    name: str  # shown to the student, e.g. "zero probabilities contribute 0 (0 log 0 = 0)"
    cases: list[Case]
    compare: Compare
    weight: float = 1.0
    adapt: Adapter | None = None  # None: call the graded function itself

    def target(self, fn: Callable, partners: dict | None = None) -> Callable:
        return fn if self.adapt is None else self.adapt(fn, partners or {})


@dataclass
class Outcome:
    """What one call did, as plain data."""

    value: Any = None
    error: str | None = None  # exception type name, None when the call returned
    error_types: tuple[str, ...] = ()  # the exception's class and its bases, by name
    message: str = ""
    modified_input: bool = False
    seconds: float = 0.0

    @property
    def raised(self) -> bool:
        return self.error is not None

    def text(self) -> str:
        if self.raised:
            return f"{self.error}: {self.message}" if self.message else self.error
        return _short(self.value)


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
        return "\n".join(lines)


# -- running student code -------------------------------------------------------------------


class _CallTimeout(BaseException):
    """Raised inside a student's call that ran past its time limit (BaseException so that a
    student's ``except Exception`` cannot swallow it)."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise :class:`_CallTimeout` in the block after ``seconds`` (POSIX, main thread; the
    kernel runs cells there). Elsewhere the block runs without a limit."""

    def on_alarm(signum, frame):
        raise _CallTimeout

    try:
        previous = signal.signal(signal.SIGALRM, on_alarm)
    except (AttributeError, ValueError):  # no SIGALRM (Windows), or not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def quiet():
    """Silence warnings, NumPy floating-point complaints and stderr (nbgrader zeroes a test
    cell that writes to stderr; a warning from a correct answer must never cost points)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        with contextlib.redirect_stderr(io.StringIO()):
            yield


def _snapshot(value):
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - an uncopyable input cannot be compared afterwards
        return None


def _frozen(value):
    """A copy of a returned value, taken as the call returns: what the student's code does
    to that object afterwards (a later call overwriting a returned buffer) cannot change
    what is judged."""
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - e.g. a non-leaf tensor: copy its data at least
        if hasattr(value, "detach") and hasattr(value, "clone"):
            return value.detach().clone()
        return value


def _same(a, b) -> bool:
    """Is ``a`` unchanged compared with its snapshot ``b``?"""
    if b is None:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if hasattr(a, "detach") and hasattr(a, "equal"):  # torch tensors
        return a.shape == b.shape and bool(a.detach().equal(b.detach()))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return True


def call(fn: Callable, case: Case, seconds: float | None = None) -> Outcome:
    """Call ``fn`` on a copy of the case's inputs, quietly and within a time limit."""
    seconds = CALL_SECONDS if seconds is None else seconds
    args = _snapshot(case.args)
    kwargs = _snapshot(case.kwargs)
    if args is None or kwargs is None:
        args, kwargs = case.args, case.kwargs
    before_args, before_kwargs = _snapshot(args), _snapshot(kwargs)
    start = time.perf_counter()
    outcome = Outcome()
    try:
        with quiet(), _time_limit(seconds):
            outcome.value = _frozen(fn(*args, **kwargs))
    except _CallTimeout:
        outcome.error, outcome.error_types = "TimeoutError", ("TimeoutError",)
        outcome.message = f"the call took longer than {seconds:g} s"
    except RecursionError as error:
        outcome.error, outcome.error_types = "RecursionError", ("RecursionError",)
        outcome.message = str(error)[:200]
    except Exception as error:  # noqa: BLE001 - any exception is an outcome to judge
        outcome.error = type(error).__name__
        outcome.error_types = tuple(t.__name__ for t in type(error).__mro__)
        outcome.message = _first_line(str(error))
    outcome.seconds = time.perf_counter() - start
    outcome.modified_input = not (_same(args, before_args) and _same(kwargs, before_kwargs))
    return outcome


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
        result.diagnosis = diagnose(criteria, outcomes, failed_cases, mistakes, reference_partners)
    return result


def verdict(got: Outcome, expected: Outcome, case: Case, compare: Compare) -> str | None:
    """None if ``got`` is acceptable, else the reason it is not."""
    if got.modified_input:
        return "your function modified its input (work on a copy: inputs must stay unchanged)"
    if expected.raised:
        if got.raised and expected.error in got.error_types:
            return None
        if got.raised:
            return f"expected {expected.error}, but it raised {got.error}"
        return f"expected {expected.error} for this input, but it returned a value"
    if got.raised:
        return f"it raised {got.error}" + (f": {got.message}" if got.message else "")
    try:
        with quiet():
            return compare(got, expected, case)
    except Exception as error:  # noqa: BLE001 - an unreadable answer is a wrong answer
        return (
            f"the result could not be compared ({type(error).__name__}: {_first_line(str(error))})"
        )


def diagnose(criteria, outcomes, failed_cases, mistakes, partners=None) -> tuple[str, str] | None:
    """Name the known mistake that reproduces the student's output on every failed case."""
    for mistake in mistakes:
        matches = True
        mistake_partners = {**(partners or {}), **mistake.companions}
        for ci, ki in failed_cases:
            case = criteria[ci].cases[ki]
            theirs = call(criteria[ci].target(mistake.fn, mistake_partners), case)
            if verdict(outcomes[ci][ki], theirs, case, criteria[ci].compare) is not None:
                matches = False
                break
        if matches:
            return mistake.name, mistake.hint
    return None


def _explain(exercise: str, case: Case, expected: Outcome, got: Outcome, reason: str) -> str:
    return "\n".join(
        [
            f"input:    {case.call_text(exercise)}",
            f"expected: {expected.text()}",
            f"got:      {got.text()}",
            f"why:      {reason}",
        ]
    )


# -- comparisons --------------------------------------------------------------------------------


def close(rtol: float = 1e-6, atol: float = 1e-9, *, same_type: bool = True) -> Compare:
    """Numbers or arrays equal within tolerances; inf must match inf (and nan match nan).

    With ``same_type``, a scalar answer must be a scalar and an array answer an array of the
    same shape.
    """

    def compare(got: Outcome, expected: Outcome, case: Case) -> str | None:
        g, e = got.value, expected.value
        if g is None:
            return "it returned None (is a `return` missing?)"
        try:
            g_arr = as_array(g)
        except (TypeError, ValueError, RuntimeError):
            return f"the result is not a number or an array of numbers (got {type(g).__name__})"
        e_arr = as_array(e)
        if same_type and g_arr.shape != e_arr.shape:
            if e_arr.ndim == 0:
                return f"expected a single number, got an array of shape {g_arr.shape}"
            return f"expected shape {e_arr.shape}, got shape {g_arr.shape}"
        if not same_type and g_arr.size != e_arr.size:
            return f"expected {e_arr.size} values, got {g_arr.size}"
        g_arr = g_arr.reshape(e_arr.shape)
        if np.isnan(g_arr).any() and not np.isnan(e_arr).any():
            return "the result contains nan (0 * log 0 or inf - inf somewhere?)"
        if not np.allclose(g_arr, e_arr, rtol=rtol, atol=atol, equal_nan=True):
            return "the values differ" + _largest_difference(g_arr, e_arr)
        return None

    return compare


def as_array(value) -> np.ndarray:
    """A float64 NumPy view of a number, sequence, NumPy array or PyTorch tensor."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # torch.Tensor, without importing torch
        value = value.detach().cpu().double().numpy()
    return np.asarray(value, dtype=float)


def _largest_difference(g: np.ndarray, e: np.ndarray) -> str:
    if g.ndim == 0:
        return ""
    with np.errstate(all="ignore"):
        diff = np.where(np.isfinite(g) & np.isfinite(e), np.abs(g - e), np.inf)
        diff = np.where(g == e, 0.0, diff)
    index = np.unravel_index(int(np.argmax(diff)), diff.shape)
    return (
        f" (first at index {tuple(int(i) for i in index)}: expected {e[index]!r}, got {g[index]!r})"
    )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else ""


def _short(value: Any, limit: int = 160) -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=12, edgeitems=3, separator=", ")
        text = (
            f"array({text})" if value.dtype.kind == "f" else f"array({text}, dtype={value.dtype})"
        )
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str) and len(value) > limit:
        text = repr(value[: limit - 20]) + f"... ({len(value)} characters)"
    elif isinstance(value, (list, tuple)) and len(value) > 12:
        head = ", ".join(_short(v, 20) for v in value[:6])
        text = f"[{head}, ...] ({len(value)} items)"
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."

"""Calling a student's function and comparing what it did: the runtime both checkers share.

The grader's hidden checks (``autograder/checks/``) and the learner's self-check
(``course/selfcheck.py``) call a function the same way, record the same :class:`Outcome`
and give the same verdict, because both use this module. Nothing here is secret: what a
check's *cases* are is what stays hidden.

- :func:`call` runs ``fn`` on a copy of one :class:`Case`'s inputs, quietly (warnings,
  NumPy complaints and stderr silenced: a warning from a correct answer never costs
  points) and within a time limit, and returns plain data: the value, or the exception's
  type and message, and whether the inputs were modified;
- :func:`verdict` says why an outcome is not acceptable against the expected one, with a
  comparison of :mod:`course.comparisons`.

How a check calls the function (:mod:`course.adapters`) and compares what it did
(:mod:`course.comparisons`) are small objects, shared too.
"""

from __future__ import annotations

import contextlib
import copy
import io
import signal
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import numpy as np

CALL_SECONDS = 20.0  # one call of a student's function, generous: slow but correct earns points


@dataclass
class Case:
    """One call: ``fn(*args, **kwargs)``."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    expected: Outcome | None = None  # the self-check's public cases carry their answer

    def call_text(self, name: str, limit: int = 160) -> str:
        parts = [short(a, limit) for a in self.args]
        parts += [f"{k}={short(v, limit)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


# A comparison returns None when ``got`` is acceptable, else a short reason.
Compare = Callable[["Outcome", "Outcome", Case], "str | None"]


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

    @classmethod
    def from_data(cls, data: dict, decode: Callable[[Any], Any]) -> Outcome:
        """An outcome from its stored form, ``{"error": name}`` or ``{"value": encoded}``."""
        if "error" in data:
            return cls(error=data["error"], error_types=(data["error"],))
        return cls(value=decode(data["value"]))

    def text(self) -> str:
        if self.raised:
            return f"{self.error}: {self.message}" if self.message else self.error
        return short(self.value)


class Described:
    """An object that describes itself as data, ``{"kind": ..., **its fields}``, and is built
    back from that form: the comparisons (:mod:`course.comparisons`) and adapters
    (:mod:`course.adapters`) of a check, whose data forms the self-check's files store.

    Each family (a direct subclass) has its own ``KINDS`` registry, which every subclass that
    names a ``kind`` joins; :meth:`build` turns a data form back into the object."""

    kind: ClassVar[str]
    KINDS: ClassVar[dict[str, type]]
    WHAT: ClassVar[str]  # the family's name in messages, e.g. "comparison"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "KINDS" not in cls.__dict__ and "kind" in cls.__dict__:
            cls.KINDS[cls.kind] = cls

    def data(self) -> dict:
        """The object as data, ``{"kind": ..., **parameters}``."""
        return {"kind": self.kind, **{f.name: getattr(self, f.name) for f in fields(self)}}

    @classmethod
    def from_data(cls, data: dict):
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})

    @classmethod
    def build(cls, data: dict):
        """The object a data form describes; ValueError for a kind the family lacks."""
        kind = data.get("kind")
        if kind not in cls.KINDS:
            raise ValueError(f"unknown {cls.WHAT} {kind!r}")
        return cls.KINDS[kind].from_data(data)


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
def quiet(stdout: bool = False):
    """Silence warnings, NumPy floating-point complaints and stderr (nbgrader zeroes a test
    cell that writes to stderr; a warning from a correct answer must never cost points);
    with ``stdout``, the called code's prints too."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        with contextlib.redirect_stderr(io.StringIO()):
            if stdout:
                with contextlib.redirect_stdout(io.StringIO()):
                    yield
            else:
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


def call(
    fn: Callable, case: Case, seconds: float | None = None, *, silent_stdout: bool = False
) -> Outcome:
    """Call ``fn`` on a copy of the case's inputs, quietly and within a time limit; whatever
    happens inside comes back as an :class:`Outcome`."""
    seconds = CALL_SECONDS if seconds is None else seconds
    args = _snapshot(case.args)
    kwargs = _snapshot(case.kwargs)
    if args is None or kwargs is None:
        args, kwargs = case.args, case.kwargs
    before_args, before_kwargs = _snapshot(args), _snapshot(kwargs)
    start = time.perf_counter()
    outcome = Outcome()
    try:
        with quiet(silent_stdout), _time_limit(seconds):
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
        outcome.message = first_line(str(error))
    outcome.seconds = time.perf_counter() - start
    outcome.modified_input = not (_same(args, before_args) and _same(kwargs, before_kwargs))
    return outcome


# -- verdicts and comparisons -------------------------------------------------------------------


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
            f"the result could not be compared ({type(error).__name__}: {first_line(str(error))})"
        )


def as_array(value) -> np.ndarray:
    """A float64 NumPy view of a number, sequence, NumPy array or PyTorch tensor."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # torch.Tensor, without importing torch
        value = value.detach().cpu().double().numpy()
    return np.asarray(value, dtype=float)


def largest_difference(g: np.ndarray, e: np.ndarray) -> str:
    if g.ndim == 0:
        return ""
    with np.errstate(all="ignore"):
        diff = np.where(np.isfinite(g) & np.isfinite(e), np.abs(g - e), np.inf)
        diff = np.where(g == e, 0.0, diff)
    index = np.unravel_index(int(np.argmax(diff)), diff.shape)
    return (
        f" (first at index {tuple(int(i) for i in index)}: expected {e[index]!r}, got {g[index]!r})"
    )


def first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else ""


def short(value: Any, limit: int = 160) -> str:
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
        head = ", ".join(short(v, 20) for v in value[:6])
        text = f"[{head}, ...] ({len(value)} items)"
    else:
        try:
            text = repr(value)
        except Exception:  # noqa: BLE001 - a student's object with a broken __repr__
            text = f"<a {type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."

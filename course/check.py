"""Visible-test helpers: each check says what it tested, and on failure what was expected,
what came back, and a hint when the difference looks like a classic slip.

While a student works, a failed check raises :class:`VisibleTestFailure` and stops the cell.
While nbgrader grades (``NBGRADER_EXECUTION=autograde``), it prints the same message and lets
the cell go on to the hidden check, whose points then stand: the same mistake costs the same
points whether or not a visible test happens to catch it.

>>> from course.check import expect_close
>>> expect_close(0.1 + 0.2, 0.3, "floating-point sums are close, not equal")
✓ floating-point sums are close, not equal
"""

from __future__ import annotations

import math
import os

import numpy as np

__all__ = ["VisibleTestFailure", "expect_close", "expect_equal", "expect_raises", "expect_true"]

LN2 = math.log(2)


class VisibleTestFailure(AssertionError):
    """A visible test failed; the message explains what was expected."""


def _short(value, limit: int = 300) -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=20, separator=", ")
        text = f"array({text}, dtype={value.dtype})"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _grading() -> bool:
    return os.environ.get("NBGRADER_EXECUTION") == "autograde"


def _report(message: str) -> None:
    """Stop the cell with the message, or while grading, print it and go on."""
    if _grading():
        print(message)
        return
    raise VisibleTestFailure(message)


def _fail(what: str, expected, got, hint: str = "") -> None:
    lines = [f"✗ {what}", f"  expected: {_short(expected)}", f"  got:      {_short(got)}"]
    if hint:
        lines.append(f"  hint: {hint}")
    _report("\n".join(lines))


def _as_float_array(value) -> np.ndarray:
    """A float64 array from a number, a sequence, a NumPy array or a PyTorch tensor."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch.Tensor, maybe with grad
        value = value.detach().cpu().double().numpy()
    return np.asarray(value, dtype=float)


def _guess_hint(got, expected) -> str:
    """A hint for differences that have a typical cause (wrong log base, missing return...)."""
    if got is None:
        return "your function returned None: did you forget a `return` statement?"
    try:
        g = _as_float_array(got)
        e = _as_float_array(expected)
    except (TypeError, ValueError, RuntimeError):
        return ""
    if g.shape != e.shape:
        return f"the shapes differ: expected shape {e.shape}, got shape {g.shape}."
    if np.isnan(g).any() and not np.isnan(e).any():
        return "you returned nan: is there a 0 * log(0) or inf - inf somewhere? (0 log 0 = 0)"
    finite = np.isfinite(e) & np.isfinite(g) & (np.abs(e) > 1e-12)
    if finite.any():
        ratio = g[finite] / e[finite]
        if np.allclose(ratio, LN2, rtol=1e-6):
            return "off by a factor ln 2: natural log where log base 2 was asked for?"
        if np.allclose(ratio, 1 / LN2, rtol=1e-6):
            return "off by a factor 1/ln 2: log base 2 where the natural log was asked for?"
        if np.allclose(ratio, -1, rtol=1e-6):
            return "the sign is flipped."
    return ""


def expect_close(got, expected, what: str, *, rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Check that ``got`` equals ``expected`` within tolerances (same shape; inf == inf)."""
    if got is None:
        return _fail(what, expected, got, _guess_hint(got, expected))
    try:
        g = _as_float_array(got)
    except (TypeError, ValueError, RuntimeError):
        return _fail(what, expected, got, "the result is not a number or an array of numbers.")
    e = _as_float_array(expected)
    if g.shape != e.shape or not np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=False):
        return _fail(what, expected, got, _guess_hint(got, expected))
    print(f"✓ {what}")


def expect_equal(got, expected, what: str) -> None:
    """Check exact equality (for ints, strings, dicts, lists of symbols...)."""
    equal = got == expected
    if isinstance(equal, np.ndarray):
        equal = equal.shape == np.shape(expected) and bool(equal.all())
    if not equal:
        return _fail(what, expected, got, _guess_hint(got, expected) if got is None else "")
    print(f"✓ {what}")


def expect_true(condition, what: str, hint: str = "") -> None:
    """Check that a property holds, e.g. ``expect_true(0 <= h <= 1, "H_b is in [0, 1]")``."""
    if not bool(condition):
        return _report(f"✗ {what}" + (f"\n  hint: {hint}" if hint else ""))
    print(f"✓ {what}")


def expect_raises(exception: type[BaseException], fn, *args, what: str, **kwargs) -> None:
    """Check that ``fn(*args, **kwargs)`` raises ``exception`` (e.g. ValueError on bad input)."""
    try:
        result = fn(*args, **kwargs)
    except exception as error:
        print(f"✓ {what} (raised {type(error).__name__}: {error})")
        return
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - we report whatever came instead
        return _report(
            f"✗ {what}\n  expected: {exception.__name__}\n"
            f"  got:      {type(error).__name__}: {error}"
        )
    _report(
        f"✗ {what}\n  expected: {exception.__name__} to be raised\n"
        f"  got:      a return value, {_short(result)}"
    )

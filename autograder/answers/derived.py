"""Mistakes derived from the reference by generic operators: how students actually go wrong.

The hand-written classics (``MISTAKES`` of each module here) replay one specific wrong
implementation each. The operators below derive wrong answers from *any* exercise's reference
by changing what it is given, the way a student's misreading of the contract changes it:

- the first two arguments swapped (``D(q ‖ p)`` for ``D(p ‖ q)``);
- a 2-D input transposed (a joint table read with x along the columns);
- the operation done along the other axis (a softmax over the batch instead of the classes);
- an integer argument off by one (a window, an order, a number of steps or bins);
- a learning rate with the wrong sign (gradient ascent instead of descent);
- a standard deviation used as a variance, or squared twice.

They are tried only when no hand-written mistake matches, only on the cases the student failed,
and a derived mistake is named only when it is the one explanation that fits every failing
case (see :func:`autograder.checks.core.diagnose`). They never join the demo class: an operator
that leaves a symmetric function unchanged is not a wrong answer there.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

import numpy as np

from autograder.answers import Mistake

STEP_NAMES = ("lr", "learning_rate", "step_size", "eta")
SIGMA_PREFIXES = ("sigma", "std")
INTEGER_NAMES = ("n", "k", "order", "window", "steps", "n_bins", "num_classes", "dim")
MAX_INT_ARGUMENT = 10_000  # larger integers are sizes, not windows or orders


def _positional(reference: Callable) -> list[str]:
    try:
        parameters = inspect.signature(reference).parameters.values()
    except (TypeError, ValueError):
        return []
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in parameters if p.kind in kinds]


def _ndim(value) -> int:
    return value.dim() if hasattr(value, "dim") else np.ndim(value)


def _is_2d(value) -> bool:
    return _ndim(value) == 2


def _derive(
    reference: Callable,
    name: str,
    change: Callable[[dict], dict | None],
    after: Callable | None = None,
) -> Callable:
    """A wrong answer: the reference called on the arguments (defaults included) as
    ``change`` rewrites them (``change`` returns None when it does not apply to this call:
    then it raises), its result passed through ``after``."""
    signature = inspect.signature(reference)

    @functools.wraps(reference)
    def wrong(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        changed = change(dict(bound.arguments))
        if changed is None:
            raise _DoesNotApply(name)
        bound.arguments.update(changed)
        result = reference(*bound.args, **bound.kwargs)
        return result if after is None else after(result)

    return wrong


def _first_axis_last(bound: dict, names: list[str]) -> dict | None:
    """The first argument with its first axis moved to the end (so a reduction along the
    last axis runs along what was the first)."""
    if not names or names[0] not in bound or _ndim(bound[names[0]]) < 2:
        return None
    value = bound[names[0]]
    if hasattr(value, "movedim"):
        bound[names[0]] = value.movedim(0, -1)
    else:
        bound[names[0]] = np.moveaxis(np.asarray(value), 0, -1)
    return bound


def _last_axis_first(result):
    if _ndim(result) < 2:
        raise _DoesNotApply("the result is not a table")
    return result.movedim(-1, 0) if hasattr(result, "movedim") else np.moveaxis(result, -1, 0)


class _DoesNotApply(Exception):
    """The operator has nothing to change in this call."""


def _swap_first_two(bound: dict, names: list[str]) -> dict | None:
    if len(names) < 2 or names[0] not in bound or names[1] not in bound:
        return None
    a, b = bound[names[0]], bound[names[1]]
    if np.shape(a) != np.shape(b) or isinstance(a, (str, dict)):
        return None
    bound[names[0]], bound[names[1]] = b, a
    return bound


ROLES = (("p", "q"), ("chosen", "rejected"), ("student", "teacher"), ("policy", "ref"))


def _role_pairs(names: list[str]) -> list[tuple[str, str]]:
    """Parameters that differ only by a role word (``mu_p``/``mu_q``, ``policy_chosen_logps``/
    ``policy_rejected_logps``), when there are at least two such pairs for one role."""
    for first, second in ROLES:
        pairs = []
        for name in names:
            words = name.split("_")
            if first in words:
                other = "_".join(second if w == first else w for w in words)
                if other in names:
                    pairs.append((name, other))
        if len(pairs) >= 2:
            return pairs
    return []


def _role_words(pair: tuple[str, str]) -> str:
    for first, second in ROLES:
        if first in pair[0].split("_"):
            return f"the {first} and {second} arguments"
    return f"`{pair[0]}` and `{pair[1]}`"


def _swap_pairs(bound: dict, pairs: list[tuple[str, str]]) -> dict | None:
    if not all(a in bound and b in bound for a, b in pairs):
        return None
    for a, b in pairs:
        bound[a], bound[b] = bound[b], bound[a]
    return bound


def _transpose_first(bound: dict, names: list[str]) -> dict | None:
    if not names or names[0] not in bound or not _is_2d(bound[names[0]]):
        return None
    value = bound[names[0]]
    bound[names[0]] = value.T if hasattr(value, "T") else np.asarray(value).T
    return bound


def _shift_int(param: str, delta: int) -> Callable[[dict], dict | None]:
    def change(bound: dict) -> dict | None:
        value = bound.get(param)
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            return None
        if not 0 <= value + delta <= MAX_INT_ARGUMENT or value > MAX_INT_ARGUMENT:
            return None
        bound[param] = int(value) + delta
        return bound

    return change


def _negate(param: str) -> Callable[[dict], dict | None]:
    def change(bound: dict) -> dict | None:
        value = bound.get(param)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value == 0:
            return None
        bound[param] = -value
        return bound

    return change


def _power(params: list[str], exponent: float) -> Callable[[dict], dict | None]:
    def change(bound: dict) -> dict | None:
        present = [p for p in params if p in bound]
        if not present:
            return None
        for p in present:
            value = bound[p]
            bound[p] = np.asarray(value) ** exponent if isinstance(value, list) else value**exponent
        return bound

    return change


def derived_mistakes(exercise: str, reference: Callable) -> list[Mistake]:
    """The operator-derived wrong answers of one exercise, from its reference."""
    names = _positional(reference)
    try:
        parameters = inspect.signature(reference).parameters
    except (TypeError, ValueError):
        return []
    mistakes: list[Mistake] = []

    def add(title: str, hint: str, change: Callable[[dict], dict | None], after=None) -> None:
        mistakes.append(Mistake(exercise, title, hint, _derive(reference, title, change, after)))

    pairs = _role_pairs(names)
    if pairs:
        roles = " and ".join(f"`{a}` ↔ `{b}`" for a, b in pairs)
        add(
            f"{_role_words(pairs[0])} swapped",
            f"Your results are what the function gives with {roles} exchanged: check which "
            "argument plays which role in the formula.",
            lambda b: _swap_pairs(b, pairs),
        )
    elif len(names) >= 2:
        first, second = names[0], names[1]
        add(
            f"`{first}` and `{second}` swapped",
            f"Your results are what the function gives with `{first}` and `{second}` "
            "exchanged: check which argument plays which role in the formula.",
            lambda b: _swap_first_two(b, names),
        )
    if names:
        add(
            f"`{names[0]}` read with rows and columns swapped",
            f"Your results are what the function gives for `{names[0]}` transposed: check "
            "which index runs along the rows (axis 0) and which along the columns (axis 1).",
            lambda b: _transpose_first(b, names),
        )
        add(
            "along the wrong axis",
            f"Your results are what the function gives when it works along the other axis of "
            f"`{names[0]}`: each row is one distribution (or one example), so normalise, sum "
            "or reduce along the last axis.",
            lambda b: _first_axis_last(b, names),
            after=_last_axis_first,
        )
    for param in parameters.values():
        default = param.default
        integer_default = isinstance(default, int) and not isinstance(default, bool)
        if param.name != "base" and (integer_default or param.name in INTEGER_NAMES):
            for delta in (-1, 1):
                add(
                    f"off by one in `{param.name}`",
                    f"Your results are those for `{param.name}` {'minus' if delta < 0 else 'plus'}"
                    " one: check the ends of your ranges, windows and loops (Python's range "
                    "stops before its end).",
                    _shift_int(param.name, delta),
                )
        if param.name in STEP_NAMES:
            add(
                "gradient ascent instead of descent",
                "Your parameters move up the gradient: a descent step subtracts it, "
                "`theta -= lr * grad`.",
                _negate(param.name),
            )
    sigmas = [p for p in parameters if p.startswith(SIGMA_PREFIXES)]
    if sigmas:
        add(
            "σ used as a variance",
            "Your results are those for standard deviations √σ: the formula needs the "
            "variance σ², and you used σ where σ² belongs.",
            _power(sigmas, 0.5),
        )
        add(
            "σ² used as the standard deviation",
            "Your results are those for standard deviations σ²: the arguments are standard "
            "deviations already; square them once, where the formula has σ².",
            _power(sigmas, 2.0),
        )
    return mistakes

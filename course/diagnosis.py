"""Name a mistake from how a wrong answer relates to the right one.

Both the grader (``autograder/checks/core.py``) and the learner's self-check
(``course/selfcheck.py``) use this module, so a mistake gets the same name on both paths.
Nothing here is secret: it needs only the expected and the received results of the cases
that failed, never the reference implementation or the hidden cases.

A hand-written classic mistake replays one specific wrong implementation. The *relations*
here generalise: each says how the wrong results follow from the right ones, whatever the
code that produced them, for instance

- every result is ln 2 ≈ 0.693 times the expected one: natural log where bits are asked;
- every result is N times the expected one, N a size of that case's input: a sum where the
  contract asks for a mean;
- every result is the expected one transposed, negated, doubled, halved, divided by T²...;
- every failing case is one where a ``ValueError`` is due and a value came back: the
  contract's validation is missing.

:func:`explain` names a relation only when it is the **only** one that fits **every** failing
case, judged by the exercise's own comparison: two explanations that both fit (a ratio of 2
that is also the input's length) mean no name, and one case that fits no relation means no
name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["NOT_KNOWN", "RELATIONS", "Relation", "explain", "named_arguments", "transform"]

NOT_KNOWN = (
    "not a known mistake",
    "The results do not match any mistake the checks know; compare the failing input, the "
    "expected value and yours above.",
)


class _NotApplicable(Exception):
    """The relation cannot be applied to this value (a string, a boolean, ...)."""


def _is_tensor(value) -> bool:
    return hasattr(value, "detach") and hasattr(value, "dim")


def transform(value: Any, fn: Callable[[Any], Any]) -> Any:
    """Apply ``fn`` to every numeric leaf of a result: numbers, arrays, tensors, and the
    arrays inside tuples, lists, dicts and the checks' named tuples (a PyTorch run's value
    and gradients). Raises :class:`_NotApplicable` when there is no numeric leaf at all."""
    found = []

    def walk(v):
        if v is None or isinstance(v, (str, bool, np.bool_)):
            return v
        if isinstance(v, (int, float, np.number)):
            found.append(True)
            out = fn(np.float64(v))
            return float(out) if np.ndim(out) == 0 else out
        if isinstance(v, np.ndarray):
            if v.dtype.kind not in "iuf":
                return v
            found.append(True)
            return fn(v.astype(float))
        if _is_tensor(v):
            if not v.is_floating_point():
                return v
            found.append(True)
            return fn(v.detach())
        if hasattr(v, "_fields") and hasattr(v, "_replace"):  # a named tuple (a PyTorch run)
            numeric = [f for f in v._fields if f in ("value", "grads")]
            return v._replace(**{f: walk(getattr(v, f)) for f in numeric}) if numeric else v
        if isinstance(v, dict):
            keys = [k for k in ("value", "grads") if k in v] or list(v)
            return {**v, **{k: walk(v[k]) for k in keys}}
        if isinstance(v, (list, tuple)):
            return type(v)(walk(x) for x in v)
        return v

    out = walk(value)
    if not found:
        raise _NotApplicable
    return out


def _sizes(arguments: dict) -> set[int]:
    """The sizes a call's inputs have (lengths, dimensions, element counts), at least 2."""
    sizes: set[int] = set()

    def walk(v, depth=0):
        if depth > 3:
            return
        shape = getattr(v, "shape", None)
        if shape is not None and not isinstance(v, (int, float)):
            dims = [int(d) for d in shape]
            sizes.update(dims)
            if dims:
                sizes.add(int(np.prod(dims)))
                sizes.add(int(np.prod(dims[:-1])) if len(dims) > 1 else dims[0])
        elif isinstance(v, (list, tuple, str)):
            sizes.add(len(v))
            for x in list(v)[:50]:
                walk(x, depth + 1)
        elif isinstance(v, dict):
            sizes.add(len(v))

    for value in arguments.values():
        walk(value)
    return {s for s in sizes if s >= 2}


def _number(arguments: dict, *names: str) -> float | None:
    """The first of the named arguments that is a plain number."""
    for name in names:
        value = arguments.get(name)
        if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            return float(value)
    return None


@dataclass(frozen=True)
class Relation:
    """How wrong results follow from the right ones.

    ``candidates(expected_value, arguments)`` lists the values the mistake would give
    (several when it depends on an unknown size N); ``arguments`` are the call's arguments by
    parameter name, defaults included. ``predicate(got, expected, arguments)``, when set,
    replaces them for relations between outcomes rather than values. A relation named in
    another's ``generalises`` is the more specific one: when both fit, only it is kept.
    """

    name: str
    hint: str
    candidates: Callable[[Any, Any], list] | None = None
    predicate: Callable[[Any, Any, Any], bool] | None = None
    generalises: tuple[str, ...] = ()


def _scaled(factor: float) -> Callable[[Any, dict], list]:
    return lambda value, arguments: [transform(value, lambda a: a * factor)]


def _base(arguments: dict) -> float | None:
    """The logarithm base a call asks for: its ``base`` argument, else None."""
    base = _number(arguments, "base")
    return base if base is not None and base > 0 and base != 1 else None


def _log_base(
    asked: Callable[[float | None], bool], used: float, default: float
) -> Callable[[Any, dict], list]:
    """Logarithms in base ``used`` where the call asks for its ``base`` (``default`` when the
    function has no ``base`` argument): every result is ln(base) / ln(used) times too big."""

    def candidates(value, arguments):
        base = _base(arguments)
        if not asked(base):
            return []
        factor = math.log(base if base is not None else default) / math.log(used)
        return [] if math.isclose(factor, 1.0) else [transform(value, lambda a: a * factor)]

    return candidates


def _by_size(multiply: bool) -> Callable[[Any, dict], list]:
    def candidates(value, arguments):
        return [
            transform(value, (lambda a, n=n: a * n) if multiply else (lambda a, n=n: a / n))
            for n in sorted(_sizes(arguments))
        ]

    return candidates


def _by_temperature(power: int) -> Callable[[Any, dict], list]:
    def candidates(value, arguments):
        t = _number(arguments, "temperature", "T", "tau")
        if t is None or t in (0.0, 1.0, -1.0):
            return []
        return [transform(value, lambda a: a * t**power)]

    return candidates


def _transposed(value, arguments) -> list:
    def swap(a):
        if np.ndim(a) != 2 or (getattr(a, "shape", (0, 0))[0] < 2):
            raise _NotApplicable
        return a.T

    return [transform(value, swap)]


def _no_validation(got, expected, arguments) -> bool:
    return expected.raised and not got.raised


def _has_zero_probability(arguments: dict) -> bool:
    """Is some argument a table of probabilities (every entry in [0, 1]) with an exact 0?"""
    for arg in arguments.values():
        if isinstance(arg, (str, bytes, dict)) or np.ndim(arg) == 0:
            continue
        try:
            array = np.asarray(arg.detach().cpu() if _is_tensor(arg) else arg, dtype=float)
        except (TypeError, ValueError, RuntimeError):
            continue
        if array.size > 1 and np.all((array >= 0) & (array <= 1)) and np.any(array == 0):
            return True
    return False


def _not_finite_on_zeros(got, expected, arguments) -> bool:
    """nan came back where the expected result is finite, on probabilities with a zero."""
    if got.raised or expected.raised or not _has_zero_probability(arguments):
        return False
    try:
        g = _numbers(got.value)
        e = _numbers(expected.value)
    except (TypeError, ValueError, RuntimeError):
        return False
    return bool(np.all(np.isfinite(e)) and np.any(np.isnan(g)))


def _numbers(value) -> np.ndarray:
    if hasattr(value, "_fields") and "value" in value._fields:
        value = value.value
    elif isinstance(value, dict) and "value" in value:
        value = value["value"]
    if _is_tensor(value):
        value = value.detach().cpu().double().numpy()
    return np.asarray(value, dtype=float).ravel()


LN2 = math.log(2)

RELATIONS: tuple[Relation, ...] = (
    Relation(
        "natural log where bits are asked",
        "Every result is ln 2 ≈ 0.693 times the expected one: the logarithms are natural "
        "(nats) where the answer is in bits. Use np.log2, or divide natural logs by ln 2.",
        _log_base(lambda base: base is None or base == 2, math.e, default=2.0),
    ),
    Relation(
        "the `base` argument is ignored (natural log always)",
        "Every result is ln(base) times the expected one: your logarithms are natural whatever "
        "`base` is asked for. Divide natural logarithms by math.log(base).",
        _log_base(lambda base: base is not None, math.e, default=2.0),
        generalises=("natural log where bits are asked",),
    ),
    Relation(
        "log base 2 where nats are asked",
        "Every result is 1/ln 2 ≈ 1.443 times the expected one: the answer is in bits where "
        "the contract asks for nats (natural logarithms, as PyTorch uses).",
        _log_base(lambda base: base is None or math.isclose(base, math.e), 2.0, default=math.e),
    ),
    Relation(
        "the `base` argument is ignored (log base 2 always)",
        "Every result is log2(base) times the expected one: your logarithms are in base 2 "
        "whatever `base` is asked for. Divide natural logarithms by math.log(base).",
        _log_base(lambda base: base is not None, 2.0, default=math.e),
        generalises=("log base 2 where nats are asked",),
    ),
    Relation(
        "sign flipped",
        "Every result has the right size but the opposite sign: a minus sign is missing or "
        "extra (surprisal is -log p; a descent step subtracts the gradient).",
        _scaled(-1.0),
    ),
    Relation(
        "the reciprocal of the answer",
        "Every result is 1 divided by the expected one: a sign is flipped inside an exp or a "
        "log (exp(mean) where exp(-mean) is asked, or log(q / p) for log(p / q)).",
        lambda value, arguments: [transform(value, lambda a: 1 / a)],
    ),
    Relation(
        "a sum where a mean is asked",
        "Every result is N times the expected one, where N is a size of the input (the "
        "number of rows, samples or tokens): divide the sum by that count.",
        _by_size(multiply=True),
    ),
    Relation(
        "a mean where a sum is asked",
        "Every result is the expected one divided by a size of the input: the contract asks "
        "for a sum (or a total), not an average.",
        _by_size(multiply=False),
    ),
    Relation(
        "a factor of 2 too large (a missing 1/2?)",
        "Every result is exactly twice the expected one: a factor 1/2 of the formula is "
        "missing, or something is counted twice.",
        _scaled(2.0),
    ),
    Relation(
        "a factor of 2 too small (an extra 1/2?)",
        "Every result is exactly half the expected one: a factor 1/2 too many, or a term "
        "counted once that the formula counts twice.",
        _scaled(0.5),
    ),
    Relation(
        "the T² factor is missing",
        "Every result is the expected one divided by T²: the soft-target loss is multiplied "
        "by T² so that its gradients keep their size as the temperature changes.",
        _by_temperature(-2),
    ),
    Relation(
        "an extra factor T²",
        "Every result is T² times the expected one: the factor T² is applied where the "
        "contract does not ask for it (or twice).",
        _by_temperature(2),
    ),
    Relation(
        "rows and columns swapped",
        "Every result is the expected one transposed: the axes are the other way round "
        "(check which axis each index runs along, and the axis of each sum).",
        _transposed,
    ),
    Relation(
        "the contract's input checks are missing",
        "Every failing input is one the contract says is invalid: your function returned a "
        "value where it should raise ValueError. Add the checks the contract lists.",
        predicate=_no_validation,
    ),
    Relation(
        "0 · log 0 is not taken as 0",
        "The result is nan on probabilities with zeros, where the answer is finite: by "
        "convention 0 · log 0 = 0, so leave zero entries out of the sum (or mask them).",
        predicate=_not_finite_on_zeros,
    ),
)


def named_arguments(args: Sequence, kwargs: dict, parameters: Sequence[tuple[str, Any]]) -> dict:
    """A call's arguments by parameter name, with the defaults of those not given
    (``parameters``: ``(name, default)`` pairs, default None when there is none)."""
    named = {name: default for name, default in parameters if default is not None}
    named.update(zip((name for name, _ in parameters), args, strict=False))
    named.update(kwargs)
    return named


def explain(
    failures: Sequence[tuple[Any, Any, Any, Callable[[Any, Any], bool]]],
    make_outcome: Callable[[Any], Any],
    relations: Sequence[Relation] = RELATIONS,
) -> list[Relation]:
    """Every relation that fits every failing case.

    ``failures``: ``(got, expected, arguments, fits)`` for each case that failed, with the
    call's ``arguments`` by parameter name (defaults included), where
    ``fits(got, candidate_outcome)`` says whether ``got`` passes when ``candidate_outcome``
    is taken as the expected one (the exercise's own comparison); ``make_outcome(value)``
    wraps a candidate value as an outcome. The caller names a mistake only when exactly one
    relation is returned.
    """
    if not failures:
        return []
    fitting = [
        relation
        for relation in relations
        if all(_fits_case(relation, *failure, make_outcome) for failure in failures)
    ]
    names = {r.name for r in fitting}
    # A general relation that a more specific fitting one refines is not another explanation.
    return [r for r in fitting if not set(r.generalises) & names]


def _fits_case(relation, got, expected, arguments, fits, make_outcome) -> bool:
    if relation.predicate is not None:
        try:
            return bool(relation.predicate(got, expected, arguments))
        except Exception:  # noqa: BLE001 - a relation that cannot be evaluated does not fit
            return False
    if got.raised or expected.raised:
        return False
    try:
        with np.errstate(all="ignore"):
            candidates = relation.candidates(expected.value, arguments)
    except _NotApplicable:
        return False
    except Exception:  # noqa: BLE001
        return False
    for candidate in candidates:
        try:
            if fits(got, make_outcome(candidate)):
                return True
        except Exception:  # noqa: BLE001
            continue
    return False

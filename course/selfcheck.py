"""Check your notebook yourself: public cases, a per-exercise summary, teaching hints.

    python -m course.selfcheck release/01-entropy/01-entropy.ipynb   # runs a copy, prints a table

or, in a cell at the end of your notebook (uses the functions you defined, runs nothing else)::

    from course.selfcheck import self_check
    self_check()

For every graded exercise it calls your function on a set of *public* cases (inputs that the
grader does not use), compares with the expected results and prints whether the exercise
passes, fails (with one failing input, what was expected, what came back and why) or is not
attempted yet. When your outputs match a classic mistake (natural log instead of log2,
swapped arguments, a missing ``1/N``...), it names the mistake and says how to fix it, as
the grader would. The exit status is 0 when every exercise you attempted passes, else 1.

Passing these checks is a good sign, not a grade: grading runs more (hidden) cases.

The public cases live in ``course/data/selfcheck/<notebook>.json``; your instructor builds
them with ``python -m autograder.selfcheck``. This module needs nothing else from the course
(no reference answers, no grader).
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from course import harness
from course.diagnosis import NOT_KNOWN, explain, named_arguments
from course.harness import (
    Case,
    Compare,
    Outcome,
    as_array,
    close,
    first_line,
    python_float,
    short,
    verdict,
)

__all__ = ["Report", "check_namespace", "check_notebook", "load_public", "main", "self_check"]

DATA_DIR = Path(__file__).resolve().parent / "data" / "selfcheck"
FORMAT = 1  # the version of the data files this module reads
CALL_SECONDS = 10.0  # one call of your function
EXERCISE_SECONDS = 60.0  # all calls of one exercise
CELL_SECONDS = 120.0  # one cell of the notebook, when the notebook is executed
MARKER = "@@course.selfcheck@@"
GRADING_NOTE = "grading runs its own, fuller checks"
REMINDER = (
    "Passing these public checks is a good sign, not a grade: grading runs more (hidden) cases "
    "on every exercise."
)


class SelfCheckError(Exception):
    """Something the learner can fix (a missing file, an unknown notebook); the message says
    what to do."""


# -- reading the data files ---------------------------------------------------------------------


def decode(data: Any) -> Any:
    """A value back from its tagged-JSON form (the format of ``autograder/wire.py``).

    Only plain data is accepted: numbers, strings, lists, tuples, dicts, NumPy scalars and
    arrays of numbers or strings.

    >>> decode({"__tuple__": [1, {"__float__": "inf"}]})
    (1, inf)
    """
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict) or not data:
        raise ValueError(f"unexpected {type(data).__name__} in the self-check data")
    if "__float__" in data:
        return float(data["__float__"])
    if "__bigint__" in data:
        return int(data["__bigint__"])
    if "__np__" in data:
        return _dtype(data["__np__"]).type(decode(data["v"]))
    if "__ndarray__" in data:
        dtype = _dtype(data["dtype"])
        shape = tuple(int(n) for n in data["shape"])
        raw = base64.b64decode(data["__ndarray__"])
        if len(raw) != math.prod(shape) * dtype.itemsize:
            raise ValueError("an array of the self-check data does not match its shape")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if "__tuple__" in data:
        return tuple(decode(v) for v in data["__tuple__"])
    if "__dict__" in data:
        return {decode(k): decode(v) for k, v in data["__dict__"]}
    raise ValueError(f"unknown tag in the self-check data: {sorted(data)[:3]}")


def _dtype(text: str) -> np.dtype:
    dtype = np.dtype(str(text))
    if dtype.kind not in "biufcUS":
        raise ValueError(f"dtype {dtype} is not allowed in the self-check data")
    return dtype


@dataclass
class Criterion:
    """A requirement of the exercise's contract, checked on a few public cases."""

    name: str
    compare: dict  # e.g. {"kind": "close", "rtol": 1e-6, "atol": 1e-9, "same_type": True}
    adapt: dict  # how the function is called, e.g. {"kind": "call"}
    cases: list[Case]


@dataclass
class Mistake:
    """A classic wrong answer: its name, hint, and what it gives where it fails."""

    name: str
    hint: str
    failures: dict[tuple[int, int], Outcome]  # (criterion, case) -> the mistake's outcome
    derived: bool = False  # derived from the reference by an operator: named only if alone


@dataclass
class Exercise:
    name: str
    points: float
    partners: dict[str, str]  # {keyword: exercise} checked together, e.g. a round trip
    criteria: list[Criterion]
    mistakes: list[Mistake]
    parameters: list[tuple[str, Any]] = field(default_factory=list)  # (name, default)


@dataclass
class Public:
    """The public cases of one notebook."""

    assignment: str
    title: str
    exercises: list[Exercise]


def available() -> list[str]:
    """The notebooks that have public cases, e.g. ``['01-entropy', ...]``."""
    return sorted(p.stem for p in DATA_DIR.glob("*.json"))


def load_public(assignment: str, directory: Path | None = None) -> Public:
    """The public cases of a notebook, from ``course/data/selfcheck/<assignment>.json``."""
    path = (directory or DATA_DIR) / f"{assignment}.json"
    if not path.exists():
        known = ", ".join(available()) or "none"
        raise SelfCheckError(
            f"there are no public checks for {assignment!r} (available: {known}). Check the "
            "notebook's name, or pass the notebook id, e.g. self_check('01-entropy')."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        version = data.get("format")
        if version == FORMAT:
            return parse_public(data)
    except (ValueError, KeyError, TypeError) as error:
        raise SelfCheckError(
            f"{path.name} is damaged ({type(error).__name__}): get course/data/selfcheck/ "
            "again from your course materials."
        ) from None
    raise SelfCheckError(
        f"{path.name} has format {version!r}, this course/selfcheck.py reads format "
        f"{FORMAT}: get the course/ folder and its data from the same release."
    )


def parse_public(data: dict) -> Public:
    """A :class:`Public` from the decoded JSON of a data file."""
    exercises = []
    for ex in data["exercises"]:
        criteria = [
            Criterion(
                c["name"],
                c["compare"],
                c["adapt"],
                [
                    Case(
                        decode(k["args"]),
                        decode(k["kwargs"]),
                        Outcome.from_data(k["expected"], decode),
                    )
                    for k in c["cases"]
                ],
            )
            for c in ex["criteria"]
        ]
        mistakes = [
            Mistake(
                m["name"],
                m["hint"],
                {(int(ci), int(ki)): Outcome.from_data(o, decode) for ci, ki, o in m["failures"]},
                bool(m.get("derived", False)),
            )
            for m in ex["mistakes"]
        ]
        parameters = [(str(n), decode(d)) for n, d in ex.get("parameters", [])]
        exercises.append(
            Exercise(
                ex["name"],
                float(ex["points"]),
                dict(ex["partners"]),
                criteria,
                mistakes,
                parameters,
            )
        )
    return Public(data["assignment"], data["title"], exercises)


# -- calling the learner's function -----------------------------------------------------------


def call(fn: Callable, case: Case, seconds: float = CALL_SECONDS) -> Outcome:
    """Call ``fn`` on a copy of the case's inputs, quietly (its prints too) and within a
    time limit; whatever happens inside is caught and returned as an :class:`Outcome`."""
    return harness.call(fn, case, seconds, silent_stdout=True)


def target(fn: Callable, adapt: dict, partners: Mapping[str, Callable]) -> Callable:
    """The callable run on the cases: ``fn`` itself, or ``fn`` inside a harness (a round trip
    through a partner, one call per message of a set, PyTorch inputs and gradients...)."""
    kind = adapt["kind"]
    if kind == "call":
        return fn
    if kind == "each":  # one code per message of a set, same p

        def each(messages, p):
            return [fn(m, p) for m in messages]

        return each
    if kind == "round_trip":  # decode(encode(m)) with the partner encoder
        encoder = partners[adapt["partner"]]

        def round_trip(symbols, p):
            return fn(encoder(symbols, p), p, len(symbols))

        return round_trip
    if kind == "pick":
        index = int(adapt["index"])

        def pick(*args, **kwargs):
            return fn(*args, **kwargs)[index]

        return pick
    if kind == "mapping":  # a Counter or dict of counts, compared as a plain dict

        def mapping(*args, **kwargs):
            value = fn(*args, **kwargs)
            return dict(value) if isinstance(value, Mapping) else value

        return mapping
    if kind == "torch":
        return _torch_target(fn, adapt["differentiable"], adapt["shape"])
    if kind == "tensors":  # NumPy arrays handed over as PyTorch tensors

        def tensors(*args, **kwargs):
            import torch

            args = [torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in args]
            return fn(*args, **kwargs)

        return tensors
    raise SelfCheckError(_outdated(f"way of calling {kind!r}"))


def _outdated(what: str) -> str:
    return (
        f"the self-check data uses a {what} that this course/selfcheck.py does not know: "
        "get course/ and course/data/selfcheck/ from the same release."
    )


# -- PyTorch losses: tensors in, values and gradients out ---------------------------------------


def _torch_target(fn: Callable, differentiable: dict, shape: str) -> Callable:
    """Call ``fn`` on tensors that share memory with the case's arrays (so an in-place change
    is seen), the ``differentiable`` ones requiring grad; back-propagate and return plain
    data: ``{"value", "grads", "kind", "requires_grad", "problem"}``."""

    def run(*args, **kwargs):
        import torch

        tensors = [torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in args]
        inputs = {name: tensors[i].requires_grad_(True) for name, i in differentiable.items()}
        wanted = {"loss": (), "input": tuple(np.shape(args[0])), "number": None}[shape]
        dtype = tensors[0].dtype if isinstance(tensors[0], torch.Tensor) else None
        return _torch_run(fn(*tensors, **kwargs), inputs, wanted, dtype)

    return run


def _torch_run(out, inputs: dict, shape: tuple | None, dtype=None) -> dict:
    import torch

    def result(value, kind, requires_grad=False, problem="", grads=()):
        return {
            "value": value,
            "grads": [[name, g] for name, g in grads],
            "kind": kind,
            "requires_grad": requires_grad,
            "problem": problem,
        }

    if out is None:
        return result(None, "NoneType", problem="it returned None (is a `return` missing?)")
    if isinstance(out, torch.Tensor):
        kind = "tensor"
    elif isinstance(out, (int, float, np.number, np.ndarray)) and not isinstance(out, bool):
        kind = "number"
    else:
        return result(None, type(out).__name__)
    try:
        array = as_array(out)
    except (TypeError, ValueError, RuntimeError):
        return result(None, type(out).__name__)
    value = float(array) if array.ndim == 0 else array
    requires_grad = isinstance(out, torch.Tensor) and out.requires_grad
    noun = "loss" if shape == () else "result"
    if shape is None:  # a number is asked for
        return result(value, kind, requires_grad)
    if kind != "tensor":
        problem = (
            f"it returned a {type(out).__name__}, not a torch tensor: keep the {noun} a tensor "
            "(no .item(), float(...) or .numpy()), so that gradients can flow back through it"
        )
        return result(value, kind, problem=problem)
    if tuple(out.shape) != shape:
        problem = (
            f"expected a 0-dim tensor (shape ()), got shape {tuple(out.shape)} (a missing mean?)"
            if shape == ()
            else f"expected a tensor of shape {shape} (the input's), got shape {tuple(out.shape)}"
        )
        return result(value, kind, requires_grad, problem)
    if not inputs:  # nothing differentiable: the form is a tensor of the input's dtype
        problem = (
            ""
            if dtype is None or out.dtype == dtype
            else (f"expected a tensor of dtype {dtype} (the input's), got dtype {out.dtype}")
        )
        return result(value, kind, requires_grad, problem)
    if not requires_grad:
        problem = (
            f"the {noun} does not require grad: no gradient can flow back to "
            f"{' and '.join(inputs)} (did .item(), .detach(), .numpy() or torch.tensor(...) "
            "cut the graph?)"
        )
        return result(value, kind, problem=problem)
    try:
        if shape == ():
            objective = out.sum()
        else:  # weights, so that the gradients depend on every entry of the output
            weights = np.random.default_rng(2024).normal(size=tuple(out.shape))
            objective = (out * torch.from_numpy(weights).to(out.dtype)).sum()
        grads = torch.autograd.grad(objective, list(inputs.values()), allow_unused=True)
    except RuntimeError as error:
        text = first_line(str(error))[:160]
        return result(value, kind, True, f"back-propagating through the {noun} failed: {text}")
    missing = [name for name, g in zip(inputs, grads, strict=True) if g is None]
    if missing:
        return result(value, kind, True, f"no gradient reaches {' or '.join(missing)}")
    plain = [(name, as_array(g)) for name, g in zip(inputs, grads, strict=True)]
    return result(value, kind, True, "", plain)


def _run_text(run: dict) -> str:
    if run["value"] is None:
        return "None" if run["kind"] == "NoneType" else f"a {run['kind']}"
    value = run["value"]
    shown = repr(value) if isinstance(value, float) else _array_text(np.asarray(value))
    if run["kind"] != "tensor":
        return shown
    return f"tensor({shown}{', requires_grad=True' if run['requires_grad'] else ''})"


# -- comparisons ----------------------------------------------------------------------------------


def comparison(spec: dict) -> Compare:
    """The comparison a criterion names: ``compare(got, expected, case)`` returns None when
    ``got`` is acceptable, else the reason it is not."""
    kind = spec["kind"]
    tolerances = (spec.get("rtol", 1e-6), spec.get("atol", 1e-9))
    simple = {
        "bool": _same_bool,
        "int_array": _same_int_array,
        "string": _same_string,
        "symbols": _same_symbols,
        "triple": _triple,
        "exact_counts": _exact_counts,
        "int_matrix": _int_matrix,
        "gram": _gram_matrix,
        "ngram_counts": _same_counts,
        "torch_form": _right_form,
        "torch_number": _same_number,
    }
    if kind in simple:
        return simple[kind]
    if kind == "close":
        return close(*tolerances, same_type=spec.get("same_type", True))
    if kind == "float":
        return _float_number(close(*tolerances))
    if kind == "python_float":
        return python_float(close(*tolerances))
    if kind == "pair":
        return _pair(close(*tolerances, same_type=False))
    if kind == "weights_and_bias":
        return _weights_and_bias(*tolerances)
    if kind == "torch_values":
        return _same_values(bool(spec.get("grads", True)))
    if kind in CONTRACTS:
        return _by_contract(*CONTRACTS[kind])
    raise SelfCheckError(_outdated(f"comparison {kind!r}"))


def _float_number(values: Compare) -> Compare:
    def compare(got: Outcome, expected: Outcome, case: Case) -> str | None:
        if isinstance(got.value, np.ndarray):
            return "expected a float for numbers in, got a NumPy array (use float(...))"
        return values(got, expected, case)

    return compare


def _pair(values: Compare) -> Compare:
    def compare(got: Outcome, expected: Outcome, case: Case) -> str | None:
        g = got.value
        if g is None:
            return "it returned None (is a `return` missing?)"
        if np.ndim(g) != 1 or len(g) != 2:
            return "expected a pair (mu, sigma)"
        return values(got, expected, case)

    return compare


def _weights_and_bias(rtol: float, atol: float) -> Compare:
    weights, bias = close(rtol, atol), close(rtol, atol, same_type=False)

    def compare(got: Outcome, expected: Outcome, case: Case) -> str | None:
        if got.value is None:
            return "it returned None (is a `return` missing?)"
        if not isinstance(got.value, (tuple, list)) or len(got.value) != 2:
            return f"expected a pair (w, b), got {type(got.value).__name__} {short(got.value)}"
        w, b = got.value
        w_expected, b_expected = expected.value
        reason = weights(Outcome(value=w), Outcome(value=w_expected), case)
        if reason is not None:
            return f"w: {reason}"
        try:
            b_size = as_array(b).size
        except (TypeError, ValueError, RuntimeError):
            return f"b is not a number (got {type(b).__name__})"
        if b_size != 1:
            return f"b must be a single number, got {b_size} values"
        reason = bias(Outcome(value=b), Outcome(value=b_expected), case)
        return None if reason is None else f"b: {reason}"

    return compare


def _triple(got: Outcome, expected: Outcome, case: Case) -> str | None:
    g = got.value
    if g is None:
        return "it returned None (is a `return` missing?)"
    if not isinstance(g, (tuple, list)) or len(g) != 3:
        return "expected a tuple of three arrays (k1, k2, k3)"
    shape = np.shape(expected.value[0])
    for i, k in enumerate(g):
        try:
            k_shape = np.shape(np.asarray(k, dtype=float))
        except (TypeError, ValueError):
            return f"k{i + 1} is not an array of numbers"
        if k_shape != shape:
            return f"k{i + 1} should have one value per sample, shape {shape}, got shape {k_shape}"
    return None


def _same_bool(got: Outcome, expected: Outcome, case: Case) -> str | None:
    g = got.value
    if not isinstance(g, (bool, np.bool_)):
        return f"expected True or False, got a {type(g).__name__}"
    if bool(g) != bool(expected.value):
        return f"expected {bool(expected.value)}, got {bool(g)}"
    return None


def _same_int_array(got: Outcome, expected: Outcome, case: Case) -> str | None:
    g = got.value
    if g is None:
        return "it returned None (is a `return` missing?)"
    try:
        g_arr = np.asarray(g)
    except Exception:  # noqa: BLE001
        return f"the result is not an array (got {type(g).__name__})"
    e_arr = np.asarray(expected.value)
    if g_arr.shape != e_arr.shape:
        return f"expected shape {e_arr.shape}, got shape {g_arr.shape}"
    if g_arr.dtype.kind not in "iu":
        return f"expected an int array, got dtype {g_arr.dtype} (convert with .astype(int))"
    if not np.array_equal(g_arr, e_arr):
        i = int(np.flatnonzero(g_arr != e_arr)[0])
        return f"the lengths differ, first at index {i}: expected {e_arr[i]}, got {g_arr[i]}"
    return None


def _same_string(got: Outcome, expected: Outcome, case: Case) -> str | None:
    g, e = got.value, expected.value
    if not isinstance(g, str):
        return f"expected a string of '0' and '1', got a {type(g).__name__}"
    if g != e:
        if len(g) != len(e):
            return f"expected {len(e)} characters, got {len(g)}"
        i = next(k for k in range(len(e)) if g[k] != e[k])
        return f"the strings differ first at position {i}"
    return None


def _same_symbols(got: Outcome, expected: Outcome, case: Case) -> str | None:
    g, e = got.value, expected.value
    if not isinstance(g, (list, tuple)):
        return f"expected a list of symbols, got a {type(g).__name__}"
    if len(g) != len(e):
        return f"expected {len(e)} symbols, got {len(g)}"
    for i, (a, b) in enumerate(zip(g, e, strict=True)):
        if not a == b:
            return f"the symbols differ first at position {i}: expected {b!r}, got {a!r}"
    return None


def _exact_counts(got: Outcome, expected: Outcome, case: Case) -> str | None:
    g, e = got.value, np.asarray(expected.value)
    if g is None:
        return "it returned None (is a `return` missing?)"
    try:
        g_arr = as_array(g)
    except (TypeError, ValueError, RuntimeError):
        return f"the result is not an array of counts (got {type(g).__name__})"
    if g_arr.shape != e.shape:
        return f"expected a matrix of shape {e.shape} (V x V), got shape {g_arr.shape}"
    if not np.array_equal(g_arr, e):
        i, j = np.argwhere(g_arr != e)[0]
        vocab = list(case.args[1])
        return (
            f"the counts differ (first at [{i}, {j}], the pair ({vocab[i]!r}, {vocab[j]!r}): "
            f"expected {int(e[i, j])}, got {g_arr[i, j]:g})"
        )
    return None


def _int_matrix(got: Outcome, expected: Outcome, case: Case) -> str | None:
    g, e = got.value, np.asarray(expected.value)
    if not isinstance(g, np.ndarray):
        return f"expected a NumPy array of ints, got {type(g).__name__}"
    if not np.issubdtype(g.dtype, np.integer):
        return f"expected an integer dtype (counts are whole numbers), got dtype {g.dtype}"
    if g.shape != e.shape:
        return f"expected a matrix of shape {e.shape} (V x V), got shape {g.shape}"
    return None


def _gram_matrix(got: Outcome, expected: Outcome, case: Case) -> str | None:
    g, e = got.value, np.asarray(expected.value)
    if g is None:
        return "it returned None (is a `return` missing?)"
    try:
        g_arr = as_array(g)
    except (TypeError, ValueError, RuntimeError):
        return f"the result is not an array of numbers (got {type(g).__name__})"
    if g_arr.shape != e.shape:
        return (
            f"expected shape {e.shape} (one row per row of the matrix, dim columns), "
            f"got {g_arr.shape}"
        )
    if not np.isfinite(g_arr).all():
        return "the embeddings contain nan or inf"
    g_gram, e_gram = g_arr @ g_arr.T, e @ e.T
    scale = max(1.0, float(np.abs(e_gram).max()))
    if not np.allclose(g_gram, e_gram, rtol=1e-6, atol=1e-9 * scale):
        i, j = np.unravel_index(int(np.argmax(np.abs(g_gram - e_gram))), e_gram.shape)
        return (
            f"E @ E.T differs from U_d S_d U_d^T (first at [{i}, {j}]: expected "
            f"{e_gram[i, j]:.6g}, got {g_gram[i, j]:.6g}; the signs of the columns may differ)"
        )
    return None


def _same_counts(got: Outcome, expected: Outcome, case: Case) -> str | None:
    value = got.value
    if value is None:
        return "it returned None (is a `return` missing?)"
    if not isinstance(value, dict):
        kind = type(value).__name__
        return f"expected a mapping (dict or Counter) from n-gram tuples to counts, got {kind}"
    wanted = {gram: c for gram, c in expected.value.items() if c != 0}
    have = {gram: c for gram, c in value.items() if c != 0}
    if have.keys() == wanted.keys() and all(have[gram] == wanted[gram] for gram in wanted):
        return None
    n = case.args[1]
    for gram in have:
        if not isinstance(gram, tuple) or len(gram) != n:
            return f"every key must be a tuple of {n} tokens, but one key is {gram!r}"
    missing = [gram for gram in wanted if gram not in have]
    if missing:
        return f"the n-gram {missing[0]!r} (count {wanted[missing[0]]}) is missing"
    extra = [gram for gram in have if gram not in wanted]
    if extra:
        return f"{extra[0]!r} does not occur in the text, but it has count {have[extra[0]]!r}"
    gram = next(gram for gram in wanted if have[gram] != wanted[gram])
    return f"{gram!r} occurs {wanted[gram]} times, but its count is {have[gram]!r}"


def _tolerance(case: Case) -> tuple[float, float]:
    float32 = any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in case.args)
    return (1e-4, 1e-5) if float32 else (1e-6, 1e-9)


def _differ(got, expected, rtol: float, atol: float, what: str) -> str | None:
    g, e = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if g.size != e.size:
        wanted = "a single number" if e.size == 1 else f"{e.size} numbers"
        return f"{what}: expected {wanted}, got {g.size} numbers"
    g = g.reshape(e.shape)
    if np.isnan(g).any() and not np.isnan(e).any():
        return f"{what} contains nan (inf - inf or 0 * inf somewhere? exp overflowing?)"
    if np.isinf(g).any() and not np.isinf(e).any():
        return (
            f"{what} contains inf (exp overflowing, or log of a probability that underflowed to 0?)"
        )
    if np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True):
        return None
    if e.ndim == 0:
        return f"{what} differs: expected {float(e)!r}, got {float(g)!r}"
    gap = np.where(np.isfinite(g) & np.isfinite(e), np.abs(g - e), np.inf)
    gap = np.where(g == e, 0.0, gap)
    at = np.unravel_index(int(np.argmax(gap)), gap.shape)
    index = tuple(int(i) for i in at)
    return (
        f"{what} differs (first at index {index}: expected {float(e[at])!r}, got {float(g[at])!r})"
    )


def _is_run(value) -> bool:
    return isinstance(value, dict) and {"value", "grads", "kind", "problem"} <= set(value)


def _same_values(grads: bool) -> Compare:
    def compare(got: Outcome, expected: Outcome, case: Case) -> str | None:
        g, e = got.value, expected.value
        if not _is_run(g) or not _is_run(e):
            return "the result could not be read"
        if g["value"] is None:
            return g["problem"] or f"it returned a {g['kind']}, not a number or a tensor"
        if e["value"] is None:
            return "expected no value here"
        rtol, atol = _tolerance(case)
        reason = _differ(g["value"], e["value"], rtol, atol, "the value")
        if reason or not (grads and g["grads"] and e["grads"]):
            return reason
        for (name, got_grad), (_, expected_grad) in zip(g["grads"], e["grads"], strict=True):
            reason = _differ(got_grad, expected_grad, rtol, atol, f"the gradient w.r.t. {name}")
            if reason:
                return f"the value is right, but {reason}"
        return None

    return compare


def _right_form(got: Outcome, expected: Outcome, case: Case) -> str | None:
    g, e = got.value, expected.value
    if not _is_run(g) or not _is_run(e):
        return "the result could not be read"
    if g["problem"] == e["problem"]:
        return None
    return g["problem"] or "the result has another form than expected"


def _same_number(got: Outcome, expected: Outcome, case: Case) -> str | None:
    g, e = got.value, expected.value
    if not _is_run(g) or not _is_run(e):
        return "the result could not be read"
    if g["value"] is None:
        return g["problem"] or f"it returned a {g['kind']}, not a number"
    if np.ndim(g["value"]) != 0:
        return f"expected a single number, got an array of shape {np.shape(g['value'])}"
    rtol, atol = _tolerance(case)
    return _differ(g["value"], e["value"], rtol, atol, "the number of bits")


# -- answers that are not unique: properties of the contract -----------------------------------


def _by_contract(flaw: Callable, relation: Callable | None = None) -> Compare:
    """Against the expected answer (which has no flaw): ``got`` must have no flaw and stand in
    ``relation`` to it. Against a classic mistake's flawed answer: the same kind of flaw."""

    def compare(got: Outcome, expected: Outcome, case: Case) -> str | None:
        theirs = flaw(expected.value, case)
        mine = flaw(got.value, case)
        if theirs is None:
            if mine is not None:
                return mine[1]
            return relation(got.value, expected.value, case) if relation else None
        if mine is not None and mine[0] == theirs[0]:
            return None
        return f"not the same flaw ({theirs[0]})"

    return compare


def _is_bits(value) -> bool:
    return isinstance(value, str) and set(value) <= {"0", "1"}


def _huffman_flaw(value, case: Case) -> tuple[str, str] | None:
    p = np.asarray(case.args[0], dtype=float)
    support = {i for i in range(p.size) if p[i] > 0}
    if not isinstance(value, dict):
        return "not a dict", f"expected a dict {{symbol: codeword}}, got a {type(value).__name__}"
    if not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in value):
        return "keys", "the keys must be the symbols' indices, as ints"
    keys = set(value)
    if keys != support:
        extra, missing = sorted(keys - support), sorted(support - keys)
        if extra:
            shown = ", ".join(
                f"{i} (p = {float(p[i])!r})" if 0 <= i < p.size else str(i) for i in extra[:4]
            )
            return "extra keys", f"symbols that never occur must get no codeword: {shown}"
        return "missing keys", f"symbols with p_i > 0 lack a codeword: {missing[:6]}"
    words = list(value.values())
    if not all(isinstance(w, str) for w in words):
        return "not strings", "every codeword must be a string of '0' and '1'"
    if any(w == "" for w in words):
        return "empty codeword", "a codeword is empty ('' cannot be sent or decoded)"
    if not all(set(w) <= {"0", "1"} for w in words):
        return "not bits", "a codeword has a character other than '0' and '1'"
    ordered = sorted(words)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.startswith(a):
            return "not prefix-free", f"not prefix-free: {a!r} is a prefix of {b!r}"
    if len(support) == 1 and words != ["0"]:
        return "single symbol", f"a single symbol gets the codeword '0' (got {words[0]!r})"
    return None


def _expected_length(code: dict, p: np.ndarray) -> float:
    return math.fsum(float(p[i]) * len(w) for i, w in code.items())


def _same_expected_length(got, expected, case: Case) -> str | None:
    p = np.asarray(case.args[0], dtype=float)
    mine, best = _expected_length(got, p), _expected_length(expected, p)
    if abs(mine - best) > 1e-9:
        lengths = {i: len(w) for i, w in sorted(got.items())}
        shown = f" (your lengths: {lengths})" if len(lengths) <= 12 else ""
        return (
            f"a prefix code, but not an optimal one: its expected length sum p_i len_i is "
            f"{mine:.6f} bits, the optimum is {best:.6f}{shown}"
        )
    return None


def ceil_information(symbols, p) -> int:
    """``ceil(-log2 P)`` of ``P = prod p[s]``, exactly (every float is a dyadic rational).

    >>> ceil_information([0, 0, 1], [0.5, 0.25, 0.25])
    4
    """
    numerator, exponent = 1, 0
    for s in symbols:
        a, b = float(p[int(s)]).as_integer_ratio()  # b is a power of two
        numerator *= a
        exponent += b.bit_length() - 1
    c = max(exponent - numerator.bit_length(), 0)
    while (numerator << c) < (1 << exponent):
        c += 1
    while c > 0 and (numerator << (c - 1)) >= (1 << exponent):
        c -= 1
    return c


def _bits_flaw(value, case: Case) -> tuple[str, str] | None:
    symbols, p = case.args
    if not isinstance(value, str):
        return "not a string", f"expected a str of '0' and '1', got a {type(value).__name__}"
    if not _is_bits(value):
        return "not bits", "the code has characters other than '0' and '1'"
    bound = ceil_information(symbols, p) + 2
    if len(value) > bound:
        return "too long", (
            f"{len(value)} bits is more than the bound ceil(-log2 P) + 2 = {bound} bits for "
            "this message (your bits need not match the ones shown as expected: any convention "
            "within the bound works)"
        )
    return None


def _distinct_flaw(value, case: Case) -> tuple[str, str] | None:
    messages = case.args[0]
    if not isinstance(value, list) or len(value) != len(messages):
        return "not a list", "could not collect one code per message"
    for code in value:
        if not _is_bits(code):
            return "not bits", f"a code is not a str of '0' and '1' (got {code!r:.60})"
    first: dict[str, int] = {}
    for j, code in enumerate(value):
        if code in first:
            i = first[code]
            a, b = messages[i], messages[j]
            where = next(k for k in range(len(a)) if a[k] != b[k])
            shown = code if len(code) <= 40 else code[:30] + f"... ({len(code)} bits)"
            return "collision", (
                f"messages #{i} and #{j} of this set (both {len(a)} symbols long, first "
                f"different at position {where}) get the same code {shown!r}, so no decoder "
                "can tell them apart"
            )
        first[code] = j
    return None


def _round_trip_flaw(value, case: Case) -> tuple[str, str] | None:
    message = list(case.args[0])
    n = len(message)
    if not isinstance(value, (list, tuple, np.ndarray)):
        return "wrong", f"expected a list of {n} symbols, got a {type(value).__name__}"
    got = list(value)
    if len(got) != n:
        return "wrong", f"decoding your own code gave {len(got)} symbols instead of n = {n}"
    for i, (a, b) in enumerate(zip(got, message, strict=True)):
        if not a == b:
            return "wrong", (
                f"arithmetic_decode(arithmetic_encode(m, p), p, len(m)) must give back m; "
                f"the {n}-symbol message comes back different from position {i} on "
                f"(expected {b!r}, got {a!r})"
            )
    return None


CONTRACTS = {
    "huffman": (_huffman_flaw, _same_expected_length),
    "bits_bound": (_bits_flaw,),
    "distinct_codes": (_distinct_flaw,),
    "round_trip": (_round_trip_flaw,),
}


def _expected_text(kind: str, expected: Outcome, case: Case) -> str:
    """What the learner is shown as expected (for answers that are not unique, the property)."""
    if expected.raised:
        return f"{expected.error} to be raised"
    value = expected.value
    if kind == "huffman":
        length = _expected_length(value, np.asarray(case.args[0], dtype=float))
        return (
            f"a prefix code on the symbols with p_i > 0 of optimal expected length "
            f"{length:.6g} bits, e.g. {short(value)}"
        )
    if kind == "bits_bound":
        bound = ceil_information(*case.args) + 2
        return f"a str of '0'/'1' of at most {bound} bits, e.g. {short(value)}"
    if kind == "distinct_codes":
        return f"{len(case.args[0])} distinct codes, one per message"
    if kind == "round_trip":
        return f"the message back: {short(list(case.args[0]))}"
    if kind == "triple":
        return f"three arrays of shape {np.shape(value[0])}"
    if kind == "int_matrix":
        return f"a NumPy int array of shape {np.shape(value)}"
    if _is_run(value):
        return _run_text(value)
    return short(value)


def _got_text(got: Outcome) -> str:
    if got.raised:
        return f"{got.error}: {got.message}" if got.message else got.error
    return _run_text(got.value) if _is_run(got.value) else short(got.value)


# -- checking one exercise ------------------------------------------------------------------------


@dataclass
class ExerciseReport:
    """How one exercise did on its public cases."""

    name: str
    points: float
    status: str  # "pass", "fail", "not attempted", "missing"
    n_criteria: int = 0
    n_cases: int = 0
    failed: list[str] = field(default_factory=list)  # names of the failed criteria
    failure: dict[str, str] = field(default_factory=dict)  # input, expected, got, why
    mistake: list[str] = field(default_factory=list)  # [name, hint] of the likely mistake
    note: str = ""


def run_exercise(
    exercise: Exercise, fn: Callable, partners: Mapping[str, Callable]
) -> list[list[Outcome]]:
    """Call ``fn`` (with its partners) on every public case, within the time limits."""
    deadline = time.perf_counter() + EXERCISE_SECONDS
    outcomes = []
    for criterion in exercise.criteria:
        run = target(fn, criterion.adapt, partners)
        group = []
        for case in criterion.cases:
            left = deadline - time.perf_counter()
            if left <= 0:
                group.append(
                    Outcome(
                        error="TimeoutError",
                        error_types=("TimeoutError",),
                        message=f"not run: the {EXERCISE_SECONDS:g} s for this exercise ran out",
                    )
                )
            else:
                group.append(call(run, case, min(CALL_SECONDS, left)))
        outcomes.append(group)
    return outcomes


def check_exercise(
    exercise: Exercise, fn: Any, partners: Mapping[str, Any] | None = None
) -> ExerciseReport:
    """Check ``fn`` as ``exercise`` on its public cases; never raises."""
    partners = dict(partners or {})
    report = ExerciseReport(
        exercise.name,
        exercise.points,
        "missing",
        n_criteria=len(exercise.criteria),
        n_cases=sum(len(c.cases) for c in exercise.criteria),
    )
    if not callable(fn):
        report.note = (
            f"no function {exercise.name} is defined: run the cell that defines it"
            if fn is None
            else f"{exercise.name} is a {type(fn).__name__}, not a function"
        )
        return report
    needed = [
        exercise.partners[key] for key in exercise.partners if not callable(partners.get(key))
    ]
    if needed:
        report.note = f"checked together with {', '.join(needed)}, which is not defined yet"
        return report
    outcomes = run_exercise(exercise, fn, partners)
    flat = [o for group in outcomes for o in group]
    if flat and all(o.error == "NotImplementedError" for o in flat):
        report.status = "not attempted"
        report.note = "still raises NotImplementedError"
        if exercise.partners:
            others = ", ".join(exercise.partners.values())
            report.note += (
                f" (it is checked by a round trip through your {others}, which must work first)"
            )
        return report
    failed_cases = []
    for ci, criterion in enumerate(exercise.criteria):
        compare = comparison(criterion.compare)
        failed_here = False
        for ki, case in enumerate(criterion.cases):
            got = outcomes[ci][ki]
            reason = verdict(got, case.expected, case, compare)
            if reason is None:
                continue
            failed_cases.append((ci, ki))
            failed_here = True
            if not report.failure:
                report.failure = {
                    "input": case.call_text(exercise.name),
                    "expected": _expected_text(criterion.compare["kind"], case.expected, case),
                    "got": _got_text(got),
                    "why": reason,
                }
        if failed_here:
            report.failed.append(criterion.name)
    report.status = "fail" if failed_cases else "pass"
    if failed_cases:
        mistake = diagnose(exercise, outcomes, failed_cases)
        if mistake is not None:
            report.mistake = [mistake.name, mistake.hint]
    return report


def diagnose(
    exercise: Exercise, outcomes: list[list[Outcome]], failed_cases: list[tuple[int, int]]
) -> Mistake | None:
    """The mistake the learner made, or None when it is not certain.

    As the grader does (``autograder/checks/core.py``): the first hand-written classic whose
    recorded outcomes match the learner's on every failed case; else the one general
    explanation (a relation of :mod:`course.diagnosis`, or a mistake derived from the
    reference by an operator) that fits every failed case, when exactly one does."""
    for mistake in exercise.mistakes:
        if not mistake.derived and _reproduces(exercise, mistake, outcomes, failed_cases):
            return mistake
    found: dict[str, Mistake] = {}
    failures = []
    for ci, ki in failed_cases:
        case = exercise.criteria[ci].cases[ki]
        compare = comparison(exercise.criteria[ci].compare)
        failures.append(
            (
                outcomes[ci][ki],
                case.expected,
                named_arguments(case.args, case.kwargs, exercise.parameters),
                lambda got, candidate, case=case, compare=compare: (
                    verdict(got, candidate, case, compare) is None
                ),
            )
        )
    for relation in explain(failures, lambda value: Outcome(value=value)):
        found.setdefault(relation.name, Mistake(relation.name, relation.hint, {}))
    for mistake in exercise.mistakes:
        if len(found) > 1:
            break
        if mistake.derived and mistake.name not in found:
            if _reproduces(exercise, mistake, outcomes, failed_cases):
                found[mistake.name] = mistake
    return next(iter(found.values())) if len(found) == 1 else None


def _reproduces(exercise: Exercise, mistake: Mistake, outcomes, failed_cases) -> bool:
    return all(
        (ci, ki) in mistake.failures
        and verdict(
            outcomes[ci][ki],
            mistake.failures[(ci, ki)],
            exercise.criteria[ci].cases[ki],
            comparison(exercise.criteria[ci].compare),
        )
        is None
        for ci, ki in failed_cases
    )


# -- a whole notebook ---------------------------------------------------------------------------


@dataclass
class Report:
    """The self-check of one notebook."""

    assignment: str
    title: str
    exercises: list[ExerciseReport]
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every exercise that was attempted passes its public checks."""
        return not any(e.status == "fail" for e in self.exercises)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        exercises = [ExerciseReport(**e) for e in data["exercises"]]
        return cls(data["assignment"], data["title"], exercises, list(data.get("notes", [])))

    def summary(self) -> str:
        count = {s: [e for e in self.exercises if e.status == s] for s in STATUS}
        passing = count["pass"]
        points = sum(e.points for e in passing)
        total = sum(e.points for e in self.exercises)
        parts = [
            f"{len(passing)} of {len(self.exercises)} exercises pass the public checks "
            f"(worth {points:g} of {total:g} points)"
        ]
        if count["fail"]:
            parts.append(f"{len(count['fail'])} fail{'s' if len(count['fail']) == 1 else ''}")
        waiting = len(count["not attempted"]) + len(count["missing"])
        if waiting:
            parts.append(f"{waiting} not attempted yet")
        return "; ".join(parts) + "."

    def text(self) -> str:
        """The report as plain text."""
        width = max([len("exercise")] + [len(e.name) for e in self.exercises]) + 2
        lines = [
            f"Self-check of {self.assignment} · {self.title} (public cases only)",
            "",
            f"  {'exercise':<{width}}{'points':>6}   status",
        ]
        for e in self.exercises:
            lines.append(f"  {e.name:<{width}}{e.points:>6g}   {_status_text(e)}")
        for e in self.exercises:
            if e.status == "fail":
                lines += ["", f"✗ {e.name}: fails {_quoted(e.failed)}"]
                lines += [f"    {key + ':':<9} {e.failure[key]}" for key in FAILURE_KEYS]
                if e.mistake:
                    lines.append(f"    likely mistake: {e.mistake[0]}. {e.mistake[1]}")
                else:
                    lines.append(f"    {NOT_KNOWN[0]}: {NOT_KNOWN[1]}")
        lines += ["", *self.notes, self.summary(), REMINDER]
        return "\n".join(line for line in lines if line is not None)

    def html(self) -> str:
        """The report as an HTML table, for a notebook."""
        esc = html.escape
        rows = "".join(
            f"<tr><td><code>{esc(e.name)}</code></td><td style='text-align:right'>{e.points:g}"
            f"</td><td style='text-align:left;color:{STATUS[e.status][1]}'>"
            f"{esc(_status_text(e))}</td></tr>"
            for e in self.exercises
        )
        details = ""
        for e in self.exercises:
            if e.status != "fail":
                continue
            lines = [f"{key + ':':<9} {e.failure[key]}" for key in FAILURE_KEYS]
            mistake = (
                f"<p><b>Likely mistake: {esc(e.mistake[0])}.</b> {esc(e.mistake[1])}</p>"
                if e.mistake
                else f"<p><b>{esc(NOT_KNOWN[0].capitalize())}.</b> {esc(NOT_KNOWN[1])}</p>"
            )
            details += (
                f"<h4 style='color:{STATUS['fail'][1]}'>✗ <code>{esc(e.name)}</code> fails "
                f"{esc(_quoted(e.failed))}</h4><pre>{esc(chr(10).join(lines))}</pre>{mistake}"
            )
        notes = "".join(f"<p>{esc(n)}</p>" for n in self.notes)
        return (
            f"<div><h3>Self-check of {esc(self.assignment)} · {esc(self.title)} "
            f"<small>(public cases only)</small></h3>"
            f"<table><thead><tr><th>exercise</th><th>points</th><th style='text-align:left'>"
            f"status</th></tr></thead><tbody>{rows}</tbody></table>{details}{notes}"
            f"<p><b>{esc(self.summary())}</b></p><p><i>{esc(REMINDER)}</i></p></div>"
        )

    def _repr_html_(self) -> str:
        return self.html()

    def __str__(self) -> str:
        return self.text()


STATUS = {  # status: (mark, colour)
    "pass": ("✓", "#1a7f37"),
    "fail": ("✗", "#cf222e"),
    "not attempted": ("·", "#6e7781"),
    "missing": ("?", "#9a6700"),
}
FAILURE_KEYS = ("input", "expected", "got", "why")


def _status_text(e: ExerciseReport) -> str:
    mark = STATUS[e.status][0]
    if e.status == "pass":
        return f"{mark} passes the public checks ({e.n_cases} cases)"
    if e.status == "fail":
        return f"{mark} fails {len(e.failed)} of {e.n_criteria} public checks"
    if e.status == "not attempted":
        return f"{mark} not attempted ({e.note})"
    return f"{mark} not checked: {e.note}"


def _quoted(names: list[str]) -> str:
    return "; ".join(f"“{n}”" for n in names)


def check_namespace(namespace: Mapping[str, Any], assignment: str | None = None) -> Report:
    """Check the exercise functions defined in ``namespace`` (e.g. ``globals()``).

    Parameters
    ----------
    namespace : mapping
        Where the learner's functions are defined, by name.
    assignment : str, optional
        The notebook id, e.g. ``"01-entropy"``; guessed from the names defined when omitted.

    Returns
    -------
    Report
        One :class:`ExerciseReport` per exercise; ``report.passed`` is False when an
        attempted exercise fails a public check.
    """
    assignment = assignment or guess_assignment(namespace)
    public = load_public(assignment)
    reports = []
    for exercise in public.exercises:
        partners = {key: namespace.get(other) for key, other in exercise.partners.items()}
        try:
            reports.append(check_exercise(exercise, namespace.get(exercise.name), partners))
        except SelfCheckError:
            raise
        except Exception as error:  # noqa: BLE001 - a bug here must not hide the other results
            report = ExerciseReport(exercise.name, exercise.points, "missing")
            report.note = f"the self-check itself failed ({type(error).__name__}: {error})"
            reports.append(report)
    return Report(public.assignment, public.title, reports)


def guess_assignment(namespace: Mapping[str, Any]) -> str:
    """The notebook whose exercise functions are (most of them) defined in ``namespace``."""
    best, best_count = None, 0
    for assignment in available():
        names = [e["name"] for e in _exercise_names(assignment)]
        count = sum(callable(namespace.get(name)) for name in names)
        if count > best_count:
            best, best_count = assignment, count
    if best is None:
        raise SelfCheckError(
            "none of the course's exercise functions is defined here: run the notebook's "
            "cells first, or name the notebook, e.g. self_check('01-entropy')."
        )
    return best


def _exercise_names(assignment: str) -> list[dict]:
    data = json.loads((DATA_DIR / f"{assignment}.json").read_text(encoding="utf-8"))
    return [{"name": e["name"]} for e in data["exercises"]]


def _user_namespace() -> Mapping[str, Any]:
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = None
    shell = get_ipython() if get_ipython is not None else None
    if shell is not None:
        return shell.user_ns
    return vars(sys.modules["__main__"])


def self_check(assignment: str | None = None, namespace: Mapping[str, Any] | None = None) -> None:
    """Check the exercises defined in this notebook (or script) and show a summary.

    In Jupyter the summary is a table; elsewhere it is printed as text. Nothing is
    re-executed: the functions as they are defined now are checked.

    Parameters
    ----------
    assignment : str, optional
        The notebook id, e.g. ``"01-entropy"``; guessed from the functions defined when
        omitted.
    namespace : mapping, optional
        Where the functions are defined (default: the notebook's own variables).

    While nbgrader grades or validates the notebook (``NBGRADER_EXECUTION`` is set) it only
    says so: the grader runs its own checks, and a self-check would only cost time.
    """
    if os.environ.get("NBGRADER_EXECUTION"):
        print(f"Self-check: skipped while nbgrader runs the notebook ({GRADING_NOTE}).")
        return
    try:
        report = check_namespace(namespace or _user_namespace(), assignment)
    except SelfCheckError as error:
        print(f"Self-check: {error}")
        return
    except Exception as error:  # noqa: BLE001 - never a traceback from the course's own code
        print(f"Self-check: {_internal(error)}")
        return
    shell = None
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display

        shell = get_ipython()
    except ImportError:
        pass
    if shell is not None and getattr(shell, "kernel", None) is not None:
        display(HTML(report.html()))
    else:
        print(report.text())


def _kernel_report(assignment: str) -> str:
    """Run inside the kernel that executed a notebook: the report as one marked line of JSON."""
    try:
        report = check_namespace(_user_namespace(), assignment)
        return MARKER + json.dumps(report.to_dict())
    except SelfCheckError as error:
        return MARKER + json.dumps({"error": str(error)})
    except Exception as error:  # noqa: BLE001 - never a traceback from the course's own code
        return MARKER + json.dumps({"error": _internal(error)})


def _internal(error: Exception) -> str:
    return (
        f"the self-check itself failed ({type(error).__name__}: {first_line(str(error))}). "
        "Your notebook is not at fault: tell your instructor, with this message."
    )


# -- executing a notebook --------------------------------------------------------------------------


def notebook_assignment(nb, path: Path) -> str:
    """The notebook id: the file's name when it is one, else the notebook's graded cells."""
    known = available()
    if path.stem in known:
        return path.stem
    grade_ids = {cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") for cell in nb.cells}
    for assignment in known:
        names = {e["name"] for e in _exercise_names(assignment)}
        if names <= grade_ids:
            return assignment
    raise SelfCheckError(
        f"cannot tell which notebook {path.name} is: name it, e.g. "
        f"`python -m course.selfcheck {path} --assignment 01-entropy` (available: "
        f"{', '.join(known)})."
    )


def check_notebook(
    path: str | Path, assignment: str | None = None, timeout: float = CELL_SECONDS
) -> Report:
    """Execute a copy of the notebook in a fresh kernel, then check its exercise functions.

    The file on disk is only read. Cells that raise (a failing visible test, an exercise not
    done yet) do not stop the run; a cell that runs longer than ``timeout`` seconds is
    interrupted.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    path = Path(path)
    if not path.is_file():
        raise SelfCheckError(f"{path} is not a file: give the path of your .ipynb notebook.")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001 - malformed JSON, not a notebook...
        raise SelfCheckError(
            f"{path} could not be read as a notebook ({type(error).__name__}); open it in "
            "Jupyter and save it again."
        ) from None
    assignment = assignment or notebook_assignment(nb, path)
    load_public(assignment)  # fail early on an unknown id
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "from course.selfcheck import _kernel_report as _course_selfcheck_report\n"
            f"print(_course_selfcheck_report({assignment!r}))"
        )
    )
    env = dict(os.environ)  # the kernel must import this very course package
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env.pop("NBGRADER_EXECUTION", None)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=nb.metadata.get("kernelspec", {}).get("name") or "python3",
        allow_errors=True,
        interrupt_on_timeout=True,
        resources={"metadata": {"path": str(path.resolve().parent)}},
    )
    try:
        client.execute(env=env, stderr=subprocess.DEVNULL)  # no kernel start-up chatter
    except DeadKernelError:
        raise SelfCheckError(
            "the Python kernel died while running your notebook (os._exit, a crash, or out of "
            "memory?): fix the cell that kills it and try again."
        ) from None
    except Exception as error:  # noqa: BLE001 - no kernel, no such kernelspec...
        raise SelfCheckError(
            f"the notebook could not be run ({type(error).__name__}: {first_line(str(error))})"
        ) from None
    data = _reported(nb.cells[-1])
    if "error" in data:
        raise SelfCheckError(data["error"])
    report = Report.from_dict(data)
    if any(e.status == "missing" for e in report.exercises):
        report.notes = _cell_problems(nb.cells[:-1])
    return report


def _reported(cell) -> dict:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            for line in output.get("text", "").splitlines():
                if line.startswith(MARKER):
                    return json.loads(line[len(MARKER) :])
        if output.get("output_type") == "error":
            return {"error": f"the check could not run ({output['ename']}: {output['evalue']})"}
    return {"error": "the check gave no report (did the notebook change the kernel's output?)"}


def _cell_problems(cells) -> list[str]:
    """Cells that stopped with an error other than a failing visible test or an unfinished
    exercise: they may explain an exercise shown as not defined."""
    problems = []
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            name = output.get("ename", "")
            if name in {"NotImplementedError", "VisibleTestFailure"}:
                continue
            first = cell.get("source", "").strip().splitlines()
            shown = first[0][:60] if first else ""
            problems.append(
                f"Cell {index + 1} ({shown!r}) stopped with {name}: "
                f"{first_line(output.get('evalue', ''))[:120]}"
            )
    if not problems:
        return []
    more = [f"... and {len(problems) - 5} more."] if len(problems) > 5 else []
    return ["These cells stopped with an error, which may be why a function is not defined:"] + [
        f"  {p}" for p in problems[:5] + more
    ]


def main(argv: list[str] | None = None) -> int:
    """``python -m course.selfcheck NOTEBOOK``: run the notebook, print the summary.

    Returns 0 when every attempted exercise passes its public checks, 1 when one fails,
    2 when the notebook could not be checked.
    """
    parser = argparse.ArgumentParser(
        prog="python -m course.selfcheck",
        description="Run a copy of your notebook and check its exercises on public cases.",
    )
    parser.add_argument("notebook", type=Path, help="your notebook, e.g. 01-entropy.ipynb")
    parser.add_argument(
        "--assignment", help="the notebook id, when the file has another name (01-entropy...)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=CELL_SECONDS,
        help=f"seconds per cell before it is interrupted (default {CELL_SECONDS:g})",
    )
    args = parser.parse_args(argv)
    try:
        report = check_notebook(args.notebook, args.assignment, args.timeout)
    except SelfCheckError as error:
        print(f"Self-check: {error}")
        return 2
    except Exception as error:  # noqa: BLE001 - never a traceback from the course's own code
        print(f"Self-check: {_internal(error)}")
        return 2
    print(report.text())
    return 0 if report.passed else 1


# -- showing values --------------------------------------------------------------------------------


def _array_text(value: np.ndarray) -> str:
    return np.array2string(value, precision=6, threshold=12, edgeitems=3, separator=", ")


if __name__ == "__main__":
    sys.exit(main())

"""Build the public cases that learners check themselves against (``course/selfcheck.py``).

    python -m autograder.selfcheck            # write course/data/selfcheck/<id>.json
    python -m autograder.selfcheck --check    # exit 1 when a committed file is stale

For each exercise, the data file holds:

1. the spec's criteria (``autograder/checks/``), their cases regenerated under a *public*
   seed. Any case equal to a hidden case of the notebook is dropped (the spec's hand-written
   edge cases are); the hand-picked public cases of :func:`extra_cases` come first, and each
   criterion keeps at most :data:`MAX_CASES` cases and :data:`MAX_BYTES` of inputs;
2. how each criterion compares and calls (``{"kind": "close", "rtol": ...}``), read from the
   spec's comparison and adapter so that tolerances are never copied by hand;
3. the reference's outcome on each case (``solutions/``), and, for each classic mistake of
   ``autograder/examples/``, its outcome on the cases where it fails, with its name and hint.

The reference and the mistakes are run by ``course/selfcheck.py``'s own harness, so the
learner's side compares like with like. Values are stored as ``autograder/wire.py``'s tagged
JSON, which ``course/selfcheck.py`` decodes itself. No source code and no hidden case is
written (the tests hold the data to both).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

from autograder import wire
from autograder.assignments import REPO, Assignment, built_assignments
from autograder.checks import criteria_for, derived_for, mistakes_for, partners_for
from autograder.checks.core import Case, parameters_of
from course import selfcheck as student
from course.adapters import Adapter, adapter
from course.comparisons import Comparison, Gram, comparison
from course.harness import Outcome, verdict

OUT = REPO / "course" / "data" / "selfcheck"
PUBLIC_SEED = 2718  # mixed into every spec's seed: the same cases on every build, not the hidden
MAX_CASES = 4  # per criterion: enough to tell the classic mistakes apart, small files
MAX_BYTES = 32_000  # of encoded inputs per criterion (a larger case is skipped, but never all)
CALL_SECONDS = 120.0  # the reference or a mistake on one public case
# Criteria whose only possible inputs are hidden cases (the one empty input): left out.
WITHOUT_PUBLIC_CASES = {
    "empirical_entropy": "an empty sequence raises ValueError",
    "perplexity": "an empty input raises ValueError",
}
ALLOWED_TAGS = {"__float__", "__bigint__", "__np__", "__ndarray__", "__tuple__", "__dict__"}


# -- which cases are public ------------------------------------------------------------------------


def public_rng(name: str) -> np.random.Generator:
    """The generator of an exercise's public cases (the hidden ones use another seed)."""
    return np.random.default_rng([PUBLIC_SEED, sum(name.encode())])


def canonical(value: Any) -> str:
    """A text that is equal for inputs that are the same data in another container (a list
    and an array, a tuple and a list, a string and its list of characters, 2 and 2.0)."""

    def plain(v):
        if isinstance(v, np.ndarray):
            return plain(v.tolist())
        if isinstance(v, np.generic):
            return plain(v.item())
        if isinstance(v, str):
            return v if len(v) == 1 else [plain(c) for c in v]
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return sorted(([plain(k), plain(x)] for k, x in v.items()), key=json.dumps)
        if isinstance(v, bool) or v is None:
            return repr(v)
        if isinstance(v, (int, float)):
            return repr(float(v))
        return repr(v)

    return json.dumps(plain(value))


def case_key(case: Case) -> str:
    return canonical([list(case.args), case.kwargs])


def public_cases(assignment: Assignment, name: str) -> list[tuple[Any, list[Case]]]:
    """``[(criterion, public cases)]`` for one exercise: :func:`extra_cases` first, then the
    spec's cases under the public seed, without any hidden case of the notebook, within
    :data:`MAX_CASES` and :data:`MAX_BYTES` per criterion."""
    hidden = {  # the hidden cases of every exercise of the notebook
        case_key(c)
        for exercise in assignment.exercises
        for criterion in criteria_for(exercise.name)
        for c in criterion.cases
    }
    criteria = criteria_for(name, public_rng(name))
    extras = extra_cases().get(name, {})
    for text in extras:
        matching = [c.name for c in criteria if text in c.name]
        if len(matching) != 1:
            raise ValueError(
                f"extra_cases()[{name!r}][{text!r}] matches {len(matching)} criteria of the "
                "spec: make it name exactly one"
            )
    result = []
    for criterion in criteria:
        if WITHOUT_PUBLIC_CASES.get(name) == criterion.name:
            continue
        cases, seen = [], set(hidden)
        added = [c for text, group in extras.items() if text in criterion.name for c in group]
        for case in [*added, *criterion.cases]:
            key = case_key(case)
            if key not in seen:
                seen.add(key)
                cases.append(case)
        cases = _within_budget(cases)
        if not cases:
            raise ValueError(
                f"{name}: no public case for the criterion {criterion.name!r}: add some to "
                "extra_cases() in autograder/selfcheck.py"
            )
        result.append((criterion, cases))
    return result


def _within_budget(cases: list[Case]) -> list[Case]:
    """The first cases, at most :data:`MAX_CASES` and :data:`MAX_BYTES` of inputs (the first
    case is kept whatever its size)."""
    kept, used = [], 0
    for case in cases:
        size = len(json.dumps(wire.encode([case.args, case.kwargs])))
        if len(kept) < MAX_CASES and (not kept or used + size <= MAX_BYTES):
            kept.append(case)
            used += size
    return kept


# -- building the data --------------------------------------------------------------------------


def _canonical_signs(value):
    """Embeddings with each column's largest entry positive (E @ E.T, the only thing judged,
    does not change; the file no longer depends on the SVD routine's sign choice)."""
    if not isinstance(value, np.ndarray) or value.ndim != 2 or value.size == 0:
        return value
    index = np.argmax(np.abs(value), axis=0)
    signs = np.sign(value[index, np.arange(value.shape[1])])
    return value * np.where(signs == 0, 1.0, signs)


def _outcome_data(outcome: Outcome, compare: Comparison, adapt: Adapter) -> dict:
    if outcome.raised:
        return {"error": outcome.error}
    value = adapt.encode(outcome.value)
    if isinstance(compare, Gram):
        value = _canonical_signs(value)
    return {"value": _checked(wire.encode(value))}


def _checked(data):
    """``data`` itself, after checking that it uses only tags the learner's side decodes."""
    if isinstance(data, list):
        for v in data:
            _checked(v)
    elif isinstance(data, dict):
        tags = {k for k in data if k.startswith("__")}
        if not tags <= ALLOWED_TAGS:
            raise ValueError(f"cannot store {sorted(tags)} in the self-check data")
        for v in data.values():
            _checked(v)
    return data


def _decoded(data: dict, adapt: Adapter) -> Outcome:
    """The outcome as the learner's side will read it back from the file."""
    return student.stored_outcome(json.loads(json.dumps(data)), adapt)


def build(assignment: Assignment) -> dict:
    """The data file of one notebook, as JSON-ready data."""
    module = assignment.reference()
    exercises = []
    for exercise in assignment.exercises:
        name = exercise.name
        wanted = partners_for(name)
        reference_partners = {key: getattr(module, other) for key, other in wanted.items()}
        derived = derived_for(name)
        criteria, mistakes = [], [*mistakes_for(name), *derived]
        failures: list[list] = [[] for _ in mistakes]
        for ci, (criterion, cases) in enumerate(public_cases(assignment, name)):
            # the learner's side judges with the objects built back from the data forms
            compare_spec, adapt_spec = criterion.compare.data(), criterion.adapt.data()
            compare, adapt = comparison(compare_spec), adapter(adapt_spec)
            reference = adapt(getattr(module, name), reference_partners)
            stored = []
            for ki, case in enumerate(cases):
                public = Case(tuple(case.args), dict(case.kwargs))
                expected = _outcome_data(
                    student.call(reference, public, CALL_SECONDS), compare, adapt
                )
                public.expected = _decoded(expected, adapt)
                if public.expected.raised is False and public.expected.value is None:
                    raise ValueError(f"{name}: the reference returned None on a public case")
                stored.append(
                    {
                        "args": _checked(wire.encode(tuple(case.args))),
                        "kwargs": _checked(wire.encode(dict(case.kwargs))),
                        "expected": expected,
                    }
                )
                for mi, mistake in enumerate(mistakes):
                    partners = {
                        key: mistake.companions.get(other, reference_partners[key])
                        for key, other in wanted.items()
                    }
                    outcome = student.call(adapt(mistake.fn, partners), public, CALL_SECONDS)
                    if verdict(outcome, public.expected, public, compare) is not None:
                        failures[mi].append([ci, ki, _outcome_data(outcome, compare, adapt)])
            criteria.append(
                {
                    "name": criterion.name,
                    "compare": compare_spec,
                    "adapt": adapt_spec,
                    "cases": stored,
                }
            )
        exercises.append(
            {
                "name": name,
                "points": exercise.points,
                "partners": wanted,
                "criteria": criteria,
                "parameters": [
                    [n, _checked(wire.encode(d))] for n, d in parameters_of(getattr(module, name))
                ],
                "mistakes": [
                    {"name": m.name, "hint": m.hint, "failures": f}
                    | ({"derived": True} if any(m is d for d in derived) else {})
                    for m, f in zip(mistakes, failures, strict=True)
                ],
            }
        )
    return {
        "format": student.FORMAT,
        "assignment": assignment.id,
        "title": assignment.title,
        "generated_by": "python -m autograder.selfcheck (do not edit by hand)",
        "exercises": exercises,
    }


def dumps(data: dict) -> str:
    """The file's text: indented, one line per case and per recorded mistake outcome."""
    compact: list[str] = []

    def one_line(value) -> str:
        compact.append(
            json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        )
        return f"@@{len(compact) - 1}@@"

    shaped = {
        **data,
        "exercises": [
            {
                **ex,
                "criteria": [
                    {**c, "cases": [one_line(k) for k in c["cases"]]} for c in ex["criteria"]
                ],
                "mistakes": [
                    {**m, "failures": [one_line(f) for f in m["failures"]]} for m in ex["mistakes"]
                ],
            }
            for ex in data["exercises"]
        ],
    }
    text = json.dumps(shaped, indent=1, ensure_ascii=False, allow_nan=False)
    return re.sub(r'"@@(\d+)@@"', lambda match: compact[int(match.group(1))], text) + "\n"


def write(out: Path = OUT, assignments: list[Assignment] | None = None) -> list[Path]:
    """Write ``out/<id>.json`` for every assignment; returns the files written.

    A file whose data equal the fresh build's (:func:`same_data`: last-bit differences of
    another machine's floats aside) is left as it is, so a rebuild elsewhere does not churn.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for assignment in built_assignments() if assignments is None else assignments:
        path = out / f"{assignment.id}.json"
        fresh = dumps(build(assignment))
        if path.exists():
            old = path.read_text(encoding="utf-8")
            if old == fresh or same_data(json.loads(old), json.loads(fresh)):
                continue
        path.write_text(fresh, encoding="utf-8")
        written.append(path)
    return written


def stale(out: Path = OUT, assignments: list[Assignment] | None = None) -> list[str]:
    """The assignments whose committed file differs from a fresh build.

    Floats may differ in their last bits between machines: they are compared with a
    relative 1e-9, or at float32 precision where they are results of float32 arithmetic
    (see :func:`same_data`).
    """
    result = []
    for assignment in built_assignments() if assignments is None else assignments:
        path = out / f"{assignment.id}.json"
        fresh = dumps(build(assignment))
        if not path.exists():
            result.append(assignment.id)
        elif path.read_text(encoding="utf-8") != fresh and not same_data(
            json.loads(path.read_text(encoding="utf-8")), json.loads(fresh)
        ):
            result.append(assignment.id)
    return result


def _float32_valued(x: np.ndarray) -> bool:
    """Is every entry of a float array exactly a float32 number (nan and inf included)?"""
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.array_equal(x.astype(np.float32).astype(x.dtype), x, equal_nan=True))


def same_data(a: Any, b: Any) -> bool:
    """Equal JSON data, floats and float arrays within a relative 1e-9."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return False
        if "__ndarray__" in a:
            x, y = student.decode(a), student.decode(b)
            if x.dtype != y.dtype or x.shape != y.shape:
                return False
            if x.dtype.kind == "f":
                if _float32_valued(x) and _float32_valued(y):
                    # Results of float32 arithmetic (PyTorch's float32 cases, stored as
                    # float64): their last bits depend on the machine's kernels and on
                    # cancellation, so they are compared at float32 precision.
                    finite = np.abs(y[np.isfinite(y)])
                    scale = float(finite.max(initial=0.0))
                    return bool(np.allclose(x, y, rtol=1e-5, atol=1e-6 * scale, equal_nan=True))
                return bool(np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True))
            return bool(np.array_equal(x, y))
        return all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return type(a) is type(b) and a == b


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.selfcheck [--check] [ID...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m autograder.selfcheck",
        description="Write the public self-check cases to course/data/selfcheck/.",
    )
    parser.add_argument("ids", nargs="*", help="assignment ids (default: every built one)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="only compare with the committed files (exit 1 if any differ)",
    )
    args = parser.parse_args(argv)
    from autograder.assignments import get_assignment

    try:
        chosen = [get_assignment(i) for i in args.ids] if args.ids else None
    except KeyError as error:
        print(error.args[0])
        return 2
    if args.check:
        outdated = stale(OUT, chosen)
        for assignment_id in outdated:
            print(f"{assignment_id}: course/data/selfcheck/{assignment_id}.json is stale")
        if outdated:
            print("run `python -m autograder.selfcheck` and commit the files")
            return 1
        print("course/data/selfcheck/ is up to date")
        return 0
    for path in write(OUT, chosen):
        print(f"wrote {path.relative_to(REPO)} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


# -- hand-picked public cases ---------------------------------------------------------------------


def extra_cases() -> dict[str, dict[str, list[Case]]]:
    """Public cases for the criteria whose hidden cases are written out in the spec (edge
    cases, invalid inputs, fixed grids): ``{exercise: {part of a criterion's name: cases}}``.

    Each must differ from every hidden case (the tests check it) and test the same thing.
    """
    from autograder.checks.kl_divergence import _gaussian, _mixture

    rng = np.random.default_rng(PUBLIC_SEED)
    e = math.e
    x = np.linspace(-15.0, 15.0, 601)  # grids coarser than the hidden ones: smaller files
    x_near = np.linspace(-8.0, 3.0, 441)
    x_far = np.linspace(5.0, 45.0, 401)
    y = np.linspace(-10.0, 10.0, 501)
    y_far = np.linspace(10.0, 35.0, 401)
    bimodal = _mixture(y, [0.5, 0.5], [-2.5, 3.5], [0.8, 1.0])
    unequal = _mixture(y, [0.35, 0.65], [-3.5, 2.5], [0.5, 1.2])
    vocab = list("abcde")
    return {
        # 01-entropy
        "surprisal": {
            "a probability gives": [Case((0.25,)), Case((0.7,)), Case((0.001,))],
            "impossible event": [Case((np.array([0.25, 0.0]),)), Case(([0.0, 0.2],))],
        },
        "entropy": {
            "invalid input": [
                Case(([[0.2, 0.8]],)),
                Case(([1.2, -0.2],)),
                Case(([0.3, 0.3],)),
                Case(([0.7, 0.7],)),
            ],
            "sums within": [Case(([0.25 + 5e-7, 0.75],)), Case(([1 / 7] * 7,))],
        },
        "binary_entropy": {
            "for a single p": [Case((0.25,)), Case((0.6,)), Case((0.01,))],
            "H_b(0) = H_b(1) = 0": [Case((np.array([1.0, 0.0]),)), Case(([0.0, 0.5, 1.0],))],
        },
        "empirical_entropy": {
            "strings count": [Case(("banana",)), Case(("zzz",)), Case(("a rose is a rose",))],
            "the base argument": [Case(("abracadabra",), {"base": e})],
        },
        "softmax": {
            "no overflow": [
                Case(([5e3, 5e3 - 1.0, -5e3],)),
                Case((np.array([[800.0, 0.0], [0.0, -800.0]]),), {"temperature": 0.2}),
            ],
            "temperature <= 0": [
                Case(([0.5, 1.5],), {"temperature": 0.0}),
                Case(([3.0, 1.0, 2.0],), {"temperature": -2.0}),
            ],
        },
        # 02-source-coding
        "kraft_sum": {
            "binary Kraft sums": [Case(([2, 2, 3, 3, 3],)), Case(((1, 3, 3, 3),))],
            "edge cases": [Case(([0, 2],)), Case((np.array([0.5, 1.5, 2.5]),))],
            "the alphabet size D": [Case(([1, 2, 2], 4))],
        },
        "is_prefix_free": {
            "are recognised": [Case((["00", "01", "10", "11"],)), Case((("1", "01", "00"),))],
            "Kraft's inequality": [
                Case((["1", "10"],)),
                Case((["1", "10", "100"],)),
                Case((["0", "11", "110"],)),
            ],
            "a prefix anywhere": [Case((["10", "1"],)), Case((["01", "1", "0"],))],
            "repeated codeword": [Case((["01", "01"],)), Case((["1", "0", "1"],))],
        },
        "shannon_lengths": {
            "exact at powers of two": [
                Case(([0.25, 0.25, 0.5],)),
                Case(([0.125] * 8,)),
                Case((np.concatenate([2.0 ** -np.arange(1, 31), [2.0**-30]]),)),
            ],
        },
        "huffman_code": {
            "ties": [Case(([0.2] * 5,)), Case(([0.125] * 8,)), Case(([0.4, 0.2, 0.2, 0.2],))],
            "a single symbol": [Case(([0.0, 1.0],)), Case(([0.0, 0.0, 0.0, 1.0, 0.0],))],
        },
        "encode": {
            "any symbols": [
                Case(("banana", {"b": "10", "a": "0", "n": "11"})),
                Case(([3, 3], {3: "0"})),
            ],
            "an empty message": [Case(([], {5: "1", 6: "0"})), Case(("", {"x": "0", "y": "1"}))],
        },
        "decode": {
            "whole codewords": [
                Case(("10011", {0: "0", 1: "10", 2: "11"})),
                Case(("0010110", {"x": "0", "y": "10", "z": "11"})),
            ],
            "do not split": [
                Case(("0110", {0: "0", 1: "10", 2: "11"})),
                Case(("00111", {0: "0", 1: "10"})),
                Case(("1", {"x": "0", "y": "10", "z": "11"})),
            ],
        },
        "arithmetic_encode": {
            "distinct messages of the same length get distinct codes (short": [
                Case(([list(m) for m in np.ndindex(2, 2, 2, 2, 2)], [0.7, 0.3])),
                Case(([list(m) for m in np.ndindex(3, 3, 3)], (0.5, 0.3, 0.2))),
            ],
            "edge cases": [Case(([], [0.6, 0.4])), Case(([0] * 15, [1.0, 0.0]))],
        },
        "arithmetic_decode": {
            "edge cases": [Case(([], [0.6, 0.4])), Case(([2] * 12, [0.0, 0.0, 1.0]))],
        },
        # 03-cross-entropy
        "cross_entropy": {
            "even where q_i = 0": [
                Case(([0.3, 0.0, 0.7], [0.5, 0.0, 0.5])),
                Case((np.array([0.0, 0.6, 0.4]), np.array([0.0, 0.1, 0.9]))),
            ],
            "gives inf": [
                Case(([0.6, 0.4], [0.0, 1.0])),
                Case((np.array([0.1, 0.1, 0.8]), np.array([0.0, 0.5, 0.5]))),
            ],
            "different lengths": [Case(([0.25] * 4, [1 / 3] * 3)), Case(([1.0], [0.5, 0.5]))],
        },
        "nll": {
            "probability 0 costs inf": [
                Case(([[0.0, 1.0], [0.3, 0.7]], [0, 1])),
                Case((np.array([[0.2, 0.8, 0.0], [0.0, 0.5, 0.5]]), np.array([1, 2]))),
            ],
        },
        "empirical_distribution": {
            "unseen classes get 0": [Case(([1, 1, 0], 4)), Case((np.array([2, 2]), 5))],
        },
        "fit_categorical": {"steps=0": [Case(([1, 2, 2], 4), {"steps": 0})]},
        # 04-kl-divergence
        "kl_divergence": {
            "the direction matters": [
                Case(([0.8, 0.2], [0.4, 0.6])),
                Case(([0.4, 0.6], [0.8, 0.2])),
                Case(([0.9, 0.05, 0.05], [0.2, 0.4, 0.4])),
            ],
            "invalid input": [
                Case(([0.3, 0.7], [0.2, 0.2, 0.6])),
                Case(([[0.3, 0.7]], [[0.3, 0.7]])),
                Case(([1.2, -0.2], [0.3, 0.7])),
                Case(([0.3, 0.7], [0.3, 0.3])),
            ],
            "sums within": [
                Case(([0.3 + 5e-7, 0.7], [0.5, 0.5])),
                Case(([1 / 7] * 7, [0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2])),
            ],
        },
        "kl_gaussian": {
            "in nats for numbers": [
                Case((0.5, 1.2, -0.3, 0.8)),
                Case((0.0, 2.0, 1.0, 0.5)),
                Case((3, 2, 1, 4)),
            ],
            "sigma is a standard deviation": [
                Case((0.0, 1.0, 0.0, 3.0)),
                Case((0.0, 3.0, 0.0, 1.0)),
                Case((1.0, 0.5, 0.0, 2.0)),
            ],
            "numbers in give a float": [Case((0.2, 1.0, 0.0, 1.5)), Case((2, 1, 1, 1))],
        },
        "forward_kl_fit": {
            "a Gaussian target": [
                Case((x, _gaussian(x, -1.0, 1.2))),
                Case((x_near, _gaussian(x_near, -2.0, 0.7))),
            ],
            "two separated modes": [
                Case((x, _mixture(x, [0.4, 0.6], [-2.5, 3.5], [0.8, 1.2]))),
                Case((x, _gaussian(x, 0.5, 1.0) * (1 + np.tanh(3 * x)))),
            ],
            "need not be normalised": [
                Case((x, 3.0 * _gaussian(x, -1.0, 1.2))),
                Case((x, 0.05 * _mixture(x, [2.0, 1.0], [-4.0, 5.0], [1.5, 1.0]))),
            ],
            "any grid spacing": [
                Case((x_far, _mixture(x_far, [0.5, 0.5], [15.0, 30.0], [2.5, 1.5]))),
                Case((x_far.tolist(), _gaussian(x_far, 25.0, 3.0).tolist())),
            ],
        },
        "reverse_kl_fit": {
            "fitted exactly": [
                Case((y, _gaussian(y, -0.5, 1.2), 0.5, 1.0)),
                Case((y, _gaussian(y, 1.5, 0.7), 0.0, 1.5)),
            ],
            "locks onto the mode": [
                Case((y, bimodal, 3.0, 1.0)),
                Case((y, bimodal, -2.0, 0.6)),
                Case((y, unequal, -3.0, 0.6)),
            ],
            "need not be normalised": [
                Case((y, 25.0 * bimodal, 3.2, 0.8)),
                Case((y_far, _mixture(y_far, [0.5, 0.5], [15.0, 27.0], [1.2, 1.5]), 26.0, 1.2)),
                Case((y.tolist(), (0.3 * unequal).tolist(), 2.0, 1.0)),
            ],
        },
        # 05-mutual-information
        "cooccurrence_matrix": {
            "next to itself": [
                Case((["b", "b"], ["b"]), {"window": 1}),
                Case((["b", "b", "b", "a"], ["a", "b"]), {"window": 2}),
            ],
            "exactly `window` apart": [
                Case((["p", "q", "r", "s", "t"], ["p", "r", "t"]), {"window": 2}),
                Case((["u", "v", "u"], ["u", "v"]), {"window": 0}),
            ],
            "outside vocab": [
                Case((["b", "UNK", "a"], ["a", "b"]), {"window": 1}),
                Case((["b", "UNK", "UNK", "a"], ["a", "b"]), {"window": 3}),
            ],
        },
        "plugin_mi": {
            "any hashable labels": [
                Case(("aabbab", "xyxyyy")),
                Case((["x", "y", "x", "y"], ["u", "u", "v", "w"])),
                Case(([(1, 0), (1, 0), (0, 1)], ["p", "q", "q"])),
            ],
            "one variable is constant": [
                Case(([1, 2, 3, 4], ["k"] * 4)),
                Case(("xyxy", "aabb")),
                Case(([3], [4])),
            ],
        },
        "infonce_loss": {
            "along each row": [Case(([[0.0, 4.0], [1.0, 2.0]],))],
            "a mean over the rows": [Case((np.zeros((5, 5)),)), Case(([[-1.0]],))],
            "no overflow": [
                Case(([[9000.0, -9000.0], [-9000.0, 9000.0]],)),
                Case(([[-900.0, 0.0], [0.0, -900.0]],)),
                Case(([[0.0, 9500.0], [0.0, 0.0]],)),
            ],
            "ValueError unless": [
                Case(([[0.5, 1.5, 2.5], [1.0, 2.0, 3.0]],)),
                Case(([0.0, 1.0],)),
                Case((np.zeros((3, 0)),)),
            ],
        },
        # 06-perplexity
        "perplexity": {
            "probability 1/K": [Case(([-math.log(3)] * 5,)), Case(([-math.log(1000)] * 3,))],
            "probability 0": [Case(([math.log(0.25), -math.inf, math.log(0.5)],))],
            "long texts": [  # the product of the probabilities underflows to 0
                Case((np.full(1200, -0.7),)),
                Case((np.log(rng.uniform(0.01, 1.0, size=1000)),)),
            ],
        },
        "ngram_counts": {
            "the last n-gram is counted": [Case((list("pqrst"), 2)), Case((list("abab"), 3))],
            "exactly n tokens": [Case(("xyz", 3)), Case(("xy", 3)), Case(([], 2))],
        },
        "ngram_log_prob": {
            "unseen histories": [
                Case((list("cdcdcd"), list("abeab"), 2, vocab)),
                Case((list("ddccdc"), list("aabe"), 3, vocab), {"k": 0.5}),
            ],
            "strings, tuples": [
                Case(("banana", "nab", 2, "abn")),
                Case(
                    (
                        tuple("we are what we are".split()),
                        ("we", "are", "what"),
                        2,
                        ("we", "are", "what"),
                    )
                ),
            ],
        },
        "interpolated_log_prob": {
            "0/0 as 0": [
                Case((list("babbaa"), list("ddab"), vocab, [0.4, 0.6])),
                Case((list("bcabca"), list("dcbab"), vocab, [0.3, 0.3, 0.4])),
            ],
            "never seen in training": [Case((list("baba"), list("bae"), vocab, [0.5, 0.5]))],
        },
        "bits_per_byte": {
            "uniform over 256": [Case((50 * math.log(256), 50)), Case((0.0, 3))],
        },
        "perplexity_to_bits_per_byte": {
            "one token per byte": [Case((256.0, 4, 4)), Case((5.5, 9, 9))],
            "two tokenizations": [
                Case((math.exp(2000.0 / tokens), tokens, 1000)) for tokens in (1000, 250, 500)
            ],
            "perplexity 1": [Case((1.0, 20, 80))],
        },
        # 07-llm-losses
        "log_softmax": {
            "up to +-1e4": [
                Case((np.array([[9e3, 0.0, -9e3], [-9e3, -9e3 + 2.0, -9e3]]),)),
                Case((np.array([9e3, 9e3 - 1.0, 3.0]),)),
            ],
        },
        "cross_entropy_loss": {
            "up to +-1e4": [
                Case((np.array([[9e3, -9e3, 0.0], [0.0, 9e3, -9e3]]), np.array([1, 1]))),
                Case(
                    (np.array([[-9e3, 0.0, 9e3], [9e3, 0.0, -9e3]]), np.array([0, -100])),
                    {"label_smoothing": 0.1},
                ),
            ],
        },
        "dpo_loss": {
            "large margins": [
                Case(
                    (
                        np.array([-1.5e4, -2.0]),
                        np.array([-2.0, -2.0]),
                        np.array([-4.0, -2.0]),
                        np.array([-2.0, -2.0]),
                    ),
                    {"beta": 1.0},
                ),
                Case(
                    (
                        np.array([-2.0, -7.0]),
                        np.array([-1.5e4, -7.0]),
                        np.array([-2.0, -7.0]),
                        np.array([-4.0, -7.0]),
                    ),
                    {"beta": 1.0},
                ),
            ],
        },
        "code_length_bits": {
            "a uniform model": [
                Case((np.zeros((4, 6)), np.array([5, 0, 2, 1]))),
                Case((rng.normal(size=(1, 9)), np.array([4]))),
            ],
        },
        "top_p_filter": {
            "equal probabilities": [
                Case((np.array([0.3, 0.2, 0.3, 0.2]), 0.2)),
                Case((np.array([0.1, 0.3, 0.3, 0.3]), 0.5)),
            ],
            "top_p = 1": [
                Case((np.array([0.4, 0.1, 0.3, 0.2]), 1.0)),
                Case((np.array([0.15, 0.7, 0.15]), 0.1)),
            ],
            "ValueError": [Case((np.array([0.25, 0.75]), 0.0)), Case((np.array([0.5, 0.5]), 2.0))],
        },
        "expected_calibration_error": {
            "exactly 1": [
                Case((np.array([1.0, 1.0, 0.0, 0.45]), np.array([1, 0, 0, 1]))),
                Case((np.array([0.0, 0.0, 1.0, 0.62]), np.array([1, 1, 0, 1])), {"n_bins": 5}),
            ],
            "booleans or 0/1": [
                Case(([0.85, 0.55, 0.25], [True, True, False])),
                Case((np.array([0.72, 0.18]), np.array([0, 1]))),
            ],
            "ValueError": [Case((np.array([0.3]), np.array([1, 1]))), Case(([], []))],
        },
    }


if __name__ == "__main__":
    sys.exit(main())

"""Build the public cases that learners check themselves against (``course/selfcheck.py``).

    python -m autograder.public_cases            # write course/data/selfcheck/<id>.json
    python -m autograder.public_cases --check    # exit 1 when a committed file is stale

For each exercise, the data file holds:

1. the spec's criteria (``autograder/checks/``), their cases regenerated under a *public*
   seed. Any case equal to a hidden case of the notebook is dropped (the spec's hand-written
   edge cases are); the hand-picked public cases beside the checks (:func:`hand_picked`) come
   first, and each criterion keeps at most :data:`MAX_CASES` cases and :data:`MAX_BYTES` of
   inputs;
2. how each criterion compares and calls (``{"kind": "close", "rtol": ...}``): the data form
   of the spec's comparison and adapter (``course/comparisons.py``, ``course/adapters.py``),
   so that tolerances are never copied by hand;
3. the reference's outcome on each case (``solutions/``), and, for each classic mistake of
   ``autograder/answers/``, its outcome on the cases where it fails, with its name and hint.

The reference and the mistakes are run as the learner's side runs them (``course/selfcheck.py``
and the objects rebuilt from the data forms), so the learner's side compares like with like.
Values are stored as ``autograder/wire.py``'s tagged JSON, which ``course/selfcheck.py``
decodes itself. No source code and no hidden case is written (the tests hold the data to
both).
"""

from __future__ import annotations

import argparse
import importlib
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


def hand_picked(assignment: Assignment, name: str) -> dict[str, list[Case]]:
    """The public cases written out beside the hidden checks, ``public_cases(rng)`` of
    ``autograder/checks/<module>.py``, for the criteria whose hidden cases are written out
    too (edge cases, invalid inputs, fixed grids): ``{part of a criterion's name: cases}``.
    Each must differ from every hidden case (the tests check it) and test the same thing."""
    spec = importlib.import_module(f"autograder.checks.{assignment.module}")
    return spec.public_cases(np.random.default_rng(PUBLIC_SEED)).get(name, {})


def without_public_cases(assignment: Assignment) -> dict[str, str]:
    """``{exercise: criterion}`` for the criteria whose only possible input is a hidden case
    (the one empty input): ``WITHOUT_PUBLIC_CASES`` beside the checks, when the module has it."""
    spec = importlib.import_module(f"autograder.checks.{assignment.module}")
    return getattr(spec, "WITHOUT_PUBLIC_CASES", {})


def cases_of(assignment: Assignment, name: str) -> list[tuple[Any, list[Case]]]:
    """``[(criterion, public cases)]`` for one exercise: the :func:`hand_picked` cases first,
    then the spec's cases under the public seed, without any hidden case of the notebook,
    within :data:`MAX_CASES` and :data:`MAX_BYTES` per criterion."""
    hidden = {  # the hidden cases of every exercise of the notebook
        case_key(c)
        for exercise in assignment.exercises
        for criterion in criteria_for(exercise.name)
        for c in criterion.cases
    }
    criteria = criteria_for(name, public_rng(name))
    extras = hand_picked(assignment, name)
    for text in extras:
        matching = [c.name for c in criteria if text in c.name]
        if len(matching) != 1:
            raise ValueError(
                f"public_cases()[{name!r}][{text!r}] in autograder/checks/"
                f"{assignment.module}.py matches {len(matching)} criteria of the spec: make it "
                "name exactly one"
            )
    result, left_out = [], without_public_cases(assignment).get(name)
    for criterion in criteria:
        if criterion.name == left_out:
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
                f"public_cases() in autograder/checks/{assignment.module}.py"
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
        for ci, (criterion, cases) in enumerate(cases_of(assignment, name)):
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
        "generated_by": "python -m autograder.public_cases (do not edit by hand)",
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
    """``python -m autograder.public_cases [--check] [ID...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m autograder.public_cases",
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
            print("run `python -m autograder.public_cases` and commit the files")
            return 1
        print("course/data/selfcheck/ is up to date")
        return 0
    for path in write(OUT, chosen):
        print(f"wrote {path.relative_to(REPO)} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
them with ``python -m autograder.public_cases``. This module needs nothing else from the course
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
from course.adapters import Adapter, adapter
from course.comparisons import Comparison, comparison
from course.diagnosis import NOT_KNOWN, explain, named_arguments
from course.harness import Case, Outcome, first_line, verdict

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
    compare: Comparison  # stored as data, e.g. {"kind": "close", "rtol": 1e-06, ...}
    adapt: Adapter  # how the function is called, stored as data, e.g. {"kind": "call"}
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
        criteria = []
        for c in ex["criteria"]:
            compare, adapt = _built(comparison, c["compare"]), _built(adapter, c["adapt"])
            cases = [
                Case(decode(k["args"]), decode(k["kwargs"]), stored_outcome(k["expected"], adapt))
                for k in c["cases"]
            ]
            criteria.append(Criterion(c["name"], compare, adapt, cases))
        mistakes = [
            Mistake(
                m["name"],
                m["hint"],
                {
                    (int(ci), int(ki)): stored_outcome(o, criteria[int(ci)].adapt)
                    for ci, ki, o in m["failures"]
                },
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


def _built(registry: Callable[[dict], Any], data: dict):
    """A comparison or adapter from its data form; one this module does not know means
    that the data files come from another release."""
    try:
        return registry(data)
    except ValueError as error:
        if not str(error).startswith("unknown "):
            raise  # malformed parameters: a damaged file
        raise SelfCheckError(
            f"the self-check data uses a {error.args[0].removeprefix('unknown ')} that this "
            "course/selfcheck.py does not know: get course/ and course/data/selfcheck/ from "
            "the same release."
        ) from None


def stored_outcome(data: dict, adapt: Adapter) -> Outcome:
    """A stored outcome, its value as the adapted call returns it (e.g. a PyTorch run)."""
    outcome = Outcome.from_data(data, decode)
    if not outcome.raised:
        outcome.value = adapt.decode(outcome.value)
    return outcome


# -- calling the learner's function -----------------------------------------------------------


def call(fn: Callable, case: Case, seconds: float = CALL_SECONDS) -> Outcome:
    """Call ``fn`` on a copy of the case's inputs, quietly (its prints too) and within a
    time limit; whatever happens inside is caught and returned as an :class:`Outcome`."""
    return harness.call(fn, case, seconds, silent_stdout=True)


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
        run = criterion.adapt(fn, partners)
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
        compare = criterion.compare
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
                    "expected": compare.expected_text(case.expected, case),
                    "got": got.text(),
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
        compare = exercise.criteria[ci].compare
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
            exercise.criteria[ci].compare,
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


if __name__ == "__main__":
    sys.exit(main())

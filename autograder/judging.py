"""Judging outside the student's process: recorded outcomes in, points and reports out.

The sandbox (:mod:`autograder.sandbox`) sends, for every executed cell, its outputs and the
outcomes the hidden checks recorded there. Here, in the grading process, each test cell is
judged against ``solutions/`` with the same :func:`autograder.checks.core.judge` the
in-notebook checks use, and its outputs are rewritten the way nbgrader reads them: the
check's report on stdout and the points as the cell's result.

Things a student could try in their own process get nowhere here: an outcome that is not
well-formed data is refused; a test cell whose hidden check did not report (because the
student's code stopped it, skipped it or faked its output) gets an explicit error, so
nbgrader scores it 0 instead of treating a silent cell as passed; records made outside test
cells are ignored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignments import Assignment
from autograder.checks import grade_function, judge_outcomes, partners_for, reference_outcomes
from autograder.checks.core import Outcome, Result
from autograder.sandbox import Execution
from autograder.wire import WireError, decode

CHECK_LINE = re.compile(r'check\("([a-z_0-9]+)"')


@dataclass
class Judgement:
    """The judged notebook of one student."""

    notebook: dict
    results: dict[str, Result] = field(default_factory=dict)  # exercise -> result
    problems: list[str] = field(default_factory=list)  # why something could not be judged

    def details(self) -> dict[str, dict]:
        return {
            name: {
                "points": r.points,
                "max_points": r.max_points,
                "diagnosis": r.diagnosis[0] if r.diagnosis else None,
                "failed": [c.name for c in r.criteria if not c.passed],
            }
            for name, r in self.results.items()
        }


def outcomes_from(data: dict, shape: list[int]) -> list[list[Outcome]]:
    """Rebuild outcomes from a record, checking they fit the check's criteria."""
    groups = data.get("outcomes")
    if (
        not isinstance(groups, list)
        or [len(g) if isinstance(g, list) else -1 for g in groups] != shape
    ):
        raise WireError("the recorded outcomes do not fit the check's cases")
    rebuilt = []
    for group in groups:
        row = []
        for item in group:
            if not isinstance(item, dict):
                raise WireError("malformed outcome")
            error, types = item.get("error"), item.get("error_types", ())
            message, modified = item.get("message", ""), item.get("modified_input", False)
            seconds = item.get("seconds", 0.0)
            if not (
                (error is None or isinstance(error, str))
                and isinstance(types, (list, tuple))
                and all(isinstance(t, str) for t in types)
                and isinstance(message, str)
                and isinstance(modified, bool)
                and type(seconds) in (int, float)
                and 0 <= seconds < 1e6
            ):
                raise WireError("an outcome with fields of the wrong type or out of range")
            row.append(
                Outcome(
                    value=item.get("value"),
                    error=None if error is None else error[:100],
                    error_types=tuple(t[:100] for t in types)[:50],
                    message=message[:500],
                    modified_input=modified,
                    seconds=float(seconds),
                )
            )
        rebuilt.append(row)
    return rebuilt


def judge_record(assignment: Assignment, name: str, encoded: dict) -> Result:
    """Points and report for one exercise from what its hidden check recorded."""
    assignment.exercise(name)  # a KeyError for a name that is not one of its exercises
    data = decode(encoded)
    if not isinstance(data, dict):
        raise WireError("malformed record")
    if "note" in data:
        # The student's function (or a partner) was not callable: the in-notebook path's note.
        return grade_function(name, None, **dict.fromkeys(partners_for(name)))
    criteria, _ = reference_outcomes(name)
    outcomes = outcomes_from(data, [len(c.cases) for c in criteria])
    return judge_outcomes(name, outcomes)


def _test_exercise(cell: dict, assignment: Assignment) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    gid = meta.get("grade_id", "")
    if cell.get("cell_type") != "code" or not meta.get("grade") or meta.get("solution"):
        return None
    name = gid.removeprefix("test_")
    return name if any(e.name == name for e in assignment.exercises) else None


def _error(ename: str, evalue: str) -> dict:
    return {
        "output_type": "error",
        "ename": ename,
        "evalue": evalue,
        "traceback": [f"{ename}: {evalue}"],
    }


def judge_execution(assignment: Assignment, notebook: dict, execution: Execution) -> Judgement:
    """The sanitized notebook with the sandbox's outputs, its test cells judged."""
    nb = json.loads(json.dumps(notebook))
    judgement = Judgement(nb)
    stopped = _why_stopped(execution)
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        ran = execution.cells.get(index)
        cell["execution_count"] = None
        if ran is None:
            cell["outputs"] = (
                [_error("NotRun", f"this cell did not run: {stopped}")] if stopped else []
            )
            continue
        outputs = [o for o in ran["outputs"] if o.get("output_type") != "execute_result"]
        name = _test_exercise(cell, assignment)
        if name is None:
            cell["outputs"] = ran["outputs"]
            continue
        records = [
            r for r in ran.get("records", []) if isinstance(r, dict) and r.get("name") == name
        ]
        has_error = any(o.get("output_type") == "error" for o in outputs)
        if not records:
            if not has_error:
                outputs.append(
                    _error(
                        "HiddenTestsDidNotRun",
                        "the hidden tests of this cell did not report a result, so it scores 0",
                    )
                )
                judgement.problems.append(f"{name}: hidden tests did not report")
            cell["outputs"] = outputs
            continue
        try:
            result = judge_record(assignment, name, records[-1].get("record", {}))
            report, points = result.report() + "\n", repr(float(result.points))
        except Exception as error:  # noqa: BLE001 - whatever a record does costs only its sender
            why = f"{type(error).__name__}: {str(error)[:200]}"
            outputs.append(
                _error("UnreadableResult", f"the hidden tests' result could not be read ({why})")
            )
            judgement.problems.append(f"{name}: unreadable result ({why})")
            cell["outputs"] = outputs
            continue
        judgement.results[name] = result
        outputs.append({"output_type": "stream", "name": "stdout", "text": report})
        outputs.append(
            {
                "output_type": "execute_result",
                "data": {"text/plain": points},
                "metadata": {},
                "execution_count": None,
            }
        )
        cell["outputs"] = outputs
    if stopped:
        judgement.problems.append(stopped)
    return judgement


def _why_stopped(execution: Execution) -> str:
    if execution.violation:
        return execution.violation
    if execution.finished:
        return ""
    if execution.exit == "timeout":
        return "the notebook ran past its time limit"
    if execution.crash:
        return "the grading process failed on this notebook"
    ended = execution.exit or "unknown"
    return f"the notebook's process ended early ({ended}), e.g. os._exit or a crash"


def save(judgement: Judgement, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(judgement.notebook))
    path.with_suffix(".json").write_text(
        json.dumps({"details": judgement.details(), "problems": judgement.problems})
    )

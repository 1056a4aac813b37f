"""Small notebooks, answers and a class runner for the sandbox and whole-class tests
(test_sandbox_*.py, test_scale*.py, test_hostile*.py)."""

from __future__ import annotations

import inspect
import json

from autograder.assignments import get_assignment
from autograder.sandbox import Execution, Pool

ENTROPY = get_assignment("01-entropy")
# Every 01-entropy exercise answered by the reference, as a student's source: {name: source}.
ENTROPY_ANSWERS = {
    e.name: inspect.getsource(getattr(ENTROPY.reference(), e.name)) for e in ENTROPY.exercises
}
SURPRISAL = ENTROPY_ANSWERS["surprisal"]
SETUP = "import math\nimport numpy as np\nfrom autograder.checks import check\n"


def code(source: str, **nbgrader) -> dict:
    meta = {"nbgrader": {"grade_id": nbgrader["grade_id"], **nbgrader}} if nbgrader else {}
    return {"cell_type": "code", "source": source, "metadata": meta, "outputs": []}


def solution(name: str, source: str) -> dict:
    return code(source, grade_id=name, solution=True, grade=False)


def graded_cell(name: str, points: float = 1) -> dict:
    return code(f'check("{name}", {name})', grade_id=f"test_{name}", grade=True, points=points)


def surprisal_notebook(answer: str = SURPRISAL, before: tuple[str, ...] = ()) -> dict:
    """A tiny 01-entropy notebook: setup, extra cells, the surprisal answer and its test."""
    cells = [code(SETUP), *[code(s) for s in before], solution("surprisal", answer)]
    return {"cells": [*cells, graded_cell("surprisal")], "metadata": {}, "nbformat": 4}


def answered(release: dict, answers: dict[str, str] = ENTROPY_ANSWERS) -> dict:
    """A copy of a release notebook whose solution cells named in ``answers`` hold them."""
    nb = json.loads(json.dumps(release))
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    return nb


def run_class(
    notebooks: dict[str, dict], workers: int = 2, stall_seconds: float = 120, **limits
) -> dict[str, Execution]:
    """Every notebook through one Pool: the execution of each, by student."""
    jobs = [{"id": s, "cells": nb["cells"], **limits} for s, nb in notebooks.items()]
    with Pool(workers) as pool:
        return {e.id: e for e in pool.run(jobs, stall_seconds=stall_seconds)}


def outputs_text(execution: Execution) -> str:
    return "\n".join(str(cell["outputs"]) for cell in execution.cells.values())

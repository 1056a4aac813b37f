"""Limits a submission cannot get around, each costing only its own grade (issue 14):
processes, memory held together, CPU spent formatting a value, the per-cell CPU limit
against the per-call one, returned objects mutated later, and the resume cache."""

import json
import os
import time

import numpy as np
import pytest

from autograder import grading
from autograder.checks.core import Case, Criterion, run_cases
from autograder.grading import Runs
from autograder.judging import judge_execution
from autograder.sandbox import Execution
from tests.sandbox_cases import ENTROPY, SURPRISAL, outputs_text, run_class, surprisal_notebook

MARK = "31.4159"  # an argument no other process on this machine sleeps for


def sleepers_alive() -> int:
    count = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if f.read().split(b"\0")[:2] == [b"sleep", MARK.encode()]:
                    count += 1
        except OSError:
            pass
    return count


def points(execution: Execution, notebook: dict | None = None) -> float:
    judgement = judge_execution(ENTROPY, notebook or surprisal_notebook(), execution)
    return judgement.results["surprisal"].points if "surprisal" in judgement.results else 0.0


@pytest.mark.slow
def test_process_and_memory_limits_stop_only_the_submission_that_breaks_them():
    many = (
        "import subprocess\n"
        f"procs = [subprocess.Popen(['sleep', '{MARK}']) for _ in range(40)]\n"
        "import time\ntime.sleep(30)\n"
    )
    # Three processes of 300 MB each: each within its own limit, 900 MB together.
    together = (
        "import os, time\n"
        "for _ in range(3):\n"
        "    if os.fork() == 0:\n"
        "        block = bytearray(300 * 2**20)\n"
        "        for i in range(0, len(block), 4096):\n"
        "            block[i] = 1\n"
        "        time.sleep(30)\n"
        "        os._exit(0)\n"
        "time.sleep(30)\n"
    )
    started = time.perf_counter()
    executions = run_class(
        {
            "forks-40": surprisal_notebook(before=(many,)),
            "holds-900-mb": surprisal_notebook(before=(together,)),
            "honest": surprisal_notebook(),
        },
        seconds=120,
        memory=600 * 2**20,
    )
    assert time.perf_counter() - started < 80  # both stopped well before the 120 s limit
    assert "more than 32 processes" in executions["forks-40"].violation
    assert "GiB together" in executions["holds-900-mb"].violation
    assert points(executions["honest"]) == 1.0
    time.sleep(0.5)
    assert sleepers_alive() == 0  # its whole tree was killed, not just its first process


@pytest.mark.slow
def test_formatting_a_value_is_inside_the_cpu_limit():
    """The value's repr is student code: an endless one is a timeout in that cell."""
    endless_repr = (
        "class Slow:\n"
        "    calls = 0\n"
        "    def __repr__(self):\n"
        "        Slow.calls += 1\n"
        "        if Slow.calls > 1:\n"
        "            while True:\n"
        "                pass\n"
        "        return 'quick'\n"
        "Slow()\n"
    )
    started = time.perf_counter()
    notebook = surprisal_notebook(before=(endless_repr,))
    execution = run_class({"slow-repr": notebook}, seconds=90, cell_seconds=3)["slow-repr"]
    assert time.perf_counter() - started < 60
    assert execution.exit == "ok" and execution.finished
    assert "more than 3 s of CPU time" in outputs_text(execution)
    assert points(execution, notebook) == 1.0


@pytest.mark.slow
def test_a_slow_correct_answer_keeps_its_points_whatever_the_cell_limit():
    """Each call burns 0.5 s of CPU, 12 calls: far over a 2 s cell limit, well within the
    20 s per call the checks promise."""
    slow = SURPRISAL.replace(
        "def surprisal(p, base=2):",
        "def surprisal(p, base=2):\n    import time\n    t = time.process_time()\n"
        "    while time.process_time() - t < 0.5:\n        pass",
        1,
    )
    assert slow != SURPRISAL
    execution = run_class({"slow": surprisal_notebook(slow)}, seconds=120, cell_seconds=2)["slow"]
    assert execution.finished
    assert points(execution) == 1.0


def test_a_returned_object_is_judged_as_it_was_when_returned():
    """A function that returns the same buffer each call, overwritten by the next call."""
    buffer = np.zeros(3)

    def reuses_its_buffer(x):
        buffer[:] = x
        return buffer

    cases = [Case(args=(np.full(3, float(i)),)) for i in range(3)]
    outcomes = run_cases(reuses_its_buffer, [Criterion("c", cases, lambda *a: None)])
    assert [float(o.value[0]) for o in outcomes[0]] == [0.0, 1.0, 2.0]


def test_the_resume_cache_keeps_only_runs_that_ended_normally(tmp_path):
    runs = Runs(tmp_path, {"seconds": 60})
    job = {"id": "s", "cells": [{"cell_type": "code", "source": "1"}]}
    good = Execution("s", finished=True, exit="ok")
    runs.store(job, good)
    assert runs.load(job) is not None
    for bad in (
        Execution("s", finished=False, exit="timeout"),
        Execution("s", finished=False, exit="signal 9"),
        Execution("s", finished=True, exit="ok", violation="sent a malformed result"),
    ):
        runs.store(job, bad)
        assert runs.load(job) is None  # and the good run before it is gone too


def test_the_resume_key_changes_with_the_notebook_the_limits_and_the_grader(tmp_path, monkeypatch):
    job = {"id": "s", "cells": [{"cell_type": "code", "source": "1"}], "until": 0}
    key = Runs(tmp_path, {"seconds": 60}).key(job)
    other_cells = {**job, "cells": [{"cell_type": "code", "source": "2"}]}
    assert Runs(tmp_path, {"seconds": 60}).key(other_cells) != key
    assert Runs(tmp_path, {"seconds": 61}).key(job) != key
    assert Runs(tmp_path, {"seconds": 60}).key({**job, "until": 1}) != key
    # The grader's own code and data: checks, solutions, the course package and its corpus.
    for package in ("autograder/checks", "solutions", "course", "course/data"):
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "x.txt").write_text("a")
    monkeypatch.setattr(grading, "REPO", tmp_path)
    version = grading._code_version.__wrapped__
    for path in ("autograder/checks/x.txt", "solutions/x.txt", "course/data/x.txt"):
        before = version()
        (tmp_path / path).write_text((tmp_path / path).read_text() + "b")
        assert version() != before, path
    json.dumps(key)

"""A class of any size grades to the end (issue 14): 1,000 small notebooks through the
sandbox and the judge, a 50,000-cell notebook among its classmates, and a stuck sandbox
reported as stuck instead of a silent hang."""

import os
import signal
import time

import pytest

from autograder.judging import judge_execution
from autograder.sandbox import Pool
from tests.sandbox_cases import ENTROPY, code, run_class, surprisal_notebook

pytestmark = pytest.mark.slow

CLASS_SIZE = int(os.environ.get("ITLM_SCALE_CLASS", "1000"))
WRONG = "def surprisal(p, base=2):\n    return 0.0\n"


def test_a_class_of_1000_small_notebooks_grades_to_the_end():
    """Every other student is right: each result is judged and lands on its own student.
    (600 identical notebooks once hung the sandbox for good: every job was written to it
    before any result was read.)"""
    notebooks = {
        f"s{i:04d}": surprisal_notebook() if i % 2 == 0 else surprisal_notebook(WRONG)
        for i in range(CLASS_SIZE)
    }
    started = time.perf_counter()
    executions = run_class(notebooks)
    took = time.perf_counter() - started
    assert sorted(executions) == sorted(notebooks)
    for student, execution in executions.items():
        assert execution.finished and execution.exit == "ok", (student, execution.exit)
        judgement = judge_execution(ENTROPY, notebooks[student], execution)
        expected = 1.0 if int(student[1:]) % 2 == 0 else 0.0
        assert judgement.results["surprisal"].points == expected, student
    print(f"\n{CLASS_SIZE} notebooks run and judged in {took:.0f} s")


def test_a_notebook_of_50000_cells_holds_up_no_one():
    huge = {"cells": [code(f"x = {i}") for i in range(50_000)]}
    notebooks = {f"s{i}": surprisal_notebook() for i in range(11)}
    notebooks["huge"] = huge
    executions = run_class(notebooks, seconds=20)  # the huge one may run out of time
    assert sorted(executions) == sorted(notebooks)
    for i in range(11):
        judgement = judge_execution(ENTROPY, notebooks[f"s{i}"], executions[f"s{i}"])
        assert judgement.results["surprisal"].points == 1.0
    assert executions["huge"].exit in ("ok", "timeout")


def test_a_stuck_sandbox_is_reported_not_waited_for():
    with Pool(1) as pool:
        os.kill(pool.process.pid, signal.SIGSTOP)
        try:
            started = time.perf_counter()
            with pytest.raises(RuntimeError, match="stuck"):
                list(pool.run([{"id": "s", "cells": [code("1")]}], stall_seconds=5))
            assert time.perf_counter() - started < 30
        finally:
            os.kill(pool.process.pid, signal.SIGCONT)

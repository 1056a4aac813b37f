"""A class of any size grades to the end (issue 14): a 50,000-cell notebook among its
classmates, and a stuck sandbox reported as stuck instead of a silent hang. (A class of 1,000
goes through the whole `python -m autograder grade` in tests/test_scale_grade.py.)"""

import os
import signal
import time

import pytest

from autograder.judging import judge_execution
from autograder.sandbox import Pool
from tests.sandbox_cases import ENTROPY, code, run_class, surprisal_notebook

pytestmark = pytest.mark.slow


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

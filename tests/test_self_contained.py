"""Do the reference answers, known mistakes and alternative answers run from their own source?

The solution cells of ``source/`` are written from ``solutions/`` and the demo class pastes
each mistake and alternative into a notebook cell under the exercise's name, so every one of
these functions must work from its own source alone, with only ``math``, ``np`` and (in the
PyTorch notebook) ``torch`` in scope. One test for all seven notebooks.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import math
import textwrap

import numpy as np
import pytest
import torch

from autograder.assignments import built_assignments
from autograder.checks import criteria_for, partners_for
from autograder.checks.core import call, verdict

SCOPE = {"math": math, "np": np, "torch": torch}
CASES_PER_CRITERION = 2  # enough to run every branch a criterion is about, and fast


def _functions():
    for assignment in built_assignments():
        reference = assignment.reference()
        answers = importlib.import_module(f"autograder.answers.{assignment.module}")
        for exercise in assignment.exercises:
            yield assignment, exercise.name, "reference", getattr(reference, exercise.name)
        for mistake in answers.MISTAKES:
            yield assignment, mistake.exercise, "mistake", mistake.fn
        for name, alternatives in answers.ALTERNATIVES.items():
            for fn in alternatives:
                yield assignment, name, "alternative", fn


FUNCTIONS = [
    pytest.param(a, name, fn, id=f"{a.module}-{kind}-{fn.__name__}")
    for a, name, kind, fn in _functions()
]


@pytest.mark.parametrize("assignment, exercise, fn", FUNCTIONS)
def test_function_runs_from_its_own_source(assignment, exercise, fn):
    """Does a copy made from the source alone, in a namespace holding only math, np and
    torch, give the same outcomes as the original on the check's cases?"""
    used = set(inspect.getclosurevars(fn).globals)
    assert used <= set(SCOPE), f"{fn.__name__} uses module globals {used - set(SCOPE)}"
    source = textwrap.dedent(inspect.getsource(fn))
    assert source.startswith(f"def {fn.__name__}("), "one plain function per example"
    namespace = dict(SCOPE)
    exec(source, namespace)
    copy = namespace[fn.__name__]
    reference = assignment.reference()
    partners = {key: getattr(reference, other) for key, other in partners_for(exercise).items()}
    for criterion in criteria_for(exercise):
        for case in criterion.cases[:CASES_PER_CRITERION]:
            original = call(criterion.target(fn, partners), case)
            again = call(criterion.target(copy, partners), case)
            reason = verdict(again, original, case, criterion.compare)
            assert reason is None, f"{criterion.name}: {case.call_text(exercise)}: {reason}"


def _imports(module) -> set[str]:
    tree = ast.parse(inspect.getsource(module))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module)
    return names


@pytest.mark.parametrize("assignment", built_assignments(), ids=lambda a: a.module)
def test_modules_import_only_math_and_their_array_library(assignment):
    """Do solutions/ and autograder/answers/ import only math and NumPy (PyTorch in the
    PyTorch notebook) at module level, so their functions need nothing else in a notebook?"""
    torch_notebook = assignment.module == "llm_losses"
    array = {"torch"} if torch_notebook else {"numpy"}
    reference = _imports(assignment.reference()) - {"__future__"}
    assert reference == {"math", *array}, reference
    answers = importlib.import_module(f"autograder.answers.{assignment.module}")
    allowed = {"__future__", "math", "numpy", "autograder.answers", *array}
    assert _imports(answers) <= allowed, _imports(answers) - allowed

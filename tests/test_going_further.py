"""Can a workshop skip every "Going further" section and still run the core path?

A core cell that reads a name which only a "Going further" cell defines breaks when the optional
sections are skipped, and one that reads a name an optional cell rebinds sees another value.
The check is static (Python's ``ast``, no kernel): a name a core code cell reads must be bound
last by the setup, a solution, or an earlier core cell, or by the cell itself. The grader relies
on it: it does not run the optional cells a student left as released (``autograder/grading.py``).
"""

from __future__ import annotations

import ast
import builtins
import json

import pytest

from autograder.assignments import ASSIGNMENTS
from autograder.timing import cell_text, optional_cells

NOTEBOOKS = {a.id: json.loads(a.source_path.read_text()) for a in ASSIGNMENTS.values()}
BUILTINS = set(dir(builtins))


def _bound_at_top(tree: ast.Module) -> set[str]:
    """Names a cell binds for the cells after it (assignments, defs, imports, loop targets)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _bound_anywhere(tree: ast.Module) -> set[str]:
    """Every name the cell binds, including function arguments and comprehension variables."""
    names = _bound_at_top(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def _read(tree: ast.Module) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def core_reads_of_optional_names(notebook: dict) -> list[tuple[int, str]]:
    """(cell index, name) for each name a core cell reads whose last binding before it was in
    an optional cell: a name only optional cells define, or one an optional cell rebinds."""
    cells = notebook["cells"]
    last_bound_by_optional: dict[str, bool] = {}
    found = []
    for index, (cell, is_optional) in enumerate(zip(cells, optional_cells(cells), strict=True)):
        if cell.get("cell_type") != "code":
            continue
        tree = ast.parse(cell_text(cell))
        if not is_optional:
            free = _read(tree) - _bound_anywhere(tree) - BUILTINS
            found += [(index, n) for n in sorted(free) if last_bound_by_optional.get(n)]
        for name in _bound_at_top(tree):
            last_bound_by_optional[name] = is_optional
    return found


def test_a_core_read_of_an_optional_name_is_found():
    """Is a core cell that uses a variable of a "Going further" section reported?"""

    def md(text):
        return {"cell_type": "markdown", "metadata": {}, "source": text}

    def code(text):
        return {"cell_type": "code", "metadata": {}, "source": text}

    notebook = {
        "cells": [
            md("## Core"),
            code("a = 1\n\ndef f(x):\n    return x + a"),
            md("## Going further: extra"),
            code("b = f(2)\nc = [i for i in range(b)]"),
            md("## Back on the core path"),
            code("print(f(a), b)"),  # b exists only if the optional section ran
            code("c = 3\nprint(c, [i for i in range(c)])"),  # c is rebound here first: fine
            md("## Going further: more"),
            code("a = 2"),  # rebinds a core name ...
            md("## Core again"),
            code("print(a)"),  # ... which a core cell then reads: the skipped run differs
        ]
    }
    assert core_reads_of_optional_names(notebook) == [(5, "b"), (10, "a")]


@pytest.mark.parametrize("nb_id", list(NOTEBOOKS))
def test_core_path_runs_without_going_further(nb_id):
    """Does every core code cell read only names that the core path itself defines (and no
    optional cell rebinds)? The grader skips optional cells left as released on this basis."""
    found = core_reads_of_optional_names(NOTEBOOKS[nb_id])
    assert not found, (
        f"{nb_id}: core cells read names defined only in 'Going further' sections "
        f"(cell index, name): {found}"
    )

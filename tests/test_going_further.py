"""Can a workshop skip every "Going further" section and still run the core path?

A core cell that reads a name which only a "Going further" cell defines breaks when the optional
sections are skipped. The check is static (Python's ``ast``, no kernel): a name a core code cell
reads must be bound by the setup, a solution, or an earlier core cell, or by the cell itself.
"""

from __future__ import annotations

import ast
import builtins
import json

import pytest

from autograder.assignments import ASSIGNMENTS
from autograder.timing import _text, optional_cells

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
    """(cell index, name) for each name a core cell reads that only optional cells define."""
    cells = notebook["cells"]
    core, optional, found = set(), set(), []
    for index, (cell, is_optional) in enumerate(zip(cells, optional_cells(cells), strict=True)):
        if cell.get("cell_type") != "code":
            continue
        tree = ast.parse(_text(cell))
        if not is_optional:
            free = _read(tree) - _bound_anywhere(tree) - core - BUILTINS
            found += [(index, name) for name in sorted(free & optional)]
        (optional if is_optional else core).update(_bound_at_top(tree))
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
        ]
    }
    assert core_reads_of_optional_names(notebook) == [(5, "b")]


@pytest.mark.parametrize("nb_id", list(NOTEBOOKS))
def test_core_path_runs_without_going_further(nb_id):
    """Does every core code cell read only names that the core path itself defines?"""
    found = core_reads_of_optional_names(NOTEBOOKS[nb_id])
    assert not found, (
        f"{nb_id}: core cells read names defined only in 'Going further' sections "
        f"(cell index, name): {found}"
    )

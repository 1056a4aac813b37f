"""The static scan sees through aliases, and stays quiet on the honest notebooks of every
session."""

import inspect
import json

import pytest

from autograder.assignments import REPO, built_assignments
from autograder.scan import scan_notebook, scan_source

EVASIONS = {
    "import as": ("import os as x\nx.system('ls')", 2, "runs a shell command"),
    "from import as": ("from os import system as s\ns('ls')", 2, "runs a shell command"),
    "assigned module": ("import os\ny = os\nz = y\nz._exit(0)", 4, "kills the kernel"),
    "assigned function": ("import sys\nquit_ = sys.exit\nquit_()", 3, "stops the kernel"),
    "__import__": ("m = __import__('os')\nm.system('ls')", 2, "runs a shell command"),
    "import_module": (
        "import importlib as il\nil.import_module('os').system('ls')",
        2,
        "runs a shell command",
    ),
    "import_module of subprocess": (
        "from importlib import import_module as im\nsp = im('subprocess')\nsp.run(['ls'])",
        3,
        "runs other programs",
    ),
    "getattr on builtins": ("e = getattr(__builtins__, 'exec')\ne('1')", 2, "runs code"),
    "subscript of builtins": ("e = __builtins__['eval']\ne('1')", 2, "runs code"),
    "getattr on a module": ("import os as o\ngetattr(o, 'system')('ls')", 2, "shell"),
    "vars of a module": ("import os as o\nvars(o)['system']('ls')", 2, "shell"),
    "posix": ("import posix\nposix.system('ls')", 2, "runs a shell command"),
    "environ through an alias": (
        "import os as q\nflag = q.environ.get('NBGRADER_EXECUTION')",
        2,
        "environment",
    ),
    "walrus": ("import os\nif (k := os.kill):\n    k(1, 9)", 3, "sends signals"),
    "computed getattr": ("import os as o\nname = 'sys' + 'tem'\ngetattr(o, name)('ls')", 3, ""),
}


@pytest.mark.parametrize("name", EVASIONS)
def test_scan_follows_aliases(name):
    """Is a forbidden call found on the line that makes it, whatever name it goes by?"""
    source, line, reason = EVASIONS[name]
    found = dict(scan_source(source))
    assert line in found, (name, found)
    assert reason in found[line], (name, found)


def test_scan_follows_aliases_from_one_cell_to_the_next():
    """Is ``import os as q`` in one cell and ``q.system`` in the next found?"""
    aliases: dict[str, str] = {}
    assert scan_source("import os as q", aliases) == []
    assert scan_source("q.system('ls')", aliases) == [(1, "runs a shell command")]


def test_rebinding_a_name_forgets_its_alias():
    """Does ``x = 3`` after ``x = os`` stop ``x`` standing for ``os``?"""
    assert scan_source("import os\nx = os\nx = 3\nx.system = 1") == []


def _with_reference(release: dict, module) -> dict:
    nb = json.loads(json.dumps(release))
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and hasattr(module, meta.get("grade_id", "")):
            cell["source"] = inspect.getsource(getattr(module, meta["grade_id"]))
    return nb


@pytest.mark.parametrize("assignment", built_assignments(), ids=lambda a: a.id)
def test_honest_notebooks_are_not_flagged(assignment):
    """Do the release notebook, and the release with the reference answers, scan clean, even
    scanned in full (every explanation cell scanned, nothing trusted)?"""
    release = json.loads((REPO / "release" / assignment.id / assignment.notebook).read_text())
    answered = _with_reference(release, assignment.reference())
    assert scan_notebook(release, None) == []
    assert scan_notebook(answered, release) == []
    assert scan_notebook(answered, None) == []


def test_reference_solutions_are_not_flagged():
    """Does the code of every reference module scan clean?"""
    for path in sorted((REPO / "solutions").glob("*.py")):
        assert scan_source(path.read_text()) == [], path.name


@pytest.mark.parametrize(
    "nb",
    [[], {"cells": 3}, {"cells": [1, None, {"cell_type": "code", "metadata": []}]}, "text"],
    ids=["list", "cells-not-a-list", "cells-not-dicts", "string"],
)
def test_scan_reads_anything_a_file_may_hold(nb):
    """Does a file that is no notebook (a JSON list, cells that are numbers, metadata that is
    a list) scan without raising?"""
    assert scan_notebook(nb, None) == []

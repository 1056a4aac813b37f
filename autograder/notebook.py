"""Reading and writing course notebooks: nbgrader cell metadata, solution cells from ``solutions/``.

    python -m autograder sync            # write every solution cell from solutions/
    python -m autograder sync --check    # exit 1 if a solution cell differs (tests do this too)

A solution cell is the reference function's own source with nbgrader's markers around its
body, so the student sees the signature and docstring and writes the body:

    def entropy(p, base=2):
        r\"\"\"...docstring...\"\"\"
        ### BEGIN SOLUTION
        ...reference body...
        ### END SOLUTION
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import nbformat

from autograder.assignments import Assignment

NBGRADER_SCHEMA = 3
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def _meta(grade_id: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": NBGRADER_SCHEMA,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def markdown_cell(text: str, grade_id: str | None = None):
    cell = nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip())
    if grade_id:
        cell.metadata.update(_meta(grade_id, locked=True))
    return cell


def code_cell(code: str, grade_id: str | None = None, locked: bool = False):
    cell = nbformat.v4.new_code_cell(textwrap.dedent(code).strip())
    if grade_id:
        cell.metadata.update(_meta(grade_id, locked=locked))
    return cell


def solution_cell(name: str, source: str = ""):
    """The cell the student edits; its source is written by :func:`sync`."""
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata.update(_meta(name, solution=True))
    return cell


def check_call(name: str) -> str:
    """The hidden test's one line, e.g. ``check("arithmetic_decode", arithmetic_decode,
    encoder=arithmetic_encode)`` (partners from the spec module's PARTNERS)."""
    from autograder.checks import partners_for

    extra = "".join(f", {key}={other}" for key, other in partners_for(name).items())
    return f'check("{name}", {name}{extra})'


def test_cell(name: str, points: float, visible: str):
    """Visible tests, then the hidden check (removed from the release)."""
    source = (
        textwrap.dedent(visible).strip()
        + f"\n\n{BEGIN_HIDDEN}\nfrom autograder.checks import check\n\n{check_call(name)}\n"
        + END_HIDDEN
    )
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata.update(_meta(f"test_{name}", grade=True, locked=True, points=points))
    return cell


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def find_cell(nb, gid: str):
    for cell in nb.cells:
        if grade_id(cell) == gid:
            return cell
    raise KeyError(f"no cell with grade_id {gid!r}")


def solution_source(fn) -> str:
    """The reference function's source with the body wrapped in nbgrader's solution markers."""
    source = textwrap.dedent(inspect.getsource(fn))
    tree = ast.parse(source)
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef), f"{fn.__name__} is not a plain function"
    body = func.body
    has_docstring = (
        isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )
    if has_docstring and len(body) == 1:
        raise ValueError(f"{fn.__name__} has no body after its docstring")
    first = body[1] if has_docstring else body[0]
    lines = source.splitlines()
    start = first.lineno - 1
    # Comments directly above the first statement belong to the body.
    while start > 0 and lines[start - 1].strip().startswith("#"):
        start -= 1
    indent = " " * first.col_offset
    head, rest = lines[:start], lines[start:]
    return "\n".join(head + [indent + BEGIN_SOLUTION] + rest + [indent + END_SOLUTION])


def read(path: Path):
    return nbformat.read(str(path), as_version=4)


def write(nb, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def clear_outputs(nb) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)


def sync(assignment: Assignment, check_only: bool = False) -> list[str]:
    """Write (or with ``check_only`` compare) the solution cells of one source notebook.

    Returns the grade_ids whose cell differed from the reference.
    """
    nb = read(assignment.source_path)
    reference = assignment.reference()
    stale = []
    for exercise in assignment.exercises:
        cell = find_cell(nb, exercise.name)
        wanted = solution_source(getattr(reference, exercise.name))
        if cell.source != wanted:
            stale.append(exercise.name)
            cell.source = wanted
    if stale and not check_only:
        write(nb, assignment.source_path)
    return stale

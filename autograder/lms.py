"""Grades for a learning management system: a Canvas gradebook import CSV.

    unmatched = write_canvas_csv(Path("grades/canvas.csv"), [grades_01, grades_02], roster)

The file has the shape of Canvas's own gradebook export (Grades → Export), which is also
what Grades → Import reads back:

- a header ``Student, ID, SIS User ID, SIS Login ID, Section``, then one column per
  assignment named ``<title> (<assignment id>)``, e.g. ``Entropy: measuring surprise
  (01-entropy)``;
- a ``Points Possible`` row right under the header, holding each assignment's maximum (Canvas
  puts the same row in its export);
- one row per student, with the assignment's total points.

Canvas finds the student of a row by its ``ID`` (Canvas's user id), ``SIS User ID`` or
``SIS Login ID``; the ``Section`` column has to be there but may be empty. So the reliable
way is to start from Canvas itself:

1. In Canvas, Grades → Export → *Export Entire Gradebook*: a CSV whose first five columns are
   the ones above, one row per enrolled student (this is the ``roster``).
2. ``write_canvas_csv(out, grades, roster=that_file)`` keeps the roster's rows and order and
   its five identity columns, and fills in our scores where the roster's ``SIS Login ID``
   (or, failing that, ``ID``) equals our student id (nbgrader's student folder name),
   compared without surrounding spaces and case. It returns the student ids that matched no
   roster row: fix those (a different login, a dropped student) before importing.
3. In Canvas, Grades → Import, choose the file, check the changes Canvas lists (a column it
   does not recognise as an existing assignment is offered as a new assignment named after
   the header; to update an assignment that already exists in Canvas, name it the same in
   both places or use the header from Canvas's export), then upload.

Without a roster, each row has ``Student`` and ``SIS Login ID`` = our student id and empty
``ID``, ``SIS User ID`` and ``Section``: fine when the course's student ids *are* Canvas
login ids, and a readable file otherwise.

A cell is left empty (Canvas leaves an empty cell's grade as it was) when the student has
no submission of that assignment or the submission could not be graded
(``status != "graded"``): an ungraded submission must not reach the LMS as a zero. Scores
are the totals in nbgrader's gradebook, manual grades included.

Student ids are shown as the folder names they came from (a name nbgrader cannot use is kept
percent-encoded in its gradebook, :mod:`autograder.quoting`), and no cell of the file starts
like a spreadsheet formula: ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading ``'`` (OWASP's rule against CSV injection), roster cells included.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.quoting import csv_cell, display_id, printable

if TYPE_CHECKING:  # (importing nbgrader takes seconds; the export does not need it)
    from autograder.grading import AssignmentGrades

IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "Points Possible"


def canvas_column(grades: AssignmentGrades) -> str:
    """The header of an assignment's column: ``<title> (<id>)``."""
    return f"{grades.assignment.title} ({grades.assignment.id})"


def _points(x: float) -> str:
    return f"{round(x, 2):g}"


def _key(text: str | None) -> str:
    return (text or "").strip().casefold()


def read_roster(path: Path) -> list[dict[str, str]]:
    """The student rows of a Canvas gradebook export (its ``Points Possible`` row and blank
    rows dropped), each with the five identity columns.

    Raises ``ValueError`` when the file lacks one of them.
    """
    with Path(path).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in IDENTITY if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(
                f"{path} is not a Canvas gradebook export: no column {', '.join(missing)} "
                f"(expected the first columns {', '.join(IDENTITY)})"
            )
        rows = []
        for row in reader:
            if _key(row.get("Student")) == POINTS_POSSIBLE.casefold():
                continue
            if not any((row.get(c) or "").strip() for c in IDENTITY):
                continue
            rows.append({c: row.get(c) or "" for c in IDENTITY})
    return rows


def write_canvas_csv(
    path: Path,
    grades_by_assignment: list[AssignmentGrades],
    roster: Path | None = None,
) -> list[str]:
    """Write a Canvas gradebook import CSV of the assignments' totals.

    Parameters
    ----------
    path : where to write (folders are created).
    grades_by_assignment : one :class:`AssignmentGrades` per assignment, in column order.
    roster : a Canvas gradebook export; its rows and order are kept (see the module
        docstring). Without it, one row per student id, sorted.

    Returns
    -------
    The student ids (sorted) that matched no roster row, and so are not in the file; empty
    without a roster.
    """
    ids = [g.assignment.id for g in grades_by_assignment]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"assignment given more than once: {', '.join(repeated)}")

    # {student id: {column: cell}} for every graded submission.
    columns = [canvas_column(g) for g in grades_by_assignment]
    cells: dict[str, dict[str, str]] = {}
    for grades, column in zip(grades_by_assignment, columns, strict=True):
        for s in grades.students:
            row = cells.setdefault(display_id(s.student), {})
            if s.status == "graded":
                row[column] = _points(s.total)

    if roster is None:
        rows = [
            {"Student": sid, "ID": "", "SIS User ID": "", "SIS Login ID": sid, "Section": ""}
            for sid in sorted(cells)
        ]
        matches: list[str | None] = sorted(cells)
    else:
        rows = read_roster(roster)
        ours = {_key(sid): sid for sid in cells}
        matches = [ours.get(_key(row["SIS Login ID"])) or ours.get(_key(row["ID"])) for row in rows]
    unmatched = sorted(set(cells) - {m for m in matches if m is not None})

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)

        def write(cells: list[str]) -> None:  # no cell a spreadsheet would run as a formula
            writer.writerow([csv_cell(printable(cell, newlines=False)) for cell in cells])

        write([*IDENTITY, *columns])
        possible = [_points(g.assignment.total_points) for g in grades_by_assignment]
        write([POINTS_POSSIBLE, "", "", "", "", *possible])
        for row, sid in zip(rows, matches, strict=True):
            scores = cells.get(sid, {}) if sid is not None else {}
            write([*(row[c] for c in IDENTITY), *(scores.get(c, "") for c in columns)])
    return unmatched

"""Grade a folder of submissions in nbgrader's layout into nbgrader's gradebook.

    python -m autograder grade 01-entropy --course-dir COURSE

``COURSE/submitted/<student>/<assignment>/<assignment>.ipynb`` in, and out:

- the scores in ``COURSE/gradebook.db`` (nbgrader's own gradebook, so ``nbgrader export``,
  the formgrader and manual grading keep working);
- ``COURSE/feedback/<student>/<assignment>/<assignment>.html`` without hidden-test source;
- ``COURSE/grades/<assignment>.csv``: one row per student, one column per exercise.

Steps: make sure the assignment is in the gradebook (``generate_assignment``), then
``nbgrader autograde``, ``nbgrader generate_feedback``, and the CSV from the gradebook.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from autograder.assignments import Assignment
from autograder.release import generate, nbgrader, prepare_course_dir
from autograder.scan import scan_file

# nbgrader's log line when it starts executing one submission.
AUTOGRADING = re.compile(r"INFO\] Autograding .*[/\\]autograded[/\\]([^/\\]+)[/\\]")


@dataclass
class StudentGrade:
    student: str
    scores: dict[str, float | None] = field(default_factory=dict)  # exercise -> points
    total: float = 0.0
    status: str = "graded"  # or the reason it could not be graded
    flags: list[str] = field(default_factory=list)  # static-scan findings, for the instructor


@dataclass
class AssignmentGrades:
    assignment: Assignment
    students: list[StudentGrade]
    csv_path: Path
    feedback_dir: Path


def db_url(course_dir: Path) -> str:
    return f"sqlite:///{(course_dir / 'gradebook.db').resolve()}"


def ensure_in_gradebook(course_dir: Path, assignment: Assignment) -> None:
    """Record the assignment (its cells and points) in the gradebook if it is not there."""
    with Gradebook(db_url(course_dir)) as gb:
        try:
            gb.find_assignment(assignment.id)
            return
        except MissingEntry:
            pass
    if not (course_dir / "source" / assignment.id).exists():
        prepare_course_dir(course_dir, [assignment])
    generate(course_dir, assignment)


def submitted_students(course_dir: Path, assignment: Assignment) -> list[str]:
    root = course_dir / "submitted"
    if not root.exists():
        return []
    return sorted(p.name for p in root.iterdir() if (p / assignment.id).is_dir())


def grade(
    course_dir: Path, assignment: Assignment, progress: Callable[[str], None] | None = None
) -> AssignmentGrades:
    """Autograde every submission of one assignment, then write feedback and the CSV.

    ``progress`` receives a line as each submission starts running (e.g. ``click.echo``).
    """
    course_dir = course_dir.resolve()
    ensure_in_gradebook(course_dir, assignment)
    total = len(submitted_students(course_dir, assignment))
    started = time.perf_counter()
    seen: list[str] = []

    def on_line(line: str) -> None:
        running = AUTOGRADING.search(line)
        if progress is not None and running:
            seen.append(running.group(1))
            elapsed = time.perf_counter() - started
            progress(f"  [{len(seen)}/{total}] {running.group(1)}  ({elapsed:.0f} s)")

    # nbgrader exits non-zero when any one submission fails; the others are still graded,
    # so carry on and report per student. Its full log is kept next to the CSV.
    logs = []
    for step, extra, watch in (
        ("autograde", ("--create",), on_line),
        ("generate_feedback", (), None),
    ):
        proc = nbgrader(
            step, assignment.id, *extra, "--force", cwd=course_dir, check=False, on_line=watch
        )
        logs.append(f"$ nbgrader {step} (exit {proc.returncode})\n{proc.stdout}")
    students = read_grades(course_dir, assignment)
    release = course_dir / "release" / assignment.id / assignment.notebook
    for student in students:
        submission = (
            course_dir / "submitted" / student.student / assignment.id / assignment.notebook
        )
        student.flags = scan_submission(submission, release)
    csv_path = write_csv(course_dir / "grades" / f"{assignment.id}.csv", assignment, students)
    (csv_path.parent / f"{assignment.id}-nbgrader.log").write_text("\n".join(logs))
    return AssignmentGrades(assignment, students, csv_path, course_dir / "feedback")


def scan_submission(submission: Path, release: Path) -> list[str]:
    """Static-scan findings of one submitted notebook (an unreadable one says so)."""
    try:
        return [str(f) for f in scan_file(submission, release if release.exists() else None)]
    except (OSError, ValueError) as error:
        return [f"could not be scanned: {error}"]


def read_grades(course_dir: Path, assignment: Assignment) -> list[StudentGrade]:
    """Per-exercise scores from nbgrader's gradebook (manual overrides included)."""
    out = []
    with Gradebook(db_url(course_dir)) as gb:
        for student in submitted_students(course_dir, assignment):
            row = StudentGrade(student)
            try:
                notebook = gb.find_submission_notebook(
                    assignment.notebook[: -len(".ipynb")], assignment.id, student
                )
            except MissingEntry:
                row.status = "not graded: no autograded notebook (see nbgrader's log)"
                row.scores = {e.name: None for e in assignment.exercises}
                out.append(row)
                continue
            by_id = {g.name: g.score for g in notebook.grades}
            for exercise in assignment.exercises:
                score = by_id.get(exercise.test_id)
                row.scores[exercise.name] = None if score is None else float(score)
            row.total = sum(s for s in row.scores.values() if s is not None)
            out.append(row)
    return out


def write_csv(path: Path, assignment: Assignment, students: list[StudentGrade]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [e.name for e in assignment.exercises]
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student_id", *names, "total", "max_points", "status", "flags"])
        for s in students:
            cells = ["" if s.scores.get(n) is None else f"{s.scores[n]:g}" for n in names]
            total, most = f"{s.total:g}", f"{assignment.total_points:g}"
            writer.writerow([s.student, *cells, total, most, s.status, " | ".join(s.flags)])
    return path


def format_table(grades: AssignmentGrades, expected: dict[str, str] | None = None) -> str:
    """A plain-text grade table: one row per student, one column per exercise."""
    assignment = grades.assignment
    names = [e.name for e in assignment.exercises]
    headers = ["student", *[_abbrev(n) for n in names], "total"]
    rows = []
    for s in grades.students:
        cells = ["-" if s.scores.get(n) is None else f"{s.scores[n]:g}" for n in names]
        rows.append([s.student, *cells, f"{s.total:g}/{assignment.total_points:g}"])
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for s, r in zip(grades.students, rows, strict=True):
        line = "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        if s.flags:
            line += f"  ⚑ {len(s.flags)} flag{'s' if len(s.flags) > 1 else ''}"
        if s.status != "graded":
            line += f"  ({s.status})"
        if expected and s.student in expected:
            line += f"  {expected[s.student]}"
        lines.append(line)
    legend = ", ".join(f"{_abbrev(n)}={n}" for n in names if _abbrev(n) != n)
    if legend:
        lines.append(f"({legend})")
    flagged = [s for s in grades.students if s.flags]
    if flagged:
        lines.append("\nFlagged for review (static scan; grades unchanged):")
        for s in flagged:
            lines.extend(f"  {s.student}: {flag}" for flag in s.flags[:5])
    return "\n".join(lines)


def _abbrev(name: str, width: int = 10) -> str:
    if len(name) <= width:
        return name
    parts = name.split("_")
    return "_".join(p[:3] for p in parts)[:width]

"""Grading past one machine: shards of a class graded on a Dask cluster, merged into nbgrader.

    python -m autograder grade-dask 01-entropy --scheduler tcp://HOST:8786   # a running cluster
    python -m autograder grade-dask 01-entropy --local 2                     # 2 workers here

The unit of work is a *shard*: one assignment and a slice of its students. Each shard is
graded on a worker by the single-machine grader (:func:`autograder.grading.grade`: sandbox,
judging, nbgrader, feedback) in a fresh course folder of its own, with its own SQLite
gradebook, and copied to ``RESULTS/<assignment>/<shard>/``. The driver, the only process
that writes the course's gradebook, merges each shard as it finishes with nbgrader's own
``Gradebook`` API (idempotent: a retried or re-merged shard changes nothing), copies its
``autograded/`` and ``feedback/`` into the course folder, and at the end writes the grades
CSV and the report from the merged gradebook, as :func:`~autograder.grading.grade` does.
The formgrader, manual grading and ``nbgrader export`` then see one ordinary course.

Every worker needs the same checkout (``autograder/``, ``solutions/``, ``course/``,
``source/``) and environment as the driver, and must read ``COURSE/submitted/`` and write
``RESULTS/`` (a shared filesystem). See docs/SCALING.md.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from autograder.assignments import Assignment, get_assignment
from autograder.grading import (
    AssignmentGrades,
    db_url,
    ensure_in_gradebook,
    normalize_submissions,
    read_grades,
    submitted_students,
    write_csv,
)
from autograder.report import write_report

SHARD_SIZE = 100  # submissions per shard: amortises start-up, small enough to retry


def shards_of(students: list[str], size: int = SHARD_SIZE) -> dict[str, list[str]]:
    """``{"shard-000": [first size students], ...}`` in order."""
    if size < 1:
        raise ValueError(f"a shard holds at least one student (got size={size})")
    return {f"shard-{i // size:03d}": students[i : i + size] for i in range(0, len(students), size)}


def grade_shard(
    assignment_id: str,
    shard: str,
    students: list[str],
    submitted: str,
    results: str,
    workers: int | None = None,
) -> dict:
    """Grade ``students``' submissions in a fresh course folder; copy it to ``results``.

    Runs on a worker. Returns what the driver needs besides the shard's gradebook: where the
    shard's folder is, and each student's status, flags and judged details.
    """
    from autograder.grading import grade
    from autograder.release import prepare_course_dir

    assignment = get_assignment(assignment_id)
    work = Path(tempfile.mkdtemp(prefix=f"itlm-{assignment_id}-{shard}-"))  # worker's disk
    out = Path(results) / assignment_id / shard
    try:
        prepare_course_dir(work, [assignment])  # nbgrader_config.py and source/<id>/
        for student in students:
            shutil.copytree(
                Path(submitted) / student / assignment_id,
                work / "submitted" / student / assignment_id,
            )
        grades = grade(work, assignment, workers=workers)
        partial = out.with_name(out.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)  # a retried shard starts over
        shutil.copytree(
            work, partial, ignore=shutil.ignore_patterns("source", "submitted", "release")
        )
        shutil.rmtree(out, ignore_errors=True)
        partial.rename(out)  # the driver never sees half a shard
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "shard": shard,
        "out": str(out),
        "seconds": round(grades.seconds, 1),
        "students": {
            s.student: {"status": s.status, "flags": s.flags, "isolation": s.isolation}
            for s in grades.students
        },
        "details": grades.details,
    }


def merge_gradebook(shard_url: str, course_url: str, assignment: str) -> int:
    """Copy every submission of ``assignment`` (students, scores, comments) from a shard's
    gradebook into the course's; returns the number of submissions copied.

    nbgrader's ``update_or_create_*`` make it idempotent. A score or comment an instructor
    entered by hand in the course gradebook is kept unless the shard has one of its own.
    """
    from nbgrader.api import Gradebook

    copied = 0
    with Gradebook(shard_url) as shard, Gradebook(course_url) as course:
        for sub in shard.assignment_submissions(assignment):
            s = sub.student
            course.update_or_create_student(
                s.id,
                first_name=s.first_name,
                last_name=s.last_name,
                email=s.email,
                lms_user_id=s.lms_user_id,
            )
            with warnings.catch_warnings():
                # nbgrader's add_submission makes SQLAlchemy warn "not in session" while it
                # builds the new submission's rows; they are all added (nbgrader's own usage).
                warnings.filterwarnings("ignore", message=".*not in session.*")
                course.update_or_create_submission(assignment, s.id, timestamp=sub.timestamp)
            for nb in sub.notebooks:
                for g in nb.grades:
                    target = course.find_grade(g.name, nb.name, assignment, s.id)
                    target.auto_score = g.auto_score
                    target.needs_manual_grade = g.needs_manual_grade
                    if g.manual_score is not None:
                        target.manual_score = g.manual_score
                    if g.extra_credit is not None:
                        target.extra_credit = g.extra_credit
                for c in nb.comments:
                    target = course.find_comment(c.name, nb.name, assignment, s.id)
                    target.auto_comment = c.auto_comment
                    if c.manual_comment is not None:
                        target.manual_comment = c.manual_comment
            course.db.commit()
            copied += 1
    return copied


def grade_on_dask(
    course_dir: Path,
    assignment: Assignment,
    client,
    *,
    shard_size: int = SHARD_SIZE,
    results: Path | None = None,
    workers_per_shard: int | None = None,
    progress: Callable[[str], None] = print,
) -> AssignmentGrades:
    """Grade ``COURSE/submitted/`` on the Dask ``client``'s cluster, merge into the course.

    ``results`` (default ``COURSE/shards``) must be writable by every worker and readable
    here. Each shard is one task (``pure=False``: grading has side effects; ``retries=1``:
    a shard is safe to redo); shards are merged as they finish, by this process alone.
    """
    from dask.distributed import as_completed

    start = time.perf_counter()
    course_dir = course_dir.resolve()
    results = (results or course_dir / "shards").resolve()
    ensure_in_gradebook(course_dir, assignment)  # the course gradebook knows the cells
    notes = normalize_submissions(course_dir, assignment)  # zips, renamed notebooks...
    students = submitted_students(course_dir, assignment)
    shards = shards_of(students, shard_size)
    progress(f"{assignment.id}: {len(students)} submissions in {len(shards)} shards")
    futures = [
        client.submit(
            grade_shard,
            assignment.id,
            name,
            members,
            str(course_dir / "submitted"),
            str(results),
            workers_per_shard,
            key=f"grade-{assignment.id}-{name}-{time.time_ns()}",
            pure=False,
            retries=1,
        )
        for name, members in shards.items()
    ]
    statuses: dict[str, dict] = {}
    details: dict[str, dict] = {}
    for done, future in enumerate(as_completed(futures), 1):
        shard = future.result()
        out = Path(shard["out"])
        merge_gradebook(f"sqlite:///{out / 'gradebook.db'}", db_url(course_dir), assignment.id)
        for kind in ("autograded", "feedback"):  # the formgrader and release_feedback use them
            if (out / kind).is_dir():
                shutil.copytree(out / kind, course_dir / kind, dirs_exist_ok=True)
        statuses.update(shard["students"])
        details.update(shard["details"])
        progress(
            f"  [{done}/{len(futures)}] {shard['shard']}: {len(shard['students'])} graded"
            f" in {shard['seconds']:.0f} s, merged"
        )
    graded = read_grades(course_dir, assignment)
    for row in graded:
        got = statuses.get(row.student)
        if got is not None:
            row.flags, row.status = got["flags"], got["status"]
            row.isolation = got.get("isolation", "")
        note = notes.get(row.student)  # what the course folder's uploads needed, e.g. a zip
        if note and row.status == "graded":
            row.status = note
        elif note and note not in row.status:
            row.status = f"{row.status}; {note}"
    csv_path = write_csv(course_dir / "grades" / f"{assignment.id}.csv", assignment, graded)
    grades = AssignmentGrades(assignment, graded, csv_path, course_dir / "feedback")
    grades.details = details
    grades.seconds = time.perf_counter() - start
    (csv_path.parent / f"{assignment.id}-details.json").write_text(json.dumps(details))
    timing = {
        "seconds": round(grades.seconds, 1),
        "submissions": len(graded),
        "per_submission_s": round(grades.seconds / max(len(graded), 1), 2),
        "mode": f"Dask: {len(shards)} shards of up to {shard_size}",
    }
    grades.report_path = write_report(
        course_dir / "reports" / f"{assignment.id}.html", grades, details, timing
    )
    return grades


def local_client(workers: int):
    """A Dask ``Client`` on a ``LocalCluster`` of ``workers`` processes, one thread each
    (what a test or a single big machine uses; a real cluster is ``Client("tcp://...")``)."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    )
    return Client(cluster)

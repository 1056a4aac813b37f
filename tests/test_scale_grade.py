"""A class of 1,000 grades to the end through the instructor's own command (issue 14).

``python -m autograder grade 01-entropy`` on 1,000 small uploads: the release notebook cut to
its graded cells (what a student who deleted the reading would hand in), half of them with
every exercise answered by the reference, a quarter with ``entropy`` wrong, a quarter blank.
Every student gets a row of the grades CSV with the points of their own work, and a feedback
page. (A class of 600 once hung the sandbox for good; 1,000 goes through the intake, the
sandbox, judging, nbgrader's gradebook, feedback and the CSV here.)

The class size can be lowered with ``ITLM_SCALE_CLASS`` to try it quickly; CI runs 1,000.
"""

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.assignments import get_assignment
from autograder.release import generate, prepare_course_dir
from tests.sandbox_cases import ENTROPY_ANSWERS as REFERENCE
from tests.sandbox_cases import answered

pytestmark = pytest.mark.slow

CLASS_SIZE = int(os.environ.get("ITLM_SCALE_CLASS", "1000"))
A = get_assignment("01-entropy")
FULL = {e.name: float(e.points) for e in A.exercises}
WRONG_ENTROPY = (
    "import numpy as np\n\n"
    "def entropy(p, base=2):\n"
    "    p = np.asarray(p, dtype=float)\n"
    "    return float(-(p[p > 0] * np.log(p[p > 0])).sum())\n"
)


def small(release: dict, answers: dict[str, str]) -> dict:
    """The release cut to its graded cells, solution cells replaced by ``answers``."""
    nb = answered(release, answers)
    nb["cells"] = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id")]
    return nb


def kind(i: int) -> str:
    return ("right", "wrong", "right", "blank")[i % 4]


def expected_points(student_kind: str) -> dict[str, float]:
    if student_kind == "right":
        return FULL
    if student_kind == "blank":
        return dict.fromkeys(FULL, 0.0)
    return {**FULL, "entropy": None}  # None: fewer points than the exercise's maximum


def test_a_class_of_1000_grades_to_the_end_through_the_grade_command(tmp_path: Path):
    course = tmp_path / "course"
    prepare_course_dir(course, [A])
    generate(course, A)
    release = json.loads((course / "release" / A.id / A.notebook).read_text())
    notebooks = {
        "right": json.dumps(small(release, REFERENCE)),
        "wrong": json.dumps(small(release, {**REFERENCE, "entropy": WRONG_ENTROPY})),
        "blank": json.dumps(small(release, {})),
    }
    students = {f"s{i:04d}": kind(i) for i in range(CLASS_SIZE)}
    for student, student_kind in students.items():
        folder = course / "submitted" / student / A.id
        folder.mkdir(parents=True)
        (folder / A.notebook).write_text(notebooks[student_kind])

    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", A.id, "--course-dir", str(course)],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    took = time.perf_counter() - started
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    csv_path = course / "grades" / f"{A.id}.csv"
    with csv_path.open(newline="", encoding="utf-8") as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    assert sorted(rows) == sorted(students)
    for student, student_kind in students.items():
        row = rows[student]
        for name, points in expected_points(student_kind).items():
            got = float(row[name] or 0)
            if points is None:
                assert got < FULL[name], (student, name, got)
            else:
                assert got == points, (student, student_kind, name, got, row.get("status"))
        page = course / "feedback" / student / A.id / f"{A.notebook[:-6]}.html"
        assert page.is_file(), student
    print(f"\n{CLASS_SIZE} notebooks graded by `python -m autograder grade` in {took:.0f} s")

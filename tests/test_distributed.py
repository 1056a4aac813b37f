"""Grading past one machine: shards graded on a Dask cluster (here a LocalCluster of two worker
processes), merged into the course's nbgrader gradebook (docs/SCALING.md, route b).

The class is the demo class of 01-entropy, whose grades are known in advance; the merged
course must look as if it had been graded in one place: the grades, flags, feedback, the
CSV, ``nbgrader export``, and a manual grade entered in the formgrader.
"""

import csv
import subprocess

import pytest
from nbgrader.api import Gradebook

from autograder.assignments import get_assignment
from autograder.demo import demo_students, write_submission
from autograder.distributed import grade_on_dask, local_client, merge_gradebook, shards_of
from autograder.grading import db_url, read_grades
from autograder.release import generate, prepare_course_dir, tool_env

pytestmark = pytest.mark.slow
A = get_assignment("01-entropy")
NOTEBOOK = A.notebook.removesuffix(".ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("dask-course")
    prepare_course_dir(course, [A])
    generate(course, A)
    students = demo_students(A)
    for student in students:
        write_submission(course, A, student)
    lines: list[str] = []
    client = local_client(2)
    try:
        grades = grade_on_dask(
            course, A, client, shard_size=5, workers_per_shard=1, progress=lines.append
        )
    finally:
        client.close()
        client.cluster.close()
    return course, students, grades, lines


def test_shards_are_slices_of_the_class():
    """Does every student land in exactly one shard, in order, none larger than asked?"""
    students = [f"s{i:02d}" for i in range(11)]
    shards = shards_of(students, 4)
    assert list(shards) == ["shard-000", "shard-001", "shard-002"]
    assert [s for members in shards.values() for s in members] == students
    assert max(len(m) for m in shards.values()) == 4
    with pytest.raises(ValueError, match="at least one"):
        shards_of(students, 0)


def test_every_student_gets_the_grade_built_for(graded):
    """Read back from the merged course gradebook, is every demo student graded as built?"""
    course, students, grades, lines = graded
    rows = {s.student: s for s in read_grades(course, A)}
    flags = {s.student: s.flags for s in grades.students}
    assert set(rows) == {s.id for s in students}
    for student in students:
        assert student.check(A, rows[student.id].scores, flags[student.id]), student.id
    assert sum("merged" in line for line in lines) == 2  # two shards, each merged once


def test_the_course_folder_is_complete(graded):
    """Are the feedback, autograded notebooks, CSV and report in the course folder?"""
    course, students, grades, _ = graded
    for student in students:
        assert (course / "feedback" / student.id / A.id / f"{NOTEBOOK}.html").exists()
        assert (course / "autograded" / student.id / A.id / A.notebook).exists()
    with grades.csv_path.open() as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert set(rows) == {s.id for s in students}
    assert rows["tamper-import-reference"]["flags"]
    assert grades.report_path.exists()


def test_nbgrader_export_reads_the_merged_gradebook(graded, tmp_path):
    """Does plain `nbgrader export` list every student with the merged totals?"""
    course, students, _, _ = graded
    out = tmp_path / "grades.csv"
    subprocess.run(
        ["nbgrader", "export", f"--to={out}"], cwd=course, env=tool_env(), check=True,
        capture_output=True,
    )  # fmt: skip
    with out.open() as f:
        exported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    totals = {s.student: s.total for s in read_grades(course, A)}
    assert exported == totals


def test_merging_again_changes_nothing_and_keeps_manual_grades(graded):
    """Is a re-merged shard harmless, and does it keep a score entered by hand?"""
    course, _, grades, _ = graded
    before = {s.student: s.scores for s in read_grades(course, A)}
    with Gradebook(db_url(course)) as gb:
        gb.find_grade("test_entropy", NOTEBOOK, A.id, "blank").manual_score = 1.0
        gb.db.commit()
    for shard in sorted((course / "shards" / A.id).iterdir()):
        merged = merge_gradebook(f"sqlite:///{shard / 'gradebook.db'}", db_url(course), A.id)
        assert merged == 5
    after = {s.student: s.scores for s in read_grades(course, A)}
    assert after == {**before, "blank": {**before["blank"], "entropy": 1.0}}
    with Gradebook(db_url(course)) as gb:
        assert len(gb.assignment_submissions(A.id)) == len(before)

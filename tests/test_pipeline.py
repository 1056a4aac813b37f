"""End to end: release, notebook execution, grading a demo class, plain nbgrader.

These run nbgrader and Jupyter kernels, so they are marked slow (they still run in CI).
"""

import csv
import inspect
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from nbclient import NotebookClient

from autograder.assignments import REPO, built_assignments
from autograder.demo import run_demo
from autograder.notebook import grade_id, read
from autograder.release import (
    BUNDLE_NAME,
    build_bundle,
    build_release,
    nbgrader,
    prepare_course_dir,
    tool_env,
)

pytestmark = pytest.mark.slow
ASSIGNMENTS = built_assignments()


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    build_release(out)
    return out


def canonical(path: Path) -> dict:
    nb = json.loads(path.read_text())
    return nb


def test_committed_release_is_up_to_date(fresh_release):
    """Is release/ exactly what `python -m autograder release` builds from source/ now?"""
    for assignment in ASSIGNMENTS:
        committed = REPO / "release" / assignment.id / assignment.notebook
        assert committed.exists(), f"{committed} missing: run `make release`"
        rebuilt = fresh_release / assignment.id / assignment.notebook
        assert canonical(committed) == canonical(rebuilt), (
            f"{committed} is stale: run `make release`"
        )


def reference_lines(assignment) -> list[str]:
    """Distinctive lines of the reference bodies (after the docstring)."""
    module = assignment.reference()
    lines = []
    for exercise in assignment.exercises:
        body = inspect.getsource(getattr(module, exercise.name)).split('"""')[-1]
        lines += [
            line.strip()
            for line in body.splitlines()
            if len(line.strip()) >= 20 and not line.strip().startswith(("import ", "from "))
        ]
    return lines


def test_release_leaks_no_solution_or_hidden_test():
    """Does the release hold no solution code, hidden test, or reference/grader name?"""
    for assignment in ASSIGNMENTS:
        text = (REPO / "release" / assignment.id / assignment.notebook).read_text()
        for needle in (
            "BEGIN SOLUTION",
            "END SOLUTION",
            "HIDDEN TESTS",
            "autograder",
            "solutions.",
        ):
            assert needle not in text, f"{assignment.id}: release contains {needle!r}"
        # the hidden tests' check(...) call (self_check() is the learners' own)
        assert not re.search(r"(?<!\w)check\(", text), f"{assignment.id}: a check( call"
        leaked = [line for line in reference_lines(assignment) if json.dumps(line)[1:-1] in text]
        assert not leaked, f"{assignment.id}: reference lines in the release: {leaked[:3]}"
        nb = read(REPO / "release" / assignment.id / assignment.notebook)
        for exercise in assignment.exercises:
            stub = next(c for c in nb.cells if grade_id(c) == exercise.name).source
            assert "raise NotImplementedError" in stub


def test_student_bundle_contents(tmp_path):
    """Does the bundle hold the release, course/ and an environment, and nothing secret?"""
    bundle = build_bundle(REPO / "release", tmp_path)
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        blob = b"".join(zf.read(n) for n in names if n.endswith((".py", ".ipynb", ".toml")))
    assert f"{BUNDLE_NAME}/course/corpus.py" in names
    assert f"{BUNDLE_NAME}/environment.yml" in names and f"{BUNDLE_NAME}/pyproject.toml" in names
    for assignment in ASSIGNMENTS:
        assert f"{BUNDLE_NAME}/release/{assignment.id}/{assignment.notebook}" in names
    assert not [n for n in names if "/solutions/" in n or "/autograder/" in n or "/source/" in n]
    assert b"HIDDEN TESTS" not in blob and b"BEGIN SOLUTION" not in blob


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.id)
def test_source_notebook_runs_and_earns_every_point(assignment, tmp_path):
    """Does the source notebook run top to bottom, quietly, with full points on every check?"""
    nb = read(assignment.source_path)
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    elapsed = time.perf_counter() - start
    print(f"{assignment.id} executed in {elapsed:.1f} s")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        streams = [o for o in cell.outputs if o.output_type == "stream"]
        assert not [o for o in streams if o.name == "stderr"], (
            f"stderr in cell {cell.source[:60]!r}"
        )
        assert not [o for o in cell.outputs if o.output_type == "error"]
    for exercise in assignment.exercises:
        test = next(c for c in nb.cells if grade_id(c) == exercise.test_id)
        results = [o for o in test.outputs if o.output_type == "execute_result"]
        assert results and float(results[-1]["data"]["text/plain"]) == exercise.points


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    course = tmp_path_factory.mktemp("demo")
    return course, run_demo(course)


def test_demo_class_gets_the_grades_it_was_built_for(demo):
    """Full points for the alternative answers, 0 for blank, each mistake loses only its own?"""
    _, results = demo
    for result in results:
        assert all(result.as_expected().values()), result.table()
        students = {s.student for s in result.grades.students}
        assert {"alt-correct", "blank"} <= students and len(students) >= 2 + len(
            result.grades.assignment.exercises
        ) - 1


def test_demo_csv_has_one_column_per_exercise(demo):
    """Does the grades CSV have a column per exercise and the right totals?"""
    _, results = demo
    for result in results:
        with result.grades.csv_path.open() as f:
            rows = list(csv.DictReader(f))
        assignment = result.grades.assignment
        columns = list(rows[0])
        assert columns[0] == "student_id"
        assert columns[1 : columns.index("total")] == [e.name for e in assignment.exercises]
        assert columns[columns.index("total") :] == [
            "total",
            "max_points",
            "status",
            "flags",
            "isolation",
        ]
        assert not [
            r for r in rows if r["flags"] and r["student_id"].startswith(("alt", "mistake"))
        ]
        assert next(r for r in rows if r["student_id"].startswith("tamper"))["flags"]
        alt = next(r for r in rows if r["student_id"] == "alt-correct")
        assert float(alt["total"]) == assignment.total_points
        blank = next(r for r in rows if r["student_id"] == "blank")
        assert float(blank["total"]) == 0


def test_demo_feedback_teaches_without_hidden_tests(demo):
    """Does each feedback page keep the checks' report but no hidden-test source?"""
    course, results = demo
    for result in results:
        aid = result.grades.assignment.id
        for student in (
            "alt-correct",
            "blank",
            *[s.id for s in result.students if s.id.startswith("mistake-")],
        ):
            html = (course / "feedback" / student / aid / f"{aid}.html").read_text()
            assert "HIDDEN TESTS" not in html and "autograder.checks" not in html
        mistake = next(s for s in result.students if s.id.startswith("mistake-"))
        html = (course / "feedback" / mistake.id / aid / f"{aid}.html").read_text()
        assert "Likely mistake" in html and "expected:" in html


def test_plain_nbgrader_export_and_autograde_still_work(demo, tmp_path):
    """Do `nbgrader export` and a direct `nbgrader autograde` work on our course folder?"""
    course, results = demo
    nbgrader("export", "--to", str(tmp_path / "grades.csv"), cwd=course)
    with (tmp_path / "grades.csv").open() as f:
        rows = list(csv.DictReader(f))
    aid = results[0].grades.assignment.id
    alt = next(r for r in rows if r["student_id"] == "alt-correct" and r["assignment"] == aid)
    assert float(alt["score"]) == results[0].grades.assignment.total_points
    # a direct autograde of one student, as an instructor would type it
    nbgrader("autograde", aid, "--student", "blank", "--force", cwd=course)


def test_repository_is_an_nbgrader_course_folder(tmp_path):
    """Does plain `nbgrader generate_assignment` work from a copy of this repository's layout?"""
    prepare_course_dir(tmp_path, ASSIGNMENTS[:1])
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENTS[0].id, "--force"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=tool_env(),  # the venv's scripts on PATH, as in an activated environment
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "release" / ASSIGNMENTS[0].id / ASSIGNMENTS[0].notebook).exists()
    shutil.rmtree(tmp_path / "release")

"""The intake checks every upload at the edge: ids nbgrader can use, no link followed, broken
notebooks repaired or turned away with a reason, CSV cells and terminal lines quoted."""

import csv
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from autograder.assignments import REPO, get_assignment
from autograder.grading import (
    AssignmentGrades,
    StudentGrade,
    exclude_others,
    format_table,
    normalize_submissions,
    rejected_students,
    submitted_students,
    write_csv,
)
from autograder.progress import Progress
from autograder.quoting import csv_cell, display_id, is_safe_id, printable, safe_id

A = get_assignment("01-entropy")
RELEASE = REPO / "release" / A.id / A.notebook


# -- ids, CSV cells, terminal text ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("alice", "alice"),
        ("José Núñez", "José Núñez"),
        ("bob,carol", "bob%2Ccarol"),
        ("[abc]", "%5Babc%5D"),
        ("a*?", "a%2A%3F"),
        ("100%", "100%25"),
        ("eve\x1b[2J", "eve%1B%5B2J"),
        ("tab\there", "tab%09here"),
        (" pad ", "%20pad%20"),
        ("\u202eevil", "%E2%80%AEevil"),
    ],
)
def test_safe_id_encodes_what_nbgrader_cannot_take(name, safe):
    """Are commas, glob characters, ``%``, control characters and edge spaces encoded, and
    ordinary ids (non-ASCII letters too) kept, one-to-one?"""
    assert safe_id(name) == safe
    assert display_id(safe) == printable(name)


def test_safe_id_of_a_name_that_is_not_utf8():
    """Does a folder name that is not UTF-8 get a printable id, shown with ``\\x`` escapes?"""
    assert safe_id(b"caf\xe9") == "caf%E9"
    assert safe_id(os.fsdecode(b"caf\xe9")) == "caf%E9"
    assert display_id("caf%E9") == "caf\\xe9"


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-0.5", "-0.5"),
        ("12.5", "12.5"),
        ("alice", "alice"),
        ("-inf", "'-inf"),
    ],
)
def test_csv_cell_neutralises_formulas(value, quoted):
    """Does a cell a spreadsheet would run get a leading quote, and a number stay a number?"""
    assert csv_cell(value) == quoted


def test_printable_escapes_control_characters():
    """Do escape sequences, carriage returns and bidi overrides print as visible text?"""
    text = printable("a\x1b[31mred\rb\u202ec\x07\x9b\nnext\tcol")
    assert text == "a\\x1b[31mred\\rb\\u202ec\\x07\\x9b\nnext\tcol"
    assert printable("x\ny", newlines=False) == "x\\ny"


def test_progress_never_prints_control_characters():
    """Does a progress line for a student named with an escape sequence print it escaped?"""
    lines: list[str] = []
    bar = Progress.lines(lines.append)
    bar.start("sandbox", 1)
    bar.advance("eve\x1b]0;owned\x07", "note \x1b[2J")
    bar.note("skipped cell \x1b[1A")
    bar.finish("done \r")
    assert lines and not any(ch in line for line in lines for ch in "\x1b\x07\r")


def test_grades_csv_and_table_quote_student_data(tmp_path):
    """Does the grades CSV hold no formula and the table no control character, whatever
    the student id, status or finding, and does the CSV show the id as it was?"""
    students = [
        StudentGrade("%3DHYPERLINK(1)", {"entropy": 3.0}, 3.0),
        StudentGrade("eve%1B%5B2J", {}, 0.0, status="not graded: x\x1b[2J.ipynb"),
        StudentGrade("@mallory", {}, 0.0, flags=["cell 1: =cmd|' /C calc'!A0"]),
        StudentGrade("-neg", {}, 0.0, status="+SUM(1)"),
    ]
    path = write_csv(tmp_path / "g.csv", A, students)
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or c.startswith("-n")]
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(1)", "eve\\x1b[2J", "'@mallory", "'-neg"]
    assert "\x1b" not in path.read_text()
    grades = AssignmentGrades(A, students, path, tmp_path)
    assert "\x1b" not in format_table(grades)


# -- the intake of a class ------------------------------------------------------------------


def _course(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    (course / "release" / A.id).mkdir(parents=True)
    shutil.copy(RELEASE, course / "release" / A.id / A.notebook)
    (course / "submitted").mkdir()
    return course


def _hand_in(course: Path, student: str | bytes, nb=None, name: str = A.notebook) -> Path:
    root = os.fsencode(course / "submitted")
    raw = student if isinstance(student, bytes) else os.fsencode(student)
    folder = Path(os.fsdecode(os.path.join(root, raw, os.fsencode(A.id))))
    folder.mkdir(parents=True)
    if nb is not None:
        data = nb if isinstance(nb, bytes) else json.dumps(nb).encode()
        (folder / name).write_bytes(data)
    return folder


def _release() -> dict:
    return json.loads(RELEASE.read_text())


def _without(nb: dict, *grade_ids: str) -> dict:
    nb["cells"] = [
        c
        for c in nb["cells"]
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") not in grade_ids
    ]
    return nb


def test_unsafe_ids_are_renamed_and_graded(tmp_path):
    """Are folders named with a comma, brackets or bytes that are not UTF-8 renamed to a
    safe id and graded, next to the classmates whose names they would match or split?"""
    course = _course(tmp_path)
    for student in ("bob", "carol", "bob,carol", "[bc]ob", b"caf\xe9"):
        _hand_in(course, student, _release())
    notes = normalize_submissions(course, A)
    students = submitted_students(course, A)
    assert students == sorted(["bob", "carol", "bob%2Ccarol", "%5Bbc%5Dob", "caf%E9"])
    assert "renamed bob%2Ccarol" in notes["bob%2Ccarol"] and notes["bob%2Ccarol"].startswith(
        "graded"
    )
    assert rejected_students(course, A) == {}
    # Each process of nbgrader excludes the others exactly: no id holds a comma any more.
    (option,) = exclude_others(course, ["bob"])
    excluded = option.split("=", 1)[1].split(",")
    assert sorted(excluded) == sorted(s for s in students if s != "bob")
    assert all(is_safe_id(n) for n in os.listdir(course / "submitted"))
    assert display_id("bob%2Ccarol") == "bob,carol"


def test_symbolic_links_are_never_followed(tmp_path):
    """Is every upload that holds a link turned away with the reason, excluded from
    nbgrader, and is nothing written through a dangling link?"""
    course = _course(tmp_path)
    honest = _hand_in(course, "honest", _release())
    outside = tmp_path / "outside"
    outside.mkdir()
    # A notebook that is a link to a classmate's.
    copycat = _hand_in(course, "copycat")
    (copycat / A.notebook).symlink_to(honest / A.notebook)
    # A student folder, and an assignment folder, that are links.
    (course / "submitted" / "linked-student").symlink_to(honest.parent)
    (course / "submitted" / "linked-folder").mkdir()
    (course / "submitted" / "linked-folder" / A.id).symlink_to(honest)
    # A dangling link where the notebook goes, next to a renamed notebook: placing the
    # notebook must not write through the link into the course folder.
    dangling = _hand_in(course, "dangling", _release(), name="homework.ipynb")
    (dangling / A.notebook).symlink_to(outside / "planted.py")
    # A data file that is a link out of the folder.
    data = _hand_in(course, "data-link", _release())
    (data / "data.csv").symlink_to("/etc/passwd")
    # A zip whose notebook member is a link.
    zipper = course / "submitted" / "zip-link"
    zipper.mkdir()
    with zipfile.ZipFile(zipper / f"{A.id}.zip", "w") as zf:
        info = zipfile.ZipInfo(A.notebook)
        info.external_attr = (0o120777 << 16) | 0x10
        zf.writestr(info, "../../honest/01-entropy/01-entropy.ipynb")
    # A named pipe: copying it would block nbgrader.
    fifo = _hand_in(course, "pipe", _release())
    os.mkfifo(fifo / "data.pipe")

    normalize_submissions(course, A)
    rejected = rejected_students(course, A)
    turned_away = {"copycat", "linked-student", "linked-folder", "dangling", "data-link"}
    assert set(rejected) == turned_away | {"zip-link", "pipe"}
    for student in turned_away:
        assert "symbolic link" in rejected[student], (student, rejected[student])
    assert "symbolic link" in rejected["zip-link"]
    assert "not a regular file" in rejected["pipe"]
    assert all(reason.startswith("not graded") for reason in rejected.values())
    assert submitted_students(course, A) == ["honest"]
    assert list(outside.iterdir()) == []  # nothing was written through the dangling link
    assert not (zipper / A.id / A.notebook).exists()
    (option,) = exclude_others(course, ["honest"])
    assert set(option.split("=", 1)[1].split(",")) == set(rejected)


def _zip_with_bad_name(path: Path) -> None:
    """A zip whose member name is flagged UTF-8 but is not."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"é/{A.notebook}", json.dumps(_release()))
    path.write_bytes(path.read_bytes().replace("é".encode(), b"\xff\xfe"))


def test_broken_uploads_are_repaired_or_turned_away(tmp_path):
    """Are a cell whose metadata is a list, cells that are not cells, a JSON list, a
    notebook nbformat rejects, bytes that are not UTF-8 and a zip member name that is not
    UTF-8 each repaired or listed with a reason, while the class is taken in?"""
    course = _course(tmp_path)
    _hand_in(course, "honest", _release())
    listy = _release()
    listy["cells"][7]["metadata"] = ["not", "a", "mapping"]
    listy["cells"].insert(3, 42)
    _hand_in(course, "list-metadata", listy)
    _hand_in(course, "json-list", [1, 2, 3])
    _hand_in(course, "json-string", "a notebook")
    invalid = _release()
    invalid["cells"][2]["unexpected"] = True
    _hand_in(course, "invalid-nbformat", invalid)
    _hand_in(course, "latin1", json.dumps(_release()).replace("{", "{\xe9", 0).encode() + b"\xe9")
    bad_zip = course / "submitted" / "bad-zip-name"
    bad_zip.mkdir()
    _zip_with_bad_name(bad_zip / f"{A.id}.zip")

    notes = normalize_submissions(course, A)
    rejected = rejected_students(course, A)
    assert submitted_students(course, A) == ["honest", "list-metadata"]
    assert "metadata was not a mapping" in notes["list-metadata"]
    assert notes["list-metadata"].startswith("graded")
    fixed = json.loads((course / "submitted/list-metadata" / A.id / A.notebook).read_text())
    assert all(isinstance(c["metadata"], dict) for c in fixed["cells"])
    assert "is not a Jupyter notebook" in rejected["json-list"]
    assert "is not a Jupyter notebook" in rejected["json-string"]
    assert "not a valid Jupyter notebook" in rejected["invalid-nbformat"]
    assert "not UTF-8" in rejected["latin1"] or "not valid JSON" in rejected["latin1"]
    assert "could not be opened" in rejected["bad-zip-name"]


def test_deleted_exercise_cells_are_put_back(tmp_path):
    """When a student deletes an exercise's solution and test cells, are both put back from
    the release where they were (so nbgrader grades the other exercises), and said?"""
    course = _course(tmp_path)
    _hand_in(course, "deleter", _without(_release(), "entropy", "test_entropy"))
    notes = normalize_submissions(course, A)
    assert "deleted cell(s) entropy, test_entropy put back" in notes["deleter"]
    restored = json.loads((course / "submitted/deleter" / A.id / A.notebook).read_text())
    ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in restored["cells"]]
    release_ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in _release()["cells"]]
    assert [i for i in ids if i] == [i for i in release_ids if i]
    # Right after the release's cell before them that the student kept (test_surprisal).
    assert ids.index("entropy") == ids.index("test_surprisal") + 1
    stub = next(c for c in restored["cells"] if c["metadata"].get("nbgrader", {}).get(
        "grade_id") == "entropy")["source"]  # fmt: skip
    assert "NotImplementedError" in "".join(stub)
    assert ids.index("test_entropy") == ids.index("entropy") + 1


def test_a_second_intake_says_the_same(tmp_path):
    """Does taking the same class in again keep every note and every reason?"""
    course = _course(tmp_path)
    _hand_in(course, "a,b", _release())
    _hand_in(course, "deleter", _without(_release(), "softmax", "test_softmax"))
    _hand_in(course, "json-list", [1])
    first = normalize_submissions(course, A)
    rejected = rejected_students(course, A)
    assert normalize_submissions(course, A) == first
    assert rejected_students(course, A) == rejected


def test_canvas_csv_quotes_every_cell(tmp_path):
    """Does the Canvas import file show a renamed id as it was, and hold no formula, from
    our ids or from the roster's own cells?"""
    from autograder.lms import write_canvas_csv

    students = [StudentGrade("%3D1%2B1", {}, 3.0), StudentGrade("bob%2Ccarol", {}, 2.0)]
    grades = AssignmentGrades(A, students, tmp_path / "g.csv", tmp_path)
    path = tmp_path / "canvas.csv"
    write_canvas_csv(path, [grades])
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    assert [row[3] for row in rows[2:]] == ["'=1+1", "bob,carol"]
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section\n=cmd|' /C calc'!A0,1,,bob,carol\n-x,2,,@y,\n"
    )
    write_canvas_csv(tmp_path / "canvas.csv", [grades], roster)
    with (tmp_path / "canvas.csv").open(newline="") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or c.startswith("-x")]

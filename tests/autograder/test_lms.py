"""The Canvas gradebook import CSV: columns, Points Possible, roster matching."""

import csv
from pathlib import Path

import pytest

from autograder.assignments import get_assignment
from autograder.grading import AssignmentGrades, StudentGrade
from autograder.lms import IDENTITY, read_roster, write_canvas_csv

ENTROPY = get_assignment("01-entropy")
CODING = get_assignment("02-source-coding")


def _grades(assignment, totals: dict[str, float | str]) -> AssignmentGrades:
    """A class of one assignment: {student: total, or a status other than "graded"}."""
    students = []
    for sid, total in totals.items():
        if isinstance(total, str):
            students.append(StudentGrade(sid, {}, 0.0, status=total))
        else:
            students.append(StudentGrade(sid, {}, float(total)))
    return AssignmentGrades(assignment, students, Path("g.csv"), Path("fb"))


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="") as f:
        return list(csv.reader(f))


@pytest.fixture
def classes() -> list[AssignmentGrades]:
    return [
        _grades(ENTROPY, {"ada": 15, "bo": 12.5, "cy": "not graded: kernel died"}),
        _grades(CODING, {"ada": 18, "dee": 3.25}),
    ]


def test_canvas_columns_and_points_possible_row(tmp_path, classes):
    """Are the header Canvas's five columns plus '<title> (<id>)', then Points Possible?"""
    write_canvas_csv(tmp_path / "canvas.csv", classes)
    header, possible, *_ = _read(tmp_path / "canvas.csv")
    assert header == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Entropy: measuring surprise (01-entropy)",
        "Source coding: from entropy to bits on the wire (02-source-coding)",
    ]
    assert possible == ["Points Possible", "", "", "", "", "15", "18"]


def test_canvas_without_roster_one_row_per_student(tmp_path, classes):
    """Without a roster, is each student a row keyed by SIS Login ID, ungraded cells empty?"""
    unmatched = write_canvas_csv(tmp_path / "canvas.csv", classes)
    rows = _read(tmp_path / "canvas.csv")[2:]
    assert unmatched == []
    assert rows == [
        ["ada", "", "", "ada", "", "15", "18"],
        ["bo", "", "", "bo", "", "12.5", ""],
        ["cy", "", "", "cy", "", "", ""],
        ["dee", "", "", "dee", "", "", "3.25"],
    ]


def _roster(path: Path) -> Path:
    """A Canvas export: Points Possible row, extra read-only columns, an ID-only student."""
    rows = [
        [*IDENTITY, "Quiz 1 (4711)", "Current Score"],
        ["    Points Possible", "", "", "", "", "10", "(read only)"],
        ["Zed, Zoe", "901", "S-9", "zoe", "Lab B", "7", "70"],
        ["Lovelace, Ada", "902", "S-1", " ADA ", "Lab A", "9", "90"],
        ["Bo, Bo", "bo", "", "", "Lab A", "", ""],
        ["", "", "", "", "", "", ""],
    ]
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def test_canvas_roster_keeps_rows_and_fills_matches(tmp_path, classes):
    """Are roster rows kept in order, matched on SIS Login ID then ID, and the rest reported?"""
    roster = _roster(tmp_path / "export.csv")
    unmatched = write_canvas_csv(tmp_path / "canvas.csv", classes, roster=roster)
    header, possible, *rows = _read(tmp_path / "canvas.csv")
    assert header[:5] == IDENTITY and len(header) == 7  # Canvas's other columns are dropped
    assert possible[0] == "Points Possible"
    assert rows == [
        ["Zed, Zoe", "901", "S-9", "zoe", "Lab B", "", ""],  # no submission: left empty
        ["Lovelace, Ada", "902", "S-1", " ADA ", "Lab A", "15", "18"],  # login, any case
        ["Bo, Bo", "bo", "", "", "Lab A", "12.5", ""],  # matched on ID
    ]
    assert unmatched == ["cy", "dee"]


def test_canvas_roster_without_canvas_columns_is_refused(tmp_path, classes):
    """Is a CSV that is not a Canvas export refused with the missing columns named?"""
    bad = tmp_path / "bad.csv"
    bad.write_text("student_id,total\nada,15\n")
    with pytest.raises(ValueError, match="SIS Login ID"):
        write_canvas_csv(tmp_path / "canvas.csv", classes, roster=bad)


def test_read_roster_drops_points_possible_and_blank_rows(tmp_path):
    """Are only the student rows of a Canvas export read?"""
    rows = read_roster(_roster(tmp_path / "export.csv"))
    assert [r["Student"] for r in rows] == ["Zed, Zoe", "Lovelace, Ada", "Bo, Bo"]


def test_canvas_same_assignment_twice_is_refused(tmp_path, classes):
    """Is an assignment passed twice (two columns of the same name) an error?"""
    with pytest.raises(ValueError, match="01-entropy"):
        write_canvas_csv(tmp_path / "canvas.csv", [classes[0], classes[0]])

"""The HTML grading report: its numbers, its order, its escaping, its embedded figures."""

import base64
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from autograder.assignments import get_assignment
from autograder.checks.core import CriterionResult, Result
from autograder.grading import AssignmentGrades, StudentGrade
from autograder.report import TOP_MISTAKES, detail_from_result, render, summary, write_report

ASSIGNMENT = get_assignment("01-entropy")
EVIL_ID = "<script>x</script>"
EVIL_FINDING = "reads solutions/ <img src=x onerror=alert(1)>"
TIMING = {"seconds": 12.3, "submissions": 10, "workers": 2, "per_submission_s": 1.23}


class Page(HTMLParser):
    """Tables (by id: rows of cell texts), image sources and summary cards of a report."""

    def __init__(self, text: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[str] = []
        self.cards: dict[str, str] = {}
        self._table = self._row = self._cell = self._card = None
        self._in_value = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "img":
            self.images.append(attrs["src"])
        elif tag == "div" and attrs.get("class") == "card":
            self._card = attrs["data-key"]
        elif tag == "div" and attrs.get("class") == "value" and self._card:
            self._in_value = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row and any(self._row):
                self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "div" and self._in_value:
            self._in_value = False
            self._card = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_value:
            self.cards[self._card] = data.strip()


def _class(rng: np.random.Generator) -> list[StudentGrade]:
    """Ten graded students with seeded scores (softmax made clearly hardest), a blank one, a
    flagged one with a hostile id, and one whose notebook could not be graded."""
    students = []
    for i in range(10):
        scores = {}
        for e in ASSIGNMENT.exercises:
            fraction = rng.choice([0.0, 0.5, 1.0], p=[0.15, 0.25, 0.6])
            if e.name == "softmax":
                fraction = 1.0 if i == 0 else 0.0
            scores[e.name] = float(fraction * e.points)
        scores["joint_entropy"] = None if i == 3 else scores["joint_entropy"]  # deleted cell
        total = sum(v for v in scores.values() if v is not None)
        students.append(StudentGrade(f"student-{i:02d}", scores, total))
    blank = {e.name: 0.0 for e in ASSIGNMENT.exercises}
    students.append(StudentGrade("blank", blank, 0.0))
    full = {e.name: e.points for e in ASSIGNMENT.exercises}
    students.append(StudentGrade(EVIL_ID, full, ASSIGNMENT.total_points, flags=[EVIL_FINDING]))
    students.append(
        StudentGrade(
            "crashed",
            {e.name: None for e in ASSIGNMENT.exercises},
            0.0,
            status="not graded: the kernel died <b>(os._exit)</b>",
        )
    )
    return students


DETAILS = {
    # 3 x (entropy, natural log), 2 x (surprisal, sign flipped), 1 x (softmax, no max shift);
    # students missing from details and None diagnoses must not count.
    "student-00": {"entropy": {"diagnosis": "natural log instead of log2"}},
    "student-01": {
        "entropy": {"diagnosis": "natural log instead of log2"},
        "surprisal": {"diagnosis": "sign flipped"},
    },
    "student-02": {
        "entropy": {"diagnosis": "natural log instead of log2"},
        "softmax": {"diagnosis": "no max subtraction"},
    },
    "student-03": {"surprisal": {"diagnosis": "sign flipped"}, "entropy": {"diagnosis": None}},
    "blank": {"entropy": {"diagnosis": None}},
}


@pytest.fixture(scope="module")
def grades() -> AssignmentGrades:
    students = _class(np.random.default_rng(7))
    return AssignmentGrades(ASSIGNMENT, students, Path("grades.csv"), Path("feedback"))


@pytest.fixture(scope="module")
def page(grades, tmp_path_factory) -> tuple[str, Page]:
    path = write_report(
        tmp_path_factory.mktemp("report") / "01-entropy.html", grades, DETAILS, TIMING
    )
    text = path.read_text(encoding="utf-8")
    return text, Page(text)


def test_summary_numbers_match_an_independent_count(grades):
    """Are students, mean/median total, full marks and zeros those computed by hand?"""
    graded = [s for s in grades.students if s.status == "graded"]
    totals = np.array([sum(v or 0.0 for v in s.scores.values()) for s in graded])
    numbers = summary(grades, DETAILS)
    assert numbers["students"] == 13 and numbers["graded"] == 12 and numbers["not_graded"] == 1
    assert numbers["mean_total"] == pytest.approx(totals.mean())
    assert numbers["median_total"] == pytest.approx(np.median(totals))
    assert numbers["full_marks"] == int(np.sum(totals == ASSIGNMENT.total_points))
    assert numbers["zeros"] == int(np.sum(totals == 0))
    assert sum(numbers["histogram"]["counts"]) == len(graded)
    assert numbers["flagged"] == 1


def test_summary_exercises_are_sorted_hardest_first(grades):
    """Is each exercise's mean share and full-points share right, and the hardest listed first?"""
    graded = [s for s in grades.students if s.status == "graded"]
    expected = {}
    for e in ASSIGNMENT.exercises:
        scores = np.array([s.scores[e.name] or 0.0 for s in graded])
        expected[e.name] = (scores.mean() / e.points, np.mean(scores == e.points))
    rows = summary(grades)["exercises"]
    for row in rows:
        assert row["mean_share"] == pytest.approx(expected[row["name"]][0])
        assert row["full_share"] == pytest.approx(expected[row["name"]][1])
    shares = [r["mean_share"] for r in rows]
    assert shares == sorted(shares)
    assert rows[0]["name"] == "softmax" == min(expected, key=lambda n: expected[n][0])


def test_report_lists_hardest_exercise_first(page):
    """Does the page's exercise table start with the exercise the class found hardest?"""
    _, parsed = page
    table = parsed.tables["exercise-table"]
    assert table[0][0] == "exercise"
    assert table[1][0] == "softmax"
    assert len(table) == 1 + len(ASSIGNMENT.exercises)


def test_report_counts_diagnosed_mistakes(page):
    """Are mistakes counted per (exercise, mistake), most common first, with the class share?"""
    _, parsed = page
    rows = parsed.tables["mistake-table"][1:]
    assert [(r[1], r[2], r[3]) for r in rows] == [
        ("entropy", "natural log instead of log2", "3"),
        ("surprisal", "sign flipped", "2"),
        ("softmax", "no max subtraction", "1"),
    ]
    assert rows[0][4] == f"{100 * 3 / 13:.0f}%"


def test_summary_keeps_the_top_mistakes_only(grades):
    """Are at most TOP_MISTAKES mistakes reported when the class made more kinds?"""
    details = {
        s.student: {"entropy": {"diagnosis": f"mistake {i}"}} for i, s in enumerate(grades.students)
    }
    assert len(details) > TOP_MISTAKES
    assert len(summary(grades, details)["mistakes"]) == TOP_MISTAKES


def test_report_lists_flagged_and_failed_submissions(page):
    """Are flagged students shown with their findings and ungraded ones with the reason?"""
    _, parsed = page
    flagged = parsed.tables["flagged-table"][1:]
    assert flagged == [[EVIL_ID, EVIL_FINDING]]
    failed = parsed.tables["not-graded-table"][1:]
    assert failed == [["crashed", "not graded: the kernel died <b>(os._exit)</b>"]]


def test_report_escapes_student_provided_text(page):
    """Can a student id or a finding inject markup or script into the page?"""
    text, _ = page
    assert "<script" not in text
    assert "<img src=x" not in text and "<b>(os._exit)" not in text
    assert "&lt;script&gt;x&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_report_embeds_figures_as_base64_png(page):
    """Are the histogram and the exercise chart inline PNGs, with nothing fetched?"""
    text, parsed = page
    assert len(parsed.images) == 2
    for src in parsed.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")
    assert "http://" not in text and "https://" not in text


def test_report_shows_summary_cards_and_timing(page, grades):
    """Are the summary numbers and the given grading time printed?"""
    _, parsed = page
    numbers = summary(grades, DETAILS)
    assert parsed.cards["students"] == "13"
    assert parsed.cards["full marks"] == str(numbers["full_marks"])
    assert float(parsed.cards["mean total"]) == pytest.approx(numbers["mean_total"], abs=0.005)
    timing = dict(map(tuple, parsed.tables["timing-table"]))
    assert timing["wall-clock time"] == "12.3 s"
    assert timing["workers"] == "2"


def test_render_without_details_or_timing(grades):
    """Does the page still render when no diagnoses or timings are known?"""
    text = render(grades)
    assert "Diagnoses known for 0 of 13 students" in text
    assert "No diagnosed mistakes." in text and "Not recorded." in text


def test_report_class_with_nothing_graded(tmp_path):
    """Does a class whose every submission failed give a page, not a crash or a fake mean?"""
    failed = [
        StudentGrade(f"s{i}", {e.name: None for e in ASSIGNMENT.exercises}, 0.0, status="failed")
        for i in range(3)
    ]
    grades = AssignmentGrades(ASSIGNMENT, failed, tmp_path / "g.csv", tmp_path)
    numbers = summary(grades)
    assert numbers["graded"] == 0 and numbers["mean_total"] is None
    text = write_report(tmp_path / "r.html", grades).read_text()
    assert "No submission was graded." in text
    assert len(Page(text).tables["not-graded-table"]) == 4


def test_detail_from_result_feeds_the_mistake_count(grades):
    """Does a judged exercise's diagnosis reach the report as its mistake name?"""
    result = Result(
        "entropy",
        1.5,
        3,
        [CriterionResult("uses log base 2", 1.0, False, 4, "input: ...")],
        diagnosis=("natural log instead of log2", "divide by np.log(2)"),
    )
    detail = detail_from_result(result)
    assert detail["diagnosis"] == "natural log instead of log2"
    assert detail["failed"] == ["uses log base 2"]
    mistakes = summary(grades, {"blank": {"entropy": detail}})["mistakes"]
    assert mistakes == [
        {
            "exercise": "entropy",
            "mistake": "natural log instead of log2",
            "count": 1,
            "share": 1 / 13,
        }
    ]

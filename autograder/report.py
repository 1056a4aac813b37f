"""One self-contained HTML report per graded assignment: how the class did, and what to fix.

    write_report(Path("reports/01-entropy.html"), grades, details, timing)

The page needs no network and no JavaScript: the CSS is inline and the figures are PNGs drawn
with matplotlib's Agg canvas in the course colours, embedded as base64. It shows

1. the assignment, its points and the date;
2. summary numbers: students, graded, mean and median total, full marks, zeros;
3. a histogram of the totals;
4. per exercise: mean score as a share of its points and the share of students with full
   points, hardest first (a table and a bar chart);
5. the most common diagnosed mistakes, per (exercise, mistake), with the share of the class;
6. flagged submissions with their static-scan findings, and submissions not graded with the
   reason;
7. grading time, as given.

Class statistics are over the submissions that were graded (``status == "graded"``); a
graded submission with no score for an exercise (its test cell was deleted) counts 0 there,
as it does in its total. Submissions not graded are listed with their reason instead of
being averaged in as zeros. The page is a Jinja2 template with autoescape on: every piece
of text, and so every one that came from a student (ids, findings, reasons that quote
them), is escaped by the engine, not by hand at each use; a Content-Security-Policy
forbids any script on the page.

``details`` is ``{student: {exercise: {"diagnosis": mistake name or None, ...}}}``; it may
be ``None`` or miss students, and the page says for how many students diagnoses are known.
:func:`summary` returns the numbers the page shows, for tests and for the command line.
"""

from __future__ import annotations

import base64
import functools
import io
import math
import statistics
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import matplotlib as mpl
import numpy as np
from markupsafe import Markup
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from autograder.quoting import display_id
from course.style import COLORS, use_course_style

if TYPE_CHECKING:  # (importing nbgrader takes seconds; the report does not need it)
    from autograder.checks.core import Result
    from autograder.grading import AssignmentGrades, StudentGrade

TOP_MISTAKES = 10
EPS = 1e-9  # scores are multiples of 0.01; "full points" means within this of the maximum


def detail_from_result(result: Result) -> dict[str, Any]:
    """What the report reads about one judged exercise (``details[student][exercise]``)."""
    return {
        "points": result.points,
        "max_points": result.max_points,
        "diagnosis": result.diagnosis[0] if result.diagnosis else None,
        "failed": [c.name for c in result.criteria if not c.passed],
        "note": result.note,
    }


# -- the numbers --------------------------------------------------------------------------------


def summary(
    grades: AssignmentGrades, details: dict[str, dict[str, dict]] | None = None
) -> dict[str, Any]:
    """The numbers the report shows, as plain data.

    Returns
    -------
    dict with keys
        ``assignment``, ``title``, ``max_points``;
        ``students`` (all submissions), ``graded``, ``not_graded``, ``flagged`` (counts);
        ``mean_total``, ``median_total`` (None when nothing was graded), ``full_marks``,
        ``zeros`` (counts among graded submissions);
        ``histogram``: ``{"edges": [...], "counts": [...]}`` of the graded totals;
        ``exercises``: one dict per exercise, hardest first, with ``name``, ``max_points``,
        ``mean`` (points), ``mean_share`` and ``full_share`` (fractions of the graded
        submissions, None when nothing was graded);
        ``mistakes``: the top diagnosed mistakes, most common first, each with ``exercise``,
        ``mistake``, ``count`` and ``share`` (of all students);
        ``diagnosed_students``: how many students ``details`` covers;
        ``flagged_students``: ``[{"student", "findings"}]``;
        ``not_graded_students``: ``[{"student", "reason"}]``.
    """
    assignment = grades.assignment
    students = grades.students
    graded = [s for s in students if s.status == "graded"]
    totals = [s.total for s in graded]
    most = assignment.total_points
    return {
        "assignment": assignment.id,
        "title": assignment.title,
        "max_points": most,
        "students": len(students),
        "graded": len(graded),
        "not_graded": len(students) - len(graded),
        "flagged": sum(bool(s.flags) for s in students),
        "mean_total": statistics.fmean(totals) if totals else None,
        "median_total": statistics.median(totals) if totals else None,
        "full_marks": sum(t >= most - EPS for t in totals),
        "zeros": sum(t <= EPS for t in totals),
        "histogram": _histogram(totals, most),
        "exercises": _exercise_stats(grades, graded),
        "mistakes": _mistakes(grades, details),
        "diagnosed_students": len({s.student for s in students} & set(details or {})),
        "flagged_students": [
            {"student": s.student, "findings": list(s.flags)} for s in students if s.flags
        ],
        "not_graded_students": [
            {"student": s.student, "reason": s.status} for s in students if s.status != "graded"
        ],
    }


def _histogram(totals: list[float], most: float) -> dict[str, list]:
    """Bins one point wide up to 20 bins (wider for long assignments); the last bin holds the
    maximum (and any total above it, e.g. with manual extra credit)."""
    n_bins = max(1, min(20, math.ceil(most)))
    clipped = np.clip(np.asarray(totals, dtype=float), 0.0, most)
    counts, edges = np.histogram(clipped, bins=n_bins, range=(0.0, most))
    return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]}


def _score(s: StudentGrade, exercise: str) -> float:
    value = s.scores.get(exercise)
    return 0.0 if value is None else float(value)


def _exercise_stats(grades: AssignmentGrades, graded: list[StudentGrade]) -> list[dict]:
    rows = []
    for order, exercise in enumerate(grades.assignment.exercises):
        scores = [_score(s, exercise.name) for s in graded]
        mean = statistics.fmean(scores) if scores else None
        rows.append(
            {
                "name": exercise.name,
                "max_points": exercise.points,
                "mean": mean,
                "mean_share": None if mean is None else mean / exercise.points,
                "full_share": (
                    sum(x >= exercise.points - EPS for x in scores) / len(scores)
                    if scores
                    else None
                ),
                "order": order,
            }
        )
    # Hardest first: lowest mean share, then fewest full marks, then course order.
    rows.sort(
        key=lambda r: (
            math.inf if r["mean_share"] is None else r["mean_share"],
            math.inf if r["full_share"] is None else r["full_share"],
            r["order"],
        )
    )
    for row in rows:
        del row["order"]
    return rows


def _diagnosis_name(value: Any) -> str | None:
    """A mistake name from ``detail["diagnosis"]`` (a name, or a ``(name, hint)`` pair)."""
    if isinstance(value, (tuple, list)):
        value = value[0] if value else None
    return str(value) if value else None


def _mistakes(grades: AssignmentGrades, details: dict[str, dict[str, dict]] | None) -> list[dict]:
    """The most common (exercise, mistake) pairs among the class's students."""
    if not details or not grades.students:
        return []
    order = {e.name: i for i, e in enumerate(grades.assignment.exercises)}
    counts: Counter[tuple[str, str]] = Counter()
    for student in {s.student for s in grades.students}:
        for exercise, detail in (details.get(student) or {}).items():
            name = _diagnosis_name((detail or {}).get("diagnosis"))
            if name:
                counts[(exercise, name)] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], order.get(kv[0][0], 99), kv[0][1]))
    n = len(grades.students)
    return [
        {"exercise": exercise, "mistake": name, "count": count, "share": count / n}
        for (exercise, name), count in ranked[:TOP_MISTAKES]
    ]


# -- the figures --------------------------------------------------------------------------------


def _png(fig: Figure) -> str:
    """The figure as a base64 PNG ``data:`` URI."""
    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def histogram_png(numbers: dict[str, Any]) -> str:
    """Histogram of the graded totals, with the mean and median marked."""
    hist = numbers["histogram"]
    edges, counts = np.asarray(hist["edges"]), np.asarray(hist["counts"])
    fig = _figure(7.0, 3.4)
    ax = fig.add_subplot()
    ax.bar(
        edges[:-1], counts, width=np.diff(edges), align="edge", color=COLORS["p"], edgecolor="white"
    )
    if numbers["mean_total"] is not None:
        ax.axvline(numbers["mean_total"], color=COLORS["accent"], label="mean")
        ax.axvline(numbers["median_total"], color=COLORS["q"], linestyle="--", label="median")
        ax.legend(loc="best")
    ax.set_xlim(0, numbers["max_points"])
    ax.set_xlabel(f"total points (of {numbers['max_points']:g})")
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title("Score distribution")
    return _png(fig)


def exercises_png(numbers: dict[str, Any]) -> str:
    """Per exercise, hardest at the top: mean score and share with full points, in %."""
    rows = numbers["exercises"]
    names = [r["name"] for r in rows][::-1]
    mean = [100 * (r["mean_share"] or 0.0) for r in rows][::-1]
    full = [100 * (r["full_share"] or 0.0) for r in rows][::-1]
    y = np.arange(len(rows))
    fig = _figure(7.0, 0.45 * len(rows) + 1.2)
    ax = fig.add_subplot()
    ax.barh(y + 0.2, mean, height=0.4, color=COLORS["p"], label="mean score, % of points")
    ax.barh(y - 0.2, full, height=0.4, color=COLORS["q"], label="students with full points, %")
    ax.set_yticks(y, names)
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    fig.legend(loc="outside lower center", ncols=2, fontsize=8)
    ax.set_title("Exercises, hardest first")
    return _png(fig)


# -- the page -----------------------------------------------------------------------------------

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 60rem; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #1f5aa6; }
.meta, .note { color: #666; }
.cards { display: flex; flex-wrap: wrap; gap: 0.8rem; margin: 1rem 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.6rem 1rem; min-width: 7rem; }
.card .value { font-size: 1.5rem; font-weight: 600; } .card .label { color: #666; }
table { border-collapse: collapse; width: 100%; margin: 0.8rem 0; font-size: 0.95rem; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.3rem 0.5rem; text-align: left;
         vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; }
ul.findings { margin: 0; padding-left: 1.1rem; }
code { font-size: 0.9em; }
"""


def _pts(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}".rstrip("0").rstrip(".")


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _timing_rows(timing: dict) -> list[tuple[str, str]]:
    labels = {
        "seconds": ("wall-clock time", "s"),
        "submissions": ("submissions", ""),
        "workers": ("workers", ""),
        "per_submission_s": ("per submission", "s"),
    }
    rows = []
    for key, value in timing.items():
        label, unit = labels.get(key, (key.replace("_", " "), ""))
        if isinstance(value, float):
            text = f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
        else:
            text = str(value)
        rows.append((label, f"{text} {unit}".strip()))
    return rows


# The page (templates/report.html.j2). Jinja2 escapes every value (autoescape): text from
# students (ids, findings, reasons) can never become markup.
TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def _page_template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(zip=zip, pts=_pts, show=display_id)
    return env.get_template("report.html.j2")


def render(
    grades: AssignmentGrades,
    details: dict[str, dict[str, dict]] | None = None,
    timing: dict | None = None,
    today: date | None = None,
) -> str:
    """The report page as an HTML string (a Jinja2 template that escapes every value)."""
    numbers = summary(grades, details)
    histogram = per_exercise = None
    if numbers["graded"]:
        with mpl.rc_context():
            use_course_style()
            histogram, per_exercise = histogram_png(numbers), exercises_png(numbers)
    cards = [
        ("students", str(numbers["students"])),
        ("graded", str(numbers["graded"])),
        ("mean total", _pts(numbers["mean_total"])),
        ("median total", _pts(numbers["median_total"])),
        ("full marks", str(numbers["full_marks"])),
        ("zeros", str(numbers["zeros"])),
        ("flagged", str(numbers["flagged"])),
        ("not graded", str(numbers["not_graded"])),
    ]
    exercise_rows = [
        [
            Markup("<code>{}</code>").format(r["name"]),
            _pts(r["max_points"]),
            _pts(r["mean"]),
            _pct(r["mean_share"]),
            _pct(r["full_share"]),
        ]
        for r in numbers["exercises"]
    ]
    mistake_rows = [
        [rank, Markup("<code>{}</code>").format(m["exercise"]), m["mistake"], m["count"],
         _pct(m["share"])]
        for rank, m in enumerate(numbers["mistakes"], start=1)
    ]  # fmt: skip
    not_graded_rows = [
        [display_id(f["student"]), f["reason"]] for f in numbers["not_graded_students"]
    ]
    return _page_template().render(
        n=numbers,
        css=Markup(CSS),  # our own constant
        today=(today or date.today()).isoformat(),
        exercises=len(grades.assignment.exercises),
        cards=cards,
        histogram=histogram,
        per_exercise=per_exercise,
        exercise_rows=exercise_rows,
        mistake_rows=mistake_rows,
        not_graded_rows=not_graded_rows,
        timing=_timing_rows(timing) if timing else None,
    )


def write_report(
    path: Path,
    grades: AssignmentGrades,
    details: dict[str, dict[str, dict]] | None = None,
    timing: dict | None = None,
) -> Path:
    """Write the assignment's HTML report to ``path`` (folders created) and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(grades, details, timing), encoding="utf-8")
    return path

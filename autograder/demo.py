"""A demo class: generated submissions whose grades we know in advance, graded end to end.

    python -m autograder demo             # build the release, grade the demo class, print grades

For each assignment, the class is:

- ``alt-correct``: every exercise answered correctly but unlike the reference
  (``autograder/answers``: ALTERNATIVES) -> full points;
- ``blank``: the release notebook as handed out -> 0 points, and the grader does not crash;
- ``mistake-<exercise>``: the reference everywhere except one exercise, which holds a classic
  mistake (the first one listed for that exercise in MISTAKES) -> loses points on that
  exercise only.
"""

from __future__ import annotations

import importlib
import inspect
import re
import shutil
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import REPO, Assignment, built_assignments
from autograder.grading import (
    AssignmentGrades,
    WeakIsolation,
    format_table,
    grade,
    hidden_paths,
)
from autograder.notebook import find_cell, read, write
from autograder.progress import Progress
from autograder.release import generate, prepare_course_dir
from autograder.sandbox import DESCRIPTIONS, FULL, probe_isolation


@dataclass
class DemoStudent:
    id: str
    answers: dict  # exercise -> function (or source text) that becomes the answer; missing: blank
    expectation: str  # "full", "zero", "flagged", or the exercise that must lose points
    may_also_lose: tuple[str, ...] = ()  # exercises written wrongly together with it

    def check(self, assignment: Assignment, scores: dict[str, float | None], flags=()) -> bool:
        """Did this student get the grade (or the flag) we built them to get?"""
        full = {e.name: e.points for e in assignment.exercises}
        if self.expectation == "flagged":  # flagged, and the tampered exercise earns nothing
            (tampered,) = self.may_also_lose
            spared = [n for n in full if n != tampered]
            return (
                bool(flags) and scores[tampered] == 0 and all(scores[n] == full[n] for n in spared)
            )
        if self.expectation == "full":
            return all(scores[n] == full[n] for n in full)
        if self.expectation == "zero":
            return all(scores[n] == 0 for n in full)
        wrong = self.expectation
        spared = [n for n in full if n != wrong and n not in self.may_also_lose]
        return (
            scores[wrong] is not None
            and scores[wrong] < full[wrong]
            and all(scores[n] == full[n] for n in spared)
        )

    def describe(self) -> str:
        if self.expectation == "full":
            return "expects full points"
        if self.expectation == "zero":
            return "expects 0"
        if self.expectation == "flagged":
            return f"imports the reference: expects 0 on {self.may_also_lose[0]} and a flag"
        also = (
            f" (and {', '.join(self.may_also_lose)}, written with it)" if self.may_also_lose else ""
        )
        return f"expects a loss on {self.expectation}{also} only"


def answer_source(fn, name: str) -> str:
    """The source of ``fn`` as a notebook answer defining ``name`` (text is used as is)."""
    if isinstance(fn, str):
        return fn
    source = textwrap.dedent(inspect.getsource(fn))
    return re.sub(rf"^def {re.escape(fn.__name__)}\(", f"def {name}(", source, count=1, flags=re.M)


def demo_students(assignment: Assignment) -> list[DemoStudent]:
    known = importlib.import_module(f"autograder.answers.{assignment.module}")
    reference = assignment.reference()
    ref = {e.name: getattr(reference, e.name) for e in assignment.exercises}
    students = [
        DemoStudent("alt-correct", {n: known.ALTERNATIVES[n][0] for n in ref}, "full"),
        DemoStudent("blank", {}, "zero"),
    ]
    for exercise in assignment.exercises:
        mistakes = [m for m in known.MISTAKES if m.exercise == exercise.name]
        if mistakes:
            mistake = mistakes[0]
            answers = {**ref, exercise.name: mistake.fn, **mistake.companions}
            students.append(
                DemoStudent(
                    f"mistake-{exercise.name}", answers, exercise.name, tuple(mistake.companions)
                )
            )
    first = assignment.exercises[0].name
    students.append(
        DemoStudent(
            "tamper-import-reference",
            {
                **ref,
                first: f"def {first}(*args, **kwargs):\n"
                f"    from solutions.{assignment.module} import {first} as answer\n\n"
                "    return answer(*args, **kwargs)\n",
            },
            "flagged",
            (first,),
        )
    )
    return students


def write_submission(course_dir: Path, assignment: Assignment, student: DemoStudent) -> Path:
    """The release notebook with this student's answers pasted into the solution cells."""
    nb = read(course_dir / "release" / assignment.id / assignment.notebook)
    for name, fn in student.answers.items():
        find_cell(nb, name).source = answer_source(fn, name)
    path = course_dir / "submitted" / student.id / assignment.id / assignment.notebook
    write(nb, path)
    return path


@dataclass
class DemoResult:
    grades: AssignmentGrades
    students: list[DemoStudent]
    isolation: str = FULL  # the level this machine gives: every submission must have run so

    def as_expected(self) -> dict[str, bool]:
        rows = {s.student: s for s in self.grades.students}
        return {
            d.id: d.check(self.grades.assignment, rows[d.id].scores, rows[d.id].flags)
            and rows[d.id].isolation == self.isolation
            for d in self.students
        }

    def table(self) -> str:
        ok = self.as_expected()
        rows = {s.student: s for s in self.grades.students}
        notes = {
            d.id: ("✓ " if ok[d.id] else "✗ UNEXPECTED: ")
            + d.describe()
            + ("" if rows[d.id].isolation == self.isolation else f" [ran {rows[d.id].isolation}]")
            for d in self.students
        }
        levels = sorted({s.isolation for s in self.grades.students})
        return format_table(self.grades, notes) + f"\nisolation: {', '.join(levels)}"


def demo_results(
    course_dir: Path = REPO / "build" / "demo",
    assignments: list[Assignment] | None = None,
    progress: Callable[[str], None] | Progress | None = None,
    require_full_isolation: bool = False,
) -> Iterator[DemoResult]:
    """Create the demo course folder from scratch, write the class, and grade it, yielding
    each assignment's result as soon as it is graded.

    The demo grades with full isolation where this machine gives it; otherwise it says so
    loudly and grades with the weaker level (unless ``require_full_isolation``: then it
    raises :class:`~autograder.grading.WeakIsolation`)."""
    assignments = built_assignments() if assignments is None else assignments
    if course_dir.exists():
        shutil.rmtree(course_dir)
    prepare_course_dir(course_dir, assignments)
    say = progress.note if isinstance(progress, Progress) else (progress or (lambda line: None))
    level, reason = probe_isolation(hidden_paths(course_dir))
    if level != FULL:
        if require_full_isolation:
            raise WeakIsolation(f"the demo needs full isolation; here it is {level}: {reason}")
        banner = "!" * 88
        say(
            f"{banner}\n!! NOT FULL ISOLATION: {DESCRIPTIONS[level]}\n!! because {reason}\n"
            "!! The demo grades anyway (--allow-weak-isolation); real grading refuses without"
            f" it.\n{banner}"
        )
    for assignment in assignments:
        generate(course_dir, assignment)
        students = demo_students(assignment)
        for student in students:
            write_submission(course_dir, assignment, student)
        if isinstance(progress, Progress):
            progress.note(f"{assignment.id}: grading {len(students)} submissions")
        elif progress is not None:
            progress(f"{assignment.id}: grading {len(students)} submissions")
        grades = grade(course_dir, assignment, progress, allow_weak_isolation=level != FULL)
        yield DemoResult(grades, students, level)


def run_demo(
    course_dir: Path = REPO / "build" / "demo", assignments: list[Assignment] | None = None
) -> list[DemoResult]:
    """The whole demo at once (what the tests call)."""
    return list(demo_results(course_dir, assignments))

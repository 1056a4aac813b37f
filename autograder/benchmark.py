"""Benchmark: our grader against plain serial ``nbgrader autograde`` on the same class.

    python -m autograder.benchmark                       # 60 students x every notebook
    python -m autograder.benchmark --students 12 --assignments 01-entropy 04-kl-divergence

Builds a synthetic class (seeded): for each student and assignment, a realistic mix of
complete work (the reference or an alternative answer), partly wrong work (one to three
exercises replaced by classic mistakes) and blank or half-done notebooks. Two identical
course folders are graded, one by ``python -m autograder grade`` (isolated sandbox, every
core; this includes feedback, the CSV and the report) and one by ``nbgrader autograde``
alone; the script prints both times, their ratio, where our time goes, and whether every
score in the two gradebooks is identical. It then grades our folder once more with nothing
changed (what an instructor's re-run costs: only nbgrader's bookkeeping, no notebook runs)
and checks that the grades stay the same.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from autograder.assignments import Assignment, built_assignments, get_assignment
from autograder.demo import answer_source
from autograder.grading import TIMING, grade, read_grades
from autograder.machine import default_workers, usable_cpus
from autograder.notebook import find_cell, read, write
from autograder.release import generate, nbgrader, prepare_course_dir


def synthetic_answers(assignment: Assignment, rng: random.Random) -> tuple[str, dict]:
    """A kind of student and their answers {exercise: function}."""
    import importlib

    known = importlib.import_module(f"autograder.answers.{assignment.module}")
    reference = assignment.reference()
    names = [e.name for e in assignment.exercises]
    correct = {n: rng.choice([getattr(reference, n), *known.ALTERNATIVES[n][:1]]) for n in names}
    # Paired exercises keep matching partners (an alternative encoder with its own decoder).
    if "arithmetic_decode" in correct:
        correct["arithmetic_encode"] = reference.arithmetic_encode
        correct["arithmetic_decode"] = reference.arithmetic_decode
    roll = rng.random()
    if roll < 0.5:
        return "complete", correct
    if roll < 0.8:
        wrong = dict(correct)
        for name in rng.sample(names, k=rng.randint(1, 3)):
            mistakes = [m for m in known.MISTAKES if m.exercise == name]
            mistake = rng.choice(mistakes)
            wrong.update({name: mistake.fn, **mistake.companions})
        return "partly wrong", wrong
    if roll < 0.9:
        return "half done", dict(list(correct.items())[: len(names) // 2])
    return "blank", {}


def build_class(course: Path, assignments: list[Assignment], students: int, seed: int) -> dict:
    rng = random.Random(seed)
    kinds: dict[str, int] = {}
    prepare_course_dir(course, assignments)
    for assignment in assignments:
        generate(course, assignment)
        release = read(course / "release" / assignment.id / assignment.notebook)
        for i in range(students):
            kind, answers = synthetic_answers(assignment, rng)
            kinds[kind] = kinds.get(kind, 0) + 1
            nb = read(course / "release" / assignment.id / assignment.notebook)
            nb.cells = [c.copy() for c in release.cells]
            for name, fn in answers.items():
                find_cell(nb, name).source = answer_source(fn, name)
            write(
                nb, course / "submitted" / f"student{i:03d}" / assignment.id / assignment.notebook
            )
    return kinds


def copy_course(source: Path, target: Path) -> None:
    import shutil

    shutil.copytree(source, target, ignore=shutil.ignore_patterns("gradebook.db", ".itlm-cache"))


def scores(course: Path, assignment: Assignment) -> dict:
    return {s.student: s.scores for s in read_grades(course, assignment)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.benchmark", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument(
        "--assignments", nargs="*", default=None, help="default: every built notebook"
    )
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", type=Path, default=None, help="keep the course folders here")
    args = parser.parse_args(argv)
    assignments = (
        [get_assignment(a) for a in args.assignments] if args.assignments else built_assignments()
    )
    workers = args.workers or default_workers()
    root = args.keep or Path(tempfile.mkdtemp(prefix="itlm-bench-"))
    ours_dir, plain_dir = root / "ours", root / "plain"
    print(f"Building {args.students} students x {len(assignments)} notebooks in {root} ...")
    kinds = build_class(ours_dir, assignments, args.students, args.seed)
    print("  mix: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    copy_course(ours_dir, plain_dir)
    for assignment in assignments:  # the plain folder needs its own gradebook entry
        generate(plain_dir, assignment)

    rows = []
    for assignment in assignments:
        start = time.perf_counter()
        grade(ours_dir, assignment, workers=workers, allow_weak_isolation=True)
        ours = time.perf_counter() - start
        phases = dict(TIMING)
        start = time.perf_counter()
        nbgrader(
            "autograde", assignment.id, "--create", "--force", cwd=plain_dir, check=False,
            stock=True,
        )  # fmt: skip
        plain = time.perf_counter() - start
        first = scores(ours_dir, assignment)
        same = first == scores(plain_dir, assignment)
        start = time.perf_counter()
        grade(
            ours_dir, assignment, workers=workers, allow_weak_isolation=True
        )  # nothing changed: a resumed re-run
        again = time.perf_counter() - start
        idempotent = scores(ours_dir, assignment) == first
        rows.append((assignment.id, ours, plain, same, phases, again, idempotent))
        print(
            f"  {assignment.id:24s} ours {ours:7.1f} s   plain nbgrader {plain:7.1f} s"
            f"   x{plain / ours:4.2f}   identical scores: {same}"
            f"   | re-run {again:5.1f} s, same grades: {idempotent}"
        )

    total_ours = sum(r[1] for r in rows)
    total_plain = sum(r[2] for r in rows)
    n = args.students * len(assignments)
    print(f"\n{n} submissions on {usable_cpus()} usable cores ({workers} workers)")
    each_ours, each_plain = total_ours / n, total_plain / n
    print(
        f"  ours, all in (sandbox, judging, feedback, CSV, report): {total_ours:8.1f} s ({each_ours:.2f} s each)"
    )
    print(
        f"  plain serial nbgrader autograde (no feedback):          {total_plain:8.1f} s ({each_plain:.2f} s each)"
    )
    print(f"  speed-up: x{total_plain / total_ours:.2f}")
    print(f"  identical scores in every assignment: {all(r[3] for r in rows)}")
    total_again = sum(r[5] for r in rows)
    print(
        f"  grading everything again, nothing changed: {total_again:.1f} s"
        f" (same grades: {all(r[6] for r in rows)})"
    )
    phase_totals: dict[str, float] = {}
    for row in rows:
        for phase, seconds in row[4].items():
            phase_totals[phase] = phase_totals.get(phase, 0.0) + seconds
    accounted = sum(phase_totals.values())
    print(
        "  where our time goes: "
        + ", ".join(f"{p} {s:.0f} s" for p, s in phase_totals.items())
        + f", feedback/CSV/report/start-up {total_ours - accounted:.0f} s"
    )


if __name__ == "__main__":
    main()

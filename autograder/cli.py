"""The instructor's command line: ``python -m autograder COMMAND``.

    python -m autograder demo                    # release + grade a demo class (the main job)
    python -m autograder release                 # source/ -> release/ and the student bundle
    python -m autograder grade 01-entropy        # grade ./submitted into ./gradebook.db
    python -m autograder grade-dask 01-entropy --scheduler tcp://HOST:8786  # across machines
    python -m autograder sync [--check]          # solution cells <- solutions/
    python -m autograder selfcheck-data [--check]  # learners' public self-check cases

Each command is a thin wrapper over a plain function that the tests call directly.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from autograder.assignments import REPO, built_assignments, get_assignment


def _assignments(ids: tuple[str, ...]):
    try:
        return [get_assignment(i) for i in ids] if ids else built_assignments()
    except KeyError as error:
        raise click.BadParameter(str(error.args[0])) from None


# The nbgrader course folder a grading command works in.
COURSE_DIR = click.option(
    "--course-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="nbgrader course folder holding submitted/<student>/<assignment>/.",
)


@click.group()
def main() -> None:
    """Information Theory for Language Models: build, grade and report."""


@main.command()
@click.argument("assignment_ids", nargs=-1)
@click.option(
    "--check", "check_only", is_flag=True, help="Only report differences (exit 1 if any)."
)
def sync(assignment_ids: tuple[str, ...], check_only: bool) -> None:
    """Write each solution cell of source/ from its reference function in solutions/."""
    from autograder.notebook import sync as sync_notebook

    stale_any = False
    for assignment in _assignments(assignment_ids):
        stale = sync_notebook(assignment, check_only=check_only)
        stale_any |= bool(stale)
        verb = "differ" if check_only else "updated"
        click.echo(f"{assignment.id}: " + (f"{verb}: {', '.join(stale)}" if stale else "in sync"))
    if check_only and stale_any:
        sys.exit(1)


@main.command()
@click.argument("assignment_ids", nargs=-1)
def release(assignment_ids: tuple[str, ...]) -> None:
    """Rebuild release/ with nbgrader and zip the student bundle into dist/."""
    from autograder.public_cases import write as write_selfcheck
    from autograder.release import build_bundle, build_release

    start = time.perf_counter()
    for notebook in build_release(assignments=_assignments(assignment_ids)):
        click.echo(f"released {notebook.relative_to(REPO)}")
    for path in write_selfcheck(assignments=_assignments(assignment_ids)):
        click.echo(f"self-check data {path.relative_to(REPO)}")
    bundle = build_bundle()
    click.echo(f"student bundle: {bundle.relative_to(REPO)}  ({time.perf_counter() - start:.1f} s)")


@main.command()
@click.argument("assignment_id")
@COURSE_DIR
@click.option("--workers", type=int, default=None, help="Parallel notebooks (default: all cores).")
@click.option(
    "--plain",
    is_flag=True,
    help="Run plain `nbgrader autograde` (serial, in Jupyter kernels) instead of the sandbox.",
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Run every notebook again, even those unchanged since the last (interrupted) run.",
)
@click.option(
    "--run-all",
    is_flag=True,
    help='Run every cell: also those after the last graded cell and the "Going further" '
    "cells left as released (they cannot change a grade; their outputs then appear in the "
    "feedback).",
)
@click.option(
    "--allow-weak-isolation",
    is_flag=True,
    help="Grade even when student code cannot be fully isolated (not Linux, no user "
    "namespaces, or --plain): it could then read your files and the reference solutions. "
    "Every grade records the level it ran under.",
)
def grade(
    assignment_id: str,
    course_dir: Path,
    workers: int | None,
    plain: bool,
    fresh: bool,
    run_all: bool,
    allow_weak_isolation: bool,
) -> None:
    """Autograde every submission of ASSIGNMENT_ID; write feedback, a grades CSV, a report.

    The isolation level is stated first; below full isolation grading stops unless
    --allow-weak-isolation is given."""
    from autograder.grading import WeakIsolation, format_table
    from autograder.grading import grade as grade_assignment
    from autograder.progress import Progress

    (assignment,) = _assignments((assignment_id,))
    if not (course_dir / "submitted").is_dir():
        raise click.ClickException(f"no submitted/ folder in {course_dir.resolve()}")
    start = time.perf_counter()
    try:
        grades = grade_assignment(
            course_dir,
            assignment,
            progress=Progress.for_output(click.echo),
            isolated=not plain,
            workers=workers,
            resume=not fresh,
            run_all=run_all,
            allow_weak_isolation=allow_weak_isolation,
        )
    except WeakIsolation as error:
        raise click.ClickException(str(error)) from None
    click.echo(format_table(grades))
    click.echo(f"\ngrades:   {grades.csv_path}\nfeedback: {grades.feedback_dir}")
    click.echo(f"report:   {grades.report_path}")
    click.echo(f"graded {len(grades.students)} submissions in {time.perf_counter() - start:.1f} s")


@main.command("grade-dask")
@click.argument("assignment_id")
@COURSE_DIR
@click.option("--scheduler", help="Address of a running Dask scheduler, e.g. tcp://host:8786.")
@click.option(
    "--local", "local_workers", type=int, help="Start a local Dask cluster of N workers instead."
)
@click.option("--shard-size", type=int, default=100, show_default=True)
@click.option(
    "--results",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where workers write their shards (shared; default COURSE/shards).",
)
def grade_dask(
    assignment_id: str,
    course_dir: Path,
    scheduler: str | None,
    local_workers: int | None,
    shard_size: int,
    results: Path | None,
) -> None:
    """Grade ASSIGNMENT_ID in shards on a Dask cluster, merged into this course's gradebook."""
    from autograder.distributed import grade_on_dask, local_client
    from autograder.grading import format_table

    (assignment,) = _assignments((assignment_id,))
    if not (course_dir / "submitted").is_dir():
        raise click.ClickException(f"no submitted/ folder in {course_dir.resolve()}")
    if (scheduler is None) == (local_workers is None):
        raise click.UsageError("give either --scheduler ADDRESS or --local N")
    try:
        from dask.distributed import Client
    except ImportError:
        raise click.ClickException(
            "Dask is not installed: pip install 'dask[distributed]' (or the course's [dev])"
        ) from None
    client = local_client(local_workers) if local_workers else Client(scheduler)
    with client:
        grades = grade_on_dask(
            course_dir, assignment, client, shard_size=shard_size, results=results,
            workers_per_shard=1 if local_workers else None, progress=click.echo,
        )  # fmt: skip
        if local_workers:
            client.cluster.close()
    click.echo(format_table(grades))
    click.echo(f"\ngrades:   {grades.csv_path}\nreport:   {grades.report_path}")


@main.command("selfcheck-data")
@click.argument("assignment_ids", nargs=-1)
@click.option(
    "--check", "check_only", is_flag=True, help="Only report stale files (exit 1 if any)."
)
def selfcheck_data(assignment_ids: tuple[str, ...], check_only: bool) -> None:
    """Write the learners' public self-check cases (course/data/selfcheck/) from the checks."""
    from autograder.public_cases import main as build_selfcheck

    code = build_selfcheck([*assignment_ids, *(["--check"] if check_only else [])])
    if code:
        sys.exit(code)


@main.command("export-lms")
@click.argument("assignment_ids", nargs=-1)
@click.option(
    "--course-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
)
@click.option(
    "--roster",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Canvas gradebook export whose rows and order to keep.",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_lms(assignment_ids, course_dir: Path, roster: Path | None, out: Path | None) -> None:
    """Write a Canvas gradebook import CSV with the totals of graded assignments."""
    from autograder.grading import AssignmentGrades, read_grades
    from autograder.lms import write_canvas_csv

    graded = []
    for assignment in _assignments(assignment_ids):
        if (course_dir / "submitted").is_dir():
            students = read_grades(course_dir.resolve(), assignment)
            if students:
                csv_path = course_dir / "grades" / f"{assignment.id}.csv"
                graded.append(
                    AssignmentGrades(assignment, students, csv_path, course_dir / "feedback")
                )
    if not graded:
        raise click.ClickException(f"no graded submissions in {course_dir.resolve()}")
    out = out or course_dir / "grades" / "canvas.csv"
    unmatched = write_canvas_csv(out, graded, roster)
    click.echo(f"Canvas import file: {out}")
    if unmatched:
        click.echo(f"warning: not in the roster: {', '.join(unmatched)}", err=True)


@main.command()
@click.argument("notebooks", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--release",
    "release_nb",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The released notebook the submissions started from (its cells are trusted).",
)
def scan(notebooks: tuple[Path, ...], release_nb: Path | None) -> None:
    """Flag code in submitted NOTEBOOKS that tries to game the grader."""
    from autograder.quoting import printable
    from autograder.scan import scan_file

    flagged = 0
    for path in notebooks:
        try:
            findings = scan_file(path, release_nb)
        except (OSError, ValueError) as error:
            click.echo(printable(f"{path}: could not be scanned ({error})", newlines=False))
            continue
        flagged += bool(findings)
        summary = "clean" if not findings else f"{len(findings)} finding(s)"
        click.echo(printable(f"{path}: {summary}", newlines=False))
        for finding in findings:  # student code: never raw control characters on a terminal
            click.echo(f"  {printable(finding, newlines=False)}")
    click.echo(f"{flagged} of {len(notebooks)} notebooks flagged")


@main.command()
@click.option(
    "--course-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=REPO / "build" / "demo",
    show_default=True,
    help="Where to create the demo course folder (replaced on every run).",
)
@click.option(
    "--require-full-isolation",
    is_flag=True,
    help="Fail unless student code runs fully isolated (CI); by default the demo grades with "
    "a weaker level where that is all the machine gives, and says so.",
)
def demo(course_dir: Path, require_full_isolation: bool) -> None:
    """Build the release, then grade a generated demo class and print its grades."""
    from autograder.demo import demo_results
    from autograder.grading import WeakIsolation
    from autograder.progress import Progress
    from autograder.release import build_bundle, build_release

    start = time.perf_counter()
    click.echo("Building the release from source/ ...")
    for notebook in build_release():
        click.echo(f"  {notebook.relative_to(REPO)}")
    click.echo(f"  student bundle: {build_bundle().relative_to(REPO)}")
    click.echo(f"\nGrading the demo class in {course_dir} ...")
    failures = 0
    results = demo_results(
        course_dir,
        progress=Progress.for_output(click.echo),
        require_full_isolation=require_full_isolation,
    )
    try:
        for result in results:
            assignment = result.grades.assignment
            click.echo(
                f"\n{assignment.id}: {assignment.title} ({assignment.total_points:g} points)\n"
            )
            click.echo(result.table())
            failures += sum(not ok for ok in result.as_expected().values())
            click.echo(f"\n  grades CSV: {result.grades.csv_path}")
            click.echo(f"  report:     {result.grades.report_path}")
            click.echo(f"  feedback:   {result.grades.feedback_dir}/<student>/{assignment.id}/")
    except WeakIsolation as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"\nGradebook: {course_dir / 'gradebook.db'}  (try: cd {course_dir} && nbgrader export)"
    )
    click.echo(f"Done in {time.perf_counter() - start:.0f} s.")
    if failures:
        raise click.ClickException(
            f"{failures} demo submissions did not get the grade they were built for"
        )

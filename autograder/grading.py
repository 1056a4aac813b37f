"""Grade a folder of submissions in nbgrader's layout into nbgrader's gradebook.

    python -m autograder grade 01-entropy --course-dir COURSE

``COURSE/submitted/<student>/<assignment>/<assignment>.ipynb`` in, and out:

- the scores in ``COURSE/gradebook.db`` (nbgrader's own gradebook, so ``nbgrader export``,
  the formgrader and manual grading keep working);
- ``COURSE/feedback/<student>/<assignment>/<assignment>.html`` without hidden-test source;
- ``COURSE/grades/<assignment>.csv``: one row per student, one column per exercise.

Steps: make sure the assignment is in the gradebook (``generate_assignment``), then
``nbgrader autograde``, ``nbgrader generate_feedback``, and the CSV from the gradebook.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import threading
import time
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from autograder.assignments import REPO, Assignment
from autograder.isolated import CACHE_ENV, cache_path
from autograder.judging import judge_execution, save
from autograder.machine import default_workers
from autograder.progress import Progress
from autograder.quoting import csv_cell, display_id, is_safe_id, printable, safe_id
from autograder.release import generate, nbgrader, prepare_course_dir
from autograder.report import write_report
from autograder.sandbox import (
    DESCRIPTIONS,
    FULL,
    NONE,
    NOTEBOOK_SECONDS,
    Execution,
    Pool,
    probe_isolation,
)
from autograder.scan import scan_file
from autograder.timing import cell_text, optional_cells
from autograder.wire import decode

CACHE = ".itlm-cache"  # per course folder: sanitized and executed notebooks of the last run
MAX_RETRIES = 3  # re-runs of one notebook, each skipping a cell that stopped the process
MAX_NOTEBOOK_BYTES = 50 * 2**20  # a larger notebook loses its outputs; its code must fit
MAX_FILE_BYTES = 20 * 2**20  # other files over this are not copied (nbgrader_config.py)
TOO_LARGE_SUFFIX = ".too-large"  # an oversized upload, kept beside the slimmed notebook
TIMING: dict[str, float] = {}  # seconds per phase of the last grade_isolated

MIN_PER_SHARD = 6  # submissions per extra nbgrader process (each costs ~2 s to start)
DB_TIMEOUT_S = 600  # how long a gradebook writer waits for another one's transaction

# nbgrader's log line when it starts executing one submission.
AUTOGRADING = re.compile(r"INFO\] Autograding .*[/\\]autograded[/\\]([^/\\]+)[/\\]")
# nbgrader's log line when it has written one student's feedback.
FEEDBACK = re.compile(r"INFO\] Writing \d+ bytes to .*[/\\]feedback[/\\]([^/\\]+)[/\\]")


@dataclass
class StudentGrade:
    student: str
    scores: dict[str, float | None] = field(default_factory=dict)  # exercise -> points
    total: float = 0.0
    status: str = "graded"  # or the reason it could not be graded
    flags: list[str] = field(default_factory=list)  # static-scan findings, for the instructor
    isolation: str = ""  # how its code was run: "full", "basic", "none" (see sandbox.py)


@dataclass
class AssignmentGrades:
    assignment: Assignment
    students: list[StudentGrade]
    csv_path: Path
    feedback_dir: Path
    details: dict[str, dict] = field(default_factory=dict)  # student -> exercise -> judged details
    seconds: float = 0.0
    report_path: Path | None = None


def db_url(course_dir: Path) -> str:
    return f"sqlite:///{(course_dir / 'gradebook.db').resolve()}"


def ensure_in_gradebook(course_dir: Path, assignment: Assignment) -> None:
    """Record the assignment (its cells and points) in the gradebook if it is not there.

    A new gradebook is created by ``nbgrader generate_assignment`` (in a subprocess that
    finds ``alembic``, which nbgrader's ``Gradebook`` runs by name to create one).
    """
    if (course_dir / "gradebook.db").exists():
        with Gradebook(db_url(course_dir)) as gb:
            try:
                gb.find_assignment(assignment.id)
                return
            except MissingEntry:
                pass
    if not (course_dir / "source" / assignment.id).exists():
        prepare_course_dir(course_dir, [assignment])
    generate(course_dir, assignment)


def submitted_students(course_dir: Path, assignment: Assignment) -> list[str]:
    """The students nbgrader grades: a folder (not a link) ``submitted/<student>/<id>/``
    whose name nbgrader can use and whose upload the intake did not turn away."""
    root = course_dir / "submitted"
    if not root.is_dir():
        return []
    rejected = rejected_students(course_dir, assignment)
    return sorted(
        name
        for name in os.listdir(root)
        if not name.startswith(".")
        and is_safe_id(name)
        and name not in rejected
        and _real_dir(root / name)
        and _real_dir(root / name / assignment.id)
    )


def rejected_students(course_dir: Path, assignment: Assignment) -> dict[str, str]:
    """Students whose upload the last intake turned away, with the reason (never given to
    nbgrader, listed as not graded)."""
    try:
        rejected = json.loads((course_dir / CACHE / f"{assignment.id}-rejected.json").read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in rejected.items()} if isinstance(rejected, dict) else {}


def _real_dir(path: Path) -> bool:
    """A directory itself, not a symbolic link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def grade(
    course_dir: Path,
    assignment: Assignment,
    progress: Callable[[str], None] | Progress | None = None,
    *,
    isolated: bool = True,
    workers: int | None = None,
    limits: dict | None = None,
    resume: bool = True,
    run_all: bool = False,
    allow_weak_isolation: bool = False,
) -> AssignmentGrades:
    """Autograde every submission of one assignment, then write feedback and the CSV.

    With ``isolated`` (the default) submissions run in the parallel sandbox and are judged in
    this process (:func:`grade_isolated`); without it, plain ``nbgrader autograde`` runs them
    one by one in Jupyter kernels with the checks judging inside them. ``progress`` is a
    :class:`~autograder.progress.Progress` (bars on a terminal) or a function that receives
    a line per step (e.g. ``list.append``). ``limits`` may set the sandbox's
    ``seconds`` (wall clock per notebook) and ``cell_seconds`` (CPU per cell). With
    ``resume`` (the default), a submission unchanged since an earlier (perhaps interrupted)
    run of the same grader is not executed again: its recorded outputs are judged anew.
    The sandbox runs each notebook up to its last graded cell (``run_all``: every cell).

    Before anything runs, the isolation level is stated (``progress``); below "full" it
    raises :class:`WeakIsolation` unless ``allow_weak_isolation``.
    """
    course_dir = course_dir.resolve()
    bar = progress if isinstance(progress, Progress) else Progress.lines(progress or _quiet)
    level = check_isolation(course_dir, isolated, allow_weak_isolation, bar.note)
    ensure_in_gradebook(course_dir, assignment)
    notes = normalize_submissions(course_dir, assignment)
    TIMING.clear()
    started = time.perf_counter()
    logs: list[str] = []
    details: dict[str, dict] = {}
    students_in = submitted_students(course_dir, assignment)
    shards = workers or default_workers()
    if isolated:
        details = grade_isolated(
            course_dir, assignment, bar, workers, logs, limits or {}, resume=resume,
            run_all=run_all, allow_weak_isolation=allow_weak_isolation,
        )  # fmt: skip
    else:
        bar.start("autograde", len(students_in))

        def on_line(line: str) -> None:
            running = AUTOGRADING.search(line)
            if running:
                bar.advance(running.group(1))

        # nbgrader exits non-zero when one submission fails; the others are still graded.
        proc = nbgrader(
            "autograde",
            assignment.id,
            "--create",
            "--force",
            *exclude_others(course_dir, students_in),
            cwd=course_dir,
            check=False,
            on_line=on_line,
        )
        logs.append(f"$ nbgrader autograde (exit {proc.returncode})\n{proc.stdout}")
        bar.finish(f"{len(students_in)} submissions, one at a time")
    clock = time.perf_counter()
    bar.start("feedback", len(students_in))
    nbgrader_shards(
        "generate_feedback", assignment, course_dir, students_in, shards=shards, logs=logs,
        extra=("--force",), done=FEEDBACK, progress=bar,
    )  # fmt: skip
    bar.finish(f"{len(students_in)} HTML files")
    TIMING["feedback"] = time.perf_counter() - clock
    students = read_grades(course_dir, assignment)
    release = course_dir / "release" / assignment.id / assignment.notebook
    rejected = rejected_students(course_dir, assignment)
    for student in students:
        if student.student in rejected:
            continue  # its row says why (read_grades); nothing of it is read again
        if isolated and student.student not in details and student.status == "graded":
            student.status = "not graded: nbgrader could not read the notebook (see the log)"
        submission = (
            course_dir / "submitted" / student.student / assignment.id / assignment.notebook
        )
        student.flags = scan_submission(submission, release)
        student.flags += details.get(student.student, {}).get("flags", [])
        ran = student.student in details or not isolated
        student.isolation = details.get(student.student, {}).get("isolation", level) if ran else ""
        note = details.get(student.student, {}).get("status") or notes.get(student.student)
        if note and student.status == "graded":
            student.status = note
        elif student.student in notes and student.status != "graded":
            student.status = f"{student.status}; {notes[student.student]}"
    csv_path = write_csv(course_dir / "grades" / f"{assignment.id}.csv", assignment, students)
    (csv_path.parent / f"{assignment.id}-nbgrader.log").write_text("\n".join(logs))
    grades = AssignmentGrades(assignment, students, csv_path, course_dir / "feedback")
    grades.details = {k: v.get("exercises", {}) for k, v in details.items()}
    grades.seconds = time.perf_counter() - started
    (csv_path.parent / f"{assignment.id}-details.json").write_text(json.dumps(grades.details))
    timing = {
        "seconds": round(grades.seconds, 1),
        "submissions": len(students),
        "per_submission_s": round(grades.seconds / max(len(students), 1), 2),
        "mode": "isolated sandbox" if isolated else "plain nbgrader autograde",
        "isolation": _isolation_summary(students),
        **({"workers": workers or default_workers()} if isolated else {}),
        **{f"{phase} (s)": round(s, 1) for phase, s in TIMING.items()},
    }
    grades.report_path = write_report(
        course_dir / "reports" / f"{assignment.id}.html", grades, grades.details, timing
    )
    return grades


def nbgrader_shards(
    command: str,
    assignment: Assignment,
    course_dir: Path,
    students: list[str],
    *,
    shards: int,
    logs: list[str],
    env: dict[str, str] | None = None,
    extra: tuple[str, ...] = (),
    done: re.Pattern | None = None,
    progress: Progress | None = None,
) -> None:
    """Run one nbgrader command over ``students`` in up to ``shards`` processes at once.

    Each process gets its own students (``CourseDirectory.student_id_exclude`` names everyone
    else, :func:`exclude_others`), so every student's rows are written by exactly one
    process. They share nbgrader's SQLite gradebook: SQLite commits one writer at a time and
    makes the others wait (here up to ``DB_TIMEOUT_S``), so no write is lost or interleaved.
    A process that still hits a database error is run again on its own, one writer, before
    we go on. ``done`` matches the log line that finishes one student (for ``progress``).
    """
    shards = max(1, min(shards, len(students) // MIN_PER_SHARD))
    groups = [students[i::shards] for i in range(shards)]
    db = f"--db=sqlite:///{(course_dir / 'gradebook.db').resolve()}?timeout={DB_TIMEOUT_S}"
    lock = threading.Lock()

    def on_line(line: str) -> None:
        finished = done.search(line) if done is not None else None
        if finished and progress is not None:
            with lock:
                progress.advance(finished.group(1))

    def run(group: list[str]):
        args = (command, assignment.id, *extra, db, *exclude_others(course_dir, group))
        return nbgrader(*args, cwd=course_dir, check=False, env=env, on_line=on_line)

    results: list = [None] * shards

    def work(i: int) -> None:
        results[i] = run(groups[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(shards)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for group, proc in zip(groups, results, strict=True):
        header = f"$ nbgrader {command} {' '.join(extra)} [{len(group)} students]"
        logs.append(f"{header} (exit {proc.returncode})\n{proc.stdout}")
        if shards > 1 and "error accessing the nbgrader database" in proc.stdout:
            again = run(group)  # the other processes have finished: one writer now
            logs.append(f"$ again, alone (exit {again.returncode})\n{again.stdout}")


def exclude_others(course_dir: Path, students: list[str]) -> list[str]:
    """nbgrader's option excluding every folder of ``submitted/`` but ``students``' (a link,
    an upload turned away, a classmate graded by another process), or ``[]``.

    nbgrader splits the list on commas and matches ids exactly: the intake renamed every
    folder whose name has a comma (:func:`_rename_unsafe_ids`).
    """
    root = course_dir / "submitted"
    mine = set(students)
    names = os.listdir(root) if root.is_dir() else []
    others = sorted(n for n in names if n not in mine and not n.startswith(".") and "," not in n)
    return [f"--CourseDirectory.student_id_exclude={','.join(others)}"] if others else []


def _quiet(line: str) -> None:
    pass


def normalize_submissions(course_dir: Path, assignment: Assignment) -> dict[str, str]:
    """Put each submission where nbgrader looks for it; returns a note per student changed.

    Handles what LMS uploads look like: a notebook under another name (the only notebook in
    the folder is graded), a zip file (its notebook is extracted), a notebook bloated with
    outputs, huge extra files, duplicated grade cells, deleted exercise cells (put back from
    the release), a broken notebook (repaired where it can be, else turned away), nothing
    usable (each said so). A folder name nbgrader cannot use is renamed to its
    :func:`~autograder.quoting.safe_id` first. Symbolic links are never followed: a student
    folder, assignment folder or file that is a link (or a pipe, a device) makes the upload
    turned away, as does anything unreadable; one student's upload never stops the class.

    The notes are kept in ``COURSE/.itlm-cache/<id>-notes.json`` with a hash of the notebook
    they concern, so a re-run, which finds the notebook already in place, says the same.
    Uploads turned away are listed in ``<id>-rejected.json`` (:func:`rejected_students`):
    nbgrader never sees them.
    """
    notes: dict[str, str] = {}
    root = course_dir / "submitted"
    if not root.is_dir():
        return notes
    memory = course_dir / CACHE / f"{assignment.id}-notes.json"
    try:
        previous = json.loads(memory.read_text())
        previous = previous if isinstance(previous, dict) else {}
    except (OSError, ValueError):
        previous = {}
    renamed = _rename_unsafe_ids(root)
    release = course_dir / "release" / assignment.id / assignment.notebook
    kept, rejected = {}, {}
    for student in sorted(n for n in os.listdir(root) if not n.startswith(".")):
        try:
            note = _take_in(root / student, assignment, release)
            if note is None:
                continue  # nothing of this assignment here
            if student in renamed:
                note = f"{note}; {renamed[student]}" if note else f"graded; {renamed[student]}"
            target = root / student / assignment.id / assignment.notebook
            if not note.startswith("not graded") and _regular_file(target):
                digest = hashlib.sha256(target.read_bytes()).hexdigest()
                earlier = previous.get(student, {})
                if not note and isinstance(earlier, dict) and earlier.get("sha256") == digest:
                    note = str(earlier.get("note", ""))
                if note:
                    kept[student] = {"note": note, "sha256": digest}
        except Exception as error:  # noqa: BLE001 - one student's upload never stops the class
            note = f"not graded: the upload could not be read ({type(error).__name__}: {error})"
        note = printable(note, newlines=False)
        if note.startswith("not graded") or not is_safe_id(student):
            rejected[student] = note
        if note:
            notes[student] = note
    memory.parent.mkdir(parents=True, exist_ok=True)
    memory.write_text(json.dumps(kept, indent=1, sort_keys=True))
    (memory.parent / f"{assignment.id}-rejected.json").write_text(
        json.dumps(rejected, indent=1, sort_keys=True)
    )
    return notes


def _rename_unsafe_ids(root: Path) -> dict[str, str]:
    """Rename each folder whose name nbgrader cannot use (a comma, ``[``, a control
    character, bytes that are not UTF-8...) to its :func:`~autograder.quoting.safe_id`, the
    id the gradebook keeps; returns a note per renamed folder. A folder already there under
    that name (an earlier upload) is kept as a hidden ``.<id>.replaced-<time>``."""
    said = {}
    broot = os.fsencode(root)
    for raw in sorted(os.listdir(broot)):
        if raw.startswith(b"."):
            continue  # hidden: nbgrader never looks there
        if is_safe_id(os.fsdecode(raw)):
            continue
        safe = safe_id(raw)
        destination = root / safe
        if os.path.lexists(destination):
            destination.rename(root / f".{safe}.replaced-{time.strftime('%Y%m%d-%H%M%S')}")
        os.rename(os.path.join(broot, raw), destination)
        said[safe] = f"folder {display_id(safe)!r} renamed {safe} (nbgrader's id for it)"
    return said


def _regular_file(path: Path) -> bool:
    """A regular file itself, not a symbolic link to one."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _take_in(student_dir: Path, assignment: Assignment, release: Path) -> str | None:
    """Check and place one student's upload; ``None`` when it has nothing of ``assignment``,
    else a note (``""``: nothing to say). Nothing is read or written through a link."""
    folder = student_dir / assignment.id
    zipped = student_dir / f"{assignment.id}.zip"
    if os.path.islink(student_dir):
        if os.path.lexists(folder) or os.path.lexists(zipped):
            return "not graded: the student folder is a symbolic link (links are not followed)"
        return None
    if not _real_dir(student_dir):
        return None
    for path, what in ((folder, "assignment folder"), (zipped, "zip upload")):
        if os.path.islink(path):
            return f"not graded: the {what} {path.name} is a symbolic link (links are not followed)"
    if not os.path.lexists(folder) and _regular_file(zipped):
        folder.mkdir()
    if not _real_dir(folder):
        return None
    odd = _not_regular(folder)
    if odd:
        return f"not graded: {odd}"
    return _normalize_one(folder, folder / assignment.notebook, zipped, release)


def _not_regular(folder: Path) -> str:
    """What in ``folder`` is neither a regular file nor a folder (a symbolic link, a pipe, a
    device), said in a few words; ``""`` when all is regular."""
    for parent, dirs, files in os.walk(folder):
        for name in sorted([*dirs, *files]):
            path = Path(parent) / name
            mode = os.lstat(path).st_mode
            where = path.relative_to(folder)
            if stat.S_ISLNK(mode):
                return f"{where} in the upload is a symbolic link (links are not followed)"
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                return f"{where} in the upload is not a regular file"
    return ""


def _normalize_one(folder: Path, target: Path, zipped: Path, release: Path) -> str:
    """Put one student's notebook at ``target``; returns what was done or why it could not."""
    said = []
    if not target.exists():
        placed = _place_notebook(folder, target, zipped)
        if placed:
            said.append(placed)
    if target.exists():
        said.append(_shrink_notebook(target))
    if target.exists():
        said.append(_repair_notebook(target, release))
        if not said[-1].startswith("not graded"):
            said.append(_drop_duplicate_grade_cells(target))
    said.append(_big_files(folder, target))
    said = [n for n in said if n]
    failed = [n for n in said if n.startswith("not graded")]
    if failed:
        return "; ".join([*failed, *(n for n in said if n not in failed)])
    if not said:
        return ""
    first = said[0] if said[0].startswith("graded") else f"graded; {said[0]}"
    return "; ".join([first, *(n.removeprefix("graded; ") for n in said[1:])])


def _place_notebook(folder: Path, target: Path, zipped: Path) -> str:
    """Find the notebook of an LMS upload (a zip, another name); "" if none to say."""
    said = ""
    for archive in sorted([*folder.glob("*.zip"), *([zipped] if zipped.is_file() else [])]):
        try:
            with zipfile.ZipFile(archive) as zf:
                members = [
                    m
                    for m in zf.infolist()
                    if m.filename.endswith(".ipynb") and "__MACOSX" not in m.filename
                ]
                best = [m for m in members if Path(m.filename).name == target.name] or members
                if best:
                    info = best[0]
                    if stat.S_ISLNK(info.external_attr >> 16):
                        said = f"not graded: {info.filename} in {archive.name} is a symbolic link"
                        continue
                    if info.file_size > 4 * MAX_NOTEBOOK_BYTES:
                        said = f"not graded: {info.filename} in {archive.name} is too large"
                        continue
                    _write_new(target, zf.read(info))
                    return f"graded {info.filename} from {archive.name}"
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            RuntimeError,
            NotImplementedError,
        ) as error:
            # (a member name that is not UTF-8 raises UnicodeDecodeError, a ValueError;
            # an encrypted member RuntimeError; an unknown compression NotImplementedError)
            said = f"not graded: {archive.name} could not be opened ({error})"
    oversized = target.with_name(target.name + TOO_LARGE_SUFFIX)
    if oversized.exists():  # an earlier run found its code alone too large
        size = oversized.stat().st_size / 2**20
        return f"not graded: the notebook is {size:.0f} MB (kept as {oversized.name})"
    others = sorted(folder.glob("*.ipynb"))
    if len(others) == 1:
        _write_new(target, others[0].read_bytes())
        return f"graded {others[0].name} (renamed to {target.name})"
    if said:
        return said
    found = ", ".join(p.name for p in others) or "no notebook"
    return f"not graded: expected {target.name}, found {found}"


def _write_new(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a new file in the same folder, renamed over it: a
    symbolic link already at ``path`` is replaced, never written through."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(partial, path)


CELL_TYPES = ("code", "markdown", "raw")


def _repair_notebook(path: Path, release: Path) -> str:
    """Check the notebook is one nbgrader can grade; repair what can be repaired.

    A file that is not UTF-8 JSON holding a list of cells is turned away with the reason.
    In a notebook, an entry that is not a cell is dropped, and a cell's metadata, nbgrader
    metadata, source or outputs of the wrong type are cleared. Cells of the release with an
    nbgrader ``grade_id`` that the student deleted (say an exercise's solution and test
    cells) are put back as handed out, after the cell that came before them: nbgrader
    restores a deleted test cell after its solution cell, and drops the whole notebook
    when that cell is gone too. What is left must pass nbformat's validation. Returns a
    note, or ``""`` when the notebook was fine as it was.
    """
    import nbformat

    try:
        nb = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        return "not graded: the notebook is not UTF-8 text"
    except ValueError as error:
        return f"not graded: the notebook is not valid JSON ({error})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        what = "an object without a list of cells" if isinstance(nb, dict) else type(nb).__name__
        return f"not graded: the file is not a Jupyter notebook (its JSON is {what})"
    said, cells = [], []
    for index, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in CELL_TYPES:
            said.append(f"entry {index} of its cells is not a cell: dropped")
            continue
        said += [f"cell {index}: {n}" for n in _repair_cell(cell)]
        cells.append(cell)
    nb["cells"] = cells
    if not isinstance(nb.get("metadata"), dict):
        nb["metadata"] = {}
        said.append("its metadata was not a mapping: cleared")
    restored = _restore_deleted_cells(nb, release)
    if restored:
        said.append(
            f"deleted cell(s) {', '.join(restored)} put back from the release (as handed out:"
            " a deleted answer scores 0, the other exercises are graded)"
        )
    try:
        with warnings.catch_warnings():  # (a cell without an id: nbformat only warns)
            warnings.simplefilter("ignore")
            if nb.get("nbformat") == 4:
                nbformat.validate(nb)
            else:  # an older format: as nbgrader will read it
                nbformat.validate(nbformat.reads(json.dumps(nb), as_version=4))
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds on bad input
        message = str(getattr(error, "message", error)).splitlines()[0][:200]
        return f"not graded: the file is not a valid Jupyter notebook ({message})"
    if not said:
        return ""
    _write_new(path, json.dumps(nb).encode())
    return "graded; " + "; ".join(said)


def _repair_cell(cell: dict) -> list[str]:
    """Clear the fields of one cell that have the wrong type; returns what was cleared."""
    said = []
    if not isinstance(cell.get("metadata", {}), dict):
        cell["metadata"] = {}
        said.append("metadata was not a mapping: cleared")
    meta = cell.setdefault("metadata", {})
    nbgrader_meta = meta.get("nbgrader")
    if nbgrader_meta is not None and not (
        isinstance(nbgrader_meta, dict) and isinstance(nbgrader_meta.get("grade_id", ""), str)
    ):
        del meta["nbgrader"]
        said.append("nbgrader metadata was malformed: cleared")
    source = cell.get("source", "")
    if not (
        isinstance(source, str)
        or (isinstance(source, list) and all(isinstance(s, str) for s in source))
    ):
        cell["source"] = ""
        said.append("source was not text: cleared")
    if cell["cell_type"] == "code":
        outputs = cell.get("outputs", [])
        if not (isinstance(outputs, list) and all(isinstance(o, dict) for o in outputs)):
            cell["outputs"] = []
            said.append("outputs were malformed: cleared")
        if not isinstance(cell.get("execution_count"), (int, type(None))):
            cell["execution_count"] = None
    return said


def _grade_id(cell: dict) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta.get("grade_id") if isinstance(meta, dict) else None


def _release_cells(release: Path) -> list[dict]:
    """The cells of the release notebook (read once per grading, not once per student)."""
    try:
        stat_ = release.stat()
    except OSError:
        return []
    return _read_cells(str(release), stat_.st_mtime_ns, stat_.st_size)


@functools.lru_cache(maxsize=8)
def _read_cells(path: str, mtime_ns: int, size: int) -> list[dict]:
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return cells if isinstance(cells, list) else []


def _restore_deleted_cells(nb: dict, release: Path) -> list[str]:
    """Put back, as handed out, the release's nbgrader cells missing from ``nb``; returns
    their grade ids."""
    handed_out = _release_cells(release)
    present = {_grade_id(c) for c in nb["cells"]} - {None}
    cell_ids = {c.get("id") for c in nb["cells"]}
    restored = []
    previous: str | None = None  # the grade id of the release cell before this one
    for cell in handed_out:
        gid = _grade_id(cell)
        if gid is None:
            continue
        if gid not in present:
            at = 0
            if previous is not None:
                at = 1 + max(i for i, c in enumerate(nb["cells"]) if _grade_id(c) == previous)
            copy = json.loads(json.dumps(cell))
            if "id" in copy and copy["id"] in cell_ids:  # the student's cell kept its id
                copy["id"] = hashlib.sha256(f"{gid}:{copy['id']}".encode()).hexdigest()[:8]
            nb["cells"].insert(at, copy)
            present.add(gid)
            restored.append(gid)
        previous = gid
    return restored


def _big_files(folder: Path, notebook: Path) -> str:
    """Set aside files over ``MAX_FILE_BYTES`` beside the notebook: each is renamed
    ``<name>.too-large``, which nbgrader does not copy for grading (``nbgrader_config.py``:
    ``CourseDirectory.ignore``). Returns a note naming them (also those of earlier runs)."""
    big = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix == ".ipynb":  # nbgrader skips other notebooks
            continue
        if path.name == notebook.name + TOO_LARGE_SUFFIX:
            continue  # the notebook's own upload, said by _shrink_notebook
        if path.name.endswith(TOO_LARGE_SUFFIX):
            big.append(path)
        elif path.stat().st_size > MAX_FILE_BYTES:
            big.append(path.replace(path.with_name(path.name + TOO_LARGE_SUFFIX)))
    if not big:
        return ""
    names = ", ".join(
        f"{p.name.removesuffix(TOO_LARGE_SUFFIX)} ({p.stat().st_size / 2**20:.0f} MB)" for p in big
    )
    limit = MAX_FILE_BYTES // 2**20
    return f"ignored {names}: files over {limit} MB (kept as <name>{TOO_LARGE_SUFFIX})"


def _shrink_notebook(path: Path) -> str:
    """A notebook over ``MAX_NOTEBOOK_BYTES`` loses its outputs (grading runs it afresh);
    the upload is kept beside it as ``<name>.too-large``. Returns a note, or ``""``."""
    original = path.with_name(path.name + TOO_LARGE_SUFFIX)
    size = path.stat().st_size
    if size <= MAX_NOTEBOOK_BYTES:
        if original.exists():  # slimmed by an earlier run: say so again
            return (
                f"graded; the notebook was {original.stat().st_size / 2**20:.0f} MB: its "
                f"outputs were dropped (the upload is kept as {original.name})"
            )
        return ""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                cell["outputs"], cell["execution_count"] = [], None
        slim = json.dumps(nb)
    except (OSError, ValueError, AttributeError) as error:
        return f"not graded: the notebook is {size / 2**20:.0f} MB and unreadable ({error})"
    if len(slim.encode()) > MAX_NOTEBOOK_BYTES:
        path.replace(original)
        return (
            f"not graded: the notebook's code alone is {len(slim.encode()) / 2**20:.0f} MB "
            f"(limit {MAX_NOTEBOOK_BYTES // 2**20} MB); kept as {original.name}"
        )
    path.replace(original)
    path.write_text(slim, encoding="utf-8")
    return (
        f"graded; the notebook was {size / 2**20:.0f} MB: its outputs were dropped "
        f"(the upload is kept as {original.name})"
    )


def _drop_duplicate_grade_cells(path: Path) -> str:
    """Keep the first cell of each grade id; later copies become plain cells.

    (nbgrader 0.9's OverwriteCells fails on the partial metadata its DeduplicateIds leaves on a
    copied grade cell when add_missing_cells is on, which would drop the whole submission.)
    """
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""  # unreadable: nbgrader reports it
    seen, dropped = set(), []
    for cell in cells:
        meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
        grade_id = (
            meta.get("nbgrader", {}).get("grade_id")
            if isinstance(meta.get("nbgrader"), dict)
            else None
        )
        if grade_id is None:
            continue
        if grade_id in seen:
            del meta["nbgrader"]
            dropped.append(grade_id)
        seen.add(grade_id)
    if not dropped:
        return ""
    path.write_text(json.dumps(nb))
    return f"graded; duplicated cell(s) {', '.join(dropped)} kept as plain code"


def hidden_paths(course_dir: Path) -> list[Path]:
    """What a student's notebook must not see: the grading state of the course folder and
    everything of this repository that is not for students."""
    course = [
        course_dir / n
        for n in ("submitted", "autograded", "feedback", "source", "grades", "gradebook.db", CACHE)
    ]
    repo = [
        REPO / n
        for n in ("solutions", "autograder", "source", "tests", ".git", "build", "dist", "docs")
    ]
    return [p for p in dict.fromkeys(course + repo) if p.exists()]


def grade_isolated(
    course_dir: Path,
    assignment: Assignment,
    bar: Progress,
    workers: int | None,
    logs: list[str],
    limits: dict,
    resume: bool = True,
    run_all: bool = False,
    allow_weak_isolation: bool = False,
) -> dict[str, dict]:
    """nbgrader sanitizes, the sandbox executes in parallel, we judge, nbgrader records.

    Each notebook runs up to its last graded cell: the cells after it (a notebook's closing
    real-world examples, the self-check) cannot change a grade, and their outputs in the
    feedback say they were not run; ``run_all`` runs them too. With ``resume``, a notebook
    whose sanitized cells were run before by the same grader code is not run again
    (:class:`Runs`).

    Returns per student: {"exercises": judged details, "status": a note when not all ran}.
    """
    cache = course_dir / CACHE / assignment.id
    shutil.rmtree(cache, ignore_errors=True)
    students = submitted_students(course_dir, assignment)
    shards = workers or default_workers()
    clock = time.perf_counter()
    env = {CACHE_ENV: str(cache)}
    bar.start("sanitize", len(students))
    nbgrader_shards(
        "autograde", assignment, course_dir, students, shards=shards, logs=logs,
        env={**env, "ITLM_AUTOGRADE_PHASE": "export"}, extra=("--create", "--force"),
        done=AUTOGRADING, progress=bar,
    )  # fmt: skip
    bar.finish(f"{len(students)} submissions checked against the gradebook by nbgrader")
    TIMING["nbgrader sanitize"] = time.perf_counter() - clock
    clock = time.perf_counter()
    notebook = assignment.notebook.removesuffix(".ipynb")
    sanitized = {}
    for path in sorted((cache / "sanitized").glob(f"*/{notebook}.ipynb")):
        sanitized[path.parent.name] = json.loads(path.read_text())
    limits = {"seconds": NOTEBOOK_SECONDS, **limits}
    released = _optional_sources(course_dir / "release" / assignment.id / assignment.notebook)
    jobs = []
    for student, nb in sanitized.items():
        job = {"id": student, "cells": nb["cells"], **limits}
        last = _last_graded_cell(nb["cells"])
        if not run_all and last is not None:
            job["until"] = last  # what follows cannot change a grade
            job["optional"] = _optional_as_released(nb["cells"][:last], released)
        jobs.append(job)
    runs = Runs(course_dir / CACHE / f"{assignment.id}-runs", limits)
    details: dict[str, dict] = {}
    modes: set[str] = set()

    def judge(job: dict, execution: Execution) -> None:
        judgement = judge_execution(assignment, sanitized[execution.id], execution)
        if "until" in job and execution.finished:
            for cell in judgement.notebook["cells"][job["until"] + 1 :]:
                if cell.get("cell_type") == "code":
                    cell["outputs"] = [NOT_RUN_AFTER_LAST_GRADED]
        save(judgement, cache_path("executed", execution.id, notebook, cache))
        skipped = job.get("skip", [])
        status = (
            f"graded; cell {', '.join(map(str, skipped))} stopped the notebook: skipped"
            if skipped
            else (
                "graded as far as it ran: " + "; ".join(judgement.problems)
                if judgement.problems
                else ""
            )
        )
        exercises = judgement.details()
        for detail in exercises.values():  # the details file says how each was run
            detail["isolation"] = execution.isolation
        details[execution.id] = {
            "exercises": exercises,
            "status": status,
            "isolation": execution.isolation,
            "flags": [execution.violation] if execution.violation else [],
        }
        modes.add(execution.isolation)

    bar.start("sandbox", len(sanitized))
    if resume:  # runs of an earlier, perhaps interrupted, grading of the same notebooks
        for job in list(jobs):
            stored = runs.load(job)
            if stored is not None:
                execution, skip = stored
                judge({**job, "skip": skip}, execution)
                jobs.remove(job)
                bar.advance(job["id"], "unchanged since the last run")
    reused = len(details)
    with Pool(workers, hide=hidden_paths(course_dir)) if jobs else _no_pool() as pool:
        if jobs and pool.isolation != FULL and not allow_weak_isolation:
            raise WeakIsolation(_weak_message(pool.isolation, pool.isolation_reason))
        attempts: dict[str, int] = {}
        while jobs:
            retry = []
            for execution in pool.run(jobs):
                job = next(j for j in jobs if j["id"] == execution.id)
                if job.get("optional") and _missed_a_name(execution):
                    # A cell read a name that only a skipped "Going further" cell defines
                    # (a solution may use one): run the notebook again, every cell.
                    retry.append({**job, "optional": []})
                    bar.note(f"  {execution.id}: a skipped optional cell was needed; run all")
                    continue
                culprit = None if execution.violation else _culprit(job, execution)
                if culprit is not None and attempts.get(execution.id, 0) < MAX_RETRIES:
                    # The process died in one cell (os._exit, a crash, a hang): run the notebook
                    # again without that cell, so the rest can still be graded.
                    attempts[execution.id] = attempts.get(execution.id, 0) + 1
                    retry.append({**job, "skip": [*job.get("skip", []), culprit]})
                    bar.note(f"  {execution.id}: cell {culprit} stopped it; run again without it")
                    continue
                judge(job, execution)
                runs.store(job, execution)  # as soon as it is judged: an interruption keeps it
                bar.advance(execution.id, f"{execution.seconds:.1f} s")
            jobs = retry
        again = f", {reused} unchanged since the last run" if reused else ""
        bar.finish(
            f"{len(details)} notebooks run and judged{again}, {pool.workers} workers,"
            f" isolation: {', '.join(sorted(modes)) or 'none'}"
        )
    TIMING["sandbox and judging"] = time.perf_counter() - clock
    clock = time.perf_counter()
    bar.start("record", len(students))
    nbgrader_shards(
        "autograde", assignment, course_dir, students, shards=shards, logs=logs,
        env={**env, "ITLM_AUTOGRADE_PHASE": "cached"}, extra=("--force",),
        done=AUTOGRADING, progress=bar,
    )  # fmt: skip
    bar.finish(f"{len(students)} submissions' scores saved in the gradebook by nbgrader")
    TIMING["nbgrader record"] = time.perf_counter() - clock
    return details


class WeakIsolation(RuntimeError):
    """Grading would run student code with less than full isolation, and that was not
    allowed (``allow_weak_isolation`` / ``--allow-weak-isolation``)."""


def check_isolation(
    course_dir: Path, isolated: bool, allow_weak: bool, say: Callable[[str], None]
) -> str:
    """Find and state the isolation student code will run under; refuse below "full"
    unless ``allow_weak``. Returns the level."""
    if isolated:
        level, reason = probe_isolation(hidden_paths(course_dir))
    else:
        level, reason = NONE, "--plain"
    say(f"isolation: {DESCRIPTIONS[level]}" + (f"; because {reason}" if reason else ""))
    if level != FULL:
        if not allow_weak:
            raise WeakIsolation(_weak_message(level, reason))
        say(f"WARNING: grading with {level} isolation, as allowed by --allow-weak-isolation")
    return level


def _weak_message(level: str, reason: str) -> str:
    return (
        f"refusing to grade: isolation would be {DESCRIPTIONS.get(level, level)}"
        + (f" ({reason})" if reason else "")
        + ". Full isolation needs Linux with user namespaces (or root). To grade anyway, "
        "knowing a student's code could read your files and the reference solutions, pass "
        "--allow-weak-isolation; every grade then records the level (README: Isolation)."
    )


def _isolation_summary(students: list[StudentGrade]) -> str:
    """ "full" when every run submission had it; otherwise how many had each level."""
    levels = Counter(s.isolation for s in students if s.isolation)
    if len(levels) <= 1:
        return next(iter(levels), "none run")
    return ", ".join(f"{level}: {n}" for level, n in sorted(levels.items()))


class _no_pool:
    """Stands in for :class:`Pool` when every notebook was run before (nothing to start)."""

    workers = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


class Runs:
    """Finished sandbox runs of one assignment, kept to resume an interrupted grading.

    ``COURSE/.itlm-cache/<id>-runs/<student>.json`` holds a run's outputs and the cells it
    skipped, under a key: a hash of the sanitized notebook's cells, the limits, the last
    cell run, and the grader's own code (``autograder/``, ``solutions/``, ``course/``).
    Grading again reuses a run whose key is unchanged (its outputs are judged again), and
    runs everything else: a changed submission, a late one, or every one after the checks
    or the reference changed.
    """

    def __init__(self, folder: Path, limits: dict):
        self.folder = folder
        self.limits = limits

    def key(self, job: dict) -> str:
        digest = hashlib.sha256(_code_version().encode())
        # What a run depends on: each cell's type, source and nbgrader metadata (not its
        # id, which nbformat draws at random for a cell that has none, on every sanitize).
        cells = [
            (c.get("cell_type"), c.get("source"), c.get("metadata", {}).get("nbgrader"))
            for c in job["cells"]
        ]
        what = [cells, self.limits, job.get("until"), job.get("optional", [])]
        digest.update(json.dumps(what, sort_keys=True).encode())
        return digest.hexdigest()

    def load(self, job: dict):
        """``(Execution, skipped cells)`` of an earlier run of this very job, or None."""
        try:
            stored = json.loads((self.folder / f"{job['id']}.json").read_text())
            if stored["key"] != self.key(job):
                return None
            data = stored["execution"]
            data["cells"] = {int(index): cell for index, cell in data["cells"].items()}
            return Execution(**data), list(stored["skip"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store(self, job: dict, execution: Execution) -> None:
        """Keep a run that ended normally; one that did not (a timeout, a crash, a broken
        protocol) is never kept as good: grading again runs it again."""
        if not (execution.finished and execution.exit == "ok" and not execution.violation):
            (self.folder / f"{job['id']}.json").unlink(missing_ok=True)
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        record = {"key": self.key(job), "skip": job.get("skip", []), "execution": asdict(execution)}
        partial = self.folder / f"{job['id']}.json.partial"
        partial.write_text(json.dumps(record))
        partial.replace(self.folder / f"{job['id']}.json")


@functools.cache
def _code_version() -> str:
    """A hash of the code that decides grades: a change re-runs every notebook."""
    digest = hashlib.sha256(sys.version.encode())
    for package in ("autograder", "solutions", "course"):  # code and data (the corpus)
        for path in sorted((REPO / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


NOT_RUN_AFTER_LAST_GRADED = {
    "output_type": "stream",
    "name": "stdout",
    "text": "(not run while grading: it comes after the last graded cell, so it cannot "
    "change your grade)\n",
}


def _optional_sources(release: Path) -> frozenset[str]:
    """The text of each code cell of the release's "Going further" sections (none that is
    also the text of a core cell); empty when the release cannot be read."""
    try:
        cells = json.loads(release.read_text())["cells"]
        flags = optional_cells(cells)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return frozenset()
    code = [
        (cell_text(c), o) for c, o in zip(cells, flags, strict=True) if c.get("cell_type") == "code"
    ]
    core = {text for text, optional in code if not optional}
    return frozenset(text for text, optional in code if optional and text.strip()) - core


def _optional_as_released(cells: list, released: frozenset[str]) -> list[int]:
    """The code cells a grading run may skip: "Going further" cells the student left exactly
    as released. Nothing graded reads what they define (``tests/test_going_further.py``); a
    cell the student wrote or changed always runs, and a run that then misses a name is run
    again in full (:func:`_missed_a_name`)."""
    return [
        index
        for index, cell in enumerate(cells)
        if isinstance(cell, dict)
        and cell.get("cell_type") == "code"
        and not cell.get("metadata", {}).get("nbgrader", {}).get("grade")
        and not cell.get("metadata", {}).get("nbgrader", {}).get("solution")
        and cell_text(cell) in released
    ]


NAME_ERRORS = {"NameError", "UnboundLocalError"}


def _missed_a_name(execution) -> bool:
    """Whether a cell, or a student's function called by a hidden check, raised NameError."""
    for ran in execution.cells.values():
        for output in ran.get("outputs", []):
            if output.get("output_type") == "error" and output.get("ename") in NAME_ERRORS:
                return True
        for record in ran.get("records", []):
            try:
                groups = decode(record.get("record", {})).get("outcomes", [])
                if any(
                    set(item.get("error_types", ())) & NAME_ERRORS
                    for group in groups
                    for item in group
                ):
                    return True
            except Exception:  # noqa: BLE001 - a malformed record is judged (and flagged) later
                continue
    return False


def _last_graded_cell(cells: list) -> int | None:
    """The index of the last cell nbgrader grades (a test cell, or a manually graded one)."""
    graded = [
        i
        for i, cell in enumerate(cells)
        if isinstance(cell, dict) and cell.get("metadata", {}).get("nbgrader", {}).get("grade")
    ]
    return max(graded, default=None)


def _culprit(job: dict, execution) -> int | None:
    """The code cell that stopped the process, when it did not finish."""
    if execution.finished:
        return None
    cells = job["cells"]
    after = execution.last_cell
    end = job.get("until", len(cells) - 1) + 1
    passed = {*job.get("skip", []), *job.get("optional", [])}  # cells that never ran
    for index in range(after + 1, end):
        if cells[index].get("cell_type") == "code" and index not in passed:
            return index
    return None


def scan_submission(submission: Path, release: Path) -> list[str]:
    """Static-scan findings of one submitted notebook (an unreadable one says so)."""
    if not _regular_file(submission):
        return []  # nothing to scan (the intake says why); a link is never followed
    try:
        return [str(f) for f in scan_file(submission, release if release.exists() else None)]
    except Exception as error:  # noqa: BLE001 - a scan never stops the class
        return [f"could not be scanned: {printable(error, newlines=False)}"]


def read_grades(course_dir: Path, assignment: Assignment) -> list[StudentGrade]:
    """Per-exercise scores from nbgrader's gradebook (manual overrides included)."""
    out = []
    rejected = rejected_students(course_dir, assignment)
    for student, reason in rejected.items():
        row = StudentGrade(student, {e.name: None for e in assignment.exercises}, status=reason)
        out.append(row)
    with Gradebook(db_url(course_dir)) as gb:
        for student in submitted_students(course_dir, assignment):
            row = StudentGrade(student)
            try:
                notebook = gb.find_submission_notebook(
                    assignment.notebook[: -len(".ipynb")], assignment.id, student
                )
            except MissingEntry:
                row.status = "not graded: no autograded notebook (see nbgrader's log)"
                row.scores = {e.name: None for e in assignment.exercises}
                out.append(row)
                continue
            by_id = {g.name: g.score for g in notebook.grades}
            for exercise in assignment.exercises:
                score = by_id.get(exercise.test_id)
                row.scores[exercise.name] = None if score is None else float(score)
            row.total = sum(s for s in row.scores.values() if s is not None)
            out.append(row)
    return sorted(out, key=lambda row: row.student)


def write_csv(path: Path, assignment: Assignment, students: list[StudentGrade]) -> Path:
    """One row per student. ``student_id`` is the student's folder name (a name the gradebook
    keeps percent-encoded, :mod:`autograder.quoting`, shown as it was); no cell starts like
    a spreadsheet formula (:func:`~autograder.quoting.csv_cell`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [e.name for e in assignment.exercises]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["student_id", *names, "total", "max_points", "status", "flags", "isolation"]
        )
        for s in students:
            cells = ["" if s.scores.get(n) is None else f"{s.scores[n]:g}" for n in names]
            total, most = f"{s.total:g}", f"{assignment.total_points:g}"
            row = [
                display_id(s.student),
                *cells,
                total,
                most,
                s.status,
                " | ".join(s.flags),
                s.isolation,
            ]
            writer.writerow([csv_cell(printable(cell, newlines=False)) for cell in row])
    return path


def format_table(grades: AssignmentGrades, expected: dict[str, str] | None = None) -> str:
    """A plain-text grade table: one row per student, one column per exercise."""
    assignment = grades.assignment
    names = [e.name for e in assignment.exercises]
    headers = ["student", *[_abbrev(n) for n in names], "total"]
    rows = []
    for s in grades.students:
        cells = ["-" if s.scores.get(n) is None else f"{s.scores[n]:g}" for n in names]
        rows.append([display_id(s.student), *cells, f"{s.total:g}/{assignment.total_points:g}"])
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for s, r in zip(grades.students, rows, strict=True):
        line = "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        if s.flags:
            line += f"  ⚑ {len(s.flags)} flag{'s' if len(s.flags) > 1 else ''}"
        if s.status != "graded":
            line += f"  ({printable(s.status, newlines=False)})"
        if expected and s.student in expected:
            line += f"  {expected[s.student]}"
        lines.append(line)
    legend = ", ".join(f"{_abbrev(n)}={n}" for n in names if _abbrev(n) != n)
    if legend:
        lines.append(f"({legend})")
    flagged = [s for s in grades.students if s.flags]
    if flagged:
        lines.append("\nFlagged for review (static scan; grades unchanged):")
        for s in flagged:
            lines.extend(
                f"  {display_id(s.student)}: {printable(flag, newlines=False)}"
                for flag in s.flags[:5]
            )
    return "\n".join(lines)


def _abbrev(name: str, width: int = 10) -> str:
    if len(name) <= width:
        return name
    parts = name.split("_")
    return "_".join(p[:3] for p in parts)[:width]

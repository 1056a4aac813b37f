"""Build the student release with nbgrader, and the student bundle.

    python -m autograder release          # source/ -> release/ and dist/itlm-student-bundle.zip

Steps:
1. check that every solution cell equals its reference function (``sync --check``);
2. ``nbgrader generate_assignment`` for each assignment, in a scratch copy of the course
   folder, so the instructor's gradebook is never touched by a rebuild;
3. copy the generated notebooks into ``release/`` with their outputs cleared;
4. zip the release notebooks, the ``course`` package and a student environment into the
   bundle (no ``solutions/``, no ``autograder/``, no hidden tests).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from autograder.assignments import REPO, Assignment, built_assignments
from autograder.notebook import clear_outputs, read, sync, write

BUNDLE_NAME = "itlm-student-bundle"

STUDENT_PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "itlm-course-student"
version = "0.1.0"
description = "Information Theory for Language Models: student notebooks and helpers"
requires-python = ">=3.11,<3.14"
dependencies = [
    "numpy>=1.26,<3", "scipy>=1.11,<2", "matplotlib>=3.8,<4", "torch>=2.2,<=2.14.1",
    "jupyterlab>=4.2,<4.5", "notebook>=7.2,<8", "nbgrader==0.9.*",
]

[tool.setuptools.packages.find]
include = ["course*"]

[tool.setuptools.package-data]
course = ["data/*.md", "data/*.py", "data/shakespeare/*.txt", "data/selfcheck/*.json"]
"""

STUDENT_README = """\
# Information Theory for Language Models: student notebooks

Set up once (Python 3.11):

    python3 -m venv .venv && . .venv/bin/activate
    pip install "torch>=2.2,<=2.14.1"   # the CPU build of PyTorch is enough
    pip install -e .
    jupyter lab

Open `release/01-entropy/01-entropy.ipynb`, run the setup cell, read, run the examples, and
write each exercise's body where it says `YOUR CODE HERE`. The test cell right after each
exercise checks your work; more tests run when your instructor grades it. In JupyterLab,
the nbgrader toolbar's "Validate" button runs every test cell at once.

Check yourself at any time, without an instructor:

    python -m course.selfcheck release/01-entropy/01-entropy.ipynb

runs a copy of your notebook in a fresh kernel (your file is never changed) and shows, per
exercise, whether it passes, fails (with an input, what was expected, what came back, and the
name of a classic mistake with how to fix it) or is not attempted yet. In a notebook, put
`from course.selfcheck import self_check; self_check()` in a cell at the end. These are public
cases: your graded score uses more (hidden) ones.
"""


def tool_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for nbgrader subprocesses: this interpreter's scripts first on PATH
    (nbgrader runs ``alembic`` by name, which fails in a venv that was not activated)."""
    env = {**os.environ, **(extra or {})}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def nbgrader(
    *args: str,
    cwd: Path,
    check: bool = True,
    on_line: Callable[[str], None] | None = None,
    env: dict[str, str] | None = None,
    stock: bool = False,
) -> subprocess.CompletedProcess:
    """Run an nbgrader command in a course folder (``check``: raise with its log on failure).

    Its log (stdout and stderr together) is returned as ``stdout``; ``on_line`` sees each
    line as it comes, for progress reports. It runs through :mod:`autograder.nbgrader_cli`
    (the same nbgrader, started sooner), or with ``stock`` as ``python -m nbgrader``.
    """
    entry = "nbgrader" if stock else "autograder.nbgrader_cli"
    command = [sys.executable, "-m", entry, *args]
    with subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=tool_env(env),
    ) as running:
        lines = []
        for line in running.stdout:
            lines.append(line)
            if on_line is not None:
                on_line(line)
        returncode = running.wait()
    proc = subprocess.CompletedProcess(command, returncode, "".join(lines), "")
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"nbgrader {' '.join(args)} failed in {cwd}:\n"
            f"{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
        )
    return proc


def prepare_course_dir(course_dir: Path, assignments: list[Assignment]) -> None:
    """A course folder for nbgrader: our config and a copy of each assignment's source."""
    course_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "nbgrader_config.py", course_dir / "nbgrader_config.py")
    for assignment in assignments:
        target = course_dir / "source" / assignment.id
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(assignment.source_path.parent, target, ignore=_ignore_scratch)


def _ignore_scratch(directory, names):
    return [n for n in names if n in {".ipynb_checkpoints", "__pycache__"}]


def generate(course_dir: Path, assignment: Assignment) -> Path:
    """``nbgrader generate_assignment`` (also records the assignment in the gradebook)."""
    nbgrader("generate_assignment", assignment.id, "--force", cwd=course_dir)
    return course_dir / "release" / assignment.id


def build_release(
    out: Path = REPO / "release", assignments: list[Assignment] | None = None
) -> list[Path]:
    """Regenerate ``out/<id>/`` for every assignment; returns the notebooks written."""
    assignments = built_assignments() if assignments is None else assignments
    for assignment in assignments:
        stale = sync(assignment, check_only=True)
        if stale:
            raise RuntimeError(
                f"{assignment.id}: solution cells differ from solutions/ for {', '.join(stale)}; "
                "run `python -m autograder sync` first"
            )
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        prepare_course_dir(course, assignments)
        for assignment in assignments:
            generated = generate(course, assignment)
            target = out / assignment.id
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(generated, target)
            notebook = target / assignment.notebook
            nb = read(notebook)
            clear_outputs(nb)
            write(nb, notebook)
            written.append(notebook)
    return written


def build_bundle(release_dir: Path = REPO / "release", dist: Path = REPO / "dist") -> Path:
    """Zip what a student needs: release notebooks, ``course/``, environment, README."""
    dist.mkdir(parents=True, exist_ok=True)
    path = dist / f"{BUNDLE_NAME}.zip"
    root = Path(BUNDLE_NAME)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(release_dir.rglob("*")):
            if file.is_file() and ".ipynb_checkpoints" not in file.parts:
                zf.write(file, root / "release" / file.relative_to(release_dir))
        for file in sorted((REPO / "course").rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                zf.write(file, root / "course" / file.relative_to(REPO / "course"))
        zf.writestr(str(root / "pyproject.toml"), STUDENT_PYPROJECT)
        zf.writestr(str(root / "README.md"), STUDENT_README)
        zf.write(REPO / "environment.yml", root / "environment.yml")
    return path

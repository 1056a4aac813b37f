"""The course site: the whole course as a static website, built offline with Sphinx.

    python -m autograder.site                  # -> build/site/index.html
    python -m autograder.site --serve 8000     # build, then serve it on http://127.0.0.1:8000/

The site has a landing page (the sequence of notebooks with their topics, times, points and
learning objectives, and the downloads), one page per notebook in its student version with
its figures and math, and the downloads: each student notebook (``release/``), the student
bundle (notebooks + the ``course`` package, as ``make release`` zips it) and the student
handouts (PDF on A4 and Letter, HTML). It never shows a solution or a hidden test.

Steps:

1. the executed instructor notebooks, from the handouts' cache (``build/executed/``), turned
   into student notebooks (nbgrader's own ``ClearSolutions``; outputs of the worked examples
   kept, those of solution and test cells dropped);
2. the student handouts (``autograder.handouts``; PDFs reprinted only when out of date);
3. a Sphinx project staged in ``build/site-src/``: ``site/conf.py`` and ``site/_static/``,
   MathJax 2.7, the landing page generated from the registry, ``docs/COURSE.md`` and each
   notebook's opening cell, the student notebooks, and the downloads;
4. ``sphinx-build -b html`` (MyST-NB reads the notebooks, sphinx-book-theme lays them out)
   into ``build/site/``.

Why Sphinx and not Jupyter Book 2: Jupyter Book 2 (mystmd) downloads its site theme from the
internet at build time, which fails on a closed network; Sphinx with MyST-NB and
sphinx-book-theme, the engine of Jupyter Book 1, builds from PyPI packages alone.
"""

from __future__ import annotations

import argparse
import functools
import html
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.assignments import ASSIGNMENTS, REPO, Assignment, built_assignments
from autograder.handouts import (
    BUILD,
    COURSE_TITLE,
    EXECUTED,
    HANDOUTS,
    Handout,
    build_handouts,
    copy_mathjax,
    execute_all,
    handout_notebook,
    render_html,
    student_notebook,
)

SITE = BUILD / "site"
STAGE = BUILD / "site-src"
CONFIG = REPO / "site"  # conf.py and _static/
COURSE_MD = REPO / "docs" / "COURSE.md"
README = REPO / "README.md"
BUNDLE = "itlm-student-bundle.zip"


def _log(message: str) -> None:
    print(message, flush=True)


# --- What the landing page says, read from the course's own files ----------------------------


@dataclass(frozen=True)
class Overview:
    """What a notebook's opening cell says about it."""

    intro: str  # the paragraphs between the subtitle and the learning objectives (Markdown)
    objectives: list[str]  # one Markdown item each
    prerequisites: str  # Markdown, without its bold lead


def notebook_overview(nb) -> Overview:
    """Read the intro, learning objectives and prerequisites from a notebook's first cell.

    Every notebook opens with a title, an italic subtitle, an introduction, then
    ``**Learning objectives.** By the end you can`` and a list, then ``**Prerequisites.**``.
    """
    text = nb.cells[0].source
    objectives_at = text.find("**Learning objectives.**")
    prerequisites_at = text.find("**Prerequisites.**")
    if objectives_at < 0 or prerequisites_at < objectives_at:
        raise ValueError(
            "the notebook's first cell has no '**Learning objectives.**' list followed by "
            "'**Prerequisites.**' (see COURSE.md: 'What every notebook contains')"
        )
    head = text[:objectives_at].strip().split("\n\n")
    intro = "\n\n".join(
        block for block in head if not block.startswith(("#", "*Information Theory"))
    )
    listing = text[objectives_at:prerequisites_at].split("\n", 1)[-1]
    objectives = [
        " ".join(item.split())
        for item in re.split(r"^- ", listing, flags=re.MULTILINE)[1:]
        if item.strip()
    ]
    prerequisites = text[prerequisites_at:].split("\n\n", 1)[0]
    prerequisites = prerequisites.removeprefix("**Prerequisites.**").strip()
    return Overview(intro, objectives, " ".join(prerequisites.split()))


def course_sequence(path: Path = COURSE_MD) -> dict[str, tuple[str, int]]:
    """``{assignment id: (topic, minutes)}`` from the Sequence table of COURSE.md."""
    row = r"^\|\s*\d+\s*\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|\s*(\d+)\s*\|"
    rows = re.findall(row, path.read_text(), re.MULTILINE)
    return {assignment_id: (topic, int(minutes)) for assignment_id, topic, minutes in rows}


def readme_intro(path: Path = README) -> list[str]:
    """The README's opening paragraphs (what the course is and who it is for)."""
    blocks = path.read_text().split("\n\n")
    paragraphs = []
    for block in blocks[1:]:
        if block.startswith("#"):
            break
        paragraphs.append(" ".join(block.split()))
    return paragraphs


# --- Pages ------------------------------------------------------------------------------------


def _downloads(assignment_id: str, prefix: str) -> str:
    """The download links of one notebook, as HTML, relative to a page at ``prefix``."""
    links = [
        (f"{prefix}downloads/{assignment_id}.ipynb", "notebook (.ipynb)", True),
        (f"{prefix}handouts/{assignment_id}.pdf", "handout PDF (A4)", False),
        (f"{prefix}handouts/{assignment_id}-letter.pdf", "PDF (Letter)", False),
        (f"{prefix}handouts/{assignment_id}.html", "HTML", False),
    ]
    return " · ".join(
        f'<a class="reference download" href="{html.escape(url)}"'
        + (" download" if download else "")
        + f">{html.escape(label)}</a>"
        for url, label, download in links
    )


def landing_page(assignments: list[Assignment], overviews: dict[str, Overview]) -> str:
    """The Markdown (MyST) of ``index.md``: the sequence, objectives and downloads."""
    sequence = course_sequence()
    position = {a: i for i, a in enumerate(ASSIGNMENTS, 1)}
    total_minutes = sum(sequence.get(a.id, ("", 0))[1] for a in assignments)
    rows = []
    for assignment in assignments:
        topic, minutes = sequence.get(assignment.id, ("", 0))
        rows.append(
            "<tr>"
            f'<td class="itlm-num">{position[assignment.id]}</td>'
            f'<td><a class="reference internal" href="notebooks/{assignment.id}.html">'
            f"{html.escape(assignment.title)}</a><br><code>{assignment.id}</code></td>"
            f"<td>{html.escape(topic)}</td>"
            f'<td class="itlm-num">{minutes} min</td>'
            f'<td class="itlm-num">{len(assignment.exercises)} · {assignment.total_points:g} pts'
            "</td>"
            f'<td class="itlm-downloads">{_downloads(assignment.id, "")}</td>'
            "</tr>"
        )
    table = (
        '<table class="itlm-sequence">\n<thead><tr><th>#</th><th>notebook</th><th>topics</th>'
        "<th>time</th><th>exercises · points</th><th>downloads</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )
    lines = [f"# {COURSE_TITLE}", ""]
    for paragraph in readme_intro():
        lines += [paragraph, ""]
    lines += [
        "## The sequence",
        "",
        f"{len(assignments)} notebooks, about {total_minutes / 60:.0f} hours in all. Each one is"
        " self-contained: it states its objectives and prerequisites, explains with worked"
        " examples and figures, and asks you to implement a few functions, each checked by"
        " visible tests right after it.",
        "",
        table,
        "",
        "- **Students and self-paced learners**: download "
        f'<a class="reference download" href="downloads/{BUNDLE}" download>the student bundle'
        "</a> (every notebook, the `course` package they import and its data, and how to"
        " install them), open a notebook in JupyterLab, and write each exercise's body where"
        " it says `# YOUR CODE HERE`. The pages of this site show the notebooks as you get"
        " them, with the worked examples already run.",
        "- **Workshop leaders**: print the student handout of a notebook (A4 or US Letter):"
        " the explanations, worked examples and figures, and each exercise with an empty box"
        " to write the answer in.",
        "",
        "## Learning objectives",
        "",
    ]
    for assignment in assignments:
        overview = overviews[assignment.id]
        topic, minutes = sequence.get(assignment.id, ("", 0))
        lines += [
            f"### {position[assignment.id]} · {assignment.title}",
            "",
            f"*About {minutes} minutes · {len(assignment.exercises)} exercises,"
            f" {assignment.total_points:g} points ·"
            f" [read it online](notebooks/{assignment.id}.ipynb)*",
            "",
            overview.intro,
            "",
            "**By the end you can**",
            "",
            *[f"- {item}" for item in overview.objectives],
            "",
            f"**Prerequisites.** {overview.prerequisites}",
            "",
        ]
    lines += [
        "```{toctree}",
        ":hidden:",
        ":caption: Notebooks",
        "",
        *[f"notebooks/{a.id}" for a in assignments],
        "```",
        "",
    ]
    return "\n".join(lines)


def site_notebook(executed, assignment: Assignment):
    """The page of one notebook: its student version, with a download bar after the intro."""
    nb = student_notebook(executed)
    bar = nbformat.v4.new_markdown_cell(
        f'<div class="itlm-download-bar"><strong>Download</strong> {assignment.id}: '
        f"{_downloads(assignment.id, '../')}</div>"
    )
    bar.id = "itlm-downloads"
    nb.cells.insert(1, bar)
    nb.metadata.pop("title", None)
    for cell in nb.cells:
        _describe_images(cell)
    return nb


def _describe_images(cell) -> None:
    """Give MyST-NB the figure's description: it reads an image's ``alt`` from the cell's
    ``mystnb.image`` options, not from the output (where the handouts' nbconvert reads it)."""
    alts = [
        output.get("metadata", {}).get("image/png", {}).get("alt")
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    alts = [alt for alt in alts if alt]
    if alts:
        options = cell.metadata.setdefault("mystnb", {}).setdefault("image", {})
        options["alt"] = " ".join(alts)  # one figure per cell in the course; all of them if more


def _write_if_changed(path: Path, data: str | bytes) -> None:
    """Write only if the content differs (Sphinx then rebuilds only what changed)."""
    data = data.encode() if isinstance(data, str) else data
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _copy_if_changed(src: Path, dest: Path) -> None:
    _write_if_changed(dest, src.read_bytes())


# --- The build --------------------------------------------------------------------------------


def stage_site(
    stage: Path = STAGE,
    handouts: Path = HANDOUTS,
    cache: Path = EXECUTED,
    jobs: int = 2,
    pdf: bool = True,
    log: Callable[[str], None] = _log,
) -> list[Assignment]:
    """Write the Sphinx project into ``stage``; returns the assignments it holds."""
    from autograder.release import build_bundle

    assignments = built_assignments()
    build_handouts(
        assignments, out=handouts, kinds=("student",), pdf=pdf, jobs=jobs, cache=cache, log=log
    )
    executed = execute_all(assignments, cache, jobs=jobs, log=lambda _: None)
    log(f"staging the Sphinx project in {stage}")
    stage.mkdir(parents=True, exist_ok=True)
    _copy_if_changed(CONFIG / "conf.py", stage / "conf.py")
    for file in sorted((CONFIG / "_static").rglob("*")):
        if file.is_file():
            _copy_if_changed(file, stage / "_static" / file.relative_to(CONFIG / "_static"))
    copy_mathjax(stage / "_static" / "mathjax")

    extra = stage / "_extra"
    overviews = {}
    for assignment in assignments:
        nb = site_notebook(executed[assignment.id], assignment)
        overviews[assignment.id] = notebook_overview(nb)
        _write_if_changed(stage / "notebooks" / assignment.notebook, nbformat.writes(nb) + "\n")
        release = REPO / "release" / assignment.id / assignment.notebook
        if not release.exists():
            raise RuntimeError(f"{release} is missing: run `python -m autograder release`")
        _copy_if_changed(release, extra / "downloads" / assignment.notebook)
        # The student handout: PDFs as printed, the HTML page rendered for the site's MathJax.
        handout = Handout(handouts, "student", assignment.id)
        for paper in ("A4", "Letter"):
            if handout.pdf(paper).exists():
                _copy_if_changed(handout.pdf(paper), extra / "handouts" / handout.pdf(paper).name)
        page = render_html(
            handout_notebook(executed[assignment.id], "student"),
            assignment,
            "student",
            "../_static/mathjax",
        )
        _write_if_changed(extra / "handouts" / f"{assignment.id}.html", page)
    with tempfile.TemporaryDirectory(prefix="itlm-bundle-") as scratch:
        bundle = build_bundle(REPO / "release", Path(scratch))
        _copy_if_changed(bundle, extra / "downloads" / BUNDLE)
    _write_if_changed(stage / "index.md", landing_page(assignments, overviews))
    return assignments


def run_sphinx(stage: Path = STAGE, out: Path = SITE, strict: bool = False) -> list[str]:
    """``sphinx-build -b html`` in a subprocess; returns its warnings (raises if ``strict``)."""
    warnings_file = stage / ".sphinx-warnings.log"
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-q",
        "--keep-going",
        "-d",
        str(stage / ".doctrees"),
        "-w",
        str(warnings_file),
        str(stage),
        str(out),
    ]
    proc = subprocess.run(command, capture_output=True, text=True)
    warnings = [line for line in warnings_file.read_text().splitlines() if line.strip()]
    if proc.returncode != 0:
        raise RuntimeError(
            f"sphinx-build failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}"
            f"{proc.stderr[-3000:]}"
        )
    if strict and warnings:
        raise RuntimeError("sphinx-build warned:\n" + "\n".join(warnings))
    return warnings


def build_site(
    out: Path = SITE,
    stage: Path = STAGE,
    handouts: Path = HANDOUTS,
    cache: Path = EXECUTED,
    jobs: int = 2,
    pdf: bool = True,
    strict: bool = False,
    log: Callable[[str], None] = _log,
) -> Path:
    """Build the site into ``out``; returns its ``index.html``."""
    start = time.perf_counter()
    stage_site(stage, handouts, cache, jobs=jobs, pdf=pdf, log=log)
    log("building the site with Sphinx (MyST-NB, sphinx-book-theme)")
    for warning in run_sphinx(stage, out, strict=strict):
        log(f"  warning: {warning}")
    index = out / "index.html"
    log(f"site: {index} ({time.perf_counter() - start:.1f} s)")
    return index


def serve(folder: Path, port: int) -> None:
    """Serve ``folder`` on http://127.0.0.1:port/ until Ctrl-C."""
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    with ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"serving {folder} on http://127.0.0.1:{server.server_port}/ (Ctrl-C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.site",
        description="Build the course's static website (Sphinx, MyST-NB, sphinx-book-theme).",
    )
    parser.add_argument("--out", type=Path, default=SITE, help="output folder (%(default)s)")
    parser.add_argument("--jobs", type=int, default=2, help="kernels at a time (%(default)s)")
    parser.add_argument(
        "--no-pdf", action="store_true", help="don't print the handout PDFs (no Chromium)"
    )
    parser.add_argument("--strict", action="store_true", help="fail on any Sphinx warning")
    parser.add_argument("--serve", type=int, metavar="PORT", help="then serve it on this port")
    args = parser.parse_args(argv)
    try:
        build_site(args.out, jobs=args.jobs, pdf=not args.no_pdf, strict=args.strict)
    except (RuntimeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.serve is not None:
        serve(args.out, args.serve)
    return 0


if __name__ == "__main__":
    sys.exit(main())

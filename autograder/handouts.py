"""Printable workshop handouts: a student handout and an instructor key for every notebook.

    python -m autograder.handouts                      # every notebook -> build/handouts/
    python -m autograder.handouts 04-kl-divergence     # one notebook
    python -m autograder.handouts --html-only          # no PDFs (no Chromium needed)

For each notebook ``<id>`` it writes::

    build/handouts/student/<id>.html          explanations, executed worked examples and figures,
    build/handouts/student/<id>.pdf           exercise prompts with empty answer boxes (A4)
    build/handouts/student/<id>-letter.pdf    the same on US Letter
    build/handouts/instructor/<id>.html       the same with the solutions and the visible
    build/handouts/instructor/<id>.pdf        tests' expected output, answers to the "check your
    build/handouts/instructor/<id>-letter.pdf understanding" questions unfolded
    build/handouts/mathjax/                   MathJax 2.7 (from jupyter-server-mathjax): math
                                              renders offline

Steps:

1. the instructor notebook: the source notebook (solutions in place) with its hidden tests
   removed by nbgrader's own ``ClearHiddenTests``, executed once with nbclient in a scratch
   folder, cached in ``build/executed/<id>.ipynb`` under a hash of the source folder, the
   reference module and ``course/`` (the site reuses it); each figure's image gets a text
   description (its title, axes and legend) as ``alt`` (``autograder.figures``);
2. the student notebook: the executed one through nbgrader's ``ClearSolutions`` with the
   course's ``nbgrader_config.py`` (so its cells are the release's), outputs of solution and
   test cells cleared; in the handout each solution cell keeps its signature and docstring,
   followed by a ruled answer box;
3. HTML with nbconvert's lab template: local MathJax, a print stylesheet, nothing from a CDN;
4. PDF printed by the system Chromium (Playwright), after MathJax has typeset every formula.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import html
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.assignments import (
    ASSIGNMENTS,
    REPO,
    Assignment,
    built_assignments,
    get_assignment,
)
from autograder.figures import PREAMBLE as FIGURE_PREAMBLE
from autograder.machine import usable_cpus
from autograder.notebook import BEGIN_SOLUTION, END_SOLUTION, read

BUILD = REPO / "build"
HANDOUTS = BUILD / "handouts"
EXECUTED = BUILD / "executed"
KINDS = ("student", "instructor")
# Paper name for Chromium -> suffix of the PDF's file name (A4 is the plain <id>.pdf).
PAPERS = {"A4": "", "Letter": "-letter"}
# Bump when the way notebooks are executed changes (it is part of the cache key).
EXECUTION_VERSION = "2: hidden tests cleared, retina PNG figures with a text description"
KERNEL_ARGS = [
    "--InlineBackend.figure_formats=retina",  # 2x PNGs: sharp in print
    # Before the first cell, not counted: each figure's PNG gets an ``alt`` (autograder.figures).
    f"--IPKernelApp.exec_lines={[FIGURE_PREAMBLE]!r}",
]
EXECUTION_TIMEOUT = 600  # seconds per cell

CHROMIUM_PACKAGE = "chromium"  # the Debian package that provides /usr/bin/chromium
# Flags for a closed network (the same as tests/browser/conftest.py).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# The parts of jupyter-server-mathjax's MathJax 2.7 that TeX input and HTML-CSS output use.
MATHJAX_PARTS = (
    "MathJax.js",
    "LICENSE",
    "config",
    "extensions",
    "fonts/HTML-CSS/STIX-Web/woff",
    "jax/element",
    "jax/input/TeX",
    "jax/output/HTML-CSS",
    "localization/en",
)
MATHJAX_QUERY = "?config=TeX-AMS-MML_HTMLorMML-full,Safe"
PAGE_MARGIN = {"top": "14mm", "bottom": "16mm", "left": "15mm", "right": "15mm"}
VIEWPORT = {"width": 700, "height": 1000}  # about the printable width of A4 and Letter, in CSS px
COURSE_TITLE = "Information Theory for Language Models"
SELF_CHECK_TAG = "self-check"  # the cell that runs course.selfcheck.self_check()


def _log(message: str) -> None:
    print(message, flush=True)


# --- 1. The instructor notebook, executed and cached ---------------------------------------


def _files_under(folder: Path) -> list[Path]:
    skip = {"__pycache__", ".ipynb_checkpoints"}
    return sorted(p for p in folder.rglob("*") if p.is_file() and not skip.intersection(p.parts))


def source_hash(assignment: Assignment) -> str:
    """A hash of everything the executed notebook depends on.

    The source folder (notebook and data), the reference module it was synced from, the
    ``course`` package it imports, the figure descriptions, and :data:`EXECUTION_VERSION`.
    """
    digest = hashlib.sha256(EXECUTION_VERSION.encode())
    files = [
        *_files_under(assignment.source_path.parent),
        REPO / "solutions" / f"{assignment.module}.py",
        *_files_under(REPO / "course"),
        REPO / "autograder" / "figures.py",
    ]
    for path in files:
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def nbgrader_config():
    """The course's ``nbgrader_config.py`` (its code stub is what the release shows)."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()


def instructor_notebook(assignment: Assignment):
    """The source notebook with its hidden tests removed (not executed)."""
    from nbgrader.preprocessors import ClearHiddenTests

    nb = read(assignment.source_path)
    nb, _ = ClearHiddenTests(config=nbgrader_config()).preprocess(nb, {})
    return nb


def _kernel_env(threads: int | None) -> dict[str, str]:
    """The kernel's environment: ``threads`` BLAS/OpenMP threads (None: the library default).

    Two kernels each running a two-thread SVD on two cores take longer than one after the
    other; with one thread each they take about as long as one kernel alone.
    """
    if threads is None:
        return dict(os.environ)  # not None: jupyter_client's provisioner reads env.get(...)
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    return {**os.environ, **dict.fromkeys(names, str(threads))}


def executed_notebook(
    assignment: Assignment, cache: Path = EXECUTED, force: bool = False, threads: int | None = None
):
    """The instructor notebook executed top to bottom, from the cache when it is up to date.

    Returns
    -------
    nb : NotebookNode
        With ``nb.metadata.itlm.source_hash`` and ``nb.metadata.itlm.seconds`` (execution time).
    """
    key = source_hash(assignment)
    path = cache / assignment.notebook
    if path.exists() and not force:
        cached = read(path)
        if cached.metadata.get("itlm", {}).get("source_hash") == key:
            return cached
    from nbclient import NotebookClient

    nb = instructor_notebook(assignment)
    cache.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"itlm-{assignment.id}-") as scratch:
        # A copy of the source folder, so that files a notebook writes never land in source/.
        workdir = Path(scratch) / assignment.id
        shutil.copytree(assignment.source_path.parent, workdir)
        log = cache / f"{assignment.id}.kernel.log"
        with log.open("w") as kernel_stderr:  # the kernel's own chatter, not cell output
            client = NotebookClient(
                nb,
                timeout=EXECUTION_TIMEOUT,
                kernel_name="python3",
                extra_arguments=KERNEL_ARGS,
                resources={"metadata": {"path": str(workdir)}},
            )
            try:
                client.execute(stderr=kernel_stderr, env=_kernel_env(threads))
            except Exception as error:
                raise RuntimeError(
                    f"{assignment.id}: the instructor notebook failed to run "
                    f"(source/{assignment.id}/{assignment.notebook}, hidden tests removed):\n"
                    f"{error}"
                ) from error
    nb.metadata["itlm"] = {"source_hash": key, "seconds": round(time.perf_counter() - start, 1)}
    partial = path.with_suffix(".ipynb.partial")
    nbformat.write(nb, str(partial))
    partial.replace(path)  # atomic: a reader never sees half a notebook
    return nb


def execute_all(
    assignments: Iterable[Assignment],
    cache: Path = EXECUTED,
    jobs: int = 2,
    force: bool = False,
    log: Callable[[str], None] = _log,
) -> dict[str, object]:
    """:func:`executed_notebook` for several assignments, ``jobs`` kernels at a time.

    Each notebook that is not cached is executed in a worker process of its own (nbclient
    leaves an event loop behind in whichever thread runs it); the results are read back
    from the cache.
    """
    assignments = list(assignments)
    todo = [a for a in assignments if force or not _is_cached(a, cache)]
    for assignment in assignments:
        if assignment not in todo:
            log(f"  {assignment.id:<24} cached")
    if todo:
        jobs = max(1, min(jobs, len(todo)))
        threads = max(1, usable_cpus() // jobs) if jobs > 1 else None
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            running = {pool.submit(_execute_one, a.id, str(cache), force, threads): a for a in todo}
            for future in as_completed(running):
                seconds = future.result()
                log(f"  {running[future].id:<24} executed in {seconds:.1f} s")
    return {a.id: read(cache / a.notebook) for a in assignments}


def _execute_one(assignment_id: str, cache: str, force: bool, threads: int | None) -> float:
    """In a worker process: execute one notebook into the cache; returns its seconds."""
    nb = executed_notebook(get_assignment(assignment_id), Path(cache), force, threads)
    return nb.metadata["itlm"]["seconds"]


def _is_cached(assignment: Assignment, cache: Path) -> bool:
    path = cache / assignment.notebook
    if not path.exists():
        return False
    return read(path).metadata.get("itlm", {}).get("source_hash") == source_hash(assignment)


# --- 2. Student and handout notebooks ---------------------------------------------------------


def _nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_solution_cell(cell) -> bool:
    return bool(_nbgrader_meta(cell).get("solution"))


def is_test_cell(cell) -> bool:
    return bool(_nbgrader_meta(cell).get("grade")) and cell.cell_type == "code"


def student_notebook(executed):
    """The student version of an executed instructor notebook, as the release has it.

    nbgrader's ``ClearSolutions`` (with the course's stub) replaces every solution region;
    solution, test and self-check cells lose their outputs (they came from the reference
    solutions); the worked examples keep theirs. Its cells' sources are the release notebook's.
    """
    from nbgrader.preprocessors import ClearSolutions

    nb = copy.deepcopy(executed)
    nb, _ = ClearSolutions(config=nbgrader_config()).preprocess(nb, {})
    for cell in nb.cells:
        if cell.cell_type == "code" and (
            is_solution_cell(cell) or is_test_cell(cell) or SELF_CHECK_TAG in _tags(cell)
        ):
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("itlm", None)
    return nb


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _stub_lines() -> list[str]:
    stub = nbgrader_config().ClearSolutions.code_stub["python"]
    return [line.strip() for line in stub.splitlines()]


def _tag(cell, tag: str) -> None:
    tags = cell.metadata.setdefault("tags", [])
    if tag not in tags:
        tags.append(tag)


def answer_lines(reference_body_lines: int) -> int:
    """Ruled lines in an answer box: room for the reference body written by hand."""
    return min(max(reference_body_lines + 4, 7), 26)


def _reference_body_lines(source: str) -> int:
    """Lines between the solution markers of an instructor cell."""
    lines = source.splitlines()
    try:
        begin = next(i for i, line in enumerate(lines) if BEGIN_SOLUTION in line)
        end = next(i for i, line in enumerate(lines) if END_SOLUTION in line)
    except StopIteration:
        return 8
    return sum(1 for line in lines[begin + 1 : end] if line.strip())


def answer_box(name: str, lines: int) -> str:
    """The HTML of an empty box with ``lines`` ruled lines, for the body of ``name``."""
    name = html.escape(name)
    rules = '<div class="itlm-rule"></div>' * lines
    return (
        f'<div class="itlm-answer" data-exercise="{name}" data-lines="{lines}" role="img" '
        f'aria-label="Empty box: write the body of {name} here">'
        f'<div class="itlm-answer-label">Your answer: the body of <code>{name}</code></div>'
        f"{rules}</div>"
    )


def handout_notebook(executed, kind: str):
    """The notebook a handout prints: ``kind`` is ``"student"`` or ``"instructor"``.

    Student: each solution cell shows its signature and docstring, then an empty answer box
    (no code body, no output); test cells show their visible tests without output.
    Instructor: solution cells show the reference code (without nbgrader's markers) and test
    cells the output the reference produces; every "Answer" fold is open.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if kind == "instructor":
        nb = copy.deepcopy(executed)
        nb.metadata.pop("itlm", None)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = re.sub(r"<details(\s*)>", r"<details open\1>", cell.source)
            elif is_solution_cell(cell):
                cell.source = "\n".join(
                    line
                    for line in cell.source.splitlines()
                    if BEGIN_SOLUTION not in line and END_SOLUTION not in line
                )
                _tag(cell, "itlm-solution")
            elif is_test_cell(cell):
                _tag(cell, "itlm-check")
        return nb

    sizes = {
        _nbgrader_meta(c).get("grade_id"): _reference_body_lines(c.source)
        for c in executed.cells
        if is_solution_cell(c)
    }
    nb = student_notebook(executed)
    stub = set(_stub_lines())
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type == "code" and is_solution_cell(cell):
            name = _nbgrader_meta(cell).get("grade_id")
            kept = [line for line in cell.source.splitlines() if line.strip() not in stub]
            cell.source = "\n".join(kept).rstrip()
            _tag(cell, "itlm-prompt")
            box = nbformat.v4.new_markdown_cell(answer_box(name, answer_lines(sizes[name])))
            box.id = f"answer-{name}"[:64]  # a stable id keeps the page the same between builds
            _tag(box, "itlm-answer-cell")
            cells.append(box)
        elif is_test_cell(cell):
            _tag(cell, "itlm-check")
    nb.cells = cells
    return nb


# --- 3. HTML ----------------------------------------------------------------------------------

# MathJax output fonts: the STIX web fonts that jupyter-server-mathjax ships. Two font faces
# of MathJax 2.7 point at files it does not ship (the TeX .otf fonts of its MathML styles, used
# by the hidden MathML it adds for screen readers) or at about:blank (a probe font that
# Chromium refuses to load): a local() source gives the same fallback without a request.
_TEX_OTF_FACES = ["Caligraphic", "Caligraphic", "AMS", "Script", "Fraktur", "Fraktur"]


def mathjax_settings(inline: list[list[str]], display: list[list[str]]) -> dict:
    """``MathJax.Hub.Config`` settings for MathJax 2.7, for the handouts and the site.

    ``inline``, ``display``: the math delimiters to look for, e.g. ``[["$", "$"]]``.
    """
    return {
        "tex2jax": {
            "inlineMath": inline,
            "displayMath": display,
            "processEscapes": True,
            "processEnvironments": True,
        },
        "TeX": {"equationNumbers": {"autoNumber": "none"}},
        "displayAlign": "center",
        "messageStyle": "none",
        "showMathMenu": False,
        "HTML-CSS": {
            "availableFonts": [],
            "preferredFont": None,
            "webFont": "STIX-Web",
            "imageFont": None,
            "linebreaks": {"automatic": True},
            "styles": {"@font-face": {"src": "local('MathJax_Blank')"}},
        },
        "NativeMML": {
            "styles": {
                f"@font-face /*{i}*/": {"src": f"local('MathJax_{face}')"}
                for i, face in enumerate(_TEX_OTF_FACES, 1)
            }
        },
    }


# Marks the page once MathJax has typeset it: printing and the browser tests wait for it.
MATHJAX_DONE = (
    'MathJax.Hub.Register.StartupHook("End", function () {'
    ' document.documentElement.setAttribute("data-mathjax", "done"); });'
)
MATHJAX_CONFIG = (
    "MathJax.Hub.Config("
    + json.dumps(
        mathjax_settings(
            inline=[["$", "$"], ["\\(", "\\)"]], display=[["$$", "$$"], ["\\[", "\\]"]]
        )
    )
    + ");\n"
    + MATHJAX_DONE
)

PRINT_CSS = """
:root {
  --jp-content-font-size1: 15px;
  --jp-code-font-size: 12.5px;
  --jp-code-line-height: 1.4;
  --itlm-blue: #1f5aa6;
  --itlm-green: #2a9d55;
  --itlm-red: #c0392b;
}
body.jp-Notebook {
  margin: 0 auto; max-width: 860px; padding: 24px 16px;
  font-family: var(--jp-content-font-family); color: var(--jp-content-font-color1);
}
main { padding: 0; }
.jp-InputPrompt, .jp-OutputPrompt { display: none !important; }
.jp-Cell { padding: 3px 0; }
.jp-RenderedHTMLCommon { padding-right: 0; }
pre, .jp-RenderedText pre, .highlight pre {
  white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word;
}
.jp-InputArea-editor { overflow: visible; }
.jp-OutputArea-output img { max-width: 100%; height: auto; }
.jp-RenderedHTMLCommon table { font-size: 0.92em; }
.jp-RenderedHTMLCommon details { border-left: 3px solid #d0d5dd; padding: 2px 10px; }
.jp-RenderedHTMLCommon summary { color: #555; }

.itlm-banner {
  display: flex; justify-content: space-between; align-items: baseline; gap: 16px;
  border-bottom: 2px solid var(--itlm-blue); padding: 0 0 6px; margin: 0 0 8px;
  font-size: 12.5px; color: #333;
}
.itlm-banner .itlm-kind { font-weight: 700; text-transform: uppercase; letter-spacing: .06em; }
.itlm-banner.itlm-instructor { border-bottom-color: var(--itlm-red); }
.itlm-banner.itlm-instructor .itlm-kind { color: var(--itlm-red); }
.itlm-meta { font-size: 12.5px; color: #444; margin: 0 0 10px; }
.itlm-meta .itlm-name { display: inline-block; min-width: 60mm; border-bottom: 1px solid #777; }

/* An exercise's signature and docstring (student) or reference solution (instructor). */
.celltag_itlm-prompt .jp-InputArea-editor,
.celltag_itlm-solution .jp-InputArea-editor { border-left: 4px solid var(--itlm-blue); }
.celltag_itlm-solution .jp-InputArea-editor { border-left-color: var(--itlm-green); }
.celltag_itlm-solution::before, .celltag_itlm-check::before {
  display: block; font-size: 11px; font-weight: 700; text-transform: uppercase;
  letter-spacing: .06em; margin: 4px 0 2px;
}
.celltag_itlm-solution::before { content: "Solution"; color: var(--itlm-green); }
.celltag_itlm-check::before { content: "Visible tests"; color: #666; }

/* The empty, ruled box a student writes the function body in. */
.itlm-answer {
  box-sizing: border-box; margin: 4px 0 10px; padding: 0 4mm 3mm;
  border: 1.5px solid #5b6675; border-radius: 4px;
  break-inside: avoid; page-break-inside: avoid;
}
.itlm-answer-label { font-size: 11px; color: #5b6675; padding: 2mm 0 0; }
.itlm-answer-label code { font-size: 11px; }
.itlm-rule { height: 8mm; border-bottom: 1px solid #c3c9d2; }

@media print {
  :root { --jp-content-font-size1: 13.5px; --jp-code-font-size: 11px; }
  body.jp-Notebook { max-width: none; padding: 0; }
  /* Block layout (the prompts are hidden anyway): Chromium honours break-inside in blocks. */
  .jp-InputArea, .jp-OutputArea-child, .jp-Cell-inputWrapper, .jp-Cell-outputWrapper,
  .jp-RenderedMarkdown, .jp-OutputArea-output {
    display: block !important; overflow: visible !important;
  }
  .celltag_itlm-answer-cell { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  .jp-OutputArea-child:has(img), .jp-RenderedImage, img { break-inside: avoid; }
  .jp-OutputArea-child, tr, li { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script type="text/x-mathjax-config">{{ resources.itlm.mathjax_config }}</script>
<script src="{{ resources.itlm.mathjax_url }}"></script>
{%- endblock html_head_js_mathjax -%}
{%- block html_head_css -%}<style type="text/css">{{ resources.itlm.css }}</style>{%- endblock -%}
{%- block body_header -%}
{{ super() }}
<header class="itlm-banner itlm-{{ resources.itlm.kind }}">
  <span>{{ resources.itlm.course }} · {{ resources.itlm.position }}</span>
  <span class="itlm-kind">{{ resources.itlm.kind_label }}</span>
</header>
<p class="itlm-meta">{{ resources.itlm.meta }}</p>
{%- endblock body_header -%}
{#- The lab template drops an image's alt; the figure's description (autograder.figures). -#}
{%- block data_png scoped -%}
{%- set alt = output | get_metadata('alt', 'image/png') -%}
{%- if alt -%}
{{ super() | replace('<img ', '<img alt="' ~ (alt | escape_html) ~ '" ', 1) }}
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock data_png -%}
"""


@dataclass(frozen=True)
class Handout:
    """Where one handout's files go."""

    out: Path  # build/handouts
    kind: str  # "student" or "instructor"
    assignment_id: str

    @property
    def html(self) -> Path:
        return self.out / self.kind / f"{self.assignment_id}.html"

    def pdf(self, paper: str = "A4") -> Path:
        return self.out / self.kind / f"{self.assignment_id}{PAPERS[paper]}.pdf"


def _exporter():
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file="itlm_handout.html.j2",
        extra_loaders=[jinja2.DictLoader({"itlm_handout.html.j2": TEMPLATE})],
        exclude_anchor_links=True,
    )


def render_html(nb, assignment: Assignment, kind: str, mathjax_url: str) -> str:
    """One handout notebook as a standalone HTML page (images inline, MathJax from a URL).

    ``mathjax_url`` is the folder holding ``MathJax.js``, relative to the page.
    """
    order = list(ASSIGNMENTS)
    number = order.index(assignment.id) + 1 if assignment.id in order else 0
    exercises = ", ".join(f"{e.name} ({e.points:g})" for e in assignment.exercises)
    meta = f"{len(assignment.exercises)} exercises, {assignment.total_points:g} points: {exercises}"
    if kind == "student":
        meta = html.escape(meta) + ' · Name: <span class="itlm-name">&nbsp;</span>'
        label = "Student handout"
    else:
        meta = html.escape(meta) + " · Contains the solutions: do not hand out."
        label = "Instructor key"
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = f"{assignment.id} · {assignment.title} · {label}"
    resources = {
        "itlm": {
            "kind": kind,
            "kind_label": label,
            "course": COURSE_TITLE,
            "position": f"notebook {number} of {len(order)}",
            "meta": meta,
            "css": PRINT_CSS,
            "mathjax_config": MATHJAX_CONFIG,
            "mathjax_url": mathjax_url.rstrip("/") + "/MathJax.js" + MATHJAX_QUERY,
        }
    }
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return body


def copy_mathjax(dest: Path) -> Path:
    """Copy the parts of MathJax 2.7 the pages use into ``dest`` (once; about 6 MB)."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise RuntimeError(
            "jupyter-server-mathjax is missing: run `pip install -e '.[dev]'` (it ships the "
            "MathJax that renders math offline)"
        ) from None
    static = Path(jupyter_server_mathjax.__file__).parent / "static"
    if (dest / "MathJax.js").exists():
        return dest
    partial = dest.with_name(dest.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    for part in MATHJAX_PARTS:
        src, target = static / part, partial / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target)
        else:
            shutil.copy2(src, target)
    try:
        partial.rename(dest)
    except OSError:  # another build got there first
        shutil.rmtree(partial, ignore_errors=True)
    return dest


# --- 4. PDF -----------------------------------------------------------------------------------


def find_chromium() -> str:
    """The system Chromium, or a clear error saying how to install it."""
    candidates = [os.environ.get("ITLM_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError(
        "Chromium not found: the PDFs are printed by the system browser. Install Debian's "
        f"`{CHROMIUM_PACKAGE}` package (`sudo apt-get install {CHROMIUM_PACKAGE}`; .ci/run "
        "does), set ITLM_CHROMIUM to a Chromium binary, or pass --html-only."
    )


def _footer(label: str) -> str:
    return (
        '<div style="font-size:8px; color:#666; width:100%; margin:0 15mm; display:flex; '
        'justify-content:space-between; font-family:sans-serif">'
        f"<span>{html.escape(label)}</span>"
        '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
    )


def _print_pdfs(jobs: list[tuple[Path, dict[str, Path], str]], log: Callable[[str], None]):
    """Print each page (an HTML file) to one PDF per paper size, in one Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise RuntimeError(
            "Playwright is missing: run `pip install -e '.[dev]'` (it drives the system "
            "Chromium; no browser is downloaded), or pass --html-only"
        ) from None
    chromium = find_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            for html_path, pdfs, label in jobs:
                start = time.perf_counter()
                page.goto(html_path.resolve().as_uri(), wait_until="load")
                try:
                    page.wait_for_function(
                        "document.documentElement.getAttribute('data-mathjax') === 'done'",
                        timeout=120_000,
                    )
                except Exception as error:
                    raise RuntimeError(
                        f"MathJax did not finish typesetting {html_path} (is "
                        f"{html_path.parent.parent / 'mathjax'} there?)"
                    ) from error
                page.emulate_media(media="print")
                for paper, pdf in pdfs.items():
                    page.pdf(
                        path=str(pdf),
                        format=paper,
                        margin=PAGE_MARGIN,
                        print_background=True,
                        display_header_footer=True,
                        header_template="<span></span>",
                        footer_template=_footer(label),
                        outline=True,
                        tagged=True,
                    )
                page.emulate_media(media="screen")
                log(f"      printed {label} ({time.perf_counter() - start:.1f} s)")
        finally:
            browser.close()


def print_pdfs(jobs, log: Callable[[str], None] = lambda _: None) -> None:
    """:func:`_print_pdfs` in a worker thread.

    Playwright's sync API refuses to start in a thread whose asyncio loop is running (a test
    session with its own browser open, a notebook), so it gets a thread of its own.
    """
    errors: list[BaseException] = []

    def work():
        try:
            _print_pdfs(jobs, log)
        except BaseException as error:  # re-raised in the caller's thread
            errors.append(error)

    thread = threading.Thread(target=work, name="itlm-print-pdf")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


# --- The whole build --------------------------------------------------------------------------


def _printing_key(html_path: Path, paper: str) -> str:
    """What a PDF depends on: its HTML page, the paper, and this module (margins, footer)."""
    digest = hashlib.sha256(html_path.read_bytes())
    digest.update(paper.encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def build_handouts(
    assignments: Iterable[Assignment] | None = None,
    out: Path = HANDOUTS,
    kinds: Iterable[str] = KINDS,
    pdf: bool = True,
    jobs: int = 2,
    cache: Path = EXECUTED,
    force: bool = False,
    log: Callable[[str], None] = _log,
) -> list[Path]:
    """Build the handouts of ``assignments`` (default: every notebook with a source).

    A PDF whose HTML page, paper and printing code are unchanged since it was printed is
    kept (``out/.printed.json`` records what each was printed from); ``force`` re-executes
    and reprints everything. Returns the files of the handouts (HTML, then PDFs).
    """
    assignments = built_assignments() if assignments is None else list(assignments)
    kinds = list(kinds)
    start = time.perf_counter()
    log(f"executing {len(assignments)} instructor notebooks ({jobs} at a time, cache {cache})")
    executed = execute_all(assignments, cache, jobs=jobs, force=force, log=log)
    copy_mathjax(out / "mathjax")
    stamps_path = out / ".printed.json"
    stamps = json.loads(stamps_path.read_text()) if stamps_path.exists() and not force else {}
    written, print_jobs, pdfs_all = [], [], []
    log("rendering HTML" + (" and printing PDFs (A4 and Letter)" if pdf else ""))
    for assignment in assignments:
        for kind in kinds:
            handout = Handout(out, kind, assignment.id)
            handout.html.parent.mkdir(parents=True, exist_ok=True)
            nb = handout_notebook(executed[assignment.id], kind)
            page = render_html(nb, assignment, kind, "../mathjax")
            if not handout.html.exists() or handout.html.read_text() != page:
                handout.html.write_text(page)
            written.append(handout.html)
            pdfs = {paper: handout.pdf(paper) for paper in PAPERS}
            pdfs_all += pdfs.values()
            stale = {
                paper: path
                for paper, path in pdfs.items()
                if not path.exists()
                or stamps.get(str(path.relative_to(out))) != _printing_key(handout.html, paper)
            }
            label = f"{assignment.id} · {assignment.title} · {kind}"
            if stale:
                print_jobs.append((handout.html, stale, label))
    if pdf:
        if print_jobs:
            print_pdfs(print_jobs, log=log)
        for html_path, pdfs, _ in print_jobs:
            for paper, path in pdfs.items():
                stamps[str(path.relative_to(out))] = _printing_key(html_path, paper)
        stamps_path.write_text(json.dumps(stamps, indent=1, sort_keys=True) + "\n")
        kept = len(pdfs_all) - sum(len(p) for _, p, _ in print_jobs)
        if kept:
            log(f"  {kept} PDFs up to date, kept")
        written += pdfs_all
    log(f"handouts in {out} ({len(written)} files, {time.perf_counter() - start:.1f} s)")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.handouts",
        description="Student handouts and instructor keys (HTML, PDF on A4 and Letter) "
        "for every notebook.",
    )
    parser.add_argument("assignment_ids", nargs="*", help="notebooks to build (default: all)")
    parser.add_argument("--out", type=Path, default=HANDOUTS, help="output folder (%(default)s)")
    parser.add_argument("--kind", choices=KINDS, action="append", help="only this kind")
    parser.add_argument("--html-only", action="store_true", help="skip the PDFs")
    parser.add_argument("--jobs", type=int, default=2, help="kernels at a time (%(default)s)")
    parser.add_argument("--force", action="store_true", help="re-execute, ignore the cache")
    args = parser.parse_args(argv)
    try:
        assignments = [get_assignment(i) for i in args.assignment_ids] or None
        build_handouts(
            assignments,
            out=args.out,
            kinds=args.kind or KINDS,
            pdf=not args.html_only,
            jobs=args.jobs,
            force=args.force,
        )
    except (KeyError, RuntimeError) as error:
        print(f"error: {error.args[0] if error.args else error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How long a notebook takes a student: the estimate behind every "Time." line in the course.

    python -m autograder.timing            # the estimate of every source notebook, as a table

A notebook has a **core path** (what a workshop covers and every graded exercise needs) and,
optionally, **"Going further"** sections that nothing graded depends on. A section is optional
when its Markdown heading starts with ``Going further`` (for example
``## Going further: the information bottleneck``); it runs until the next heading of the same
or a higher level that does not start with ``Going further``. No graded cell may sit in one.

The estimate adds three costs, at rates fixed here once for every notebook:

- **reading**: the words of the Markdown cells (prose, math, answers to "check your
  understanding") at ``READING_WPM`` words per minute, a careful pace for dense technical text
  with equations (typical reading of easy prose is 200-300 words per minute);
- **running the worked examples**: the non-blank, non-comment lines of the code cells that are
  neither a solution nor a test, at ``CODE_LINES_PER_MINUTE`` (read the code, run it, look at
  what it prints or draws);
- **exercises**: ``EXERCISE_MINUTES`` per graded exercise (read the contract, run the visible
  tests) plus ``MINUTES_PER_SOLUTION_LINE`` per non-blank, non-comment line of the reference
  solution between its ``### BEGIN SOLUTION`` and ``### END SOLUTION`` markers (write the
  function, run it, fix it). The size of the reference, its input checks included, is what
  the contract asks a student to write: an exact arithmetic coder (38 lines) costs more than
  a surprisal (5 lines), which the points alone did not say.

Each notebook states its minutes in its first cell, in the line
``**Time.** About N minutes for the core path`` (and, when it has optional sections,
``… and about M more for "Going further"``); ``tests/test_timing.py`` fails when a stated
figure is not the estimate rounded to the nearest 5 minutes, and ``docs/COURSE.md`` carries
the same core minutes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

READING_WPM = 120  # words per minute of dense technical prose with equations
CODE_LINES_PER_MINUTE = 10  # worked-example lines read, run and looked at per minute
EXERCISE_MINUTES = 3.0  # per graded exercise: read the contract, run the tests
MINUTES_PER_SOLUTION_LINE = 0.5  # per line of the reference solution: write, run, fix it

OPTIONAL_PREFIX = "going further"
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
STATED_CORE = re.compile(r"\*\*Time\.\*\*\s+About\s+(\d+)\s+minutes for the core path", re.I)
STATED_OPTIONAL = re.compile(
    r"about\s+(\d+)\s+(?:more\s+)?(?:minutes?\s+)?(?:more\s+)?for\s+\W?Going further", re.I
)


@dataclass(frozen=True)
class Estimate:
    """Minutes of a notebook's core path and of its "Going further" sections."""

    core_words: int
    core_code_lines: int
    optional_words: int
    optional_code_lines: int
    exercises: int
    points: float
    solution_lines: int = 0  # of the reference solutions, between the SOLUTION markers

    @property
    def core_minutes(self) -> float:
        reading = self.core_words / READING_WPM
        running = self.core_code_lines / CODE_LINES_PER_MINUTE
        writing = self.exercises * EXERCISE_MINUTES
        writing += self.solution_lines * MINUTES_PER_SOLUTION_LINE
        return reading + running + writing

    @property
    def optional_minutes(self) -> float:
        return self.optional_words / READING_WPM + self.optional_code_lines / CODE_LINES_PER_MINUTE


def round5(minutes: float) -> int:
    """The figure a notebook states: the estimate rounded to the nearest 5 minutes."""
    return int(5 * round(minutes / 5))


def cell_text(cell: dict) -> str:
    """A cell's source as one string (nbformat allows a string or a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def optional_cells(cells: list[dict]) -> list[bool]:
    """For each cell, whether it belongs to a "Going further" section."""
    flags, level = [], None  # level: the heading level of the open optional section
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            for line in cell_text(cell).splitlines():
                match = HEADING.match(line.strip())
                if not match:
                    continue
                depth, title = len(match.group(1)), match.group(2).strip().lower()
                if title.startswith(OPTIONAL_PREFIX):
                    level = depth if level is None else min(level, depth)
                elif level is not None and depth <= level:
                    level = None
                break  # a cell's first heading decides where it belongs
        flags.append(level is not None)
    return flags


def _code_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))


def estimate(notebook: dict) -> Estimate:
    """The estimate of one notebook (a source notebook's JSON, as a dict)."""
    cells = notebook["cells"]
    counts = {True: [0, 0], False: [0, 0]}  # optional? -> [words, code lines]
    exercises, points, solution_lines = 0, 0.0, 0
    for cell, optional in zip(cells, optional_cells(cells), strict=True):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "markdown":
            counts[optional][0] += len(cell_text(cell).split())
        elif cell.get("cell_type") == "code":
            if meta.get("grade") and meta.get("points") is not None:
                exercises += 1
                points += float(meta["points"])
            elif meta.get("solution"):
                solution_lines += _code_lines(_solution_body(cell_text(cell)))
            else:
                counts[optional][1] += _code_lines(cell_text(cell))
    return Estimate(*counts[False], *counts[True], exercises, points, solution_lines)


SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def _solution_body(text: str) -> str:
    """The reference's code between a solution cell's markers (none in a release)."""
    return "".join(SOLUTION.findall(text))


def stated(notebook: dict) -> tuple[int | None, int | None]:
    """The core and "Going further" minutes a notebook states in its first cells."""
    text = "\n".join(
        cell_text(c) for c in notebook["cells"][:3] if c.get("cell_type") == "markdown"
    )
    core, optional = STATED_CORE.search(text), STATED_OPTIONAL.search(text)
    return (
        int(core.group(1)) if core else None,
        int(optional.group(1)) if optional else None,
    )


def main() -> None:
    from autograder.assignments import ASSIGNMENTS

    print(f"{'notebook':24} {'core':>6} {'stated':>7} {'further':>8} {'stated':>7}")
    for assignment in ASSIGNMENTS.values():
        notebook = json.loads(Path(assignment.source_path).read_text())
        est, (core, optional) = estimate(notebook), stated(notebook)
        print(
            f"{assignment.id:24} {round5(est.core_minutes):>6} {core or '-':>7} "
            f"{round5(est.optional_minutes):>8} {optional or '-':>7}"
        )


if __name__ == "__main__":
    main()

"""Progress while grading: a bar per phase on a terminal, plain lines in a log.

    progress = Progress.for_output(click.echo)     # what the CLI does
    progress.start("sandbox", total=60)
    progress.advance("student007", "1.2 s")        # one submission done
    progress.finish("60 notebooks in 41 s")

On a terminal (``stream.isatty()``) each phase is one line redrawn in place::

    sandbox   [##############----------]  35/60  58%  21 s, about 15 s left  student034

Elsewhere (CI logs, tests, a file) every advance is one line, ``[35/60] student034 ...``,
so nothing is lost in a log. Control characters in labels and notes (student ids, file
names) are printed escaped (:func:`~autograder.quoting.printable`).
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from typing import TextIO

from autograder.quoting import printable


class Progress:
    """Bars on a terminal, lines elsewhere; ``emit`` receives finished lines."""

    def __init__(self, emit: Callable[[str], None], stream: TextIO | None = None) -> None:
        self._out = emit
        self.stream = stream  # set only when drawing bars in place
        self.phase, self.total, self.done, self.started = "", 0, 0, time.perf_counter()

    @classmethod
    def for_output(cls, emit: Callable[[str], None] | None = None) -> Progress:
        """Bars when standard output is a terminal, otherwise one line per step."""
        stream = sys.stdout if sys.stdout.isatty() else None
        return cls(emit or print, stream)

    @classmethod
    def lines(cls, emit: Callable[[str], None]) -> Progress:
        return cls(emit, None)

    def emit(self, line: str) -> None:
        """Give ``line`` out, its control characters escaped: labels and notes carry student
        ids and file names, which must never drive the terminal."""
        self._out(printable(line))

    def start(self, phase: str, total: int) -> None:
        self.phase, self.total, self.done = phase, total, 0
        self.started = time.perf_counter()
        self._draw("")

    def advance(self, label: str = "", detail: str = "") -> None:
        self.done += 1
        self._draw(label, detail)

    def note(self, line: str) -> None:
        """A line of its own (above the bar on a terminal)."""
        if self.stream is not None:
            self.stream.write("\r\x1b[2K")
        self.emit(line)
        if self.stream is not None and self.done < self.total:
            self._draw("")

    def finish(self, summary: str = "") -> None:
        elapsed = time.perf_counter() - self.started
        if self.stream is not None:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
        self.emit(f"  {self.phase}: {summary or f'{self.done} done'} ({elapsed:.1f} s)")

    def _draw(self, label: str, detail: str = "") -> None:
        elapsed = time.perf_counter() - self.started
        if self.stream is None:
            if label:
                tail = f"  {detail}" if detail else ""
                self.emit(f"  [{self.done}/{self.total}] {label}{tail}  ({elapsed:.0f} s)")
            return
        label = printable(label, newlines=False)
        line = bar_line(self.phase, self.done, self.total, elapsed, label)
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()


def bar_line(phase: str, done: int, total: int, elapsed: float, label: str = "") -> str:
    """One line: phase, bar, count, percent, time so far and left, the last item."""
    columns = shutil.get_terminal_size((100, 20)).columns
    width = 24
    filled = round(width * done / total) if total else width
    bar = "#" * filled + "-" * (width - filled)
    left = ""
    if 0 < done < total:
        left = f", about {elapsed / done * (total - done):.0f} s left"
    percent = 100 * done // total if total else 100
    count = f"{done:>3d}/{total}  {percent:3d}%"
    line = f"  {phase:<10s} [{bar}] {count}  {elapsed:.0f} s{left}  {label}"
    return line[: columns - 1]

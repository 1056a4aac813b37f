"""nbgrader preprocessors that let our sandbox do the executing while nbgrader keeps the books.

Grading a class runs ``nbgrader autograde`` twice around our parallel sandbox
(:func:`autograder.grading.grade`), chosen by ``ITLM_AUTOGRADE_PHASE`` in
``nbgrader_config.py``:

1. ``export``: nbgrader sanitizes every submission as usual (restores test and locked cells
   from the gradebook, removes duplicate cell ids, resets the kernel) and
   :class:`ExportSanitized` saves the sanitized notebook instead of executing it;
2. the sandbox executes all of them in parallel, and the grading process judges them;
3. ``cached``: nbgrader sanitizes again and :class:`CachedExecute` hands it the executed,
   judged notebook in place of running a kernel; nbgrader's own preprocessors then save the
   grades into its gradebook, one writer at a time.

Without ``ITLM_AUTOGRADE_PHASE``, plain ``nbgrader autograde`` works as nbgrader always does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

CACHE_ENV = "ITLM_GRADING_CACHE"


def cache_path(kind: str, student: str, notebook: str, root: Path | None = None) -> Path:
    base = Path(root or os.environ[CACHE_ENV])
    return base / kind / student / f"{notebook}.ipynb"


def code_sources(nb) -> list[str]:
    return [
        cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        for cell in nb["cells"]
    ]


class ExportSanitized(NbGraderPreprocessor):
    """Save the sanitized notebook for the sandbox; execute nothing."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = cache_path("sanitized", info["student"], info["notebook"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(nb))
        return nb, resources


class CachedExecute(NbGraderPreprocessor):
    """Give nbgrader the outputs the sandbox produced and the judge wrote."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = cache_path("executed", info["student"], info["notebook"])
        if not path.exists():
            raise RuntimeError(f"no sandbox execution for {info['student']}: it was not graded")
        executed = nbformat.reads(path.read_text(), as_version=4)
        if code_sources(executed) != code_sources(nb):
            raise RuntimeError(f"the sandbox ran a different notebook for {info['student']}")
        for cell, done in zip(nb.cells, executed.cells, strict=True):
            if cell.cell_type == "code":
                cell.outputs = done.outputs
                cell.execution_count = done.get("execution_count")
        return nb, resources

"""The student's experience in JupyterLab, in a real browser (headless Debian Chromium).

    .venv/bin/pytest tests/browser/test_jupyterlab.py

A student opens the first release notebook, runs all cells and meets the exercise stubs'
message, writes an answer in the editor, re-runs and sees the visible tests pass, then
checks the notebook with nbgrader's Validate button. Screenshots of every step go to
build/artifacts/test_jupyterlab/<test>/, with the browser console and the server's log.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import time

import pytest
from playwright.sync_api import Locator, Page, expect

import course.check
from solutions.entropy import surprisal

pytestmark = pytest.mark.slow

NOTEBOOK = "release/01-entropy/01-entropy.ipynb"
STUB_MESSAGE = "NotImplementedError: Replace this line with your code."
TIMEOUT = 30_000  # ms, for any one step (the slowest, Validate, runs the whole notebook)


def _cells_by_grade_id(path) -> dict[str, str]:
    """The source of each nbgrader cell of a notebook file, by grade id."""
    notebook = json.loads(path.read_text())
    return {
        cell["metadata"]["nbgrader"]["grade_id"]: "".join(cell["source"])
        for cell in notebook["cells"]
        if "nbgrader" in cell["metadata"]
    }


def _check_descriptions(source: str) -> list[str]:
    """What each ``expect_*(...)`` call of a visible-test cell says it checks."""
    described = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "").startswith("expect_"):
            signature = inspect.signature(getattr(course.check, node.func.id))
            call = signature.bind(*node.args, **{k.arg: k.value for k in node.keywords})
            described.append(ast.literal_eval(call.arguments["what"]))
    return described


def _cell(page: Page, source: str) -> Locator:
    """The notebook cell whose input starts with the first line of ``source``."""
    first_line = source.splitlines()[0]
    return page.locator(".jp-Notebook .jp-Cell").filter(
        has=page.locator(".jp-InputArea .cm-line").first.filter(has_text=first_line)
    )


def _run_all(page: Page) -> None:
    """Run > Run All Cells, as a student does it."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()


def _kernel_status(page: Page) -> Locator:
    """The status bar's "Python 3 (ipykernel) | <status>" (the toolbar's circle says idle
    while the kernel is still connecting, and a Run All then does nothing)."""
    return page.locator("#jp-main-statusbar .jp-StatusBar-TextItem", has_text="(ipykernel) |")


def _wait_until_idle(page: Page) -> None:
    """No cell prompt shows [*] and the kernel reports idle."""
    expect(page.locator(".jp-Notebook .jp-InputPrompt", has_text="[*]")).to_have_count(
        0, timeout=TIMEOUT
    )
    expect(_kernel_status(page)).to_have_text(re.compile(r"\| Idle$"), timeout=TIMEOUT)


def _wait_for_saved_source(path, grade_id: str, source: str) -> None:
    """Wait until the notebook file on disk has ``source`` in cell ``grade_id``."""
    deadline = time.monotonic() + TIMEOUT / 1000
    saved = None
    while saved != source:
        if time.monotonic() > deadline:
            raise AssertionError(f"the saved {grade_id} cell is not the answer typed:\n{saved}")
        time.sleep(0.1)
        try:
            saved = _cells_by_grade_id(path)[grade_id]
        except json.JSONDecodeError:
            pass  # caught while the server writes the file


def _screenshot(page: Page, path) -> None:
    page.screenshot(path=path)
    assert path.stat().st_size > 20_000, f"{path.name} looks blank"


def test_student_runs_answers_and_validates_the_first_notebook(browser, jupyterlab, artifacts):
    """Can a student run the notebook, see the stubs' message, answer, pass and validate?"""
    cells = _cells_by_grade_id(jupyterlab.root / NOTEBOOK)
    exercises = [gid for gid in cells if f"test_{gid}" in cells]
    assert "surprisal" in exercises and len(exercises) == 7

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.set_default_timeout(TIMEOUT)
    try:
        # 1. Open the notebook: the kernel starts and nbgrader's Validate button is there.
        page.goto(jupyterlab.lab_url(NOTEBOOK))
        validate = page.locator(".jp-NotebookPanel-toolbar .validate-button")
        expect(validate).to_be_visible(timeout=TIMEOUT)
        _wait_until_idle(page)
        _screenshot(page, artifacts / "1-opened.png")

        # 2. Run all: the first exercise's test cell stops with the stub's message.
        _run_all(page)
        test_cell = _cell(page, cells["test_surprisal"])
        output = test_cell.locator(".jp-OutputArea")
        error = output.locator('[data-mime-type="application/vnd.jupyter.stderr"]')
        expect(error).to_contain_text(STUB_MESSAGE, timeout=TIMEOUT)
        expect(error).to_contain_text("# YOUR CODE HERE")  # the traceback shows the stub
        _wait_until_idle(page)
        test_cell.scroll_into_view_if_needed()
        _screenshot(page, artifacts / "2-run-all-stub-fails.png")

        # 3. Write the answer in the editor: select the stub, put the reference in its place.
        # The editor's own input path, without auto-indent or auto-closed brackets.
        answer = inspect.getsource(surprisal).rstrip("\n")
        solution_cell = _cell(page, cells["surprisal"])
        solution_cell.locator(".cm-content").click()
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.insert_text(answer)
        page.keyboard.press("ControlOrMeta+s")
        _wait_for_saved_source(jupyterlab.root / NOTEBOOK, "surprisal", answer)
        _screenshot(page, artifacts / "3-answer-typed.png")

        # 4. Run all again: surprisal's visible tests pass; the next exercise's stub stops.
        _run_all(page)
        next_output = _cell(page, cells["test_entropy"]).locator(".jp-OutputArea")
        expect(next_output).to_contain_text(STUB_MESSAGE, timeout=TIMEOUT)
        _wait_until_idle(page)
        passed = "\n".join(f"✓ {what}" for what in _check_descriptions(cells["test_surprisal"]))
        expect(output.locator(".jp-OutputArea-output")).to_have_count(1)  # no error below
        stdout = output.locator('[data-mime-type="application/vnd.jupyter.stdout"]')
        expect(stdout).to_have_text(passed + "\n")
        test_cell.scroll_into_view_if_needed()
        _screenshot(page, artifacts / "4-rerun-tests-pass.png")

        # 5. Validate: nbgrader runs the notebook server-side and lists the failing tests.
        validate.click()
        message = page.locator(".jp-Dialog #validation-message")
        expect(message).to_be_visible(timeout=TIMEOUT)
        _screenshot(page, artifacts / "5-validate.png")
        text = message.text_content()
        assert "validation-failed" in message.get_attribute("class")
        failed = [gid for gid in exercises if cells[f"test_{gid}"].splitlines()[0] in text]
        assert failed == [gid for gid in exercises if gid != "surprisal"]
        assert text.count("The following cell failed:") == len(failed)
        page.locator(".jp-Dialog .jp-mod-accept").click()
    except Exception:
        page.screenshot(path=artifacts / "failure.png")
        raise
    finally:
        (artifacts / "console.log").write_text("\n".join(console) + "\n")
        page.close()

    errors = [line for line in console if line.startswith(("error:", "pageerror:"))]
    assert errors == [], "\n".join(errors)

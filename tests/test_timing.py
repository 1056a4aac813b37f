"""Does every notebook state the minutes it really takes (autograder/timing.py's estimate)?"""

from __future__ import annotations

import json
import re

import pytest

from autograder.assignments import ASSIGNMENTS, REPO
from autograder.timing import estimate, optional_cells, round5, stated

NOTEBOOKS = {a.id: json.loads(a.source_path.read_text()) for a in ASSIGNMENTS.values()}


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text: str, **nbgrader) -> dict:
    return {"cell_type": "code", "metadata": {"nbgrader": nbgrader}, "source": text}


def test_estimate_hand_worked():
    """Are 240 words, 20 example lines and one exercise whose reference has 6 lines between
    its markers 2 + 2 + (3 + 6 / 2) = 10 minutes?"""
    body = "    # a comment\n    a = 1\n\n" + "".join(f"    a += {i}\n" for i in range(4))
    notebook = {
        "cells": [
            _md("# Title\n" + "word " * 238),  # '#' and 'Title' are words too: 240
            _code("\n".join(f"x{i} = {i}" for i in range(20)) + "\n# a comment\n\n"),
            _code(
                'def f():\n    """Doc."""\n    ### BEGIN SOLUTION\n'
                + body
                + "    return a\n    ### END SOLUTION\n",
                solution=True,
                grade_id="f",
            ),
            _code("assert f() == 7\n", grade=True, grade_id="test_f", points=2),
        ]
    }
    est = estimate(notebook)
    assert (est.core_words, est.core_code_lines, est.exercises, est.points) == (240, 20, 1, 2)
    assert est.solution_lines == 6
    assert est.core_minutes == pytest.approx(10.0)
    assert est.optional_minutes == 0


def test_optional_sections_end_at_a_heading_of_the_same_level():
    """Does a "Going further" section stop at the next ## heading, but not at a ### one?"""
    cells = [
        _md("## Core"),
        _md("## Going further: more"),
        _md("### A subsection of it"),
        _code("x = 1"),
        _md("## Back on the core path"),
        _md("### Going further: a small aside"),
        _md("### Core again"),
    ]
    assert optional_cells(cells) == [False, True, True, True, False, True, False]


@pytest.mark.parametrize("nb_id", list(NOTEBOOKS))
def test_stated_minutes_match_the_estimate(nb_id):
    """Does the notebook's "Time." line state the estimate, rounded to 5 minutes?"""
    notebook = NOTEBOOKS[nb_id]
    est, (core, optional) = estimate(notebook), stated(notebook)
    assert core is not None, f"{nb_id}: no '**Time.** About N minutes for the core path' line"
    assert core == round5(est.core_minutes), (
        f"{nb_id} states {core} min for its core path; the estimate is "
        f"{est.core_minutes:.1f} -> {round5(est.core_minutes)} (python -m autograder.timing)"
    )
    if round5(est.optional_minutes) > 0:
        assert optional == round5(est.optional_minutes), (
            f"{nb_id} states {optional} min for 'Going further'; the estimate is "
            f"{est.optional_minutes:.1f} -> {round5(est.optional_minutes)}"
        )
    else:
        assert optional is None, f"{nb_id} states minutes for 'Going further' it does not have"


@pytest.mark.parametrize("nb_id", list(NOTEBOOKS))
def test_nothing_graded_is_optional(nb_id):
    """Is every solution and test cell on the core path?"""
    cells = NOTEBOOKS[nb_id]["cells"]
    for cell, optional in zip(cells, optional_cells(cells), strict=True):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") or meta.get("grade"):
            assert not optional, (
                f"{nb_id}: graded cell {meta.get('grade_id')} is in 'Going further'"
            )


def test_course_contract_carries_the_minutes():
    """Do docs/COURSE.md's and the README's tables state each notebook's core minutes?"""
    for doc in ("docs/COURSE.md", "README.md"):
        text = (REPO / doc).read_text()
        for nb_id, notebook in NOTEBOOKS.items():
            row = re.search(rf"^\|[^\n]*`{re.escape(nb_id)}`[^\n]*\|\s*(\d+)\s*\|\s*$", text, re.M)
            assert row, f"{doc} has no table row for {nb_id} ending in its minutes"
            assert int(row.group(1)) == stated(notebook)[0], f"{doc}: minutes of {nb_id}"

"""Grading never runs weaker than full isolation without saying so and being told to."""

import pytest
from click.testing import CliRunner

from autograder import grading
from autograder.assignments import get_assignment
from autograder.cli import main
from autograder.grading import WeakIsolation, grade

A = get_assignment("01-entropy")


@pytest.fixture
def basic_only(monkeypatch):
    """A machine without namespaces (macOS, or Linux with user namespaces disabled)."""
    monkeypatch.setattr(
        grading, "probe_isolation", lambda hide: ("basic", "user namespaces are disabled")
    )


def test_grade_refuses_below_full_isolation_before_anything_runs(tmp_path, basic_only):
    (tmp_path / "submitted").mkdir()
    said: list[str] = []
    with pytest.raises(WeakIsolation, match="--allow-weak-isolation"):
        grade(tmp_path, A, said.append)
    assert said and said[0].startswith("isolation: basic")
    assert "user namespaces are disabled" in said[0]
    assert not (tmp_path / "gradebook.db").exists()  # refused before touching the course


def test_plain_nbgrader_is_isolation_none_and_refused_too(tmp_path):
    (tmp_path / "submitted").mkdir()
    with pytest.raises(WeakIsolation, match="none"):
        grade(tmp_path, A, isolated=False)


def test_the_command_says_why_and_which_option(tmp_path, basic_only):
    (tmp_path / "submitted").mkdir()
    result = CliRunner().invoke(main, ["grade", A.id, "--course-dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "refusing to grade" in result.output
    assert "--allow-weak-isolation" in result.output
    assert "user namespaces are disabled" in result.output

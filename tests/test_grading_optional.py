"""The grader skips "Going further" cells a student left as released, and only those.

In 07 the model training and the compression section sit between exercises: every student's
notebook would train the model to grade exercises that do not need it. ``grade_isolated``
does not run optional cells whose text is exactly the release's (nothing graded reads what
they define: ``tests/test_going_further.py``). Three students of 07 check what that must not
change: the reference as released earns every point without the optional cells running; a
correct answer that reads a name only an optional cell defines earns every point too (its run
misses the name, so the notebook is run again with every cell); a cell the student changed
runs.
"""

import json
from pathlib import Path

import pytest

from autograder.assignments import get_assignment
from autograder.demo import answer_source
from autograder.grading import grade
from autograder.release import generate, prepare_course_dir
from autograder.sandbox import NOT_RUN_OPTIONAL
from autograder.timing import cell_text, optional_cells
from tests.sandbox_cases import answered

pytestmark = pytest.mark.slow

A = get_assignment("07-llm-losses")
REFERENCE = {e.name: answer_source(getattr(A.reference(), e.name), e.name) for e in A.exercises}
FULL = {e.name: float(e.points) for e in A.exercises}
# A correct top_p_filter that reads a constant which only a "Going further" cell defines (the
# section that trains the model, before the exercise): plain nbgrader gives it full points.
NEEDS_OPTIONAL = (
    REFERENCE["top_p_filter"].replace("def top_p_filter(", "def _top_p_filter(", 1)
    + "\n\ndef top_p_filter(probs, top_p):\n"
    + "    assert NANOGPT_VAL_NATS > 0\n"
    + "    return _top_p_filter(probs, top_p)\n"
)
EDITED = "\nprint('changed by the student')\n"


def first_optional_code_cell(cells: list[dict]) -> int:
    flags = optional_cells(cells)
    return next(i for i, c in enumerate(cells) if flags[i] and c["cell_type"] == "code")


def test_optional_cells_as_released_are_skipped_and_grades_do_not_change(tmp_path: Path):
    course = tmp_path / "course"
    prepare_course_dir(course, [A])
    generate(course, A)
    release = json.loads((course / "release" / A.id / A.notebook).read_text())
    edited = answered(release, REFERENCE)
    changed = first_optional_code_cell(edited["cells"])
    edited["cells"][changed]["source"] = cell_text(edited["cells"][changed]) + EDITED
    notebooks = {
        "as-released": answered(release, REFERENCE),
        "needs-optional": answered(release, {**REFERENCE, "top_p_filter": NEEDS_OPTIONAL}),
        "edited": edited,
    }
    for student, nb in notebooks.items():
        folder = course / "submitted" / student / A.id
        folder.mkdir(parents=True)
        (folder / A.notebook).write_text(json.dumps(nb))

    result = grade(course, A)

    for student in result.students:
        assert student.scores == FULL, (student.student, student.scores, student.status)

    def outputs(student: str) -> list[str]:
        path = course / "autograded" / student / A.id / A.notebook
        cells = json.loads(path.read_text())["cells"]
        return [json.dumps(c.get("outputs", [])) for c in cells]

    note = json.dumps(NOT_RUN_OPTIONAL["text"])[1:-1]
    flags = optional_cells(release["cells"])
    optional = [i for i, c in enumerate(release["cells"]) if flags[i] and c["cell_type"] == "code"]
    last_graded = max(
        i for i, c in enumerate(release["cells"]) if c["metadata"].get("nbgrader", {}).get("grade")
    )
    before = [i for i in optional if i < last_graded]
    assert len(before) >= 10  # the model, the compression section, ...

    as_released = outputs("as-released")
    assert all(note in as_released[i] for i in before)
    needs = outputs("needs-optional")  # run again, every cell
    assert not any(note in needs[i] for i in before)
    edited_out = outputs("edited")
    assert "changed by the student" in edited_out[changed]
    assert all(note in edited_out[i] for i in before if i != changed)

"""A class of odd, broken and hostile uploads, graded in one run by the isolated grader.

Each upload is graded as far as it can be or listed as not graded with its reason; the honest
student in the same batch gets full points; nothing is read or written through a link; no
CSV cell starts a formula; no feedback page runs the student's script (issue 14).
"""

import csv
import json
import os
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder.assignments import get_assignment
from autograder.grading import grade
from autograder.release import generate, prepare_course_dir
from tests.sandbox_cases import answered

pytestmark = pytest.mark.slow
A = get_assignment("01-entropy")
FULL = {e.name: e.points for e in A.exercises}
LINK = "not graded: "


def without(nb: dict, *grade_ids: str) -> dict:
    nb["cells"] = [
        c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") not in grade_ids
    ]
    return nb


def code_cell(source: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
            "execution_count": None}  # fmt: skip


XSS = "<img src=x onerror=alert(document.cookie)><script>alert(1)</script>"


def hand_in(course: Path, student: str | bytes, nb=None, name: str = A.notebook) -> Path:
    root = os.fsencode(course / "submitted")
    raw = student if isinstance(student, bytes) else os.fsencode(student)
    folder = Path(os.fsdecode(os.path.join(root, raw, os.fsencode(A.id))))
    folder.mkdir(parents=True)
    if nb is not None:
        (folder / name).write_bytes(nb if isinstance(nb, bytes) else json.dumps(nb).encode())
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("uploads")
    prepare_course_dir(course, [A])
    generate(course, A)
    release = json.loads((course / "release" / A.id / A.notebook).read_text())
    honest = hand_in(course, "honest", answered(release))
    # Ids nbgrader would split or glob, ids a spreadsheet would run, a terminal escape, bytes
    # that are not UTF-8: each renamed to a safe id and graded in full.
    for student in ("hon,est", "[h]onest", "=HYPERLINK(1)", "eve\x1b[2J", b"caf\xe9"):
        hand_in(course, student, answered(release))
    # Links: to a classmate's notebook, a student folder, a dangling link with a real
    # notebook beside it (placing it must not write through the link).
    (hand_in(course, "copycat") / A.notebook).symlink_to(honest / A.notebook)
    (course / "submitted" / "linked-student").symlink_to(honest.parent)
    dangling = hand_in(course, "dangling", answered(release), name="homework.ipynb")
    (dangling / A.notebook).symlink_to(course / "planted.py")
    # Broken notebooks: a JSON list, a cell whose metadata is a list (repaired: graded).
    hand_in(course, "json-list", [1, 2, 3])
    listy = answered(release)
    first_markdown = next(c for c in listy["cells"] if c["cell_type"] == "markdown")
    first_markdown["metadata"] = ["a", "list"]
    hand_in(course, "list-metadata", listy)
    # An exercise deleted, its solution and its test: the others still graded.
    hand_in(course, "deletes-an-exercise", without(answered(release), "entropy", "test_entropy"))
    # A zip whose member name is not UTF-8.
    bad = course / "submitted" / "bad-zip"
    bad.mkdir()
    with zipfile.ZipFile(bad / f"{A.id}.zip", "w") as zf:
        zf.writestr(f"é/{A.notebook}", json.dumps(answered(release)))
    (bad / f"{A.id}.zip").write_bytes(
        (bad / f"{A.id}.zip").read_bytes().replace("é".encode(), b"\xff\xfe")
    )
    # Script in outputs and in a markdown cell the student wrote.
    xss = answered(release)
    xss["cells"].insert(
        3, code_cell(f"from IPython.display import HTML, display\ndisplay(HTML({XSS!r}))")
    )
    xss["cells"].insert(3, {"cell_type": "markdown", "metadata": {}, "source": XSS})
    hand_in(course, "xss", xss)
    lines: list[str] = []
    result = grade(course, A, progress=lines.append, limits={"seconds": 60, "cell_seconds": 20})
    rows = {s.student: s for s in result.students}
    return course, rows, result, lines


def points(row):
    return {name: row.scores[name] for name in FULL}


def test_honest_student_and_odd_ids_get_full_points(graded):
    """Are the honest student, and every student whose id nbgrader could not use as it was,
    graded in full under a safe id?"""
    _, rows, _, _ = graded
    for student in ("honest", "hon%2Cest", "%5Bh%5Donest", "=HYPERLINK(1)", "eve%1B%5B2J",
                    "caf%E9", "list-metadata", "xss"):  # fmt: skip
        assert student in rows, (student, sorted(rows))
        assert points(rows[student]) == FULL, (student, rows[student].status)


def test_links_are_not_followed(graded):
    """Is each upload holding a link listed as not graded, and nothing written through one?"""
    course, rows, _, _ = graded
    for student in ("copycat", "linked-student", "dangling"):
        assert rows[student].status.startswith(LINK), (student, rows[student].status)
        assert "symbolic link" in rows[student].status
        assert not any(rows[student].scores.values())
    assert not (course / "planted.py").exists()


def test_broken_uploads_are_listed_with_a_reason(graded):
    """Are a JSON list and a zip with an undecodable name listed with the reason?"""
    _, rows, _, _ = graded
    assert "not a Jupyter notebook" in rows["json-list"].status
    assert "could not be opened" in rows["bad-zip"].status


def test_a_deleted_exercise_costs_only_its_points(graded):
    """Does deleting one exercise's cells cost that exercise only, said in the status?"""
    _, rows, _, _ = graded
    row = rows["deletes-an-exercise"]
    assert {n: p for n, p in points(row).items() if n != "entropy"} == {
        n: p for n, p in FULL.items() if n != "entropy"
    }
    assert not row.scores["entropy"]
    assert "entropy, test_entropy put back" in row.status


def test_csv_and_terminal_carry_no_active_content(graded):
    """Does the grades CSV hold no formula and show ids as they were, and did no line of
    progress carry a control character?"""
    _, _, result, lines = graded
    with result.csv_path.open(newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    cells = [c for row in table[1:] for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    ids = [row[0] for row in table[1:]]
    assert "hon,est" in ids and "'=HYPERLINK(1)" in ids and "caf\\xe9" in ids
    assert not [line for line in lines if any(ord(ch) < 32 and ch not in "\n\t" for ch in line)]


class _Handlers(HTMLParser):
    def __init__(self):
        super().__init__()
        self.handlers: list[str] = []
        self.inline_scripts: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self._script = tag == "script" and "src" not in dict(attrs)
        if self._script:
            self.inline_scripts.append("")

    def handle_data(self, data):
        if self._script:
            self.inline_scripts[-1] += data

    def handle_endtag(self, tag):
        self._script = False


def test_feedback_runs_no_student_script(graded):
    """Does the feedback page of a student whose output and markdown hold script show it as
    text, with no event handler and no script of the student's?"""
    course, _, _, _ = graded
    page = (course / "feedback" / "xss" / A.id / f"{A.notebook[:-6]}.html").read_text()
    parsed = _Handlers()
    parsed.feed(page)
    assert parsed.handlers == []
    assert not [s for s in parsed.inline_scripts if "alert(" in s]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

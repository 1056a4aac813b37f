"""A class of bad and hostile submissions, graded in one batch by the isolated grader.

Each case ends graded or flagged with a clear reason, none gets credit it did not earn, and
the honest student in the same batch is graded correctly (GRADING.md, issue 7).
"""

import csv
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.assignments import REPO, get_assignment
from autograder.checks.core import CALL_SECONDS  # noqa: F401 - documents the per-call limit
from autograder.grading import db_url, grade
from autograder.release import generate, prepare_course_dir
from tests.sandbox_cases import ENTROPY_ANSWERS as REFERENCE

pytestmark = pytest.mark.slow
A = get_assignment("01-entropy")
FULL = {e.name: e.points for e in A.exercises}


def notebook(release: dict, answers: dict | None = None, extra_cells=(), edit=None) -> dict:
    nb = json.loads(json.dumps(release))
    answers = {**REFERENCE, **(answers or {})}
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    for index, source in extra_cells:
        nb["cells"].insert(
            index,
            {
                "cell_type": "code",
                "metadata": {},
                "source": source,
                "outputs": [],
                "execution_count": None,
            },
        )
    if edit:
        edit(nb)
    return nb


def drop_test_cell(nb):
    nb["cells"] = [
        c
        for c in nb["cells"]
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != "test_entropy"
    ]


def duplicate_solution_cell(nb):
    index = next(
        i
        for i, c in enumerate(nb["cells"])
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "entropy"
    )
    copy = json.loads(json.dumps(nb["cells"][index]))
    nb["cells"].insert(index + 1, copy)


def gut_test_cell(nb):
    for c in nb["cells"]:
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "test_softmax":
            c["source"] = "3.0  # trust me"


def turn_test_cell_into_markdown(nb):
    for c in nb["cells"]:
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "test_binary_entropy":
            c["cell_type"] = "markdown"
            c.pop("outputs", None)
            c.pop("execution_count", None)


# A copy of the reference outside this checkout and outside the course folder, as an old
# checkout of the course in the instructor's temp folder would be (the sandbox shows neither).
# (One per user: the temp folder is shared by every user of the machine.)
DECOY = (
    Path(tempfile.gettempdir()) / f"itlm-decoy-checkout-{os.getuid()}" / "solutions" / "entropy.py"
)

WRONG_SURPRISAL = "def surprisal(p, base=2):\n    import numpy as np\n    return -np.log(np.asarray(p, dtype=float))\n"

# student -> (answers, extra cells, edit, what must hold)
CASES = {
    "honest": ({}, (), None, "full"),
    "exits-the-kernel": ({}, [(3, "import os\nos._exit(0)")], None, "full after skipping, flagged"),
    "sleeps-forever": ({}, [(3, "import time\ntime.sleep(10**6)")], None, "full after skipping"),
    "endless-loop": ({}, [(3, "while True:\n    pass")], None, "full"),
    "memory-bomb": ({}, [(3, "x = bytearray(64 * 2**30)")], None, "full"),
    "output-flood": ({}, [(3, "for i in range(300_000):\n    print('spam', i)")], None, "full"),
    "huge-file": (
        {},
        [(3, "open('big.bin', 'wb').write(b'0' * (400 * 2**20))")],
        None,
        "full, flagged",
    ),
    "reads-solutions": (
        {
            # Where the reference is, found from the course package (no search that never
            # ends: without isolation this succeeds at once, so the test would fail).
            "surprisal": "def surprisal(p, base=2):\n    import pathlib, course\n    root = pathlib.Path(course.__file__).resolve().parents[1]\n    src = open(root / 'solutions' / 'entropy.py').read()\n    namespace = {}\n    exec(src, namespace)\n    return namespace['surprisal'](p, base)\n"
        },
        (),
        None,
        "zero on surprisal, flagged",
    ),
    "reads-the-source-notebook": (
        {
            "surprisal": "def surprisal(p, base=2):\n    import json, math\n    import numpy as np\n    nb = json.load(open('COURSE_DIR/source/01-entropy/01-entropy.ipynb'))\n    code = next(''.join(c['source']) for c in nb['cells'] if c['metadata'].get('nbgrader', {}).get('grade_id') == 'surprisal')\n    namespace = {'np': np, 'math': math}\n    exec(code, namespace)\n    return namespace['surprisal'](p, base)\n"
        },
        (),
        None,
        "zero on surprisal, flagged",
    ),
    "reads-another-checkout": (
        {
            "surprisal": f"def surprisal(p, base=2):\n    namespace = {{}}\n    exec(open({str(DECOY)!r}).read(), namespace)\n    return namespace['surprisal'](p, base)\n"
        },
        (),
        None,
        "zero on surprisal, flagged",
    ),
    "imports-solutions": (
        {
            "surprisal": "def surprisal(p, base=2):\n    from solutions.entropy import surprisal as s\n    return s(p, base)\n"
        },
        (),
        None,
        "zero on surprisal, flagged",
    ),
    "patches-numpy": (
        {
            "surprisal": WRONG_SURPRISAL
            + "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
        },
        (),
        None,
        "loses on surprisal, flagged",
    ),
    "fakes-equality": (
        {
            "surprisal": "class Anything(float):\n    def __eq__(self, other):\n        return True\n\ndef surprisal(p, base=2):\n    return Anything(0.0)\n"
        },
        (),
        None,
        "loses on surprisal, flagged",
    ),
    "detects-the-grader": (
        {
            "surprisal": "import os\nif os.environ.get('NBGRADER_EXECUTION'):\n    "
            + WRONG_SURPRISAL.replace("\n", "\n    ").rstrip()
            + "\n"
        },
        (),
        None,
        "loses on surprisal, flagged",
    ),
    "uses-the-network": (
        {},
        [(3, "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=3)")],
        None,
        "full, flagged",
    ),
    "reads-the-gradebook": (
        {
            # Right only when the gradebook can be read: a student who could read it scores.
            "surprisal": "def surprisal(p, base=2):\n    import sqlite3\n    import numpy as np\n    db = sqlite3.connect('file:COURSE_DIR/gradebook.db?mode=ro', uri=True)\n    db.execute('select count(*) from grade_cells').fetchone()\n    return -np.log(np.asarray(p, dtype=float)) / np.log(base)\n"
        },
        (),
        None,
        "zero on surprisal, flagged",
    ),
    "patches-builtins": (
        {
            "surprisal": WRONG_SURPRISAL
            + "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.float = lambda *a: 1.0\n"
        },
        (),
        None,
        "loses on surprisal, flagged, may break its own later checks",
    ),
    "duplicates-a-grade-cell": ({}, (), duplicate_solution_cell, "full"),
    "deletes-a-test-cell": ({}, (), drop_test_cell, "full"),
    "edits-a-test-cell": (
        {"softmax": "def softmax(logits, temperature=1.0):\n    return None\n"},
        (),
        gut_test_cell,
        "zero on softmax",
    ),
    "changes-a-cell-type": (
        {"binary_entropy": "def binary_entropy(p):\n    return 0.0\n"},
        (),
        turn_test_cell_into_markdown,
        "loses on binary_entropy",
    ),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("hostile")
    DECOY.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "solutions" / "entropy.py", DECOY)
    prepare_course_dir(course, [A])
    generate(course, A)
    release = json.loads((course / "release" / A.id / A.notebook).read_text())
    for student, (answers, extra, edit, _) in CASES.items():
        answers = {k: v.replace("COURSE_DIR", str(course)) for k, v in answers.items()}
        folder = course / "submitted" / student / A.id
        folder.mkdir(parents=True)
        (folder / A.notebook).write_text(json.dumps(notebook(release, answers, extra, edit)))
    # Uploads in the wrong shape: malformed JSON, a renamed notebook, a zip from an LMS.
    bad = course / "submitted" / "malformed-json" / A.id
    bad.mkdir(parents=True)
    (bad / A.notebook).write_text('{"cells": [ this is not json')
    renamed = course / "submitted" / "renamed-notebook" / A.id
    renamed.mkdir(parents=True)
    (renamed / "my entropy homework.ipynb").write_text(json.dumps(notebook(release)))
    missing = course / "submitted" / "missing-notebook" / A.id
    missing.mkdir(parents=True)
    (missing / "notes.txt").write_text("I could not get Jupyter to start, sorry")
    # 60 MB of outputs in a worked example: more than the upload limit, all of it regenerated.
    huge = course / "submitted" / "huge-notebook" / A.id
    huge.mkdir(parents=True)
    flood = {"output_type": "stream", "name": "stdout", "text": "x" * (60 * 2**20)}
    heavy = notebook(release)
    next(c for c in heavy["cells"] if c["cell_type"] == "code")["outputs"] = [flood]
    (huge / A.notebook).write_text(json.dumps(heavy))
    junk = course / "submitted" / "big-extra-file" / A.id
    junk.mkdir(parents=True)
    (junk / A.notebook).write_text(json.dumps(notebook(release)))
    (junk / "data.bin").write_bytes(b"\0" * (25 * 2**20))
    zipped = course / "submitted" / "zip-upload"
    zipped.mkdir(parents=True)
    with zipfile.ZipFile(zipped / f"{A.id}.zip", "w") as zf:
        zf.writestr(f"download/{A.notebook}", json.dumps(notebook(release)))
    lines = []
    result = grade(course, A, progress=lines.append, limits={"seconds": 20, "cell_seconds": 8})
    rows = {s.student: s for s in result.students}
    return course, rows, result


def points(row):
    return {name: row.scores[name] for name in FULL}


def test_honest_student_in_the_same_batch_gets_full_points(graded):
    """Is the honest submission unaffected by the hostile ones around it?"""
    _, rows, _ = graded
    assert points(rows["honest"]) == FULL and not rows["honest"].flags


@pytest.mark.parametrize("student", [s for s, case in CASES.items() if case[3].startswith("full")])
def test_disruptive_code_costs_nothing_else(graded, student):
    """Do a kernel exit, a hang, an endless loop, a memory bomb, an output flood, a huge file,
    a network call, or a deleted test cell leave the rest of the notebook graded in full?"""
    _, rows, _ = graded
    assert points(rows[student]) == FULL, (student, rows[student].scores, rows[student].status)
    if "skipping" in CASES[student][3]:
        assert "skipped" in rows[student].status
    if student == "duplicates-a-grade-cell":
        assert "duplicated" in rows[student].status


@pytest.mark.parametrize(
    "student", [s for s, case in CASES.items() if not case[3].startswith("full")]
)
def test_gaming_does_not_pay(graded, student):
    """Does each attempt lose the points it tried to get, on that exercise only?"""
    _, rows, _ = graded
    expectation = CASES[student][3]
    exercise = expectation.split(" on ")[1].split(",")[0]
    score = rows[student].scores[exercise]
    assert score < FULL[exercise], (student, score)
    if expectation.startswith("zero"):
        assert score == 0
    others = {n: p for n, p in points(rows[student]).items() if n != exercise}
    if "may break" in expectation:  # sabotaging one's own process can only cost points
        assert all(p <= FULL[n] for n, p in others.items()), (student, others)
    else:
        assert others == {n: p for n, p in FULL.items() if n != exercise}, (student, others)


@pytest.mark.parametrize("student", [s for s, case in CASES.items() if "flagged" in case[3]])
def test_suspicious_code_is_flagged(graded, student):
    """Is every gaming attempt listed for the instructor with a reason?"""
    _, rows, _ = graded
    assert rows[student].flags, student


def test_uploads_in_the_wrong_shape(graded):
    """Is a malformed notebook listed with a reason, and are renamed and zipped ones graded?"""
    _, rows, result = graded
    assert "not graded" in rows["malformed-json"].status
    assert points(rows["renamed-notebook"]) == FULL and "renamed" in rows["renamed-notebook"].status
    assert points(rows["zip-upload"]) == FULL and "zip" in rows["zip-upload"].status
    assert "not graded" in rows["missing-notebook"].status
    assert "no notebook" in rows["missing-notebook"].status
    assert not any(rows["missing-notebook"].scores.values())
    with result.csv_path.open() as f:
        listed = f.read()
    assert "malformed-json" in listed and "missing-notebook" in listed


def test_huge_uploads(graded):
    """Is a notebook bloated with outputs graded in full (its outputs dropped, the upload
    kept), and is a huge extra file left out of the autograded copy, with both said?"""
    course, rows, _ = graded
    assert points(rows["huge-notebook"]) == FULL
    assert "outputs were dropped" in rows["huge-notebook"].status
    kept = course / "submitted" / "huge-notebook" / A.id / f"{A.notebook}.too-large"
    assert kept.stat().st_size > 60 * 2**20  # nothing the student handed in is lost
    assert points(rows["big-extra-file"]) == FULL
    assert "ignored data.bin (25 MB)" in rows["big-extra-file"].status
    assert not (course / "autograded" / "big-extra-file" / A.id / "data.bin").exists()


def test_regrading_is_idempotent_and_keeps_the_gradebook(graded):
    """Does grading the same class again give the same grades and statuses, keeping what an
    instructor entered by hand in the formgrader (a manual score, a comment), and does it
    resume: run again only a notebook whose run was not finished (here: its record lost)?"""
    course, rows, first = graded
    (course / ".itlm-cache" / f"{A.id}-runs" / "honest.json").unlink()
    with Gradebook(db_url(course)) as gb:
        nb = A.notebook.removesuffix(".ipynb")
        gb.find_grade("test_softmax", nb, A.id, "edits-a-test-cell").manual_score = 1.5
        gb.find_comment("softmax", nb, A.id, "edits-a-test-cell").manual_comment = "see me"
        gb.db.commit()
    lines: list[str] = []
    limits = {"seconds": 20, "cell_seconds": 8}
    again = {s.student: s for s in grade(course, A, lines.append, limits=limits).students}
    reused = {
        line.split("] ")[1].split()[0]
        for line in lines
        if line.startswith("  [") and "unchanged since" in line
    }
    assert reused == set(first.details) - {"honest"}
    overridden = {**rows["edits-a-test-cell"].scores, "softmax": 1.5}
    expected = {s: r.scores for s, r in rows.items()} | {"edits-a-test-cell": overridden}
    assert {s: r.scores for s, r in again.items()} == expected
    assert {s: r.status for s, r in again.items()} == {s: r.status for s, r in rows.items()}
    with Gradebook(db_url(course)) as gb:
        comment = gb.find_comment("softmax", nb, A.id, "edits-a-test-cell")
        assert comment.manual_comment == "see me"
    shutil.rmtree(course / "feedback")


def test_every_submission_ran_fully_isolated(graded):
    """Was every notebook run with full isolation (as root, and as an ordinary user through a
    user namespace), and does the grades CSV say so on every row that ran?"""
    course, rows, result = graded
    ran = {s: r for s, r in rows.items() if s in result.details}
    assert ran and {r.isolation for r in ran.values()} == {"full"}
    with result.csv_path.open() as f:
        table = list(csv.DictReader(f))
    assert {row["isolation"] for row in table if row["student_id"] in ran} == {"full"}


# -- issue 14: the result channel, process limits and the grader's environment ---------------
# Graded in a batch of their own: these runs end abnormally on purpose, and such runs are
# never kept for resuming (which the regrading test above counts on for its batch).
import os  # noqa: E402

SECRET = "itlm-hostile-secret-4f2a"
WRITE_TO_EVERY_PIPE = (
    "import os, stat\nfor name in os.listdir('/proc/self/fd'):\n    fd = int(name)\n"
    "    try:\n        if fd > 2 and stat.S_ISFIFO(os.fstat(fd).st_mode):\n"
    "            os.write(fd, {payload!r})\n    except OSError:\n        pass\n"
)
CHANNEL_CASES = {
    "writes-garbage-to-its-pipe": WRITE_TO_EVERY_PIPE.format(payload=b"not json\n\xff" * 50),
    "forges-a-classmates-exit": WRITE_TO_EVERY_PIPE.format(
        payload=b'{"id": "honest", "exit": "signal 9"}\n' * 20
    ),
    "forks-40-processes": (
        "import subprocess, time\n"
        "ps = [subprocess.Popen(['sleep', '60']) for _ in range(40)]\ntime.sleep(20)"
    ),
}
PRINTS_ENVIRONMENT = (
    "import os\nprint(dict(os.environ))\nprint(open('/proc/self/environ', 'rb').read())"
)


@pytest.fixture(scope="module")
def channel_batch(tmp_path_factory):
    course = tmp_path_factory.mktemp("hostile-channel")
    prepare_course_dir(course, [A])
    generate(course, A)
    release = json.loads((course / "release" / A.id / A.notebook).read_text())
    cases = {"honest": [], "prints-the-environment": [(3, PRINTS_ENVIRONMENT)]}
    cases |= {student: [(3, source)] for student, source in CHANNEL_CASES.items()}
    for student, extra in cases.items():
        folder = course / "submitted" / student / A.id
        folder.mkdir(parents=True)
        (folder / A.notebook).write_text(json.dumps(notebook(release, {}, extra)))
    os.environ["ITLM_HOSTILE_SECRET"] = SECRET  # in the grader's environment only
    try:
        result = grade(course, A, progress=[].append, limits={"seconds": 40, "cell_seconds": 8})
    finally:
        del os.environ["ITLM_HOSTILE_SECRET"]
    return course, {s.student: s for s in result.students}


@pytest.mark.parametrize("student", sorted(CHANNEL_CASES))
def test_a_broken_or_forged_channel_costs_only_its_sender(channel_batch, student):
    """Garbage or a forged message on the result pipe, or a fork storm, is flagged on its
    sender, and the honest student in the same batch keeps full points."""
    _, rows = channel_batch
    flags = rows[student].flags
    assert any("malformed result" in f or "processes" in f for f in flags), flags
    assert points(rows["honest"]) == FULL and not rows["honest"].flags


def test_the_graders_environment_stays_out_of_the_feedback(channel_batch):
    course, rows = channel_batch
    assert points(rows["prints-the-environment"]) == FULL
    graded_copy = course / "autograded" / "prints-the-environment" / A.id / A.notebook
    text = graded_copy.read_text()
    assert "PATH" in text  # the cell ran and printed its environment
    assert SECRET not in text

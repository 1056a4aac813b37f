"""The static scan flags gaming attempts and stays quiet on honest work."""

import inspect
import json

import pytest

from autograder.answers import entropy as answers
from autograder.assignments import REPO, get_assignment
from autograder.scan import scan_notebook, scan_source

RELEASE = json.loads((REPO / "release" / "01-entropy" / "01-entropy.ipynb").read_text())

HOSTILE = {
    "import the reference": "from solutions.entropy import entropy",
    "import the grader": "import autograder.checks as c",
    "patch numpy": "np.allclose = lambda *a, **k: True",
    "patch math": "math.isclose = lambda *a, **k: True",
    "patch builtins": "import builtins\nbuiltins.float = int",
    "dunder builtins": "__builtins__['abs'] = lambda x: 0",
    "detect the grader": "import os\nif os.environ.get('NBGRADER_EXECUTION'): pass",
    "detect by getenv": "import os\nmode = os.getenv('NBGRADER_EXECUTION')",
    "kill the kernel": "import os\nos._exit(0)",
    "exit": "import sys\nsys.exit()",
    "read the gradebook": "data = open('../../gradebook.db', 'rb').read()",
    "read with pathlib": "from pathlib import Path\nPath('x').read_text()",
    "list files": "import os\nos.listdir('..')",
    "shell magic": "!cat ../../source/01-entropy/01-entropy.ipynb",
    "exec": "exec('print(1)')",
    "fake equality": "class Yes(float):\n    def __eq__(self, other):\n        return True",
    "sys.modules": "import sys\nsys.modules['numpy'] = None",
    "frames": "import sys\nf = sys._getframe(1)",
    "subprocess": "import subprocess\nsubprocess.run(['ls'])",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_code_is_flagged(name):
    """Is each way of gaming the grader found, with its line?"""
    found = scan_source(HOSTILE[name])
    assert found, name


def with_answers(answers: dict) -> dict:
    nb = json.loads(json.dumps(RELEASE))
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            src = inspect.getsource(answers[gid]).replace(
                f"def {answers[gid].__name__}(", f"def {gid}(", 1
            )
            cell["source"] = src
    return nb


def test_release_and_honest_answers_are_not_flagged():
    """Do the blank release, the reference and every alternative answer scan clean?"""
    assignment = get_assignment("01-entropy")
    assert scan_notebook(RELEASE, RELEASE) == []
    reference = {e.name: getattr(assignment.reference(), e.name) for e in assignment.exercises}
    assert scan_notebook(with_answers(reference), RELEASE) == []
    for name, alternatives in answers.ALTERNATIVES.items():
        for fn in alternatives:
            assert scan_notebook(with_answers({name: fn}), RELEASE) == [], fn.__name__


def test_a_hostile_answer_is_located():
    """Is a finding reported with the cell, the line and the code?"""
    nb = json.loads(json.dumps(RELEASE))
    index = next(
        i
        for i, c in enumerate(nb["cells"])
        if c["metadata"].get("nbgrader", {}).get("grade_id") == "entropy"
    )
    nb["cells"][index]["source"] = (
        "import numpy as np\n"
        "np.isclose = lambda *a, **k: True\n"
        "def entropy(p, base=2):\n    return 0.0"
    )
    (finding,) = scan_notebook(nb, RELEASE)
    assert (finding.cell, finding.line) == (index, 2) and "np.isclose" in finding.code


def test_extra_cells_and_edited_explanations_are_scanned():
    """Are cells the student added (or explanation cells they changed) scanned too?"""
    nb = json.loads(json.dumps(RELEASE))
    nb["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "source": "import solutions",
            "outputs": [],
            "execution_count": None,
        }
    )
    assert [f.reason for f in scan_notebook(nb, RELEASE)] == ["imports the reference solutions"]

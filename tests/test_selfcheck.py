"""The learner's self-check (``course/selfcheck.py``): statuses, teaching messages, safety,
the notebook cell and the command line."""

import ast
import copy
import hashlib
import math
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

import solutions.entropy as entropy_reference
import solutions.source_coding as coding_reference
from autograder.answers import entropy as entropy_examples
from autograder.assignments import REPO, get_assignment
from autograder.notebook import grade_id, read, write
from course import selfcheck
from course.selfcheck import SelfCheckError, check_namespace, self_check

ENTROPY = get_assignment("01-entropy")


def stub(*args, **kwargs):
    raise NotImplementedError("Replace this line with your code.")


def reference_namespace(assignment=ENTROPY) -> dict:
    module = assignment.reference()
    return {e.name: getattr(module, e.name) for e in assignment.exercises}


def by_name(report) -> dict:
    return {e.name: e for e in report.exercises}


def test_selfcheck_imports_nothing_students_do_not_get():
    """Do course/selfcheck.py and the runtime it shares with the grader (harness,
    comparisons, adapters, diagnosis) import only the standard library, NumPy, IPython,
    Jupyter, PyTorch and course/, never autograder/ or solutions/ (students get neither)?"""
    for path in ("selfcheck.py", "harness.py", "comparisons.py", "adapters.py", "diagnosis.py"):
        tree = ast.parse((REPO / "course" / path).read_text())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add((node.module or "").split(".")[0] if node.level == 0 else ".")
        assert not imported & {"autograder", "solutions", "."}
        allowed = {"numpy", "torch", "IPython", "nbformat", "nbclient", "__future__", "course"}
        assert imported - allowed <= set(__import__("sys").stdlib_module_names)


def test_correct_answers_pass_and_blank_ones_are_not_attempted():
    """Do the reference answers pass, and do the release's stubs count as not attempted
    (which, like passing, keeps the exit status 0)?"""
    namespace = reference_namespace()
    namespace["softmax"] = stub
    report = check_namespace(namespace, "01-entropy")
    status = {e.name: e.status for e in report.exercises}
    assert status.pop("softmax") == "not attempted"
    assert set(status.values()) == {"pass"} and report.passed
    assert "6 of 7 exercises pass" in report.summary()


def test_a_classic_mistake_is_explained_and_named():
    """Does a classic mistake fail with its input, expected value, what came back and why,
    and is it named with the grader's hint?"""
    namespace = reference_namespace()
    namespace["entropy"] = entropy_examples.entropy_no_zero_handling
    report = check_namespace(namespace, "01-entropy")
    entropy = by_name(report)["entropy"]
    assert entropy.status == "fail" and not report.passed
    assert entropy.failed == ["zero probabilities contribute nothing (0 log 0 = 0)"]
    assert entropy.failure["input"].startswith("entropy(") and entropy.failure["got"] == "nan"
    assert "nan" in entropy.failure["why"]
    mistake = next(
        m for m in entropy_examples.MISTAKES if m.fn is entropy_examples.entropy_no_zero_handling
    )
    assert entropy.mistake == [mistake.name, mistake.hint]
    text = report.text()
    assert f"likely mistake: {mistake.name}." in text and "expected:" in text
    assert "grading runs more (hidden) cases" in text


def test_the_report_never_shows_the_expected_answer_of_a_hidden_case():
    """Is every input shown in a report one of the public cases?"""
    public = selfcheck.load_public("01-entropy")
    shown = {
        case.call_text(e.name) for e in public.exercises for c in e.criteria for case in c.cases
    }
    namespace = {name: (lambda *args, **kwargs: 0.5) for name in reference_namespace()}
    report = check_namespace(namespace, "01-entropy")
    assert all(e.failure["input"] in shown for e in report.exercises)


def test_wrong_answers_of_every_kind_are_caught_not_raised():
    """Are an exception, a None, an object that equals everything, a broken repr and a
    non-function reported per exercise, without stopping the check?"""

    class Liar:
        def __eq__(self, other):
            return True

        def __repr__(self):
            raise RuntimeError("no repr")

    namespace = reference_namespace()
    namespace["surprisal"] = lambda p, base=2: 1 / 0
    namespace["entropy"] = lambda p, base=2: None
    namespace["binary_entropy"] = lambda p: Liar()
    namespace["joint_entropy"] = 42
    del namespace["conditional_entropy"]
    report = by_name(check_namespace(namespace, "01-entropy"))
    assert report["surprisal"].failure["why"].startswith("it raised ZeroDivisionError")
    assert "return" in report["entropy"].failure["why"]
    assert report["binary_entropy"].status == "fail"
    assert report["binary_entropy"].failure["got"] == "<a Liar>"
    assert report["joint_entropy"].status == "missing" and "not a function" in (
        report["joint_entropy"].note
    )
    assert "run the cell that defines it" in report["conditional_entropy"].note
    assert report["softmax"].status == "pass"


def test_inputs_are_copied_and_changes_to_them_reported():
    """Does the check pass copies of its inputs, and flag a function that changes them?"""

    def normalising_entropy(p, base=2):
        p = np.asarray(p, dtype=float)
        result = entropy_reference.entropy(p, base)
        p /= 2  # changes an array argument in place
        return result

    exercise = selfcheck.load_public("01-entropy").exercises[1]
    before = copy.deepcopy([case.args for c in exercise.criteria for case in c.cases])
    entropy = selfcheck.check_exercise(exercise, normalising_entropy)
    assert entropy.status == "fail" and "modified its input" in entropy.failure["why"]
    after = [case.args for c in exercise.criteria for case in c.cases]
    for old, new in zip(before, after, strict=True):
        np.testing.assert_array_equal(
            np.asarray(old[0], dtype=object), np.asarray(new[0], dtype=object)
        )


def test_a_slow_function_is_stopped(monkeypatch):
    """Is a call that runs past the time limit stopped and reported as a timeout?"""
    monkeypatch.setattr(selfcheck, "CALL_SECONDS", 0.05)
    monkeypatch.setattr(selfcheck, "EXERCISE_SECONDS", 0.5)

    def hanging_surprisal(p, base=2):
        try:
            while True:
                time.sleep(0.01)
        except Exception:  # a learner's blanket except must not swallow the time limit
            return 0.0

    namespace = reference_namespace()
    namespace["surprisal"] = hanging_surprisal
    start = time.perf_counter()
    surprisal = by_name(check_namespace(namespace, "01-entropy"))["surprisal"]
    assert time.perf_counter() - start < 5
    assert surprisal.status == "fail" and "TimeoutError" in surprisal.failure["why"]


def test_a_round_trip_needs_the_partner():
    """Is the decoder, checked through the learner's own encoder, not attempted while the
    encoder is a stub, and passing once both work?"""
    assignment = get_assignment("02-source-coding")
    namespace = reference_namespace(assignment)
    namespace["arithmetic_encode"] = stub
    decode = by_name(check_namespace(namespace, assignment.id))["arithmetic_decode"]
    assert decode.status == "not attempted" and "arithmetic_encode" in decode.note
    namespace["arithmetic_encode"] = coding_reference.arithmetic_encode
    assert by_name(check_namespace(namespace, assignment.id))["arithmetic_decode"].status == "pass"


def test_huffman_codes_are_judged_by_their_properties():
    """Does another optimal Huffman code pass, and a non-prefix code fail with the reason?"""
    assignment = get_assignment("02-source-coding")

    def flipped(p):  # the reference's code with 0 and 1 swapped: just as optimal
        code = coding_reference.huffman_code(p)
        if len(code) == 1:
            return code  # the contract: a single symbol gets '0'
        return {s: w.translate(str.maketrans("01", "10")) for s, w in code.items()}

    def not_prefix_free(p):
        return {i: "1" * (i + 1) for i in range(len(p)) if p[i] > 0}

    namespace = reference_namespace(assignment)
    namespace["huffman_code"] = flipped
    assert by_name(check_namespace(namespace, assignment.id))["huffman_code"].status == "pass"
    namespace["huffman_code"] = not_prefix_free
    huffman = by_name(check_namespace(namespace, assignment.id))["huffman_code"]
    assert huffman.status == "fail" and "prefix" in huffman.failure["why"]
    assert "optimal expected length" in huffman.failure["expected"]


def test_a_torch_loss_is_checked_on_values_and_gradients():
    """Does a loss returned with .item() fail its form check, and a right value with a wrong
    gradient fail on the gradient?"""
    import torch

    assignment = get_assignment("07-llm-losses")
    namespace = reference_namespace(assignment)
    log_softmax = namespace["log_softmax"]

    def detached(logits):
        return log_softmax(logits).detach()

    def wrong_gradient(logits):  # the value of log_softmax, the gradient of 2 * log_softmax
        value = log_softmax(logits)
        return 2 * value - value.detach()

    namespace["log_softmax"] = detached
    report = by_name(check_namespace(namespace, assignment.id))["log_softmax"]
    assert report.status == "fail" and "does not require grad" in report.failure["why"]
    namespace["log_softmax"] = wrong_gradient
    report = by_name(check_namespace(namespace, assignment.id))["log_softmax"]
    assert report.status == "fail" and "gradient" in report.failure["why"]
    assert torch.is_grad_enabled()


def test_the_notebook_is_guessed_from_the_functions_defined():
    """Is the notebook found from the exercise functions defined, and is an empty
    namespace refused with a message that says what to do?"""
    assert selfcheck.guess_assignment(reference_namespace()) == "01-entropy"
    assert selfcheck.guess_assignment(reference_namespace(get_assignment("06-perplexity"))) == (
        "06-perplexity"
    )
    with pytest.raises(SelfCheckError, match="run the notebook's cells first"):
        selfcheck.guess_assignment({"math": math})
    with pytest.raises(SelfCheckError, match="available: 01-entropy"):
        selfcheck.load_public("99-nothing")


def test_self_check_prints_text_outside_jupyter(capsys):
    """Does self_check() print the table when no Jupyter kernel is there to show HTML?"""
    self_check(namespace=reference_namespace())
    out = capsys.readouterr().out
    assert out.startswith("Self-check of 01-entropy") and "✓ passes the public checks" in out
    self_check(namespace={})
    assert "Self-check: none of the course's exercise functions" in capsys.readouterr().out


def test_self_check_stands_aside_while_nbgrader_runs_the_notebook(capsys, monkeypatch):
    """Does the self-check cell only say it is skipped when nbgrader grades or validates?"""
    for phase in ("autograde", "validate"):
        monkeypatch.setenv("NBGRADER_EXECUTION", phase)
        self_check(namespace=reference_namespace())
        out = capsys.readouterr().out
        assert out.startswith("Self-check: skipped while nbgrader runs the notebook")
        assert "✓" not in out


def test_html_report_escapes_and_shows_the_table():
    """Is the HTML report a table with the statuses, with the learner's output escaped?"""
    namespace = reference_namespace()
    namespace["entropy"] = lambda p, base=2: "<script>"
    report = check_namespace(namespace, "01-entropy")
    page = report._repr_html_()
    assert "<table>" in page and "&lt;script&gt;" in page and "<script>" not in page
    assert page.count("<tr>") == 1 + len(ENTROPY.exercises)


def test_a_damaged_or_newer_data_file_is_explained(tmp_path):
    """Are a damaged data file and one of another format refused with what to do?"""
    (tmp_path / "01-entropy.json").write_text('{"format": 1, "exercises": [')
    with pytest.raises(SelfCheckError, match="is damaged"):
        selfcheck.load_public("01-entropy", tmp_path)
    (tmp_path / "01-entropy.json").write_text('{"format": 99}')
    with pytest.raises(SelfCheckError, match="from the same release"):
        selfcheck.load_public("01-entropy", tmp_path)


def test_decode_accepts_plain_data_only():
    """Is a tag outside plain data (pickles, opaque objects) refused?"""
    with pytest.raises(ValueError, match="unknown tag"):
        selfcheck.decode({"__opaque__": "Liar", "text": "?"})
    assert selfcheck.decode({"__dict__": [[{"__tuple__": ["a"]}, 2]]}) == {("a",): 2}


@pytest.mark.slow
def test_command_line_on_a_release_notebook(tmp_path, capsys):
    """Run on the released 01-entropy with `surprisal` answered and `entropy` written with
    a classic mistake: does it print the summary, name the mistake, exit 1, and leave the
    notebook file untouched?"""
    notebook = tmp_path / "my copy.ipynb"  # another name: the notebook is told by its cells
    shutil.copy(REPO / "release" / ENTROPY.id / ENTROPY.notebook, notebook)
    nb = read(notebook)
    answers = {
        "surprisal": (
            "def surprisal(p, base=2):\n"
            "    out = -np.log(np.asarray(p, dtype=float)) / np.log(base)\n"
            "    return float(out) if out.ndim == 0 else out\n"
        ),
        "entropy": (
            "def entropy(p, base=2):\n"
            "    p = np.asarray(p, dtype=float)\n"
            "    if p.ndim != 1 or p.size == 0 or (p < 0).any() or abs(p.sum() - 1) > 1e-6:\n"
            "        raise ValueError('p must be a probability vector')\n"
            "    return float(-np.sum(p * np.log(p)) / np.log(base))\n"
        ),
    }
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    write(nb, notebook)
    digest = hashlib.sha256(notebook.read_bytes()).hexdigest()
    code = selfcheck.main([str(notebook), "--timeout", "60"])
    out = capsys.readouterr().out
    assert code == 1, out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert "✓ passes the public checks" in lines["surprisal"]
    assert "✗ fails 1 of 5 public checks" in lines["entropy"]
    assert "· not attempted" in lines["softmax"]
    assert "likely mistake: no 0 log 0 handling." in out
    assert "2 of 7 exercises pass" not in out and "1 of 7 exercises pass" in out
    assert hashlib.sha256(notebook.read_bytes()).hexdigest() == digest
    assert selfcheck.main([str(tmp_path / "missing.ipynb")]) == 2
    assert "is not a file" in capsys.readouterr().out
    assert Path(notebook).exists()

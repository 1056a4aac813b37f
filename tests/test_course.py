"""What students import: the corpus, the sources, the visible-test helpers."""

import ast
import hashlib
import math
from pathlib import Path

import numpy as np
import pytest
import scipy.stats

from course.check import VisibleTestFailure, expect_close, expect_equal, expect_raises, expect_true
from course.corpus import DATA_DIR, PLAYS, letters_and_space, load_corpus, load_play, words
from course.sources import iid_source, markov_source, stationary_distribution

SHA256 = {
    "hamlet": "5af2819b022ca8d7deec327fcc4bd453d7a7f913ed9d7432168b473ae2e4f85e",
    "macbeth": "d6e55a62ebe4d0464a3969655d25bdb93fea65daf5631cb582e3770e219040c0",
    "romeo_and_juliet": "cce74dd5922913fbf1ac4c7751d0046be80bc016691c7de076bc4c16aa4369ea",
    "king_lear": "669e4054605daa95a8665f17e628fcd8d381adfbe5b16a6a0a0b53658ab17b9e",
    "othello": "f24c4697930e773e05651169a8804c1ba6b77f53d6f7e8ba5e9a401030f232c0",
    "a_midsummer_nights_dream": "4834f656531f431479c34a495fc87d68d3c6ec847cb87d828dd6f6b3f8a2ca41",
    "twelfth_night": "2e8f6c96a7c6fe9f3532773e0b7019669258ef4ad9adacbaac5e53f804e08210",
    "the_tempest": "b78b354913ecbff4f6fd8a136ba6d2d78d551fe96d4cb9a18c1020711179ce09",
}


def test_corpus_files_are_the_extracted_ones():
    """Are the shipped plays byte for byte what make_corpus.py extracts (pinned digests)?"""
    assert set(SHA256) == set(PLAYS)
    for name, digest in SHA256.items():
        assert hashlib.sha256((DATA_DIR / f"{name}.txt").read_bytes()).hexdigest() == digest


def test_corpus_is_about_a_megabyte_of_ascii_text():
    """Is the corpus ~1 MB of plain text starting with Hamlet?"""
    text = load_corpus()
    assert 900_000 < len(text.encode()) < 1_200_000
    assert text.isascii() and text.startswith("HAMLET")
    assert load_corpus(["macbeth"]) == load_play("macbeth")
    with pytest.raises(ValueError, match="unknown play"):
        load_play("cats")


def test_course_never_imports_the_answers():
    """Does nothing students import reach solutions/ or autograder/?"""
    for path in Path("course").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any(n.split(".")[0] in {"solutions", "autograder"} for n in names), path


def test_letters_and_space_has_27_symbols():
    """Does the Shannon alphabet reduction leave only a-z and space?"""
    reduced = letters_and_space(load_play("macbeth"))
    assert set(reduced) <= set("abcdefghijklmnopqrstuvwxyz ")
    assert "  " not in reduced
    assert words("Who's there? Nay, answer me") == ["who's", "there", "nay", "answer", "me"]


def test_iid_source_frequencies_converge():
    """Do i.i.d. samples have the empirical frequencies of p (law of large numbers)?"""
    p = np.array([0.5, 0.3, 0.2])
    x = iid_source(p, 200_000, seed=1)
    assert np.allclose(np.bincount(x) / x.size, p, atol=0.005)


def test_markov_source_transition_frequencies():
    """Do Markov samples reproduce the transition matrix and stationary distribution?"""
    P = np.array([[0.9, 0.1], [0.4, 0.6]])
    pi = stationary_distribution(P)
    assert np.allclose(pi @ P, pi) and math.isclose(pi.sum(), 1)
    x = markov_source(P, 200_000, seed=2)
    pairs = np.zeros((2, 2))
    np.add.at(pairs, (x[:-1], x[1:]), 1)
    assert np.allclose(pairs / pairs.sum(1, keepdims=True), P, atol=0.01)
    # its entropy rate sum_i pi_i H(P_i) is below the entropy of its marginal
    rate = sum(pi[i] * scipy.stats.entropy(P[i], base=2) for i in range(2))
    assert rate < scipy.stats.entropy(pi, base=2)


def test_expect_close_passes_and_prints(capsys):
    """Does a passing check print a tick and its description?"""
    expect_close(np.array([1.0, 2.0]), [1.0, 2.0], "two values")
    assert capsys.readouterr().out == "✓ two values\n"


@pytest.mark.parametrize(
    "got,expected,hint",
    [
        (math.log(2), 1.0, "natural log"),
        (1 / math.log(2), 1.0, "log base 2 where the natural log"),
        (None, 1.0, "return"),
        (float("nan"), 1.0, "nan"),
        (np.zeros(3), np.zeros(2), "shapes differ"),
        (-2.0, 2.0, "sign"),
    ],
)
def test_expect_close_explains_classic_slips(got, expected, hint):
    """Does a failing check say expected, got, and a hint for the classic slips?"""
    with pytest.raises(VisibleTestFailure, match="expected") as info:
        expect_close(got, expected, "the thing")
    assert hint in str(info.value)


def test_expect_close_accepts_torch_tensors(capsys):
    """Can notebook 7 compare tensors that require grad, in any dtype?"""
    import torch

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    expect_close(x * 2, torch.tensor([2.0, 4.0], dtype=torch.float64), "a tensor with grad")
    with pytest.raises(VisibleTestFailure, match="natural log"):
        expect_close(torch.tensor(math.log(2)), 1.0, "nats vs bits")


def test_expect_equal_raises_and_true():
    """Do exact-equality and property checks fail loudly with their description?"""
    expect_equal({"a": 1}, {"a": 1}, "dicts")
    with pytest.raises(VisibleTestFailure, match="lists"):
        expect_equal([1, 2], [2, 1], "lists")
    with pytest.raises(VisibleTestFailure, match="in range"):
        expect_true(False, "in range")


def test_expect_raises_reports_what_happened_instead():
    """Does expect_raises name the wrong exception, or the value returned instead?"""
    expect_raises(ValueError, int, "x", what="int('x') is refused")
    with pytest.raises(VisibleTestFailure, match="a return value"):
        expect_raises(ValueError, int, "3", what="no error")
    with pytest.raises(VisibleTestFailure, match="TypeError"):
        expect_raises(ValueError, int, None, what="wrong error")
    with pytest.raises(NotImplementedError):
        expect_raises(ValueError, _stub, what="a stub")


def test_failures_print_instead_of_raising_while_grading(monkeypatch, capsys):
    """While nbgrader grades, does a failed visible test print and let the cell go on?"""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    expect_close(2.0, 1.0, "two is not one")
    expect_raises(ValueError, int, "3", what="no error")
    expect_true(False, "false")
    out = capsys.readouterr().out
    assert out.count("✗") == 3 and "✓" not in out


def _stub():
    raise NotImplementedError


def test_one_blas_thread_sets_numpys_openblas_to_one_thread():
    """After one_blas_thread(), does threadpoolctl see each OpenBLAS at 1 thread (not 2)?"""
    import json
    import os
    import subprocess
    import sys

    probe = (
        "import json, numpy, scipy.linalg\n"
        "from threadpoolctl import threadpool_info\n"
        "from course.threads import one_blas_thread\n"
        "def blas():\n"
        "    return [i['num_threads'] for i in threadpool_info()\n"
        "            if i['internal_api'] == 'openblas']\n"
        "before = blas()\n"
        "print(json.dumps([before, one_blas_thread(), blas()]))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env["OPENBLAS_NUM_THREADS"] = "2"  # the count a 2-CPU machine starts with
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    before, set_count, after = json.loads(out.stdout)
    assert before and all(n == 2 for n in before)
    assert set_count == len(before) and after == [1] * len(before)

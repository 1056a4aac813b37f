"""Tests for solutions/mutual_information.py (notebook 05) and its known answers.

The reference is compared with independent truths: scikit-learn's ``mutual_info_score``,
SciPy entropies, PyTorch's ``cross_entropy``, hand-worked counts, brute-force loops,
eigendecompositions and exact expectations by enumeration. The known
mistakes must be wrong somewhere on typical inputs; the alternatives must agree everywhere.
"""

import copy
import inspect
import math
import warnings

import numpy as np
import pytest
import scipy.linalg
import torch
from numpy.testing import assert_allclose
from scipy import stats
from scipy.special import logsumexp
from sklearn.metrics import mutual_info_score

from autograder.answers import Mistake
from autograder.answers import mutual_information as answers
from solutions import mutual_information as sol

EXERCISES = [
    "mutual_information",
    "pmi",
    "cooccurrence_matrix",
    "ppmi",
    "svd_embeddings",
    "plugin_mi",
    "infonce_loss",
]
LN2 = math.log(2)


def random_counts(rng, shape, zero_fraction=0.3):
    """An integer count table with some zero cells and no all-zero row or column."""
    counts = rng.integers(1, 20, size=shape)
    counts[rng.random(shape) < zero_fraction] = 0
    counts[np.arange(shape[0]), np.arange(shape[0]) % shape[1]] += 1
    counts[np.arange(shape[1]) % shape[0], np.arange(shape[1])] += 1
    return counts


def brute_force_cooccurrence(tokens, vocab, window):
    """C[i, j] straight from the definition: every ordered pair of positions."""
    counts = np.zeros((len(vocab), len(vocab)), dtype=np.int64)
    for t in range(len(tokens)):
        for s in range(len(tokens)):
            if 0 < abs(t - s) <= window:
                for i, a in enumerate(vocab):
                    for j, b in enumerate(vocab):
                        if tokens[t] == a and tokens[s] == b:
                            counts[i, j] += 1
    return counts


# ---------------------------------------------------------------------------------------
# mutual_information
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 2), (3, 4), (5, 2), (1, 3), (6, 6)])
def test_mutual_information_matches_sklearn(shape):
    """Does I(X;Y) equal scikit-learn's mutual_info_score (nats) divided by ln 2?"""
    rng = np.random.default_rng(sum(shape))
    for _ in range(5):
        counts = random_counts(rng, shape)
        expected = mutual_info_score(None, None, contingency=counts) / LN2
        assert_allclose(sol.mutual_information(counts / counts.sum()), expected, atol=1e-12)


def test_mutual_information_matches_scipy_kl_and_entropies():
    """Is I(X;Y) both KL(p_XY || p_X p_Y) and H(X) + H(Y) - H(X,Y), in any base?"""
    rng = np.random.default_rng(0)
    for base in [2, math.e, 10]:
        pxy = rng.dirichlet(np.ones(12)).reshape(3, 4)
        px, py = pxy.sum(axis=1), pxy.sum(axis=0)
        kl = stats.entropy(pxy.ravel(), np.outer(px, py).ravel(), base=base)
        entropies = (
            stats.entropy(px, base=base)
            + stats.entropy(py, base=base)
            - stats.entropy(pxy.ravel(), base=base)
        )
        assert_allclose(sol.mutual_information(pxy, base=base), kl, rtol=1e-12)
        assert_allclose(sol.mutual_information(pxy, base=base), entropies, rtol=1e-10)


def test_mutual_information_closed_forms():
    """Does it give log2(n) for a copy, 1 - H_b(e) for a binary symmetric channel, 0 alone?"""
    for n in [1, 2, 3, 8]:
        assert_allclose(sol.mutual_information(np.eye(n) / n), math.log2(n), atol=1e-15)
    e = 0.1
    bsc = np.array([[1 - e, e], [e, 1 - e]]) / 2
    h_b = -(e * math.log2(e) + (1 - e) * math.log2(1 - e))
    assert_allclose(sol.mutual_information(bsc), 1 - h_b, rtol=1e-12)
    assert sol.mutual_information([[1.0]]) == 0.0


def test_mutual_information_independent_is_zero_not_negative():
    """Is the MI of a product distribution 0 (never below 0 by rounding)?"""
    rng = np.random.default_rng(1)
    for _ in range(50):
        px, py = rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(7))
        value = sol.mutual_information(np.outer(px, py))
        assert 0.0 <= value < 1e-12


def test_mutual_information_symmetric_and_bounded():
    """Is I(X;Y) = I(Y;X) <= min(H(X), H(Y))?"""
    rng = np.random.default_rng(2)
    for _ in range(20):
        pxy = rng.dirichlet(np.full(15, 0.3)).reshape(3, 5)
        mi = sol.mutual_information(pxy)
        assert_allclose(mi, sol.mutual_information(pxy.T), rtol=1e-12)
        bound = min(stats.entropy(pxy.sum(axis=1), base=2), stats.entropy(pxy.sum(axis=0), base=2))
        assert mi <= bound + 1e-12


def test_mutual_information_returns_float_and_keeps_input():
    """Does it return a Python float and leave a list or array input untouched?"""
    table = [[0.5, 0.0], [0.25, 0.25]]
    array = np.array(table)
    assert type(sol.mutual_information(table)) is float
    sol.mutual_information(array)
    assert table == [[0.5, 0.0], [0.25, 0.25]]
    assert_allclose(array, [[0.5, 0.0], [0.25, 0.25]])


@pytest.mark.parametrize(
    ("pxy", "base", "match"),
    [
        ([0.5, 0.5], 2, "2-D"),
        (np.zeros((0, 3)), 2, "2-D"),
        ([[0.6, -0.1], [0.25, 0.25]], 2, "non-negative"),
        ([[0.5, np.nan], [0.25, 0.25]], 2, "finite"),
        ([[0.5, 0.1], [0.25, 0.25]], 2, "sum to 1"),
        ([[0.5, 0.0], [0.0, 0.5]], 1, "base"),
        ([[0.5, 0.0], [0.0, 0.5]], 0, "base"),
    ],
)
def test_mutual_information_rejects_invalid_input(pxy, base, match):
    """Is a table that is not a joint distribution, or a bad base, a ValueError?"""
    with pytest.raises(ValueError, match=match):
        sol.mutual_information(pxy, base=base)


# ---------------------------------------------------------------------------------------
# pmi
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("base", [2, math.e, 10])
def test_pmi_matches_double_loop(base):
    """Is every cell log_b p(x,y) / (p(x) p(y)), -inf where p(x,y) = 0?"""
    rng = np.random.default_rng(3)
    counts = random_counts(rng, (4, 5))
    pxy = counts / counts.sum()
    result = sol.pmi(pxy, base=base)
    for x in range(4):
        for y in range(5):
            px, py = sum(pxy[x, :]), sum(pxy[:, y])
            if pxy[x, y] == 0:
                assert result[x, y] == -math.inf
            else:
                assert_allclose(result[x, y], math.log(pxy[x, y] / (px * py), base), rtol=1e-12)


def test_pmi_expectation_is_mutual_information():
    """Is sum p(x,y) PMI(x,y) over p > 0 equal to scikit-learn's MI?"""
    rng = np.random.default_rng(4)
    counts = random_counts(rng, (6, 3))
    pxy = counts / counts.sum()
    values = sol.pmi(pxy, base=math.e)
    expected = mutual_info_score(None, None, contingency=counts)
    assert_allclose(np.sum(pxy[pxy > 0] * values[pxy > 0]), expected, rtol=1e-12)


def test_pmi_closed_forms():
    """Is PMI 0 under independence and log2(n) on the diagonal of a copy?"""
    assert_allclose(sol.pmi(np.outer([0.2, 0.8], [0.5, 0.3, 0.2])), np.zeros((2, 3)), atol=1e-15)
    result = sol.pmi(np.eye(4) / 4)
    assert_allclose(np.diag(result), np.full(4, 2.0))
    assert np.all(result[~np.eye(4, dtype=bool)] == -np.inf)


def test_pmi_zero_row_is_minus_inf_without_warning():
    """Does a row with p(x) = 0 give -inf (log 0), silently?"""
    result = sol.pmi([[0.5, 0.5], [0.0, 0.0]])
    assert_allclose(result[0], [0.0, 0.0], atol=1e-15)
    assert np.all(result[1] == -np.inf)


def test_pmi_returns_float64_array_and_keeps_input():
    """Is the result a float64 (n_x, n_y) array, with the input unchanged?"""
    table = [[0.5, 0.25, 0.0], [0.0, 0.125, 0.125]]
    result = sol.pmi(table)
    assert isinstance(result, np.ndarray) and result.dtype == np.float64
    assert result.shape == (2, 3)
    assert table == [[0.5, 0.25, 0.0], [0.0, 0.125, 0.125]]


@pytest.mark.parametrize(
    ("pxy", "match"),
    [([0.5, 0.5], "2-D"), ([[0.7, 0.7], [-0.2, -0.2]], "non-negative"), ([[0.3]], "sum to 1")],
)
def test_pmi_rejects_invalid_input(pxy, match):
    """Is a table that is not a joint distribution a ValueError?"""
    with pytest.raises(ValueError, match=match):
        sol.pmi(pxy)


# ---------------------------------------------------------------------------------------
# cooccurrence_matrix
# ---------------------------------------------------------------------------------------

SENTENCE = "the cat sat on the mat".split()
WORDS = ["the", "cat", "sat", "on", "mat"]


def test_cooccurrence_matrix_hand_worked_window_1():
    """Do adjacent words of 'the cat sat on the mat' co-occur once each way?"""
    expected = [
        [0, 1, 0, 1, 1],  # the: cat, on, mat
        [1, 0, 1, 0, 0],  # cat: the, sat
        [0, 1, 0, 1, 0],  # sat: cat, on
        [1, 0, 1, 0, 0],  # on: sat, the
        [1, 0, 0, 0, 0],  # mat: the
    ]
    assert sol.cooccurrence_matrix(SENTENCE, WORDS, window=1).tolist() == expected


def test_cooccurrence_matrix_hand_worked_window_2():
    """Does window=2 add the pairs two apart ('the'-'sat' twice: positions 0-2 and 2-4)?"""
    expected = [
        [0, 1, 2, 1, 1],
        [1, 0, 1, 1, 0],
        [2, 1, 0, 1, 0],
        [1, 1, 1, 0, 1],
        [1, 0, 0, 1, 0],
    ]
    assert sol.cooccurrence_matrix(SENTENCE, WORDS).tolist() == expected


def test_cooccurrence_matrix_out_of_vocab_tokens_keep_their_positions():
    """Does an unknown token in between keep 'a' and 'b' apart for window=1?"""
    assert sol.cooccurrence_matrix(["a", "UNK", "b"], ["a", "b"], window=1).tolist() == [
        [0, 0],
        [0, 0],
    ]
    assert sol.cooccurrence_matrix(["a", "UNK", "b"], ["a", "b"], window=2).tolist() == [
        [0, 1],
        [1, 0],
    ]


def test_cooccurrence_matrix_counts_both_orders_of_a_repeated_word():
    """Does 'a a' give C[a, a] = 2 (the pairs (0, 1) and (1, 0))?"""
    assert sol.cooccurrence_matrix(["a", "a"], ["a"], window=1).tolist() == [[2]]


@pytest.mark.parametrize("window", [0, 1, 2, 3, 7, 50])
def test_cooccurrence_matrix_matches_brute_force(window):
    """Does it equal the definition checked pair by pair, out-of-vocab tokens included?"""
    rng = np.random.default_rng(window)
    tokens = list(rng.choice(list("abcdexy"), size=40))
    vocab = ["e", "a", "c", "b", "d", "z"]  # x, y outside the vocabulary; z never occurs
    expected = brute_force_cooccurrence(tokens, vocab, window)
    result = sol.cooccurrence_matrix(tokens, vocab, window=window)
    assert result.dtype == np.int64 and result.shape == (6, 6)
    np.testing.assert_array_equal(result, expected)
    np.testing.assert_array_equal(result, result.T)


def test_cooccurrence_matrix_accepts_strings_arrays_and_empty_text():
    """Do a string, a NumPy array of ids and an empty text all work?"""
    assert sol.cooccurrence_matrix("abab", "ab", window=1).tolist() == [[0, 3], [3, 0]]
    ids = np.array([0, 1, 0, 1])
    assert sol.cooccurrence_matrix(ids, [0, 1], window=1).tolist() == [[0, 3], [3, 0]]
    empty = sol.cooccurrence_matrix([], ["a", "b"])
    assert empty.tolist() == [[0, 0], [0, 0]] and empty.dtype == np.int64


def test_cooccurrence_matrix_keeps_input():
    """Are the token and vocabulary lists left unchanged?"""
    tokens, vocab = list(SENTENCE), list(WORDS)
    sol.cooccurrence_matrix(tokens, vocab, window=3)
    assert tokens == SENTENCE and vocab == WORDS


@pytest.mark.parametrize(
    ("vocab", "window", "match"),
    [(["a", "b", "a"], 2, "repeats"), (["a"], -1, "window"), (["a"], 1.5, "window")],
)
def test_cooccurrence_matrix_rejects_invalid_input(vocab, window, match):
    """Are a repeated vocabulary word and a bad window ValueErrors?"""
    with pytest.raises(ValueError, match=match):
        sol.cooccurrence_matrix(["a", "b"], vocab, window=window)


# ---------------------------------------------------------------------------------------
# ppmi
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 5, 0.5])
def test_ppmi_matches_loops(k):
    """Is every cell max(ln(C N / (row col)) - ln k, 0), 0 where the count is 0?"""
    rng = np.random.default_rng(5)
    counts = random_counts(rng, (5, 7), zero_fraction=0.4)
    counts[2] = 0  # an all-zero row
    total = counts.sum()
    result = sol.ppmi(counts, k=k)
    for i in range(5):
        for j in range(7):
            if counts[i, j] == 0:
                assert result[i, j] == 0.0
            else:
                pmi = math.log(counts[i, j] * total / (counts[i].sum() * counts[:, j].sum()))
                assert_allclose(result[i, j], max(pmi - math.log(k), 0.0), atol=1e-12)


def test_ppmi_agrees_with_pmi_of_the_joint():
    """Is PPMI the positive part of the natural-log PMI of C / C.sum()?"""
    rng = np.random.default_rng(6)
    counts = random_counts(rng, (4, 4))
    expected = np.maximum(sol.pmi(counts / counts.sum(), base=math.e), 0.0)
    assert_allclose(sol.ppmi(counts), expected, atol=1e-12)


def test_ppmi_closed_forms_and_all_zero():
    """Is it ln 2 on a diagonal, 0 after a shift by k = 2, and 0 for an all-zero matrix?"""
    assert_allclose(sol.ppmi([[2, 0], [0, 2]]), np.diag([LN2, LN2]), atol=1e-15)
    assert_allclose(sol.ppmi([[2, 0], [0, 2]], k=2), np.zeros((2, 2)), atol=1e-15)
    assert sol.ppmi(np.zeros((3, 2))).tolist() == [[0.0, 0.0]] * 3


def test_ppmi_returns_float64_and_keeps_input():
    """Is the result float64 for integer counts, with the counts unchanged?"""
    counts = np.array([[3, 1], [0, 4]])
    result = sol.ppmi(counts)
    assert result.dtype == np.float64 and result.shape == (2, 2)
    np.testing.assert_array_equal(counts, [[3, 1], [0, 4]])
    assert np.all(result >= 0)


@pytest.mark.parametrize(
    ("counts", "k", "match"),
    [
        ([1, 2, 3], 1, "2-D"),
        ([[1, -2], [3, 4]], 1, "non-negative"),
        ([[1, np.inf], [3, 4]], 1, "finite"),
        ([[1, 2], [3, 4]], 0, "k must be positive"),
        ([[1, 2], [3, 4]], -1, "k must be positive"),
    ],
)
def test_ppmi_rejects_invalid_input(counts, k, match):
    """Are bad counts and a non-positive k ValueErrors?"""
    with pytest.raises(ValueError, match=match):
        sol.ppmi(counts, k=k)


# ---------------------------------------------------------------------------------------
# svd_embeddings
# ---------------------------------------------------------------------------------------


def test_svd_embeddings_gram_matrix_of_psd_matrix_is_truncated_eigendecomposition():
    """For symmetric PSD M, is E @ E.T the top-dim part of M's eigendecomposition?"""
    rng = np.random.default_rng(7)
    a = rng.normal(size=(6, 6))
    m = a @ a.T
    values, vectors = np.linalg.eigh(m)  # ascending
    for dim in range(1, 7):
        top = vectors[:, -dim:]
        expected = top @ np.diag(values[-dim:]) @ top.T
        e = sol.svd_embeddings(m, dim)
        assert e.shape == (6, dim)
        assert_allclose(e @ e.T, expected, atol=1e-10)
    full = sol.svd_embeddings(m, 6)
    assert_allclose(full @ full.T, m, atol=1e-10)


def test_svd_embeddings_columns_carry_singular_values():
    """For a rectangular M, is E.T @ E = diag(S[:dim]) and (E E^T)^2 the top of M M^T?"""
    rng = np.random.default_rng(8)
    m = rng.random((7, 4))
    s = scipy.linalg.svdvals(m)
    values, vectors = np.linalg.eigh(m @ m.T)
    for dim in [1, 2, 4]:
        e = sol.svd_embeddings(m, dim)
        assert_allclose(e.T @ e, np.diag(s[:dim]), atol=1e-12)
        gram = e @ e.T
        top = vectors[:, -dim:]
        assert_allclose(gram @ gram, top @ np.diag(values[-dim:]) @ top.T, atol=1e-10)


def test_svd_embeddings_returns_float64_and_keeps_input():
    """Does a list input give a float64 (n, dim) array and stay unchanged?"""
    matrix = [[2, 1], [1, 2], [0, 1]]
    result = sol.svd_embeddings(matrix, 1)
    assert result.dtype == np.float64 and result.shape == (3, 1)
    assert matrix == [[2, 1], [1, 2], [0, 1]]


@pytest.mark.parametrize(
    ("matrix", "dim", "match"),
    [
        ([1.0, 2.0], 1, "2-D"),
        ([[1.0, np.nan], [0.0, 1.0]], 1, "finite"),
        ([[1.0, 0.0], [0.0, 1.0]], 0, "dim"),
        ([[1.0, 0.0], [0.0, 1.0]], 3, "dim"),
        ([[1.0, 0.0], [0.0, 1.0]], 1.0, "dim"),
    ],
)
def test_svd_embeddings_rejects_invalid_input(matrix, dim, match):
    """Are a non-2-D matrix and a dim outside [1, min(shape)] ValueErrors?"""
    with pytest.raises(ValueError, match=match):
        sol.svd_embeddings(matrix, dim)


# ---------------------------------------------------------------------------------------
# plugin_mi
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 10, 100, 1000])
def test_plugin_mi_matches_sklearn(n):
    """Is it scikit-learn's mutual_info_score of the labels, converted to bits?"""
    rng = np.random.default_rng(n)
    x = rng.integers(0, 4, size=n)
    y = (x + rng.integers(0, 3, size=n)) % 5
    assert_allclose(sol.plugin_mi(x, y), mutual_info_score(x, y) / LN2, atol=1e-12)
    assert_allclose(sol.plugin_mi(x, y, base=math.e), mutual_info_score(x, y), atol=1e-12)


def test_plugin_mi_any_hashable_labels():
    """Do strings, tuples and None as labels give the same MI as integer codes?"""
    rng = np.random.default_rng(9)
    codes_x, codes_y = rng.integers(0, 3, size=60), rng.integers(0, 4, size=60)
    labels_x = [("a", 1), None, "word"]
    labels_y = "wxyz"
    x = [labels_x[c] for c in codes_x]
    y = "".join(labels_y[c] for c in codes_y)
    assert_allclose(sol.plugin_mi(x, y), mutual_info_score(codes_x, codes_y) / LN2, atol=1e-12)


def test_plugin_mi_closed_forms():
    """Is it H(X) when Y is a relabelling of X, and 0 for one constant variable?"""
    x = list("aabbbcdddd")
    y = [{"a": 3, "b": 1, "c": 2, "d": 0}[v] for v in x]
    h = stats.entropy([2, 3, 1, 4], base=2)
    assert_allclose(sol.plugin_mi(x, y), h, rtol=1e-12)
    assert sol.plugin_mi(x, [7] * len(x)) == 0.0
    assert type(sol.plugin_mi("ab", "ab")) is float


def test_plugin_mi_is_biased_upwards_on_independent_data():
    """Is the plug-in MI of independent samples positive on average?"""
    rng = np.random.default_rng(10)
    values = [sol.plugin_mi(rng.integers(0, 4, 50), rng.integers(0, 4, 50)) for _ in range(40)]
    assert min(values) >= 0 and np.mean(values) > 0.05


def test_plugin_mi_keeps_input():
    """Are the sample lists left unchanged?"""
    x, y = [1, 2, 2, 3], ["a", "b", "b", "a"]
    sol.plugin_mi(x, y)
    assert x == [1, 2, 2, 3] and y == ["a", "b", "b", "a"]


@pytest.mark.parametrize(
    ("x", "y", "base", "match"),
    [([1, 2], [1], 2, "equal length"), ([], [], 2, "empty"), ([1, 2], [1, 2], -2, "base")],
)
def test_plugin_mi_rejects_invalid_input(x, y, base, match):
    """Are unpaired or empty samples and a bad base ValueErrors?"""
    with pytest.raises(ValueError, match=match):
        sol.plugin_mi(x, y, base=base)


def test_plugin_mi_is_biased_downwards_when_one_variable_determines_the_other():
    """When Y = X, is the plug-in MI (the plug-in entropy) below the true log2 K on average,
    by about Miller's (K - 1) / (2 n ln 2)?"""
    rng = np.random.default_rng(11)
    k, n = 8, 200
    values = []
    for _ in range(400):
        x = rng.integers(0, k, n).tolist()
        values.append(sol.plugin_mi(x, x))
    bias = np.mean(values) - math.log2(k)
    assert bias < 0
    assert_allclose(bias, -(k - 1) / (2 * n * LN2), rtol=0.25)


# ---------------------------------------------------------------------------------------
# infonce_loss
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 5, 33])
def test_infonce_loss_matches_torch_cross_entropy(n):
    """Is it PyTorch's cross_entropy of the rows with targets 0, 1, ..., N - 1 (nats)?"""
    rng = np.random.default_rng(n)
    scores = rng.normal(scale=3.0, size=(n, n))
    expected = torch.nn.functional.cross_entropy(
        torch.tensor(scores, dtype=torch.float64), torch.arange(n)
    ).item()
    assert_allclose(sol.infonce_loss(scores), expected, rtol=1e-12, atol=1e-12)
    assert_allclose(sol.infonce_loss(scores.tolist()), expected, rtol=1e-12, atol=1e-12)


def test_infonce_loss_matches_scipy_logsumexp_and_is_not_the_column_softmax():
    """Is it mean(logsumexp of each row - diagonal), which differs from the column version
    on an asymmetric matrix?"""
    rng = np.random.default_rng(12)
    scores = rng.normal(size=(6, 6)) + rng.normal(scale=4.0, size=(6, 1))
    rows = np.mean(logsumexp(scores, axis=1) - np.diag(scores))
    columns = np.mean(logsumexp(scores, axis=0) - np.diag(scores))
    assert_allclose(sol.infonce_loss(scores), rows, rtol=1e-12)
    assert abs(rows - columns) > 0.1


def test_infonce_loss_hand_worked():
    """Do equal scores give ln N, and [[1, 3], [0, 2]] give (ln(1 + e^2) + ln(1 + e^-2)) / 2?"""
    for n in [1, 2, 7]:
        assert_allclose(sol.infonce_loss(np.full((n, n), -2.5)), math.log(n), atol=1e-15)
    expected = (math.log(1 + math.e**2) + math.log(1 + math.e**-2)) / 2
    assert_allclose(sol.infonce_loss([[1.0, 3.0], [0.0, 2.0]]), expected, rtol=1e-14)


def test_infonce_loss_is_exact_for_scores_up_to_1e4():
    """No overflow or log 0: a positive far ahead costs 0, one far behind costs the gap."""
    assert sol.infonce_loss([[1e4, 0.0], [0.0, 1e4]]) == 0.0
    assert_allclose(sol.infonce_loss([[-1e4, 1e4], [1e4, -1e4]]), 2e4, rtol=1e-15)
    assert_allclose(sol.infonce_loss([[-800.0, 0.0], [0.0, -800.0]]), 800.0, rtol=1e-15)
    assert_allclose(sol.infonce_loss([[0.0, 1e4], [0.0, 0.0]]), (1e4 + LN2) / 2, rtol=1e-15)


def test_infonce_loss_ignores_a_constant_added_to_a_row():
    """Is the row softmax unchanged when a row is shifted (SGNS's - log k shift cancels)?"""
    rng = np.random.default_rng(13)
    scores = rng.normal(size=(5, 5))
    shifted = scores + rng.normal(scale=10.0, size=(5, 1))
    assert_allclose(sol.infonce_loss(shifted), sol.infonce_loss(scores), rtol=1e-12)


def test_infonce_bound_is_below_mi_and_log_n_by_exact_enumeration():
    """With the optimal critic PMI(x, y), is E[log N - L] <= min(I(X; Y), log N), computed
    exactly over every batch of N = 2 and N = 3 pairs of a binary symmetric channel?"""
    e = 0.1
    pxy = np.array([[1 - e, e], [e, 1 - e]]) / 2
    critic = sol.pmi(pxy, base=math.e)
    mi = math.log(2) + e * math.log(e) + (1 - e) * math.log(1 - e)
    pairs = [(x, y) for x in range(2) for y in range(2)]
    for n in [2, 3]:
        expected = 0.0
        for batch in np.ndindex(*(4,) * n):
            chosen = [pairs[b] for b in batch]
            prob = math.prod(pxy[x, y] for x, y in chosen)
            scores = critic[[x for x, _ in chosen]][:, [y for _, y in chosen]]
            expected += prob * (math.log(n) - sol.infonce_loss(scores))
        assert 0 < expected <= min(mi, math.log(n))


def test_infonce_loss_returns_float_and_keeps_input():
    """Does it return a Python float and leave a list or array unchanged?"""
    scores = [[1.0, 2.0], [3.0, 4.0]]
    array = np.array(scores)
    assert type(sol.infonce_loss(scores)) is float
    sol.infonce_loss(array)
    assert scores == [[1.0, 2.0], [3.0, 4.0]]
    assert_allclose(array, [[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize(
    "scores",
    [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [1.0, 2.0], np.zeros((0, 0)), np.zeros((2, 2, 2)), 3.0],
)
def test_infonce_loss_rejects_what_is_not_a_square_matrix(scores):
    """Is anything but a non-empty square 2-D array a ValueError?"""
    with pytest.raises(ValueError, match="square"):
        sol.infonce_loss(scores)


# ---------------------------------------------------------------------------------------
# Known mistakes and alternatives
# ---------------------------------------------------------------------------------------

_rng = np.random.default_rng(2024)
_counts = random_counts(_rng, (3, 4))
_joint = _counts / _counts.sum()
_square = random_counts(_rng, (4, 4)) / 1.0
_square /= _square.sum()
_tokens = list(_rng.choice(list("abcdq"), size=30))
_psd = (lambda a: a @ a.T)(_rng.normal(size=(5, 5)))

CASES = {
    "mutual_information": [
        ((_joint,), {}),
        ((_square,), {"base": math.e}),
        ((np.eye(3) / 3,), {}),
        ((np.outer([0.3, 0.7], [0.1, 0.6, 0.3]),), {"base": 10}),
        (([[1.0]],), {}),
    ],
    "pmi": [
        ((_joint,), {}),
        ((_square,), {"base": math.e}),
        ((np.eye(3) / 3,), {}),
        (([[0.5, 0.5], [0.0, 0.0]],), {}),
    ],
    "cooccurrence_matrix": [
        ((SENTENCE, WORDS), {}),
        ((_tokens, ["a", "b", "c", "d"]), {"window": 3}),
        ((["a", "UNK", "b", "a"], ["a", "b"]), {"window": 1}),
        ((["a", "UNK", "b", "a"], ["a", "b"]), {"window": 2}),
        (("aab", "ab"), {"window": 0}),
        (([], ["a"]), {}),
    ],
    "ppmi": [
        ((_counts,), {}),
        ((_counts,), {"k": 5}),
        ((np.array([[0, 0, 0], [1, 5, 0], [2, 0, 9]]),), {"k": 2}),
        ((np.zeros((2, 2)),), {}),
    ],
    "svd_embeddings": [
        ((_counts, 2), {}),
        ((_psd, 3), {}),
        ((_rng.random((6, 3)), 3), {}),
    ],
    "plugin_mi": [
        ((list("aabbccab"), [1, 1, 2, 2, 3, 3, 1, 2]), {}),
        ((_tokens, _tokens[1:] + _tokens[:1]), {"base": math.e}),
        (("abab", "xxyy"), {}),
        (([None, (1, 2), "s", None], [0.5, 0.5, 1.5, 2.5]), {}),
    ],
    "infonce_loss": [
        ((_rng.normal(scale=2.0, size=(5, 5)),), {}),
        (([[1.0, 3.0], [0.0, 2.0]],), {}),
        ((np.zeros((3, 3)),), {}),
        (([[2.0]],), {}),
        (([[0.0, 1e4, -1e4], [5.0, 1e4, 0.0], [-1e4, 0.0, 9999.0]],), {}),
        (([[-800.0, 0.0], [0.0, -800.0]],), {}),
    ],
}

ERROR_CASES = {
    "mutual_information": [
        (([0.5, 0.5],), {}),
        (([[0.5, 0.6], [0.0, 0.0]],), {}),
        (([[1.5, -0.5]],), {}),
        (([[0.5, 0.5]],), {"base": 1}),
    ],
    "pmi": [(([0.5, 0.5],), {}), (([[0.2, 0.2]],), {}), (([[0.5, 0.5]],), {"base": -1})],
    "cooccurrence_matrix": [
        ((["a"], ["a", "a"]), {}),
        ((["a"], ["a"]), {"window": -2}),
        ((["a"], ["a"]), {"window": 2.5}),
    ],
    "ppmi": [(([1, 2],), {}), (([[1, -1]],), {}), (([[1, 2]],), {"k": 0})],
    "svd_embeddings": [(([[1.0, 2.0]], 2), {}), (([[1.0, 2.0]], 0), {}), (([1.0, 2.0], 1), {})],
    "plugin_mi": [(([1], [1, 2]), {}), (([], []), {}), (([1], [1]), {"base": 1})],
    "infonce_loss": [(([[1.0, 2.0]],), {}), (([1.0],), {}), ((np.zeros((0, 0)),), {})],
}


def same_output(exercise, a, b):
    """Do two outputs agree within the grading tolerance?"""
    if exercise == "svd_embeddings":  # singular vectors are defined up to sign
        a, b = np.asarray(a) @ np.asarray(a).T, np.asarray(b) @ np.asarray(b).T
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if a.shape != b.shape:
            return False
        return bool(np.allclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True))
    except (TypeError, ValueError):
        return False


def exercise_of(fn):
    """The exercise a reference, mistake or alternative function answers."""
    if fn.__module__ == sol.__name__:
        return fn.__name__
    for mistake in answers.MISTAKES:
        if mistake.fn is fn:
            return mistake.exercise
    return next(e for e, fns in answers.ALTERNATIVES.items() if fn in fns)


def run_quietly(fn, args, kwargs):
    """Call fn on deep copies of the arguments, with warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*copy.deepcopy(args), **copy.deepcopy(kwargs))


ALTERNATIVE_PARAMS = [
    pytest.param(exercise, fn, id=f"{exercise}-{fn.__name__}")
    for exercise, fns in answers.ALTERNATIVES.items()
    for fn in fns
]


@pytest.mark.parametrize(("exercise", "fn"), ALTERNATIVE_PARAMS)
def test_alternative_agrees_with_reference(exercise, fn):
    """Does every correct alternative give the reference's output and ValueErrors?"""
    reference = getattr(sol, exercise)
    for args, kwargs in CASES[exercise]:
        expected = reference(*args, **kwargs)
        result = fn(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        assert same_output(exercise, result, expected), (args, kwargs)
        if isinstance(expected, np.ndarray) and exercise != "svd_embeddings":
            assert np.asarray(result).dtype == expected.dtype
    for args, kwargs in ERROR_CASES[exercise]:
        with pytest.raises(ValueError):
            reference(*args, **kwargs)
        with pytest.raises(ValueError):
            fn(*args, **kwargs)


@pytest.mark.parametrize(("exercise", "fn"), ALTERNATIVE_PARAMS)
def test_alternative_agrees_with_reference_on_random_inputs(exercise, fn):
    """Do the alternatives agree with the reference on seeded random inputs?"""
    rng = np.random.default_rng(len(fn.__name__))
    reference = getattr(sol, exercise)
    for _ in range(5):
        shape = tuple(rng.integers(1, 6, size=2))
        counts = random_counts(rng, shape)
        tokens = list(rng.choice(list("abcdxy"), size=int(rng.integers(1, 25))))
        args = {
            "mutual_information": (counts / counts.sum(), float(rng.choice([2, math.e]))),
            "pmi": (counts / counts.sum(), 2),
            "cooccurrence_matrix": (tokens, list("dcba"), int(rng.integers(0, 5))),
            "ppmi": (counts, float(rng.choice([1, 2, 10]))),
            "svd_embeddings": (rng.random((6, 4)), int(rng.integers(1, 5))),
            "plugin_mi": (tokens, tokens[::-1], 2),
            "infonce_loss": (rng.normal(scale=5.0, size=(shape[0], shape[0])),),
        }[exercise]
        assert same_output(exercise, fn(*args), reference(*args)), args


@pytest.mark.parametrize("mistake", answers.MISTAKES, ids=lambda m: f"{m.exercise}-{m.name}")
def test_mistake_differs_from_reference(mistake):
    """Is every known mistake wrong on at least one typical input?"""
    reference = getattr(sol, mistake.exercise)
    for args, kwargs in CASES[mistake.exercise]:
        try:
            result = run_quietly(mistake.fn, args, kwargs)
        except Exception:  # a crash on valid input is wrong too
            return
        if not same_output(mistake.exercise, result, reference(*args, **kwargs)):
            return
    pytest.fail(f"{mistake.fn.__name__} agrees with the reference on every typical input")


def test_examples_cover_every_exercise_with_teaching_hints():
    """Does every exercise have an alternative and every mistake a name and a short hint?"""
    assert set(answers.ALTERNATIVES) == set(EXERCISES)
    for mistake in answers.MISTAKES:
        assert isinstance(mistake, Mistake) and mistake.exercise in EXERCISES
        assert mistake.name and len(mistake.name) <= 70
        assert 20 <= len(mistake.hint) <= 320 and mistake.hint.count(". ") <= 1
    names = [(m.exercise, m.name) for m in answers.MISTAKES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    "fn",
    [m.fn for m in answers.MISTAKES] + [fn for fns in answers.ALTERNATIVES.values() for fn in fns],
    ids=lambda fn: fn.__name__,
)
def test_example_has_the_exercise_signature(fn):
    """Does every example take the exercise's parameters, with its defaults?"""
    exercise = exercise_of(fn)
    expected = inspect.signature(getattr(sol, exercise)).parameters
    actual = inspect.signature(fn).parameters
    assert [(p.name, p.default) for p in actual.values()] == [
        (p.name, p.default) for p in expected.values()
    ]


# ---------------------------------------------------------------------------------------
# Module rules: docstring (imports and self-containment: tests/test_self_contained.py)
# ---------------------------------------------------------------------------------------


def test_module_docstring_names_the_notebook():
    """Does the module docstring open with the notebook id?"""
    assert "05-mutual-information" in sol.__doc__.splitlines()[0]

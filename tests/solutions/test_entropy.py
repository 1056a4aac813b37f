"""The 01-entropy reference against SciPy, closed forms and hand-worked cases."""

import math

import numpy as np
import pytest
import scipy.special
import scipy.stats
from numpy.testing import assert_allclose

from solutions.entropy import (
    binary_entropy,
    conditional_entropy,
    empirical_entropy,
    entropy,
    joint_entropy,
    softmax,
    surprisal,
)

RNG = np.random.default_rng(20261125)


def random_distribution(n, rng=RNG, zeros=0):
    p = rng.dirichlet(np.ones(n))
    if zeros:
        p[rng.choice(n, size=zeros, replace=False)] = 0.0
        p /= p.sum()
    return p


def test_surprisal_scalar_and_array():
    """Is surprisal -log2 p, a float for a scalar and an array for an array?"""
    assert surprisal(0.125) == 3.0 and isinstance(surprisal(0.125), float)
    p = RNG.random(7)
    assert_allclose(surprisal(p), -np.log2(p))
    assert_allclose(surprisal(p, base=math.e), -np.log(p))
    assert surprisal(0) == math.inf
    assert surprisal(1.0) == 0.0 and math.copysign(1, surprisal(1.0)) == 1


@pytest.mark.parametrize("n,zeros", [(1, 0), (2, 0), (5, 2), (50, 10)])
@pytest.mark.parametrize("base", [2, math.e, 10])
def test_entropy_matches_scipy(n, zeros, base):
    """Does entropy agree with scipy.stats.entropy, zeros included?"""
    p = random_distribution(n, zeros=zeros)
    assert_allclose(
        entropy(p, base=base), scipy.stats.entropy(p, base=base), rtol=1e-12, atol=1e-15
    )


def test_entropy_closed_forms():
    """Is H(uniform over n) = log2 n and H(one-hot) = 0?"""
    for n in (1, 2, 3, 8, 1000):
        assert_allclose(entropy(np.full(n, 1 / n)), math.log2(n), atol=1e-12)
    assert entropy([0.0, 1.0, 0.0]) == 0.0


@pytest.mark.parametrize(
    "bad,message",
    [
        ([[0.5, 0.5]], "1-D"),
        ([], "empty"),
        ([1.2, -0.2], "negative"),
        ([0.5, 0.4], "sum to 1"),
    ],
)
def test_entropy_rejects_bad_input(bad, message):
    """Does entropy name what is wrong with a bad probability vector?"""
    with pytest.raises(ValueError, match=message):
        entropy(bad)


def test_entropy_does_not_modify_input():
    """Is the caller's array left untouched?"""
    p = random_distribution(6, zeros=2)
    before = p.copy()
    entropy(p)
    assert_allclose(p, before, rtol=0, atol=0)


def test_binary_entropy_matches_scipy():
    """Is H_b(p) = H([p, 1-p]) in bits, vectorised, with H_b(0) = H_b(1) = 0?"""
    p = np.concatenate([[0.0, 1.0, 0.5], RNG.random(20)])
    expected = [scipy.stats.entropy([x, 1 - x], base=2) for x in p]
    assert_allclose(binary_entropy(p), expected, atol=1e-15)
    assert binary_entropy(0.5) == 1.0 and isinstance(binary_entropy(0.5), float)
    assert binary_entropy(np.zeros((2, 3))).shape == (2, 3)


def test_joint_entropy_matches_flattened_entropy():
    """Is H(X, Y) the entropy of the flattened table?"""
    pxy = random_distribution(12, zeros=3).reshape(3, 4)
    assert_allclose(joint_entropy(pxy), scipy.stats.entropy(pxy.ravel(), base=2))
    assert_allclose(joint_entropy(pxy, base=math.e), scipy.stats.entropy(pxy.ravel()))


def test_conditional_entropy_chain_rule():
    """Does H(Y|X) equal H(X,Y) - H(X) computed independently by SciPy?"""
    pxy = random_distribution(20, zeros=5).reshape(4, 5)
    expected = scipy.stats.entropy(pxy.ravel(), base=2) - scipy.stats.entropy(pxy.sum(1), base=2)
    assert_allclose(conditional_entropy(pxy), expected, atol=1e-12)


def test_conditional_entropy_zero_row_and_hand_example():
    """Do rows with p(x) = 0 contribute 0, and does a hand-worked table come out right?"""
    # Row 0: Y uniform given X=0 (1 bit, weight 1/2); row 1: Y certain; row 2: p(x) = 0.
    pxy = [[0.25, 0.25], [0.5, 0.0], [0.0, 0.0]]
    assert conditional_entropy(pxy) == 0.5
    independent = np.outer([0.3, 0.7], [0.2, 0.5, 0.3])
    assert_allclose(conditional_entropy(independent), scipy.stats.entropy([0.2, 0.5, 0.3], base=2))


def test_empirical_entropy_sequences():
    """Is the plug-in entropy that of the observed frequencies, for strings, lists, arrays?"""
    assert empirical_entropy("aaaa") == 0.0
    assert_allclose(empirical_entropy("hello"), scipy.stats.entropy([1, 1, 2, 1], base=2))
    x = RNG.integers(0, 6, size=500)
    assert_allclose(empirical_entropy(x), scipy.stats.entropy(np.bincount(x), base=2))
    assert_allclose(empirical_entropy(list(x), base=math.e), scipy.stats.entropy(np.bincount(x)))
    with pytest.raises(ValueError, match="empty"):
        empirical_entropy("")


@pytest.mark.parametrize("temperature", [0.1, 0.5, 1.0, 3.0])
def test_softmax_matches_scipy(temperature):
    """Does softmax agree with scipy.special.softmax on batched logits?"""
    logits = RNG.normal(scale=5, size=(3, 4, 7))
    assert_allclose(
        softmax(logits, temperature), scipy.special.softmax(logits / temperature, axis=-1)
    )


def test_softmax_huge_logits_are_exact():
    """Are logits of +-1e4 handled without overflow or nan?"""
    out = softmax([1e4, 1e4 - 1, -1e4])
    assert_allclose(out, scipy.special.softmax([1.0, 0.0, -2e4]), rtol=1e-15)
    assert np.all(np.isfinite(softmax(np.array([-1e4, -1e4]), temperature=0.01)))


def test_softmax_rejects_non_positive_temperature():
    """Is temperature <= 0 refused with a message naming it?"""
    for t in (0, -1.0):
        with pytest.raises(ValueError, match="temperature"):
            softmax([1.0, 2.0], temperature=t)

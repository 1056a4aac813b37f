"""Tests for solutions.cross_entropy and autograder.answers.cross_entropy.

The truths are independent of the implementation: scipy (entropy, softmax), PyTorch autograd
and optimisers in float64, scikit-learn's logistic regression, and closed forms.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import softmax
from scipy.stats import entropy
from sklearn.linear_model import LogisticRegression

from autograder.answers import Mistake
from autograder.answers import cross_entropy as answers
from solutions import cross_entropy as reference_module
from solutions.cross_entropy import (
    cross_entropy,
    empirical_distribution,
    fit_categorical,
    fit_logistic_regression,
    nll,
    softmax_cross_entropy_grad,
)

EXERCISES = [
    "cross_entropy",
    "nll",
    "empirical_distribution",
    "softmax_cross_entropy_grad",
    "fit_categorical",
    "fit_logistic_regression",
]


def random_p(rng, k, zeros=0):
    p = np.concatenate([rng.dirichlet(np.full(k - zeros, 0.8)), np.zeros(zeros)])
    return rng.permutation(p)


def logistic_data(rng, n=200, d=3):
    """Non-separable data: labels drawn from a logistic model."""
    X = rng.normal(size=(n, d))
    w, b = rng.normal(size=d), 0.3
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w + b)))).astype(float)
    return X, y


def quietly(fn, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return "ok", fn(*args)
        except Exception as err:  # noqa: BLE001 - a mistake may fail in any way
            return "error", type(err)


# ---------------------------------------------------------------------------------------------
# cross_entropy
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("base", [2, math.e, 10])
def test_cross_entropy_equals_entropy_plus_kl_from_scipy(base):
    """Is H(p, q) = H(p) + KL(p || q), both from scipy, on random distributions?"""
    rng = np.random.default_rng(0)
    for _ in range(50):
        k = int(rng.integers(1, 12))
        p, q = random_p(rng, k), random_p(rng, k)
        expected = entropy(p, base=base) + entropy(p, q, base=base)
        assert_allclose(cross_entropy(p, q, base=base), expected, rtol=1e-12)


def test_cross_entropy_hand_examples():
    """Do hand-worked values come out, in bits by default?"""
    assert cross_entropy([0.5, 0.5], [0.5, 0.5]) == 1.0
    assert_allclose(cross_entropy([0.5, 0.5], [0.25, 0.75]), 2 - 0.5 * math.log2(3))
    assert cross_entropy([1.0, 0.0], [0.5, 0.5]) == 1.0
    assert_allclose(cross_entropy([0, 1, 0], [0.2, 0.3, 0.5], base=math.e), -math.log(0.3))


def test_cross_entropy_of_p_with_itself_is_the_entropy():
    """Is H(p, p) = H(p) (the floor of the cross-entropy)?"""
    rng = np.random.default_rng(1)
    for _ in range(20):
        p = random_p(rng, 8, zeros=2)
        assert_allclose(cross_entropy(p, p), entropy(p, base=2), rtol=1e-12)
        assert cross_entropy(p, random_p(rng, 8)) >= entropy(p, base=2) - 1e-12


def test_cross_entropy_zeros():
    """Does p_i = 0 contribute nothing (even where q_i = 0), and q_i = 0 < p_i give inf?"""
    assert cross_entropy([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 1.0
    assert cross_entropy([0.5, 0.5, 0.0], [0.25, 0.25, 0.5]) == 2.0
    assert cross_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert isinstance(cross_entropy([0.5, 0.5], [0.5, 0.5]), float)
    assert math.copysign(1.0, cross_entropy([1.0, 0.0], [1.0, 0.0])) == 1.0  # 0.0, not -0.0


def test_cross_entropy_rejects_bad_input_and_keeps_input():
    """Are shape mismatches and non-distributions refused; are the inputs unchanged?"""
    with pytest.raises(ValueError, match="same shape"):
        cross_entropy([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="q must sum to 1"):
        cross_entropy([0.5, 0.5], [0.5, 0.4])
    with pytest.raises(ValueError, match="p must be non-negative"):
        cross_entropy([1.5, -0.5], [0.5, 0.5])
    with pytest.raises(ValueError, match="1-D"):
        cross_entropy([[0.5, 0.5]], [[0.5, 0.5]])
    with pytest.raises(ValueError, match="base"):
        cross_entropy([0.5, 0.5], [0.5, 0.5], base=1)
    p, q = np.array([0.2, 0.8]), np.array([0.6, 0.4])
    cross_entropy(p, q)
    assert_array_equal(p, [0.2, 0.8])
    assert_array_equal(q, [0.6, 0.4])


# ---------------------------------------------------------------------------------------------
# nll
# ---------------------------------------------------------------------------------------------


def test_nll_matches_torch_nll_loss():
    """Does nll agree with torch's nll_loss on log-probabilities (mean reduction)?"""
    rng = np.random.default_rng(2)
    for _ in range(20):
        n, k = int(rng.integers(1, 30)), int(rng.integers(2, 8))
        probs = rng.dirichlet(np.ones(k), size=n)
        targets = rng.integers(0, k, size=n)
        expected = torch.nn.functional.nll_loss(
            torch.log(torch.tensor(probs, dtype=torch.float64)), torch.tensor(targets)
        ).item()
        assert_allclose(nll(probs, targets), expected, rtol=1e-12)
        assert_allclose(nll(probs, targets, base=2), expected / math.log(2), rtol=1e-12)


def test_nll_hand_examples():
    """Do hand-worked values come out, in nats by default?"""
    assert nll([[0.5, 0.5], [0.25, 0.75]], [0, 0], base=2) == 1.5
    assert_allclose(nll([[0.5, 0.5]], [1]), math.log(2))
    assert isinstance(nll([[0.5, 0.5]], [1]), float)
    assert math.copysign(1.0, nll([[1.0, 0.0]], [0])) == 1.0  # a certain target costs 0.0


def test_nll_of_a_constant_model_is_the_cross_entropy():
    """With the same q in every row, is the NLL exactly H(p_hat, q)?"""
    rng = np.random.default_rng(3)
    q = random_p(rng, 5)
    targets = rng.integers(0, 5, size=400)
    p_hat = np.bincount(targets, minlength=5) / 400
    expected = entropy(p_hat, base=2) + entropy(p_hat, q, base=2)
    assert_allclose(nll(np.tile(q, (400, 1)), targets, base=2), expected, rtol=1e-12)


def test_nll_zero_probability_target_is_inf():
    """Does a target with probability 0 give inf (and a zero elsewhere nothing)?"""
    assert nll([[1.0, 0.0], [0.5, 0.5]], [1, 0]) == math.inf
    assert_allclose(nll([[1.0, 0.0], [0.5, 0.5]], [0, 0]), math.log(2) / 2)


def test_nll_rejects_bad_input_and_keeps_input():
    """Are bad shapes, targets and probabilities refused; are the inputs unchanged?"""
    probs = np.array([[0.5, 0.5], [0.1, 0.9]])
    with pytest.raises(ValueError, match="targets must have shape"):
        nll(probs, [0])
    with pytest.raises(ValueError, match=r"targets must be in 0\.\.1"):
        nll(probs, [0, 2])
    with pytest.raises(ValueError, match="integers"):
        nll(probs, [0.0, 1.0])
    with pytest.raises(ValueError, match="2-D"):
        nll([0.5, 0.5], [0])
    with pytest.raises(ValueError, match="empty"):
        nll(np.zeros((0, 2)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="non-negative"):
        nll([[1.5, -0.5]], [0])
    targets = np.array([1, 0])
    nll(probs, targets)
    assert_array_equal(probs, [[0.5, 0.5], [0.1, 0.9]])
    assert_array_equal(targets, [1, 0])


# ---------------------------------------------------------------------------------------------
# empirical_distribution
# ---------------------------------------------------------------------------------------------


def test_empirical_distribution_matches_unique_counts():
    """Does it agree with np.unique counts divided by N, with unseen classes at 0?"""
    rng = np.random.default_rng(4)
    for _ in range(20):
        k = int(rng.integers(1, 10))
        labels = rng.integers(0, k, size=int(rng.integers(1, 100)))
        values, counts = np.unique(labels, return_counts=True)
        expected = np.zeros(k + 3)
        expected[values] = counts / labels.size
        result = empirical_distribution(labels, k + 3)
        assert result.dtype == np.float64
        assert_allclose(result, expected, rtol=1e-15)
        assert_allclose(result.sum(), 1.0)


def test_empirical_distribution_hand_example():
    """Is [0, 2, 2, 1] with K = 4 the vector (1/4, 1/4, 1/2, 0)?"""
    assert_array_equal(empirical_distribution([0, 2, 2, 1], 4), [0.25, 0.25, 0.5, 0.0])
    assert_array_equal(empirical_distribution((1,), 2), [0.0, 1.0])


def test_empirical_distribution_rejects_bad_input():
    """Are empty, out-of-range and non-integer labels refused?"""
    with pytest.raises(ValueError, match="non-empty"):
        empirical_distribution([], 3)
    with pytest.raises(ValueError, match=r"0\.\.2"):
        empirical_distribution([0, 3], 3)
    with pytest.raises(ValueError, match=r"0\.\.2"):
        empirical_distribution([-1], 3)
    with pytest.raises(ValueError, match="integers"):
        empirical_distribution([0.5], 3)


# ---------------------------------------------------------------------------------------------
# softmax_cross_entropy_grad
# ---------------------------------------------------------------------------------------------


def torch_grad(logits, targets):
    z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.cross_entropy(z, torch.tensor(targets)).backward()
    return z.grad.numpy()


def test_softmax_cross_entropy_grad_matches_torch_autograd():
    """Does the gradient agree with torch autograd of F.cross_entropy (float64)?"""
    rng = np.random.default_rng(5)
    for scale in (1.0, 10.0, 1e4):
        for _ in range(10):
            n, k = int(rng.integers(1, 20)), int(rng.integers(2, 10))
            logits = scale * rng.normal(size=(n, k))
            targets = rng.integers(0, k, size=n)
            grad = softmax_cross_entropy_grad(logits, targets)
            assert grad.dtype == np.float64 and grad.shape == (n, k)
            assert_allclose(grad, torch_grad(logits, targets), rtol=1e-10, atol=1e-15)


def test_softmax_cross_entropy_grad_is_softmax_minus_onehot_over_n():
    """Is each row (softmax - onehot) / N (scipy softmax), summing to 0?"""
    rng = np.random.default_rng(6)
    logits = rng.normal(size=(7, 4))
    targets = rng.integers(0, 4, size=7)
    expected = (softmax(logits, axis=1) - np.eye(4)[targets]) / 7
    grad = softmax_cross_entropy_grad(logits, targets)
    assert_allclose(grad, expected, rtol=1e-12, atol=1e-17)
    assert_allclose(grad.sum(axis=1), 0.0, atol=1e-16)


def test_softmax_cross_entropy_grad_huge_logits():
    """Do logits of +-1e308 give finite exact gradients without warnings?"""
    grad = softmax_cross_entropy_grad([[1e308, -1e308, 0.0], [5e3, 5e3, -5e3]], [1, 0])
    assert_allclose(grad, [[0.5, -0.5, 0.0], [-0.25, 0.25, 0.0]])
    assert_array_equal(softmax_cross_entropy_grad([[0.0, 0.0]], [0]), [[-0.5, 0.5]])


def test_softmax_cross_entropy_grad_rejects_bad_input_and_keeps_input():
    """Are bad shapes and targets refused; are the inputs unchanged?"""
    with pytest.raises(ValueError, match="2-D"):
        softmax_cross_entropy_grad([0.0, 1.0], [0])
    with pytest.raises(ValueError, match="targets must have shape"):
        softmax_cross_entropy_grad([[0.0, 1.0]], [0, 1])
    with pytest.raises(ValueError, match=r"0\.\.1"):
        softmax_cross_entropy_grad([[0.0, 1.0]], [2])
    logits, targets = np.array([[1.0, 2.0]]), np.array([1])
    softmax_cross_entropy_grad(logits, targets)
    assert_array_equal(logits, [[1.0, 2.0]])
    assert_array_equal(targets, [1])


# ---------------------------------------------------------------------------------------------
# fit_categorical
# ---------------------------------------------------------------------------------------------


def torch_fit_categorical(samples, k, steps, lr):
    """Gradient descent with torch autograd gradients (what torch.optim.SGD does)."""
    logits = torch.zeros(k, dtype=torch.float64, requires_grad=True)
    targets = torch.tensor(samples)
    for _ in range(steps):
        loss = torch.nn.functional.cross_entropy(logits.expand(len(samples), k), targets)
        (grad,) = torch.autograd.grad(loss, [logits])
        with torch.no_grad():
            logits -= lr * grad
    return torch.softmax(logits, 0).detach().numpy()


@pytest.mark.parametrize("steps, lr", [(1, 1.0), (7, 0.5), (60, 2.0)])
def test_fit_categorical_matches_torch_autograd_descent(steps, lr):
    """Does it follow gradient descent with torch autograd gradients step for step?"""
    rng = np.random.default_rng(7)
    samples = rng.integers(0, 5, size=40)
    samples[samples == 4] = 0  # class 4 unseen
    expected = torch_fit_categorical(samples, 5, steps, lr)
    result = fit_categorical(samples, 5, steps=steps, lr=lr)
    assert result.dtype == np.float64 and result.shape == (5,)
    assert_allclose(result, expected, rtol=1e-12)


def test_fit_categorical_first_step_closed_form():
    """Is one step from zero logits softmax(lr * (p_hat - 1/K))?"""
    samples = [0, 0, 1, 2, 2, 2]
    p_hat = np.array([2, 1, 3]) / 6
    assert_allclose(fit_categorical(samples, 3, steps=1, lr=0.7), softmax(0.7 * (p_hat - 1 / 3)))


def test_fit_categorical_converges_to_the_empirical_distribution():
    """With the default 500 steps, is the fit the MLE (empirical frequencies)?"""
    assert_array_equal(fit_categorical([0, 1], 2, steps=0), [0.5, 0.5])
    rng = np.random.default_rng(8)
    samples = rng.integers(0, 4, size=300)
    p_hat = np.bincount(samples, minlength=4) / 300
    assert_allclose(fit_categorical(samples, 4), p_hat, rtol=1e-9)


def test_fit_categorical_rejects_bad_input_and_keeps_input():
    """Are empty or out-of-range samples and negative steps refused; is the input unchanged?"""
    with pytest.raises(ValueError, match="non-empty"):
        fit_categorical([], 3)
    with pytest.raises(ValueError, match=r"0\.\.2"):
        fit_categorical([3], 3)
    with pytest.raises(ValueError, match="steps"):
        fit_categorical([0], 3, steps=-1)
    samples = np.array([0, 1, 1])
    fit_categorical(samples, 2, steps=3)
    assert_array_equal(samples, [0, 1, 1])


# ---------------------------------------------------------------------------------------------
# fit_logistic_regression
# ---------------------------------------------------------------------------------------------


def torch_fit_logistic(X, y, steps, lr):
    X_t, y_t = torch.tensor(X), torch.tensor(y)
    w = torch.zeros(X.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    for _ in range(steps):
        loss = torch.nn.functional.binary_cross_entropy_with_logits(X_t @ w + b, y_t)
        grad_w, grad_b = torch.autograd.grad(loss, [w, b])
        with torch.no_grad():
            w -= lr * grad_w
            b -= lr * grad_b
    return w.detach().numpy(), b.item()


@pytest.mark.parametrize("steps, lr", [(1, 0.1), (25, 0.5), (300, 0.1)])
def test_fit_logistic_regression_matches_torch_autograd_descent(steps, lr):
    """Does it follow gradient descent with torch autograd gradients step for step?"""
    X, y = logistic_data(np.random.default_rng(9))
    w_expected, b_expected = torch_fit_logistic(X, y, steps, lr)
    w, b = fit_logistic_regression(X, y, steps=steps, lr=lr)
    assert isinstance(w, np.ndarray) and w.dtype == np.float64 and w.shape == (3,)
    assert isinstance(b, float)
    assert_allclose(w, w_expected, rtol=1e-10)
    assert_allclose(b, b_expected, rtol=1e-10)


def test_fit_logistic_regression_converges_to_sklearn_mle():
    """After many steps, is the fit the unpenalised maximum-likelihood solution (sklearn)?"""
    X, y = logistic_data(np.random.default_rng(10), n=300, d=2)
    w, b = fit_logistic_regression(X, y, steps=4000, lr=2.0)
    model = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    assert_allclose(w, model.coef_[0], rtol=1e-6)
    assert_allclose(b, model.intercept_[0], rtol=1e-6)


def test_fit_logistic_regression_closed_form_two_points():
    """With one binary feature, do the fitted probabilities equal the label frequencies?"""
    X = [[0.0]] * 4 + [[1.0]] * 4
    y = [0, 0, 0, 1, 0, 1, 1, 1]
    w, b = fit_logistic_regression(X, y, steps=5000, lr=1.0)
    assert_allclose([w[0], b], [2 * math.log(3), -math.log(3)], rtol=1e-9)
    assert_array_equal(fit_logistic_regression(X, y, steps=0)[0], [0.0])


def test_fit_logistic_regression_large_margins_are_stable():
    """Do inputs with huge logits run without overflow warnings?"""
    X = np.array([[-1e4], [1e4]])
    w, b = fit_logistic_regression(X, [0, 1], steps=3, lr=1.0)
    assert np.all(np.isfinite(w)) and math.isfinite(b)


def test_fit_logistic_regression_rejects_bad_input_and_keeps_input():
    """Are bad shapes and labels refused; are the inputs unchanged?"""
    with pytest.raises(ValueError, match="2-D"):
        fit_logistic_regression([1.0, 2.0], [0, 1])
    with pytest.raises(ValueError, match="y must have shape"):
        fit_logistic_regression([[1.0], [2.0]], [0])
    with pytest.raises(ValueError, match="only 0 and 1"):
        fit_logistic_regression([[1.0], [2.0]], [0, 2])
    X, y = np.array([[1.0], [2.0]]), np.array([0, 1])
    fit_logistic_regression(X, y, steps=5)
    assert_array_equal(X, [[1.0], [2.0]])
    assert_array_equal(y, [0, 1])


# ---------------------------------------------------------------------------------------------
# self-containment, known mistakes and alternatives
# ---------------------------------------------------------------------------------------------


def test_examples_cover_every_exercise():
    """Is there an alternative for every exercise, and do the mistakes name real exercises?"""
    assert set(answers.ALTERNATIVES) == set(EXERCISES)
    assert all(answers.ALTERNATIVES[name] for name in EXERCISES)
    for mistake in answers.MISTAKES:
        assert isinstance(mistake, Mistake)
        assert mistake.exercise in EXERCISES
        assert mistake.name and len(mistake.hint) > 30


REFERENCE = {name: getattr(reference_module, name) for name in EXERCISES}


def typical_inputs(exercise):
    rng = np.random.default_rng(11)
    if exercise == "cross_entropy":
        return [
            ([0.5, 0.5], [0.25, 0.75]),
            ([1.0, 0.0], [0.5, 0.5]),
            ([0.5, 0.5, 0.0], [0.5, 0.25, 0.25]),
            ([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]),
            (random_p(rng, 6), random_p(rng, 6), math.e),
        ]
    if exercise == "nll":
        probs = rng.dirichlet(np.ones(3), size=3)
        return [(probs, [0, 2, 1]), (probs, [1, 1, 0], 2)]
    if exercise == "empirical_distribution":
        return [([0, 2, 2, 1], 4), ([0, 1, 1], 4)]
    if exercise == "softmax_cross_entropy_grad":
        return [(rng.normal(size=(3, 4)), [0, 3, 1]), ([[1000.0, 0.0]], [0])]
    samples = rng.integers(0, 3, size=30)
    if exercise == "fit_categorical":
        return [(samples, 3), (samples, 3, 5, 0.5)]
    X, y = logistic_data(rng, n=50, d=2)
    return [(X, y), (X, y, 50, 0.5)]


def same_output(expected, got):
    if isinstance(expected, tuple):
        return (
            isinstance(got, tuple)
            and len(got) == len(expected)
            and all(same_output(e, g) for e, g in zip(expected, got, strict=True))
        )
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        return False
    return bool(np.allclose(got, expected, rtol=1e-6, atol=1e-9))


def random_inputs(exercise, rng):
    """Random inputs of the shape the exercise takes."""
    if exercise == "cross_entropy":
        k = int(rng.integers(1, 8))
        return (random_p(rng, k, zeros=int(k > 2)), random_p(rng, k), [2, math.e][rng.integers(2)])
    if exercise == "nll":
        n, k = int(rng.integers(1, 20)), int(rng.integers(2, 6))
        return rng.dirichlet(np.ones(k), size=n), rng.integers(0, k, size=n), 2
    if exercise == "empirical_distribution":
        return rng.integers(0, 5, size=int(rng.integers(1, 30))), 6
    if exercise == "softmax_cross_entropy_grad":
        n, k = int(rng.integers(1, 20)), int(rng.integers(2, 6))
        return 30 * rng.normal(size=(n, k)), rng.integers(0, k, size=n)
    if exercise == "fit_categorical":
        return rng.integers(0, 4, size=int(rng.integers(1, 50))), 5, int(rng.integers(0, 50)), 0.8
    X, y = logistic_data(rng, n=int(rng.integers(5, 60)), d=int(rng.integers(1, 4)))
    return X, y, int(rng.integers(0, 80)), 0.3


ALTERNATIVE_CASES = [(name, fn) for name, fns in answers.ALTERNATIVES.items() for fn in fns]


@pytest.mark.parametrize(
    "exercise, fn", ALTERNATIVE_CASES, ids=[fn.__name__ for _, fn in ALTERNATIVE_CASES]
)
def test_alternative_agrees_with_reference(exercise, fn):
    """Does the alternative give what the reference gives, and raise where the contract says?"""
    rng = np.random.default_rng(12)
    cases = typical_inputs(exercise) + [random_inputs(exercise, rng) for _ in range(15)]
    for args in cases:
        assert same_output(REFERENCE[exercise](*args), fn(*args)), args
    if exercise == "cross_entropy":
        assert fn([0.5, 0.5], [1.0, 0.0]) == math.inf
        with pytest.raises(ValueError):
            fn([0.5, 0.5], [0.2, 0.3, 0.5])
    if exercise == "nll":
        assert fn([[1.0, 0.0]], [1]) == math.inf


@pytest.mark.parametrize("mistake", answers.MISTAKES, ids=[m.fn.__name__ for m in answers.MISTAKES])
def test_mistake_differs_from_reference(mistake):
    """Does the known mistake give a wrong answer on at least one typical input?"""
    wrong = []
    for args in typical_inputs(mistake.exercise):
        status, got = quietly(mistake.fn, *args)
        wrong.append(status != "ok" or not same_output(REFERENCE[mistake.exercise](*args), got))
    assert any(wrong), f"{mistake.name!r} agrees with the reference on every typical input"

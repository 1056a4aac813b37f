"""Tests for solutions.kl_divergence and autograder.answers.kl_divergence.

The truths are independent of the implementation: scipy (entropy, rel_entr, jensenshannon,
norm, optimize), torch.distributions, Monte-Carlo averages, and closed forms.
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from scipy.optimize import minimize
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr
from scipy.stats import entropy, norm

from autograder.answers import Mistake
from autograder.answers import kl_divergence as answers
from solutions import kl_divergence as reference_module
from solutions.kl_divergence import (
    forward_kl_fit,
    js_divergence,
    kl_divergence,
    kl_estimators,
    kl_gaussian,
    reverse_kl_fit,
)

EXERCISES = [
    "kl_divergence",
    "js_divergence",
    "kl_gaussian",
    "kl_estimators",
    "forward_kl_fit",
    "reverse_kl_fit",
]

X = np.linspace(-12.0, 12.0, 2001)  # the grid of the fitting tests


def random_p(rng, k, zeros=0):
    p = np.concatenate([rng.dirichlet(np.full(k - zeros, 0.8)), np.zeros(zeros)])
    return rng.permutation(p)


def mixture(x, weights, means, sds):
    """Unnormalised density of a Gaussian mixture (weights need not sum to 1)."""
    return sum(w * norm.pdf(x, m, s) for w, m, s in zip(weights, means, sds, strict=True))


def riemann_reverse_kl(theta, x, p):
    """sum q log(q / p) dx with p normalised by its Riemann sum, written with scipy."""
    mu, sigma = theta
    if sigma <= 0:
        return np.inf
    dx = x[1] - x[0]
    return float(np.sum(rel_entr(norm.pdf(x, mu, sigma), p / (p.sum() * dx))) * dx)


def riemann_forward_kl(theta, x, p):
    mu, sigma = theta
    if sigma <= 0:
        return np.inf
    dx = x[1] - x[0]
    return float(np.sum(rel_entr(p / (p.sum() * dx), norm.pdf(x, mu, sigma))) * dx)


def scipy_minimum(objective, x, p, start):
    result = minimize(
        objective,
        start,
        args=(x, p),
        method="Nelder-Mead",
        options={"xatol": 1e-9, "fatol": 1e-15, "maxiter": 4000},
    )
    return result.x


def quietly(fn, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return "ok", fn(*args)
        except Exception as err:  # noqa: BLE001 - a mistake may fail in any way
            return "error", type(err)


# ---------------------------------------------------------------------------------------------
# kl_divergence
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("base", [2, math.e, 10])
def test_kl_divergence_matches_scipy(base):
    """Does KL agree with scipy.stats.entropy(p, q) and sum(rel_entr) on random inputs?"""
    rng = np.random.default_rng(0)
    for _ in range(50):
        k = int(rng.integers(1, 12))
        p, q = random_p(rng, k, zeros=int(k > 3)), random_p(rng, k)
        result = kl_divergence(p, q, base=base)
        assert_allclose(result, entropy(p, q, base=base), rtol=1e-10, atol=1e-14)
        assert_allclose(result, rel_entr(p, q).sum() / math.log(base), rtol=1e-10, atol=1e-14)


def test_kl_divergence_is_zero_exactly_when_p_equals_q():
    """Is KL exactly 0 for p = q and strictly positive otherwise (Gibbs' inequality)?"""
    rng = np.random.default_rng(1)
    for _ in range(20):
        p, q = random_p(rng, 6, zeros=1), random_p(rng, 6)
        assert kl_divergence(p, p) == 0.0
        assert kl_divergence(p, q) > 0


def test_kl_divergence_hand_examples_and_asymmetry():
    """Do hand-worked values come out, and does swapping the arguments change the value?"""
    assert_allclose(kl_divergence([0.5, 0.5], [0.25, 0.75]), 1 - 0.5 * math.log2(3))
    assert_allclose(kl_divergence([0.25, 0.75], [0.5, 0.5]), 0.75 * math.log2(1.5) - 0.25)
    assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == 1.0
    assert_allclose(kl_divergence([1.0, 0.0], [0.5, 0.5], base=math.e), math.log(2))


def test_kl_divergence_support_mismatch():
    """Is q_i = 0 < p_i infinite, while p_i = 0 (whatever q_i) contributes nothing?"""
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert kl_divergence([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 0.0
    assert kl_divergence([1.0, 0.0], [0.5, 0.5]) < math.inf
    assert isinstance(kl_divergence([0.5, 0.5], [1.0, 0.0]), float)


def test_kl_divergence_tiny_q_does_not_overflow():
    """Does q_i = 1e-320 give the right finite value without an overflow warning?"""
    q = [1.0 - 1e-300, 1e-300]
    expected = 0.5 * (math.log(0.5) - math.log(q[0])) + 0.5 * (math.log(0.5) - math.log(1e-300))
    assert_allclose(kl_divergence([0.5, 0.5], q, base=math.e), expected, rtol=1e-14)
    expected = 0.5 * math.log(0.5 / (1 - 5e-324)) + 0.5 * (math.log(0.5) - math.log(5e-324))
    assert_allclose(kl_divergence([0.5, 0.5], [1.0, 5e-324], base=math.e), expected)


@pytest.mark.parametrize(
    "p, q, message",
    [
        ([0.5, 0.5], [0.2, 0.3, 0.5], "same shape"),
        ([[0.5, 0.5]], [[0.5, 0.5]], "p must be a non-empty 1-D"),
        ([], [], "non-empty 1-D"),
        ([1.5, -0.5], [0.5, 0.5], "p must be non-negative"),
        ([0.5, 0.5], [1.5, -0.5], "q must be non-negative"),
        ([0.5, 0.4], [0.5, 0.5], r"p must sum to 1 \(got 0.9"),
        ([0.5, 0.5], [0.6, 0.6], "q must sum to 1"),
    ],
)
def test_kl_divergence_rejects_bad_input(p, q, message):
    """Are inputs that are not two probability vectors of one shape refused with a message?"""
    with pytest.raises(ValueError, match=message):
        kl_divergence(p, q)


def test_kl_divergence_accepts_sums_within_tolerance_and_keeps_input():
    """Is a sum off by 5e-7 accepted, and are the inputs unchanged?"""
    assert math.isfinite(kl_divergence([0.5, 0.5 + 5e-7], [0.5, 0.5]))
    with pytest.raises(ValueError, match="base"):
        kl_divergence([0.5, 0.5], [0.5, 0.5], base=0)
    p, q = np.array([0.2, 0.8]), np.array([0.6, 0.4])
    kl_divergence(p, q)
    assert_array_equal(p, [0.2, 0.8])
    assert_array_equal(q, [0.6, 0.4])


# ---------------------------------------------------------------------------------------------
# js_divergence
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("base", [2, math.e])
def test_js_divergence_is_the_square_of_scipy_jensenshannon(base):
    """Is JS equal to scipy's jensenshannon (a distance) squared?"""
    rng = np.random.default_rng(2)
    for _ in range(50):
        k = int(rng.integers(1, 10))
        p, q = random_p(rng, k, zeros=int(k > 2)), random_p(rng, k, zeros=int(k > 4))
        expected = jensenshannon(p, q, base=base) ** 2
        assert_allclose(js_divergence(p, q, base=base), expected, rtol=1e-9, atol=1e-14)


def test_js_divergence_bounds_and_symmetry():
    """Is JS symmetric, 0 for p = q, exactly 1 bit for disjoint supports, and in [0, 1]?"""
    assert js_divergence([1.0, 0.0], [0.0, 1.0]) == 1.0
    assert js_divergence([0.3, 0.7], [0.3, 0.7]) == 0.0
    assert_allclose(js_divergence([1.0, 0.0], [0.5, 0.5]), 1.5 - 0.75 * math.log2(3))
    rng = np.random.default_rng(3)
    for _ in range(50):
        p, q = random_p(rng, 5, zeros=2), random_p(rng, 5, zeros=2)
        value = js_divergence(p, q)
        assert -1e-15 <= value <= 1.0 + 1e-15
        assert_allclose(value, js_divergence(q, p), rtol=1e-12, atol=1e-15)
    assert isinstance(js_divergence([0.5, 0.5], [0.9, 0.1]), float)


def test_js_divergence_rejects_bad_input():
    """Are shape mismatches and non-distributions refused as for KL?"""
    with pytest.raises(ValueError, match="same shape"):
        js_divergence([0.5, 0.5], [1.0])
    with pytest.raises(ValueError, match="q must sum to 1"):
        js_divergence([0.5, 0.5], [0.5, 0.6])
    with pytest.raises(ValueError, match="p must be non-negative"):
        js_divergence([-0.5, 1.5], [0.5, 0.5])


# ---------------------------------------------------------------------------------------------
# kl_gaussian
# ---------------------------------------------------------------------------------------------


def test_kl_gaussian_matches_torch_distributions():
    """Does it agree with torch.distributions.kl_divergence for Normals (float64)?"""
    rng = np.random.default_rng(4)
    mu_p, mu_q = rng.normal(size=50), rng.normal(size=50)
    sd_p, sd_q = rng.uniform(0.1, 3, size=50), rng.uniform(0.1, 3, size=50)
    expected = torch.distributions.kl_divergence(
        torch.distributions.Normal(torch.tensor(mu_p), torch.tensor(sd_p)),
        torch.distributions.Normal(torch.tensor(mu_q), torch.tensor(sd_q)),
    ).numpy()
    result = kl_gaussian(mu_p, sd_p, mu_q, sd_q)
    assert result.dtype == np.float64 and result.shape == (50,)
    assert_allclose(result, expected, rtol=1e-12, atol=1e-15)


def test_kl_gaussian_matches_monte_carlo():
    """Is it the Monte-Carlo average of log p(x) - log q(x) over x ~ p (within 4 SE)?"""
    rng = np.random.default_rng(5)
    for mu_p, sd_p, mu_q, sd_q in [(0.0, 1.0, 1.0, 2.0), (1.0, 0.5, -1.0, 1.0)]:
        x = rng.normal(mu_p, sd_p, size=200_000)
        log_ratio = norm.logpdf(x, mu_p, sd_p) - norm.logpdf(x, mu_q, sd_q)
        se = log_ratio.std() / math.sqrt(x.size)
        assert abs(kl_gaussian(mu_p, sd_p, mu_q, sd_q) - log_ratio.mean()) < 4 * se


def test_kl_gaussian_closed_forms_and_types():
    """Are the closed forms (same -> 0, shift d -> d^2/2, scale) right, float for scalars?"""
    assert kl_gaussian(0.0, 1.0, 0.0, 1.0) == 0.0
    assert kl_gaussian(3.0, 1.0, 1.0, 1.0) == 2.0
    assert_allclose(kl_gaussian(0, 1, 0, 2), math.log(2) + 1 / 8 - 1 / 2)
    assert_allclose(kl_gaussian(0, 2, 0, 1), -math.log(2) + 2 - 1 / 2)  # asymmetric
    assert isinstance(kl_gaussian(0, 1, 0, 2), float)
    assert kl_gaussian(np.zeros((2, 1)), 1.0, np.zeros(3), [1.0, 2.0, 3.0]).shape == (2, 3)


def test_kl_gaussian_rejects_bad_input_and_keeps_input():
    """Are non-positive standard deviations and non-broadcasting shapes refused?"""
    with pytest.raises(ValueError, match="sigma_p must be positive"):
        kl_gaussian(0.0, 0.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="sigma_q must be positive"):
        kl_gaussian(0.0, 1.0, 0.0, [1.0, -1.0])
    with pytest.raises(ValueError, match="broadcast"):
        kl_gaussian(np.zeros(2), 1.0, np.zeros(3), 1.0)
    mu = np.array([0.0, 1.0])
    kl_gaussian(mu, 1.0, 0.0, 2.0)
    assert_array_equal(mu, [0.0, 1.0])


# ---------------------------------------------------------------------------------------------
# kl_estimators
# ---------------------------------------------------------------------------------------------


def test_kl_estimators_match_their_definitions():
    """Are k1, k2, k3 equal to -log r, (log r)^2 / 2, (r - 1) - log r computed from r?"""
    rng = np.random.default_rng(6)
    log_p, log_q = rng.normal(size=100), rng.normal(size=100)
    r = np.exp(log_p) / np.exp(log_q)
    k1, k2, k3 = kl_estimators(log_p, log_q)
    for k in (k1, k2, k3):
        assert isinstance(k, np.ndarray) and k.dtype == np.float64 and k.shape == (100,)
    assert_allclose(k1, -np.log(r), rtol=1e-12)
    assert_allclose(k2, 0.5 * np.log(r) ** 2, rtol=1e-12)
    assert_allclose(k3, (r - 1) - np.log(r), rtol=1e-9)


def test_kl_estimators_are_unbiased_for_gaussians():
    """Under x ~ q, do k1 and k3 average to KL(q || p), with k3 >= 0 and less noisy than k1?"""
    rng = np.random.default_rng(7)
    x = rng.normal(0.0, 1.0, size=200_000)  # q = N(0, 1), p = N(0.3, 1.1^2)
    log_q, log_p = norm.logpdf(x, 0.0, 1.0), norm.logpdf(x, 0.3, 1.1)
    truth = kl_gaussian(0.0, 1.0, 0.3, 1.1)
    k1, k2, k3 = kl_estimators(log_p, log_q)
    for k in (k1, k3):
        assert abs(k.mean() - truth) < 4 * k.std() / math.sqrt(x.size)
    assert np.all(k3 >= 0) and np.all(k2 >= 0)
    assert k3.std() < k1.std()


def test_kl_estimators_k2_bias_is_small_for_nearby_distributions():
    """For p = N(0.1, 1), q = N(0, 1), is E[k2] = 0.01 * (1 + 0.05^2) / 2 (bias 0.25%)?"""
    rng = np.random.default_rng(8)
    x = rng.normal(0.0, 1.0, size=200_000)
    _, k2, _ = kl_estimators(norm.logpdf(x, 0.1, 1.0), norm.logpdf(x, 0.0, 1.0))
    expected = 0.01 * (1 + 0.05**2) / 2  # log r = 0.1 x - 0.005
    assert abs(k2.mean() - expected) < 4 * k2.std() / math.sqrt(x.size)


def test_kl_estimators_extreme_ratios():
    """Do r near 1, r = 0 and huge r give accurate or infinite values without warnings?"""
    k1, k2, k3 = kl_estimators([1e-10, -np.inf, 1000.0], [0.0, 0.0, 0.0])
    assert_allclose(k3[0], 1e-20 / 2, rtol=0, atol=1e-25)  # e^t - 1 - t = t^2/2 + ...
    assert_array_equal(k1[1:], [np.inf, -1000.0])
    assert_array_equal(k2[1:], [np.inf, 5e5])
    assert_array_equal(k3[1:], [np.inf, np.inf])
    k1, k2, k3 = kl_estimators([0.0, -2.0], [0.0, -2.0])  # p = q: all zero, none -0.0
    assert_array_equal(np.copysign(1.0, np.concatenate([k1, k2, k3])), np.ones(6))


def test_kl_estimators_rejects_shape_mismatch_and_keeps_input():
    """Are log-density arrays of different shapes refused; are the inputs unchanged?"""
    with pytest.raises(ValueError, match="same shape"):
        kl_estimators([0.0, 1.0], [0.0])
    log_p = np.array([0.0, -1.0])
    kl_estimators(log_p, [0.0, 0.0])
    assert_array_equal(log_p, [0.0, -1.0])


# ---------------------------------------------------------------------------------------------
# forward_kl_fit
# ---------------------------------------------------------------------------------------------


def test_forward_kl_fit_recovers_a_gaussian():
    """Is an (unnormalised) Gaussian target fitted by its own mean and sd?"""
    x = np.linspace(-25.0, 25.0, 5001)  # holds 10 sd on both sides
    for mu, sd in [(0.0, 1.0), (1.5, 2.0), (-3.0, 0.4)]:
        result = forward_kl_fit(x, 7.0 * norm.pdf(x, mu, sd))
        assert all(isinstance(v, float) for v in result)
        assert_allclose(result, (mu, sd), rtol=1e-7, atol=1e-9)


def test_forward_kl_fit_matches_mixture_moments():
    """For a Gaussian mixture, is the fit the mixture's mean and sd (moment matching)?"""
    weights, means, sds = np.array([0.3, 0.7]), np.array([-3.0, 2.0]), np.array([0.8, 1.2])
    mean = weights @ means
    sd = math.sqrt(weights @ (sds**2 + means**2) - mean**2)
    assert_allclose(forward_kl_fit(X, mixture(X, weights, means, sds)), (mean, sd), rtol=1e-7)


def test_forward_kl_fit_minimises_the_riemann_kl():
    """Does scipy's optimiser on the Riemann-sum KL(p || q) land on the same (mu, sigma)?"""
    p = mixture(X, [1.0, 2.0, 0.5], [-4.0, 0.0, 5.0], [1.0, 0.5, 2.0]) * np.exp(-0.01 * X)
    result = forward_kl_fit(X, p)
    assert_allclose(scipy_minimum(riemann_forward_kl, X, p, [0.0, 1.0]), result, atol=1e-6)


def test_forward_kl_fit_rejects_bad_input_and_keeps_input():
    """Are uneven grids, mismatched shapes and invalid densities refused?"""
    p = norm.pdf(X)
    with pytest.raises(ValueError, match="evenly spaced"):
        forward_kl_fit(X**3, p)
    with pytest.raises(ValueError, match="evenly spaced"):
        forward_kl_fit(X[::-1], p)
    with pytest.raises(ValueError, match="shape of x"):
        forward_kl_fit(X, p[:-1])
    with pytest.raises(ValueError, match="at least 2"):
        forward_kl_fit([0.0], [1.0])
    with pytest.raises(ValueError, match="non-negative and not all zero"):
        forward_kl_fit(X, np.zeros_like(X))
    with pytest.raises(ValueError, match="non-negative and not all zero"):
        forward_kl_fit(X, p - 0.1)
    p_copy = p.copy()
    forward_kl_fit(X, p)
    assert_array_equal(p, p_copy)


# ---------------------------------------------------------------------------------------------
# reverse_kl_fit
# ---------------------------------------------------------------------------------------------


def test_reverse_kl_fit_recovers_a_gaussian_from_any_start():
    """Is a Gaussian target fitted exactly, from starts on both sides and of both widths?"""
    p = 3.0 * norm.pdf(X, 1.0, 1.5)
    for mu0, sigma0 in [(0.0, 1.0), (4.0, 0.3), (-3.0, 4.0)]:
        result = reverse_kl_fit(X, p, mu0, sigma0)
        assert all(isinstance(v, float) for v in result)
        assert_allclose(result, (1.0, 1.5), atol=1e-6)


@pytest.mark.parametrize(
    "weights, means, sds, start",
    [
        ([0.5, 0.5], [-3.0, 3.0], [1.0, 1.0], (-2.5, 1.5)),
        ([0.5, 0.5], [-3.0, 3.0], [1.0, 1.0], (3.5, 0.5)),
        ([0.3, 0.7], [-4.0, 3.0], [0.5, 1.5], (-4.2, 0.4)),
        ([0.3, 0.7], [-4.0, 3.0], [0.5, 1.5], (2.0, 2.0)),
        ([0.6, 0.4], [-1.0, 1.0], [1.0, 1.0], (0.5, 3.0)),  # overlapping: one broad mode
    ],
)
def test_reverse_kl_fit_finds_the_local_minimum_of_its_basin(weights, means, sds, start):
    """Does it reach the same local minimum as scipy's Nelder-Mead from the same start?"""
    p = mixture(X, weights, means, sds)
    result = reverse_kl_fit(X, p, *start)
    assert_allclose(result, scipy_minimum(riemann_reverse_kl, X, p, start), atol=1e-5)


def test_reverse_kl_fit_is_mode_seeking_and_forward_is_mass_covering():
    """On two separated modes, does reverse KL pick one mode while forward KL spans both?"""
    p = mixture(X, [0.5, 0.5], [-3.0, 3.0], [1.0, 1.0])
    mu_r, sigma_r = reverse_kl_fit(X, p, 2.0, 1.0)
    mu_f, sigma_f = forward_kl_fit(X, p)
    assert abs(mu_r - 3.0) < 0.05 and abs(sigma_r - 1.0) < 0.05
    assert abs(mu_f) < 1e-9 and abs(sigma_f - math.sqrt(10)) < 1e-6


def test_reverse_kl_fit_non_gaussian_target_and_speed():
    """On a skewed target, does it agree with scipy, in well under half a second per fit?"""
    p = norm.pdf(X, 0.0, 1.0) * (1 + np.tanh(2 * X)) + 1e-12  # skewed, positive
    start = time.perf_counter()
    result = reverse_kl_fit(X, p, 0.0, 1.0)
    assert time.perf_counter() - start < 0.5
    assert_allclose(result, scipy_minimum(riemann_reverse_kl, X, p, [0.0, 1.0]), atol=1e-5)


def test_reverse_kl_fit_rejects_bad_input_and_keeps_input():
    """Are non-positive targets, bad starts and uneven grids refused; is p unchanged?"""
    p = norm.pdf(X)
    with pytest.raises(ValueError, match="positive and finite"):
        reverse_kl_fit(X, np.where(X > 0, p, 0.0), 0.0, 1.0)
    with pytest.raises(ValueError, match="sigma0"):
        reverse_kl_fit(X, p, 0.0, 0.0)
    with pytest.raises(ValueError, match="evenly spaced"):
        reverse_kl_fit(np.exp(X), p, 0.0, 1.0)
    with pytest.raises(ValueError, match="shape of x"):
        reverse_kl_fit(X, p[1:], 0.0, 1.0)
    p_copy = p.copy()
    reverse_kl_fit(X, p, 0.5, 2.0)
    assert_array_equal(p, p_copy)


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
BIMODAL = mixture(X, [0.5, 0.5], [-3.0, 3.0], [1.0, 1.0])


def typical_inputs(exercise):
    rng = np.random.default_rng(8)
    if exercise in ("kl_divergence", "js_divergence"):
        return [
            ([0.5, 0.5], [0.25, 0.75]),
            ([0.5, 0.5], [1.0, 0.0]),
            ([0.0, 1.0], [0.5, 0.5]),
            (random_p(rng, 5), random_p(rng, 5), math.e),
        ]
    if exercise == "kl_gaussian":
        return [(1.0, 2.0, 0.0, 1.5), (0.0, 1.0, 0.0, 3.0), (rng.normal(size=4), 0.5, 0.2, 2.0)]
    if exercise == "kl_estimators":
        return [(rng.normal(size=20), rng.normal(size=20))]
    if exercise == "forward_kl_fit":
        return [(X, 5.0 * BIMODAL), (X, norm.pdf(X, 1.0, 2.0))]
    return [(X, BIMODAL, 2.5, 1.5), (X, norm.pdf(X, 1.0, 2.0), 0.0, 1.0)]


def same_output(exercise, expected, got):
    if isinstance(expected, tuple):
        return (
            isinstance(got, tuple)
            and len(got) == len(expected)
            and all(same_output(exercise, e, g) for e, g in zip(expected, got, strict=True))
        )
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        return False
    if exercise in ("forward_kl_fit", "reverse_kl_fit"):
        return bool(np.allclose(got, expected, rtol=0, atol=1e-4))
    return bool(np.allclose(got, expected, rtol=1e-6, atol=1e-9))


def random_inputs(exercise, rng):
    if exercise in ("kl_divergence", "js_divergence"):
        k = int(rng.integers(1, 8))
        return random_p(rng, k, zeros=int(k > 2)), random_p(rng, k), [2, math.e][rng.integers(2)]
    if exercise == "kl_gaussian":
        return (
            rng.normal(size=5),
            rng.uniform(0.1, 3, size=5),
            float(rng.normal()),
            float(rng.uniform(0.1, 3)),
        )
    if exercise == "kl_estimators":
        return 3 * rng.normal(size=10), 3 * rng.normal(size=10)
    weights = rng.dirichlet(np.ones(2))
    means, sds = rng.uniform(-4, 4, size=2), rng.uniform(0.5, 2, size=2)
    p = mixture(X, weights, means, sds)
    if exercise == "forward_kl_fit":
        return X, p
    mode = means[np.argmax(weights / sds)]
    return X, p, float(mode + 0.2), 1.0


ALTERNATIVE_CASES = [(name, fn) for name, fns in answers.ALTERNATIVES.items() for fn in fns]


@pytest.mark.parametrize(
    "exercise, fn", ALTERNATIVE_CASES, ids=[fn.__name__ for _, fn in ALTERNATIVE_CASES]
)
def test_alternative_agrees_with_reference(exercise, fn):
    """Does the alternative give what the reference gives, and raise where the contract says?"""
    rng = np.random.default_rng(9)
    cases = typical_inputs(exercise) + [random_inputs(exercise, rng) for _ in range(10)]
    for args in cases:
        assert same_output(exercise, REFERENCE[exercise](*args), fn(*args)), args
    if exercise == "kl_divergence":
        assert fn([0.5, 0.5], [1.0, 0.0]) == math.inf
        assert fn([0.3, 0.7], [0.3, 0.7]) == 0.0
        for p, q in [([0.5, 0.5], [1.0]), ([0.5, 0.4], [0.5, 0.5]), ([1.5, -0.5], [0.5, 0.5])]:
            with pytest.raises(ValueError):
                fn(p, q)
    if exercise == "kl_gaussian":
        assert isinstance(fn(0.0, 1.0, 1.0, 2.0), float)


@pytest.mark.parametrize("mistake", answers.MISTAKES, ids=[m.fn.__name__ for m in answers.MISTAKES])
def test_mistake_differs_from_reference(mistake):
    """Does the known mistake give a wrong answer on at least one typical input?"""
    wrong = []
    for args in typical_inputs(mistake.exercise):
        status, got = quietly(mistake.fn, *args)
        expected = REFERENCE[mistake.exercise](*args)
        wrong.append(status != "ok" or not same_output(mistake.exercise, expected, got))
    assert any(wrong), f"{mistake.name!r} agrees with the reference on every typical input"

"""Hidden-check criteria for 04-kl-divergence. Every case is seeded: the same on every run."""

from __future__ import annotations

import math

import numpy as np

from autograder.checks.core import Case, Criterion, close
from course.adapters import Pick
from course.comparisons import FloatNumber, Pair, Triple

E = math.e


def _distribution(rng, n, zeros=0):
    p = rng.dirichlet(np.ones(n) * 0.7)
    if zeros:
        p[rng.choice(n, size=zeros, replace=False)] = 0.0
        p = p / p.sum()
    return p


def _gaussian(x, mu, sd):
    return np.exp(-0.5 * ((x - mu) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))


def _mixture(x, weights, means, sds):
    """Unnormalised Gaussian-mixture density on the grid ``x`` (positive on the grids used)."""
    return sum(w * _gaussian(x, m, s) for w, m, s in zip(weights, means, sds, strict=True))


# -- the exercises ------------------------------------------------------------------------------


def kl_divergence(rng: np.random.Generator) -> list[Criterion]:
    pairs = [(_distribution(rng, n), _distribution(rng, n)) for n in (3, 10, 200)]
    return [
        Criterion(
            "D(p || q) of typical probability vectors, in bits (lists, tuples, arrays)",
            [Case(pair) for pair in pairs]
            + [
                Case(([0.5, 0.5], [0.25, 0.75])),
                Case(((0.1, 0.2, 0.7), (0.3, 0.3, 0.4))),
                Case((pairs[0][0].tolist(), tuple(pairs[0][1]))),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "the direction matters: log(p_i / q_i) is weighted by p, the first argument",
            [
                Case(([0.9, 0.1], [0.5, 0.5])),
                Case(([0.5, 0.5], [0.9, 0.1])),
                Case(([0.98, 0.01, 0.01], [1 / 3, 1 / 3, 1 / 3])),
            ],
            close(),
        ),
        Criterion(
            "D(p || p) = 0, and terms with p_i = 0 contribute 0 whatever q_i is",
            [
                Case((pairs[1][0], pairs[1][0])),
                Case(([1.0, 0.0], [0.5, 0.5])),
                Case(([0.5, 0.0, 0.5], [0.25, 0.0, 0.75])),
                Case((_distribution(rng, 12, zeros=5), _distribution(rng, 12))),
            ],
            close(),
        ),
        Criterion(
            "q_i = 0 where p_i > 0 gives inf (returned, not raised)",
            [
                Case(([0.5, 0.5], [1.0, 0.0])),
                Case((_distribution(rng, 8), _distribution(rng, 8, zeros=2))),
                Case(([0.2, 0.3, 0.5], [0.5, 0.5, 0.0])),
            ],
            close(),
        ),
        Criterion(
            "the base argument (base=math.e gives nats)",
            [
                Case((_distribution(rng, 5), _distribution(rng, 5)), {"base": E}),
                Case(([0.2, 0.8], [0.6, 0.4]), {"base": 10}),
            ],
            close(),
        ),
        Criterion(
            "invalid input raises ValueError (shapes differ; not 1-D, empty, negative entry, "
            "sum != 1, in p or in q)",
            [
                Case(([0.5, 0.5], [0.2, 0.3, 0.5])),
                Case(([[0.5, 0.5]], [[0.5, 0.5]])),
                Case(([], [])),
                Case(([1.5, -0.5], [0.5, 0.5])),
                Case(([0.5, 0.5], [1.5, -0.5])),
                Case(([0.5, 0.4], [0.5, 0.5])),
                Case(([0.5, 0.5], [0.6, 0.6])),
            ],
            close(),
        ),
        Criterion(
            "sums within 1e-6 of 1 are accepted",
            [
                Case(([0.5 + 4e-7, 0.5], [0.5, 0.5])),
                Case(([1 / 3] * 3, [0.2, 0.3, 0.5])),
            ],
            close(rtol=1e-5, atol=1e-5),  # renormalising such a p first is fine too
        ),
    ]


def js_divergence(rng: np.random.Generator) -> list[Criterion]:
    p, q = _distribution(rng, 6), _distribution(rng, 6)
    return [
        Criterion(
            "JS(p, q) of typical probability vectors, in bits (lists, tuples, arrays)",
            [Case((_distribution(rng, n), _distribution(rng, n))) for n in (3, 10, 200)]
            + [
                Case(([0.5, 0.5], [0.9, 0.1])),
                Case(((0.1, 0.2, 0.7), (0.3, 0.3, 0.4))),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "symmetric: JS(p, q) = JS(q, p), and JS(p, p) = 0",
            [Case((p, q)), Case((q, p)), Case((p, p)), Case(([0.0, 1.0], [0.0, 1.0]))],
            close(),
        ),
        Criterion(
            "always finite: zeros in p or q (where KL is infinite), disjoint supports give "
            "exactly 1 bit",
            [
                Case(([1.0, 0.0], [0.0, 1.0])),
                Case(([0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.25, 0.75])),
                Case(([1.0, 0.0], [0.5, 0.5])),
                Case((_distribution(rng, 9, zeros=3), _distribution(rng, 9, zeros=4))),
            ],
            close(),
        ),
        Criterion(
            "the base argument (base=math.e: between 0 and ln 2 nats)",
            [
                Case((_distribution(rng, 5), _distribution(rng, 5)), {"base": E}),
                Case(([1.0, 0.0], [0.0, 1.0]), {"base": E}),
            ],
            close(),
        ),
    ]


def kl_gaussian(rng: np.random.Generator) -> list[Criterion]:
    n = 6
    return [
        Criterion(
            "KL(N(mu_p, sigma_p^2) || N(mu_q, sigma_q^2)) in nats for numbers",
            [
                Case((0.0, 1.0, 0.0, 1.0)),
                Case((1.0, 1.0, 0.0, 1.0)),
                Case((1.5, 0.5, -1.0, 3.0)),
                Case((2, 3, 1, 1)),
                Case((-0.3, 1.7, 0.4, 0.6)),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "sigma is a standard deviation, and p = N(mu_p, sigma_p^2) comes first "
            "(KL is not symmetric)",
            [
                Case((0.0, 1.0, 0.0, 2.0)),
                Case((0.0, 2.0, 0.0, 1.0)),
                Case((0.5, 0.25, 0.0, 4.0)),
                Case((0.0, 4.0, 0.5, 0.25)),
            ],
            close(),
        ),
        Criterion(
            "numbers in give a float out (not an array)",
            [Case((0.0, 1.0, 1.0, 2.0)), Case((1, 1, 0, 1))],
            FloatNumber(),
            weight=0.5,
        ),
        Criterion(
            "broadcasts over arrays (arrays, lists and numbers mixed; the broadcast shape back)",
            [
                Case(
                    (
                        rng.normal(size=n),
                        rng.uniform(0.2, 3, n),
                        rng.normal(size=n),
                        rng.uniform(0.2, 3, n),
                    )
                ),
                Case((np.array([0.0, 1.0, 2.0]), 1.0, 0.0, 1.0)),
                Case(([0.0, 0.5], [1.0, 2.0], 0.0, 1.5)),
                Case((np.zeros((2, 1)), 1.0, np.zeros(3), np.array([1.0, 2.0, 3.0]))),
            ],
            close(),
        ),
    ]


def _log_densities(rng, n, mu_p, sd_p):
    """log p(x), log q(x) at x ~ q = N(0, 1), with p = N(mu_p, sd_p^2)."""
    x = rng.normal(size=n)
    log_q = -0.5 * x**2 - 0.5 * math.log(2 * math.pi)
    log_p = -0.5 * ((x - mu_p) / sd_p) ** 2 - math.log(sd_p) - 0.5 * math.log(2 * math.pi)
    return log_p, log_q


def kl_estimators(rng: np.random.Generator) -> list[Criterion]:
    cases = [
        Case(_log_densities(rng, 40, 0.1, 1.0)),
        Case(_log_densities(rng, 40, 1.0, 1.0)),
        Case(_log_densities(rng, 25, -0.5, 1.6)),
        Case(tuple(v.tolist() for v in _log_densities(rng, 7, 2.0, 0.8))),
        Case(([-1.0, -2.5, -0.3], [-1.0, -2.5, -0.3])),  # p = q: r = 1
        Case(([math.log(0.5)], [math.log(0.25)])),
    ]
    return [
        Criterion(
            "returns three arrays (k1, k2, k3), one value per sample, from arrays or lists",
            cases,
            Triple(),
        ),
        Criterion(
            "k1 = -log r, with r = p(x) / q(x) = exp(log_p - log_q)",
            cases,
            close(),
            adapt=Pick(0),
        ),
        Criterion("k2 = (log r)^2 / 2", cases, close(), adapt=Pick(1)),
        Criterion("k3 = (r - 1) - log r", cases, close(), adapt=Pick(2)),
    ]


def forward_kl_fit(rng: np.random.Generator) -> list[Criterion]:
    x = np.linspace(-20.0, 20.0, 2001)
    x_short = np.linspace(-10.0, 2.0, 1201)
    x_far = np.linspace(0.0, 40.0, 801)
    skewed = _gaussian(x, 0.0, 1.5) * (1 + np.tanh(2 * x))
    pair = Pair(rtol=1e-6, atol=1e-6)
    return [
        Criterion(
            "a Gaussian target gives back its own mean and standard deviation",
            [
                Case((x, _gaussian(x, 1.5, 2.0))),
                Case((x_short, _gaussian(x_short, -3.0, 0.4))),
            ],
            pair,
        ),
        Criterion(
            "two separated modes: the fit covers both (moment matching: mean between them, "
            "a wide sigma)",
            [
                Case((x, _mixture(x, [0.5, 0.5], [-3.0, 3.0], [1.0, 1.0]))),
                Case((x, _mixture(x, [0.3, 0.7], [-4.0, 3.0], [0.5, 1.5]))),
                Case((x, skewed)),
            ],
            pair,
            weight=2,
        ),
        Criterion(
            "p need not be normalised: its Riemann sum is divided out",
            [
                Case((x, 7.0 * _gaussian(x, 1.5, 2.0))),
                Case((x, 0.01 * _mixture(x, [1.0, 2.0], [-5.0, 4.0], [1.0, 2.0]))),
                Case((x_short, 50.0 * _mixture(x_short, [1.0, 1.0], [-5.5, -2.5], [0.6, 0.5]))),
            ],
            pair,
        ),
        Criterion(
            "any grid spacing and offset; lists as inputs",
            [
                Case((x_far, _mixture(x_far, [0.4, 0.6], [12.0, 24.0], [2.0, 2.0]))),
                Case(
                    (x_far.tolist(), _mixture(x_far, [1.0, 1.0], [15.0, 22.0], [1.0, 1.0]).tolist())
                ),
            ],
            pair,
        ),
    ]


def reverse_kl_fit(rng: np.random.Generator) -> list[Criterion]:
    x = np.linspace(-12.0, 12.0, 2001)
    x_far = np.linspace(0.0, 30.0, 1201)
    pair = Pair(rtol=0.0, atol=0.05)
    bimodal = _mixture(x, [0.5, 0.5], [-3.0, 3.0], [1.0, 1.0])
    unequal = _mixture(x, [0.3, 0.7], [-4.0, 3.0], [0.6, 1.5])
    return [
        Criterion(
            "a Gaussian target is fitted exactly, from different starts",
            [
                Case((x, _gaussian(x, 1.0, 1.5), 0.0, 1.0)),
                Case((x, _gaussian(x, 1.0, 1.5), 2.5, 0.6)),
                Case((x, _gaussian(x, -2.0, 0.8), -1.0, 2.0)),
            ],
            pair,
        ),
        Criterion(
            "two separated modes: it locks onto the mode it starts in (mode-seeking)",
            [
                Case((x, bimodal, 2.5, 1.2)),
                Case((x, bimodal, -3.5, 0.7)),
                Case((x, unequal, -3.8, 0.5)),
                Case((x, unequal, 2.5, 1.8)),
            ],
            pair,
            weight=2,
        ),
        Criterion(
            "p need not be normalised; any grid spacing and offset; lists as inputs",
            [
                Case((x, 40.0 * bimodal, 3.3, 0.9)),
                Case((x_far, _mixture(x_far, [0.5, 0.5], [10.0, 20.0], [1.5, 1.0]), 19.0, 1.5)),
                Case((x.tolist(), (0.2 * unequal).tolist(), -4.2, 0.8)),
            ],
            pair,
        ),
    ]


CHECKS = {
    "kl_divergence": kl_divergence,
    "js_divergence": js_divergence,
    "kl_gaussian": kl_gaussian,
    "kl_estimators": kl_estimators,
    "forward_kl_fit": forward_kl_fit,
    "reverse_kl_fit": reverse_kl_fit,
}


# -- public cases -----------------------------------------------------------------------------


def public_cases(rng: np.random.Generator) -> dict[str, dict[str, list[Case]]]:
    """The self-check's hand-picked public cases (``autograder/public_cases.py``)."""
    x = np.linspace(-15.0, 15.0, 601)  # grids coarser than the hidden ones: smaller files
    x_near = np.linspace(-8.0, 3.0, 441)
    x_far = np.linspace(5.0, 45.0, 401)
    y = np.linspace(-10.0, 10.0, 501)
    y_far = np.linspace(10.0, 35.0, 401)
    bimodal = _mixture(y, [0.5, 0.5], [-2.5, 3.5], [0.8, 1.0])
    unequal = _mixture(y, [0.35, 0.65], [-3.5, 2.5], [0.5, 1.2])
    return {
        "kl_divergence": {
            "the direction matters": [
                Case(([0.8, 0.2], [0.4, 0.6])),
                Case(([0.4, 0.6], [0.8, 0.2])),
                Case(([0.9, 0.05, 0.05], [0.2, 0.4, 0.4])),
            ],
            "invalid input": [
                Case(([0.3, 0.7], [0.2, 0.2, 0.6])),
                Case(([[0.3, 0.7]], [[0.3, 0.7]])),
                Case(([1.2, -0.2], [0.3, 0.7])),
                Case(([0.3, 0.7], [0.3, 0.3])),
            ],
            "sums within": [
                Case(([0.3 + 5e-7, 0.7], [0.5, 0.5])),
                Case(([1 / 7] * 7, [0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2])),
            ],
        },
        "kl_gaussian": {
            "in nats for numbers": [
                Case((0.5, 1.2, -0.3, 0.8)),
                Case((0.0, 2.0, 1.0, 0.5)),
                Case((3, 2, 1, 4)),
            ],
            "sigma is a standard deviation": [
                Case((0.0, 1.0, 0.0, 3.0)),
                Case((0.0, 3.0, 0.0, 1.0)),
                Case((1.0, 0.5, 0.0, 2.0)),
            ],
            "numbers in give a float": [Case((0.2, 1.0, 0.0, 1.5)), Case((2, 1, 1, 1))],
        },
        "forward_kl_fit": {
            "a Gaussian target": [
                Case((x, _gaussian(x, -1.0, 1.2))),
                Case((x_near, _gaussian(x_near, -2.0, 0.7))),
            ],
            "two separated modes": [
                Case((x, _mixture(x, [0.4, 0.6], [-2.5, 3.5], [0.8, 1.2]))),
                Case((x, _gaussian(x, 0.5, 1.0) * (1 + np.tanh(3 * x)))),
            ],
            "need not be normalised": [
                Case((x, 3.0 * _gaussian(x, -1.0, 1.2))),
                Case((x, 0.05 * _mixture(x, [2.0, 1.0], [-4.0, 5.0], [1.5, 1.0]))),
            ],
            "any grid spacing": [
                Case((x_far, _mixture(x_far, [0.5, 0.5], [15.0, 30.0], [2.5, 1.5]))),
                Case((x_far.tolist(), _gaussian(x_far, 25.0, 3.0).tolist())),
            ],
        },
        "reverse_kl_fit": {
            "fitted exactly": [
                Case((y, _gaussian(y, -0.5, 1.2), 0.5, 1.0)),
                Case((y, _gaussian(y, 1.5, 0.7), 0.0, 1.5)),
            ],
            "locks onto the mode": [
                Case((y, bimodal, 3.0, 1.0)),
                Case((y, bimodal, -2.0, 0.6)),
                Case((y, unequal, -3.0, 0.6)),
            ],
            "need not be normalised": [
                Case((y, 25.0 * bimodal, 3.2, 0.8)),
                Case((y_far, _mixture(y_far, [0.5, 0.5], [15.0, 27.0], [1.2, 1.5]), 26.0, 1.2)),
                Case((y.tolist(), (0.3 * unequal).tolist(), 2.0, 1.0)),
            ],
        },
    }

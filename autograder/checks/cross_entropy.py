"""Hidden-check criteria for 03-cross-entropy. Every case is seeded: the same on every run.

The gradient of ``softmax_cross_entropy_grad`` is judged against PyTorch autograd (float64
``F.cross_entropy(...).backward()`` on the case's own logits and targets), not against
``solutions/``; the reference is held to the same truth by the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from autograder.checks.core import Case, Criterion, Outcome, close
from course.comparisons import Close, Comparison, WeightsAndBias

E = math.e


def _distribution(rng, n, zeros=0, alpha=0.8):
    """A random probability vector of length ``n`` with ``zeros`` entries set to 0."""
    p = rng.dirichlet(np.full(n, alpha))
    if zeros:
        p[rng.choice(n, size=zeros, replace=False)] = 0.0
        p = p / p.sum()
    return p


def _logistic_data(rng, n, d, bias=0.7):
    """Non-separable data: labels drawn from a logistic model (so the MLE exists)."""
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w + bias)))).astype(float)
    return X, y


# -- comparisons ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TorchGradient(Comparison):
    """The student's gradient against PyTorch autograd of F.cross_entropy (mean), float64.

    The truth is computed from the case's inputs alone. ``expected`` only matters when it is
    not the truth: that is how a known mistake's output is matched during the diagnosis (the
    judge passes the reference's outcome, which the tests hold to the same truth). Its data
    form is :attr:`inner`'s: the learner's self-check compares with the reference's stored
    outcome by that comparison.
    """

    inner: Close = Close()

    def data(self) -> dict:
        return self.inner.data()

    def __call__(self, got: Outcome, expected: Outcome, case: Case) -> str | None:
        import torch
        import torch.nn.functional as F

        logits, targets = case.args
        z = torch.tensor(np.asarray(logits, dtype=float), dtype=torch.float64, requires_grad=True)
        y = torch.as_tensor(np.asarray(targets), dtype=torch.int64)
        F.cross_entropy(z, y).backward()  # mean over the N rows
        truth = Outcome(value=z.grad.numpy())
        reason = self.inner(got, truth, case)
        if reason is None or self.inner(expected, truth, case) is None:
            return reason
        # ``expected`` is a known mistake's output (not the truth): does ``got`` reproduce it?
        return self.inner(got, expected, case)


# -- criteria ---------------------------------------------------------------------------------


def cross_entropy(rng: np.random.Generator) -> list[Criterion]:
    p8, q8 = _distribution(rng, 8), _distribution(rng, 8)
    return [
        Criterion(
            "H(p, q) in bits for typical distributions (lists, tuples, arrays)",
            [Case((_distribution(rng, n), _distribution(rng, n))) for n in (2, 3, 10, 40)]
            + [
                Case(([0.5, 0.5], [0.25, 0.75])),
                Case(((0.5, 0.25, 0.25), (0.125, 0.125, 0.75))),
                Case((p8, p8)),
                Case((p8.tolist(), q8)),
                Case(([1.0], [1.0])),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "entries with p_i = 0 contribute nothing, even where q_i = 0",
            [
                Case(([0.5, 0.5, 0.0], [0.5, 0.5, 0.0])),
                Case(([1.0, 0.0], [0.5, 0.5])),
                Case((np.array([0.0, 0.2, 0.0, 0.8]), np.array([0.0, 0.6, 0.1, 0.3]))),
                Case((_distribution(rng, 9, zeros=4), _distribution(rng, 9))),
            ],
            close(),
        ),
        Criterion(
            "q_i = 0 where p_i > 0 gives inf (returned, not raised)",
            [
                Case(([0.5, 0.5], [1.0, 0.0])),
                Case((np.array([0.2, 0.3, 0.5]), np.array([0.5, 0.5, 0.0]))),
            ],
            close(),
        ),
        Criterion(
            "the base argument (base=math.e gives nats)",
            [
                Case((_distribution(rng, 5), _distribution(rng, 5)), {"base": E}),
                Case(([0.25, 0.75], [0.5, 0.5]), {"base": E}),
                Case((_distribution(rng, 4), _distribution(rng, 4)), {"base": 10}),
            ],
            close(),
        ),
        Criterion(
            "p and q of different lengths raise ValueError",
            [
                Case(([0.5, 0.5], [0.2, 0.3, 0.5])),
                Case((np.full(4, 0.25), np.full(5, 0.2))),
            ],
            close(),
        ),
    ]


def nll(rng: np.random.Generator) -> list[Criterion]:

    def batch(n, k):
        return rng.dirichlet(np.full(k, 0.7), size=n), rng.integers(0, k, size=n)

    probs5, targets5 = batch(5, 3)
    return [
        Criterion(
            "the mean over rows of -log probs[i, targets[i]], in nats",
            [Case(batch(n, k)) for n, k in ((4, 2), (12, 5), (30, 10))]
            + [
                Case(([[0.5, 0.5], [0.25, 0.75], [0.9, 0.1]], [0, 1, 0])),
                Case((probs5.tolist(), tuple(targets5.tolist()))),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "a single example (N = 1)",
            [Case(batch(1, 4)), Case(([[0.2, 0.8]], [1]))],
            close(),
        ),
        Criterion(
            "the base argument (base=2 gives bits)",
            [Case(batch(6, 3), {"base": 2}), Case(batch(3, 4), {"base": 10})],
            close(),
        ),
        Criterion(
            "a target of probability 0 costs inf; zeros elsewhere cost nothing",
            [
                Case(([[1.0, 0.0], [0.5, 0.5]], [0, 0])),
                Case((np.array([[0.0, 0.3, 0.7], [0.6, 0.0, 0.4]]), np.array([2, 0]))),
                Case(([[1.0, 0.0], [0.5, 0.5]], [1, 0])),
            ],
            close(),
        ),
    ]


def empirical_distribution(rng: np.random.Generator) -> list[Criterion]:
    return [
        Criterion(
            "the frequencies of the labels (lists, tuples, arrays)",
            [
                Case(([0, 2, 2, 1], 4)),
                Case((tuple(rng.integers(0, 3, size=20).tolist()), 3)),
                Case((rng.integers(0, 7, size=500), 7)),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "length num_classes: unseen classes get 0, the last ones too",
            [Case(([0, 0, 1], 5)), Case((np.array([3, 3, 1]), 6)), Case(([2], 3))],
            close(),
        ),
    ]


def softmax_cross_entropy_grad(rng: np.random.Generator) -> list[Criterion]:

    def batch(n, k, scale=1.0):
        return scale * rng.normal(size=(n, k)), rng.integers(0, k, size=n)

    return [
        Criterion(
            "the gradient of the mean loss over a batch (as PyTorch autograd computes it)",
            [Case(batch(n, k, s)) for n, k, s in ((3, 4, 1.0), (8, 5, 3.0), (6, 2, 1.0))]
            + [Case(([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]], [2, 2]))],
            TorchGradient(),
            weight=2,
        ),
        Criterion(
            "a single example (N = 1)",
            [Case(batch(1, 5)), Case(([[0.0, 0.0, 0.0]], [2]))],
            TorchGradient(),
        ),
        Criterion(
            "no overflow or nan for logits of size 1e3",
            [
                Case((np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 0.0]]), np.array([1, 0]))),
                Case(([[-1000.0, 1000.0]], [0])),
                Case(batch(4, 3, 1000.0)),
            ],
            TorchGradient(),
        ),
    ]


def fit_categorical(rng: np.random.Generator) -> list[Criterion]:
    samples = rng.integers(0, 4, size=40)  # K = 4
    skewed = rng.choice(5, size=25, p=[0.5, 0.3, 0.1, 0.1, 0.0])  # class 4 never seen
    return [
        Criterion(
            "exactly `steps` gradient steps from zero logits, for several lr",
            [
                Case((samples, 4), {"steps": steps, "lr": lr})
                for steps, lr in ((1, 1.0), (2, 0.5), (5, 2.0), (30, 1.0))
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "steps=0 gives the uniform distribution",
            [Case(([0, 0, 1], 3), {"steps": 0})],
            close(),
        ),
        Criterion(
            "the defaults (500 steps, lr=1) reach the empirical frequencies",
            [Case(([0, 0, 0, 1], 2)), Case((samples, 4))],
            close(),
        ),
        Criterion(
            "an unseen class keeps a small positive probability",
            [Case((skewed, 5), {"steps": 40, "lr": 1.5})],
            close(),
        ),
        Criterion(
            "samples as a list or a tuple",
            [
                Case((skewed.tolist(), 5), {"steps": 10}),
                Case((tuple(samples.tolist()), 6), {"steps": 3, "lr": 0.8}),
            ],
            close(),
        ),
    ]


def fit_logistic_regression(rng: np.random.Generator) -> list[Criterion]:
    X, y = _logistic_data(rng, 30, 2)
    X1, y1 = _logistic_data(rng, 20, 1, bias=-1.0)
    X3, y3 = _logistic_data(rng, 25, 3)
    return [
        Criterion(
            "exactly `steps` gradient steps from w = 0, b = 0, for several lr",
            [
                Case((X, y), {"steps": steps, "lr": lr})
                for steps, lr in ((1, 0.1), (3, 0.5), (20, 0.3))
            ]
            + [Case((X3, y3), {"steps": 15, "lr": 1.0})],
            WeightsAndBias(),
            weight=2,
        ),
        Criterion(
            "the defaults (1000 steps, lr=0.1)",
            [Case((X, y)), Case((X1, y1))],
            WeightsAndBias(),
        ),
        Criterion(
            "one feature (d = 1), and steps=0 gives w = 0, b = 0",
            [Case((X1, y1), {"steps": 50, "lr": 0.5}), Case((X3, y3), {"steps": 0})],
            WeightsAndBias(),
        ),
        Criterion(
            "X as a list of lists, y as a list of 0s and 1s",
            [Case((X1.tolist(), y1.astype(int).tolist()), {"steps": 8, "lr": 1.0})],
            WeightsAndBias(),
        ),
    ]


CHECKS = {
    "cross_entropy": cross_entropy,
    "nll": nll,
    "empirical_distribution": empirical_distribution,
    "softmax_cross_entropy_grad": softmax_cross_entropy_grad,
    "fit_categorical": fit_categorical,
    "fit_logistic_regression": fit_logistic_regression,
}


# -- public cases -----------------------------------------------------------------------------


def public_cases(rng: np.random.Generator) -> dict[str, dict[str, list[Case]]]:
    """The self-check's hand-picked public cases (``autograder/public_cases.py``)."""
    return {
        "cross_entropy": {
            "even where q_i = 0": [
                Case(([0.3, 0.0, 0.7], [0.5, 0.0, 0.5])),
                Case((np.array([0.0, 0.6, 0.4]), np.array([0.0, 0.1, 0.9]))),
            ],
            "gives inf": [
                Case(([0.6, 0.4], [0.0, 1.0])),
                Case((np.array([0.1, 0.1, 0.8]), np.array([0.0, 0.5, 0.5]))),
            ],
            "different lengths": [Case(([0.25] * 4, [1 / 3] * 3)), Case(([1.0], [0.5, 0.5]))],
        },
        "nll": {
            "probability 0 costs inf": [
                Case(([[0.0, 1.0], [0.3, 0.7]], [0, 1])),
                Case((np.array([[0.2, 0.8, 0.0], [0.0, 0.5, 0.5]]), np.array([1, 2]))),
            ],
        },
        "empirical_distribution": {
            "unseen classes get 0": [Case(([1, 1, 0], 4)), Case((np.array([2, 2]), 5))],
        },
        "fit_categorical": {"steps=0": [Case(([1, 2, 2], 4), {"steps": 0})]},
    }

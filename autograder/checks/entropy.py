"""Hidden-check criteria for 01-entropy. Every case is seeded: the same on every run."""

from __future__ import annotations

import math

import numpy as np

from autograder.checks.core import Case, Criterion, close

E = math.e


def _distribution(rng, n, zeros=0):
    p = rng.dirichlet(np.ones(n) * 0.7)
    if zeros:
        p[rng.choice(n, size=zeros, replace=False)] = 0.0
        p = p / p.sum()
    return p


def _table(rng, rows, cols, zeros=0):
    return _distribution(rng, rows * cols, zeros).reshape(rows, cols)


def surprisal(rng: np.random.Generator) -> list[Criterion]:
    return [
        Criterion(
            "a probability gives its surprisal in bits, as a float",
            [Case((p,)) for p in (0.5, 0.125, 0.3, 1.0, 1e-300)],
            close(),
        ),
        Criterion(
            "arrays are handled elementwise (same shape back)",
            [Case((rng.random(6),)), Case((rng.random((2, 3)),)), Case(([0.25, 0.5, 1.0],))],
            close(),
        ),
        Criterion(
            "an impossible event has infinite surprisal",
            [Case((0.0,)), Case((np.array([0.0, 0.5]),))],
            close(),
        ),
        Criterion(
            "the base argument (base=math.e gives nats)",
            [Case((0.3,), {"base": E}), Case((rng.random(4),), {"base": 10})],
            close(),
        ),
    ]


def entropy(rng: np.random.Generator) -> list[Criterion]:
    return [
        Criterion(
            "typical probability vectors (lists, tuples, arrays)",
            [Case((_distribution(rng, n),)) for n in (2, 3, 10, 200)]
            + [Case(([0.1] * 10,)), Case(((0.5, 0.25, 0.125, 0.125),)), Case(([1.0],))],
            close(),
            weight=2,
        ),
        Criterion(
            "zero probabilities contribute nothing (0 log 0 = 0)",
            [
                Case(([0.5, 0.5, 0.0],)),
                Case(([0.0, 1.0, 0.0],)),
                Case((_distribution(rng, 12, zeros=5),)),
            ],
            close(),
        ),
        Criterion(
            "the base argument (base=math.e gives nats)",
            [Case((_distribution(rng, 5),), {"base": E}), Case(([0.2] * 5,), {"base": 5})],
            close(),
        ),
        Criterion(
            "invalid input raises ValueError (not 1-D, empty, negative, sum != 1)",
            [
                Case(([[0.5, 0.5]],)),
                Case(([],)),
                Case(([1.5, -0.5],)),
                Case(([0.5, 0.4],)),
                Case(([0.6, 0.6],)),
            ],
            close(),
        ),
        Criterion(
            "sums within 1e-6 of 1 are accepted",
            [Case(([0.5 + 4e-7, 0.5],)), Case(([1 / 3] * 3,))],
            close(),
        ),
    ]


def binary_entropy(rng: np.random.Generator) -> list[Criterion]:
    return [
        Criterion(
            "H_b(p) in bits for a single p, as a float",
            [Case((p,)) for p in (0.5, 0.11, 0.9, 0.999)],
            close(),
        ),
        Criterion(
            "H_b(0) = H_b(1) = 0",
            [Case((0.0,)), Case((1.0,)), Case((np.array([0.0, 1.0]),))],
            close(),
        ),
        Criterion(
            "vectorised over arrays of p (same shape back)",
            [Case((rng.random(8),)), Case((np.linspace(0, 1, 11).reshape(1, 11),))],
            close(),
        ),
    ]


def joint_entropy(rng: np.random.Generator) -> list[Criterion]:
    return [
        Criterion(
            "H(X, Y) of joint tables",
            [Case((_table(rng, r, c),)) for r, c in ((2, 2), (3, 5), (6, 2))]
            + [Case(([[0.25, 0.25], [0.25, 0.25]],))],
            close(),
        ),
        Criterion(
            "zero cells contribute nothing (0 log 0 = 0)",
            [Case((_table(rng, 4, 4, zeros=6),)), Case(([[0.5, 0.0], [0.0, 0.5]],))],
            close(),
        ),
        Criterion(
            "the base argument",
            [Case((_table(rng, 3, 3),), {"base": E})],
            close(),
        ),
    ]


def conditional_entropy(rng: np.random.Generator) -> list[Criterion]:
    independent = np.outer(_distribution(rng, 3), _distribution(rng, 4))
    return [
        Criterion(
            "H(Y | X) of joint tables (rows index X)",
            [Case((_table(rng, r, c),)) for r, c in ((2, 2), (3, 5), (5, 2))]
            + [Case((independent,))],
            close(),
            weight=2,
        ),
        Criterion(
            "rows with p(x) = 0 and zero cells contribute 0",
            [
                Case(([[0.25, 0.25], [0.5, 0.0], [0.0, 0.0]],)),
                Case(
                    (np.vstack([_table(rng, 2, 4, zeros=3) * 0.8, np.zeros(4), np.full(4, 0.05)]),)
                ),
            ],
            close(),
        ),
        Criterion(
            "the base argument",
            [Case((_table(rng, 3, 4),), {"base": E})],
            close(),
        ),
    ]


def empirical_entropy(rng: np.random.Generator) -> list[Criterion]:
    return [
        Criterion(
            "strings count their characters",
            [Case(("hello world",)), Case(("aaaa",)), Case(("to be or not to be",))],
            close(),
        ),
        Criterion(
            "lists, tuples and arrays of any hashable symbols",
            [
                Case((["to", "be", "or", "not", "to", "be"],)),
                Case((tuple(rng.integers(0, 5, 300).tolist()),)),
                Case((rng.integers(0, 20, 1000),)),
                Case(([("a", 1), ("b", 2), ("a", 1)],)),
            ],
            close(),
        ),
        Criterion(
            "the base argument",
            [Case(("mississippi",), {"base": E})],
            close(),
        ),
        Criterion(
            "an empty sequence raises ValueError",
            [Case(("",)), Case(([],))],
            close(),
        ),
    ]


def softmax(rng: np.random.Generator) -> list[Criterion]:
    return [
        Criterion(
            "softmax of a vector of logits",
            [Case((rng.normal(size=5),)), Case(([1.0, 2.0, 3.0],)), Case(([0.0],))],
            close(),
        ),
        Criterion(
            "along the last axis of a batch (same shape back)",
            [Case((rng.normal(size=(4, 6)),)), Case((rng.normal(scale=3, size=(2, 3, 5)),))],
            close(),
        ),
        Criterion(
            "temperature divides the logits",
            [
                Case((rng.normal(size=6),), {"temperature": 0.5}),
                Case((rng.normal(size=(3, 4)),), {"temperature": 4.0}),
            ],
            close(),
        ),
        Criterion(
            "no overflow or nan for logits up to +-1e4",
            [
                Case(([1e4, 1e4 - 2.0, -1e4],)),
                Case(([-1e4, -1e4 + 1.0],)),
                Case((np.array([[1000.0, 0.0], [-1000.0, 0.0]]),), {"temperature": 0.1}),
            ],
            close(),
        ),
        Criterion(
            "temperature <= 0 raises ValueError",
            [Case(([1.0, 2.0],), {"temperature": 0.0}), Case(([1.0, 2.0],), {"temperature": -1.0})],
            close(),
        ),
    ]


CHECKS = {
    "surprisal": surprisal,
    "entropy": entropy,
    "binary_entropy": binary_entropy,
    "joint_entropy": joint_entropy,
    "conditional_entropy": conditional_entropy,
    "empirical_entropy": empirical_entropy,
    "softmax": softmax,
}


# -- public cases -----------------------------------------------------------------------------

# A criterion whose only possible input is a hidden case (the one empty input): no public cases.
WITHOUT_PUBLIC_CASES = {"empirical_entropy": "an empty sequence raises ValueError"}


def public_cases(rng: np.random.Generator) -> dict[str, dict[str, list[Case]]]:
    """The self-check's hand-picked public cases (``autograder/public_cases.py``)."""
    return {
        "surprisal": {
            "a probability gives": [Case((0.25,)), Case((0.7,)), Case((0.001,))],
            "impossible event": [Case((np.array([0.25, 0.0]),)), Case(([0.0, 0.2],))],
        },
        "entropy": {
            "invalid input": [
                Case(([[0.2, 0.8]],)),
                Case(([1.2, -0.2],)),
                Case(([0.3, 0.3],)),
                Case(([0.7, 0.7],)),
            ],
            "sums within": [Case(([0.25 + 5e-7, 0.75],)), Case(([1 / 7] * 7,))],
        },
        "binary_entropy": {
            "for a single p": [Case((0.25,)), Case((0.6,)), Case((0.01,))],
            "H_b(0) = H_b(1) = 0": [Case((np.array([1.0, 0.0]),)), Case(([0.0, 0.5, 1.0],))],
        },
        "empirical_entropy": {
            "strings count": [Case(("banana",)), Case(("zzz",)), Case(("a rose is a rose",))],
            "the base argument": [Case(("abracadabra",), {"base": E})],
        },
        "softmax": {
            "no overflow": [
                Case(([5e3, 5e3 - 1.0, -5e3],)),
                Case((np.array([[800.0, 0.0], [0.0, -800.0]]),), {"temperature": 0.2}),
            ],
            "temperature <= 0": [
                Case(([0.5, 1.5],), {"temperature": 0.0}),
                Case(([3.0, 1.0, 2.0],), {"temperature": -2.0}),
            ],
        },
    }

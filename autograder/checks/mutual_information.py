"""Hidden-check criteria for 05-mutual-information. Every case is seeded: the same on every run."""

from __future__ import annotations

import math

import numpy as np

from autograder.checks.core import Case, Criterion, close
from course.comparisons import ExactCounts, Gram, IntMatrix

E = math.e


def _table(rng, rows, cols, zeros=0):
    """A joint table with ``zeros`` zero cells and no all-zero row or column."""
    while True:
        p = rng.dirichlet(np.ones(rows * cols) * 0.8)
        if zeros:
            p[rng.choice(rows * cols, size=zeros, replace=False)] = 0.0
        p = p.reshape(rows, cols)
        if (p.sum(axis=1) > 0).all() and (p.sum(axis=0) > 0).all():
            return p / p.sum()


def _counts(rng, rows, cols, zero_fraction=0.3, high=30):
    """An integer count matrix with some zero cells and no all-zero row or column."""
    counts = rng.integers(1, high, size=(rows, cols))
    counts[rng.random((rows, cols)) < zero_fraction] = 0
    counts[np.arange(rows), np.arange(rows) % cols] += 1
    counts[np.arange(cols) % rows, np.arange(cols)] += 1
    return counts


# -- criteria per exercise --------------------------------------------------------------------


def mutual_information(rng: np.random.Generator) -> list[Criterion]:
    e = 0.1
    return [
        Criterion(
            "I(X; Y) of joint tables (lists, tuples, arrays), in bits",
            [Case((_table(rng, r, c),)) for r, c in ((2, 2), (3, 5), (6, 2), (7, 7))]
            + [
                Case(([[0.375, 0.125], [0.125, 0.375]],)),
                Case((((0.1, 0.2, 0.3), (0.3, 0.05, 0.05)),)),
                Case(([[0.3, 0.2, 0.5]],)),
                Case(([[(1 - e) / 2, e / 2], [e / 2, (1 - e) / 2]],)),
                Case((np.eye(4) / 4,)),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "cells with p(x, y) = 0 contribute nothing (0 log 0 = 0)",
            [
                Case(([[0.5, 0.0], [0.0, 0.5]],)),
                Case(([[0.5, 0.25], [0.0, 0.25]],)),
                Case((_table(rng, 4, 5, zeros=8),)),
                Case(
                    (np.vstack([_table(rng, 2, 3, zeros=2) * 0.9, [0.0, 0.0, 0.0], [0.1, 0, 0]]),)
                ),
            ],
            close(),
        ),
        Criterion(
            "independent X and Y share 0 bits",
            [
                Case((np.outer([0.2, 0.8], [0.5, 0.3, 0.2]),)),
                Case((np.outer(rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(4))),)),
                Case(([[0.25, 0.25], [0.25, 0.25]],)),
            ],
            close(),
        ),
        Criterion(
            "the base argument (base=math.e gives nats)",
            [
                Case((_table(rng, 3, 3),), {"base": E}),
                Case(([[0.5, 0.0], [0.0, 0.5]],), {"base": E}),
                Case((_table(rng, 2, 4, zeros=2),), {"base": 10}),
            ],
            close(),
        ),
    ]


def pmi(rng: np.random.Generator) -> list[Criterion]:
    return [
        Criterion(
            "PMI of every cell, in bits (same shape back; lists and arrays)",
            [Case((_table(rng, r, c),)) for r, c in ((2, 2), (3, 5), (4, 3))]
            + [Case(([[0.1, 0.2], [0.3, 0.4]],)), Case((((0.05, 0.15, 0.3), (0.25, 0.2, 0.05)),))],
            close(),
            weight=2,
        ),
        Criterion(
            "-inf where p(x, y) = 0 (log 0)",
            [
                Case(([[0.5, 0.0], [0.0, 0.5]],)),
                Case(([[0.5, 0.25], [0.0, 0.25]],)),
                Case((_table(rng, 4, 4, zeros=5),)),
                Case((_table(rng, 3, 6, zeros=6),)),
            ],
            close(),
        ),
        Criterion(
            "independent X and Y give PMI 0 in every cell",
            [
                Case((np.outer([0.2, 0.8], [0.5, 0.3, 0.2]),)),
                Case((np.outer(rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(4))),)),
            ],
            close(),
        ),
        Criterion(
            "the base argument (base=math.e gives nats)",
            [
                Case((_table(rng, 3, 3, zeros=2),), {"base": E}),
                Case((_table(rng, 2, 5),), {"base": 10}),
            ],
            close(),
        ),
    ]


SENTENCE = "the cat sat on the mat".split()
WORDS = ["the", "cat", "sat", "on", "mat"]


def cooccurrence_matrix(rng: np.random.Generator) -> list[Criterion]:
    letters = list("abcde")
    random_text = [str(t) for t in rng.choice(letters, size=60)]
    with_unknown = [str(t) for t in rng.choice(list("abcdexyz"), size=80)]
    return [
        Criterion(
            "counts on both sides of each word within the window (symmetric)",
            [
                Case((SENTENCE, WORDS), {"window": 1}),
                Case((SENTENCE, WORDS), {"window": 2}),
                Case((random_text, letters), {"window": 1}),
                Case((random_text, ["e", "c", "a", "d", "b"]), {"window": 3}),
            ],
            ExactCounts(),
            weight=2,
        ),
        Criterion(
            "tokens exactly `window` apart co-occur, farther ones don't",
            [
                Case((["a", "b", "c", "d", "e", "f"], ["a", "c", "f"]), {"window": 2}),
                Case((random_text, letters), {"window": 5}),
                Case((["x", "y"], ["x", "y"]), {"window": 4}),
                Case((["x", "y", "x"], ["x", "y"]), {"window": 0}),
            ],
            ExactCounts(),
        ),
        Criterion(
            "tokens outside vocab are skipped but keep their positions",
            [
                Case((["a", "UNK", "b"], ["a", "b"]), {"window": 1}),
                Case((["a", "UNK", "b"], ["a", "b"]), {"window": 2}),
                Case((with_unknown, ["e", "a", "c", "b", "d", "q"]), {"window": 2}),
                Case((with_unknown, ["a", "b"]), {"window": 3}),
            ],
            ExactCounts(),
            weight=2,
        ),
        Criterion(
            "a word next to itself counts once in each order (C['a', 'a'] = 2 for 'a a')",
            [
                Case((["a", "a"], ["a"]), {"window": 1}),
                Case((["a", "a", "a", "b"], ["a", "b"]), {"window": 2}),
            ],
            ExactCounts(),
        ),
        Criterion(
            "window=2 by default; tokens as a tuple, a string or an array of ids",
            [
                Case((tuple(SENTENCE), WORDS)),
                Case(("abracadabra", ["a", "b", "r", "c", "d"])),
                Case((rng.integers(0, 6, size=50), [0, 1, 2, 3, 4, 5])),
            ],
            ExactCounts(),
        ),
        Criterion(
            "the result is a NumPy array of ints",
            [
                Case((SENTENCE, WORDS), {"window": 2}),
                Case((with_unknown, ["a", "b"]), {"window": 3}),
            ],
            IntMatrix(),
        ),
    ]


def ppmi(rng: np.random.Generator) -> list[Criterion]:
    symmetric = _counts(rng, 6, 6)
    symmetric = symmetric + symmetric.T
    with_empty = _counts(rng, 5, 7, zero_fraction=0.4)
    with_empty[2] = 0
    with_empty[:, 4] = 0
    return [
        Criterion(
            "PPMI in nats of count matrices (ints, floats, lists; words x contexts)",
            [
                Case((symmetric,)),
                Case((_counts(rng, 4, 6),)),
                Case((_counts(rng, 5, 3, high=200).astype(float),)),
                Case(([[2, 0], [0, 2]],)),
                Case(([[10, 2, 1], [3, 8, 2], [1, 1, 9]],)),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "negative PMI is clipped to 0",
            [
                Case(([[1, 1], [1, 0]],)),
                Case(([[5, 1, 1], [1, 5, 1], [1, 1, 5]],)),
                Case((_counts(rng, 6, 4, zero_fraction=0.1, high=50),)),
            ],
            close(),
        ),
        Criterion(
            "0 where the count is 0 (also all-zero rows and columns)",
            [Case((with_empty,)), Case((_counts(rng, 4, 4, zero_fraction=0.6),))],
            close(),
        ),
        Criterion(
            "shifted by log k (k negative samples)",
            [
                Case((symmetric,), {"k": 5}),
                Case(([[2, 0], [0, 2]],), {"k": 2}),
                Case((_counts(rng, 5, 5, high=100),), {"k": 2.5}),
                Case((_counts(rng, 6, 5, zero_fraction=0.5),), {"k": 15}),
            ],
            close(),
        ),
    ]


def _with_singular_values(rng, rows, cols, values):
    u, _ = np.linalg.qr(rng.normal(size=(rows, rows)))
    v, _ = np.linalg.qr(rng.normal(size=(cols, cols)))
    s = np.zeros((rows, cols))
    s[np.arange(len(values)), np.arange(len(values))] = values
    return u @ s @ v.T


def svd_embeddings(rng: np.random.Generator) -> list[Criterion]:
    a = rng.normal(size=(6, 6))
    square = rng.normal(size=(6, 6))
    words = _counts(rng, 8, 8, zero_fraction=0.4)
    words = (words + words.T).astype(float)
    total, rows = words.sum(), words.sum(axis=1)
    with np.errstate(divide="ignore"):
        ppmi_like = np.maximum(np.log(words * total / np.outer(rows, rows)), 0.0)
    return [
        Criterion(
            "E @ E.T = U_d S_d U_d^T for square and rectangular matrices",
            [
                Case((square, 3)),
                Case((rng.random((7, 4)), 2)),
                Case((rng.random((4, 7)), 3)),
                Case((a @ a.T, 4)),
            ],
            Gram(),
            weight=2,
        ),
        Criterion(
            "one row per word (row of the matrix), dim columns: dim = 1 and dim = rank",
            [
                Case((rng.random((5, 8)), 1)),
                Case((square, 6)),
                Case((_with_singular_values(rng, 6, 5, [5.0, 3.0, 2.0]), 3)),
            ],
            Gram(),
        ),
        Criterion(
            "a symmetric PPMI matrix of word counts (and list input)",
            [
                Case((ppmi_like, 3)),
                Case(([[2.0, 1.0], [1.0, 2.0]], 1)),
                Case(([[3.0, 0.0], [0.0, 0.0], [0.0, 2.0]], 2)),
            ],
            Gram(),
        ),
    ]


def plugin_mi(rng: np.random.Generator) -> list[Criterion]:
    x = rng.integers(0, 4, size=300)
    y = (x + (rng.random(300) < 0.3) * rng.integers(0, 4, size=300)) % 4
    return [
        Criterion(
            "MI of the empirical joint of paired samples (lists, tuples, arrays), in bits",
            [
                Case((x.tolist(), y.tolist())),
                Case(
                    (tuple(rng.integers(0, 3, 50).tolist()), tuple(rng.integers(0, 5, 50).tolist()))
                ),
                Case((rng.integers(0, 10, 1000), rng.integers(0, 10, 1000))),
                Case(([0, 0, 0, 1], [0, 0, 1, 1])),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "any hashable labels: characters of strings, words, tuples, mixed types",
            [
                Case(("aabb", "xxyy")),
                Case(("to be or not to be", "that is the questi")),
                Case((["to", "be", "or", "not", "to", "be"], ["a", "b", "a", "b", "a", "b"])),
                Case(([(0, 1), (0, 1), (1, 0), (2, 2)], ["u", "v", "u", "v"])),
                Case(([1, "one", None, 1, "one", None], [True, False, True, True, False, 2.5])),
            ],
            close(),
        ),
        Criterion(
            "0 when one variable is constant or the pairs are empirically independent",
            [
                Case(([3, 1, 4, 1, 5, 9, 2, 6], ["c"] * 8)),
                Case(("abab", "xxyy")),
                Case(([7], [8])),
            ],
            close(),
        ),
        Criterion(
            "the base argument (base=math.e gives nats)",
            [
                Case((["a", "a", "b", "b"], ["x", "x", "y", "y"]), {"base": E}),
                Case((x.tolist(), y.tolist()), {"base": 10}),
            ],
            close(),
        ),
    ]


def infonce_loss(rng: np.random.Generator) -> list[Criterion]:
    offsets = rng.normal(scale=3.0, size=(6, 1))  # one constant per row: the row softmax ignores it
    return [
        Criterion(
            "the loss of square score matrices, in nats (lists and arrays)",
            [Case((rng.normal(scale=2.0, size=(n, n)),)) for n in (2, 3, 5, 8)]
            + [
                Case(([[1.0, 3.0], [0.0, 2.0]],)),
                Case((rng.normal(size=(4, 4)).round(3).tolist(),)),
                Case((np.eye(5) * 4.0 + rng.normal(scale=0.5, size=(5, 5)),)),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "softmax along each row (row i is the anchor), not down each column",
            [
                Case((rng.normal(size=(6, 6)) + offsets,)),
                Case((np.triu(np.full((4, 4), 2.5)) + rng.normal(scale=0.1, size=(4, 4)),)),
                Case((((0.0, 5.0, 1.0), (0.0, 0.0, 0.0), (2.0, -1.0, 1.0)),)),
            ],
            close(),
        ),
        Criterion(
            "a mean over the rows: equal scores give ln N, a 1 x 1 matrix gives 0",
            [
                Case((np.zeros((4, 4)),)),
                Case((np.full((7, 7), -3.0),)),
                Case(([[5.0]],)),
                Case((rng.normal(size=(16, 16)),)),
            ],
            close(),
        ),
        Criterion(
            "no overflow, underflow or nan for scores up to +-1e4",
            [
                Case(([[1e4, 0.0], [0.0, 1e4]],)),
                Case(([[-1e4, 1e4], [1e4, -1e4]],)),
                Case(([[-800.0, 0.0], [0.0, -800.0]],)),  # exp(-800) = 0: no log of it
                Case((1e4 - rng.random((3, 3)) * 5.0,)),
                Case((np.array([[0.0, 1e4, -1e4], [5.0, 1e4, 0.0], [-1e4, 0.0, 9999.0]]),)),
            ],
            close(),
        ),
        Criterion(
            "ValueError unless a non-empty square 2-D array",
            [
                Case(([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],)),
                Case(([1.0, 2.0, 3.0],)),
                Case((np.zeros((0, 0)),)),
                Case((np.zeros((2, 2, 2)),)),
            ],
            close(),
        ),
    ]


CHECKS = {
    "mutual_information": mutual_information,
    "pmi": pmi,
    "cooccurrence_matrix": cooccurrence_matrix,
    "ppmi": ppmi,
    "svd_embeddings": svd_embeddings,
    "plugin_mi": plugin_mi,
    "infonce_loss": infonce_loss,
}


# -- public cases -----------------------------------------------------------------------------


def public_cases(rng: np.random.Generator) -> dict[str, dict[str, list[Case]]]:
    """The self-check's hand-picked public cases (``autograder/public_cases.py``)."""
    return {
        "cooccurrence_matrix": {
            "next to itself": [
                Case((["b", "b"], ["b"]), {"window": 1}),
                Case((["b", "b", "b", "a"], ["a", "b"]), {"window": 2}),
            ],
            "exactly `window` apart": [
                Case((["p", "q", "r", "s", "t"], ["p", "r", "t"]), {"window": 2}),
                Case((["u", "v", "u"], ["u", "v"]), {"window": 0}),
            ],
            "outside vocab": [
                Case((["b", "UNK", "a"], ["a", "b"]), {"window": 1}),
                Case((["b", "UNK", "UNK", "a"], ["a", "b"]), {"window": 3}),
            ],
        },
        "plugin_mi": {
            "any hashable labels": [
                Case(("aabbab", "xyxyyy")),
                Case((["x", "y", "x", "y"], ["u", "u", "v", "w"])),
                Case(([(1, 0), (1, 0), (0, 1)], ["p", "q", "q"])),
            ],
            "one variable is constant": [
                Case(([1, 2, 3, 4], ["k"] * 4)),
                Case(("xyxy", "aabb")),
                Case(([3], [4])),
            ],
        },
        "infonce_loss": {
            "along each row": [Case(([[0.0, 4.0], [1.0, 2.0]],))],
            "a mean over the rows": [Case((np.zeros((5, 5)),)), Case(([[-1.0]],))],
            "no overflow": [
                Case(([[9000.0, -9000.0], [-9000.0, 9000.0]],)),
                Case(([[-900.0, 0.0], [0.0, -900.0]],)),
                Case(([[0.0, 9500.0], [0.0, 0.0]],)),
            ],
            "ValueError unless": [
                Case(([[0.5, 1.5, 2.5], [1.0, 2.0, 3.0]],)),
                Case(([0.0, 1.0],)),
                Case((np.zeros((3, 0)),)),
            ],
        },
    }

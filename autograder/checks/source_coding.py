"""Hidden-check criteria for 02-source-coding. Every case is seeded: the same on every run.

Where the answer is not unique, the comparison checks the contract's properties instead of
the reference's exact output:

- ``huffman_code``: any binary prefix code on exactly the symbols with ``p_i > 0`` whose
  expected length equals the reference's (ties may be broken any way);
- ``arithmetic_encode``: the bit convention is the student's own, so the bits are never
  compared with another implementation's. Each code must be a '0'/'1' string of at most
  ``ceil(-log2 P) + 2`` bits (``P`` computed exactly), and distinct messages of the same
  length must get distinct codes (checked on whole sets of messages at once);
- ``arithmetic_decode``: exact round trip through the student's own encoder (``PARTNERS``).

When such a comparison meets a known mistake's output in place of the reference's (to name
the mistake), it asks whether the student's answer breaks the contract in the same way.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from autograder.checks.core import Case, Criterion, close
from course.adapters import Each, RoundTrip
from course.comparisons import (
    BitsBound,
    CodeLengths,
    DistinctCodes,
    Huffman,
    RoundTripExact,
    SameBool,
    SameString,
    SameSymbols,
)

# The arithmetic decoder is checked by a round trip through the student's own encoder.
PARTNERS = {"arithmetic_decode": {"encoder": "arithmetic_encode"}}

# Long messages from skewed sources break floating-point coders. Exact coders that keep
# Fractions of the float probabilities (denominators near 2**56) are slow, about O(n**3):
# messages of 1000 symbols, and few of them per call (a set of messages is encoded in one
# call, under one call's time limit), keep a slow but correct answer well inside the limits;
# a dyadic source keeps the numbers small.
SKEWED = [0.9, 0.05, 0.05]
DYADIC = [0.875, 0.0625, 0.0625]


def _distribution(rng, n, zeros=0, floor=0.0):
    """A random probability vector of length n, `zeros` entries exactly 0, the others at
    least about `floor`."""
    p = rng.dirichlet(np.ones(n - zeros) * 0.8)
    p = (1 - floor * (n - zeros)) * p + floor
    p = np.concatenate([p, np.zeros(zeros)])
    return rng.permutation(p / p.sum())


def _message(rng, p, n):
    p = np.asarray(p, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum()).tolist()


# -- criteria --------------------------------------------------------------------------------


def kraft_sum(rng: np.random.Generator) -> list[Criterion]:
    return [
        Criterion(
            "binary Kraft sums of codeword lengths (lists, tuples, arrays)",
            [
                Case(([1, 2, 3, 3],)),
                Case(([1, 1, 2],)),
                Case(((2, 2, 2),)),
                Case((rng.integers(1, 12, size=20),)),
                Case((np.array([3, 1, 4, 1, 5, 9, 2, 6]),)),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "the alphabet size D",
            [
                Case(([1, 1], 3)),
                Case(([1, 1, 1, 2, 2],), {"D": 3}),
                Case((rng.integers(1, 6, size=12).tolist(),), {"D": 10}),
            ],
            close(),
        ),
        Criterion(
            "edge cases: no lengths, length 0, real-valued lengths -log2 p",
            [
                Case(([],)),
                Case(([0],)),
                Case((-np.log2(_distribution(rng, 6)),)),
            ],
            close(),
        ),
    ]


def is_prefix_free(rng: np.random.Generator) -> list[Criterion]:
    tree = ["00", "010", "011", "10", "110", "1110", "1111"]
    return [
        Criterion(
            "prefix codes are recognised (True)",
            [
                Case((["0", "10", "110", "111"],)),
                Case((["11", "10", "01", "00"],)),
                Case((["0", "10", "110"],)),  # Kraft sum below 1 and still prefix-free
                Case((tuple(tree),)),
                Case((["1"],)),
                Case(([],)),
                Case(([format(i, "09b") for i in rng.permutation(512)[:300]],)),
            ],
            SameBool(),
        ),
        Criterion(
            "codes that satisfy Kraft's inequality but are not prefix-free (False)",
            [
                Case((["0", "01"],)),
                Case((["0", "01", "011"],)),  # uniquely decodable, still not prefix-free
                Case((["1", "01", "011"],)),  # Kraft sum 7/8
                Case((["0", "10", "100"],)),
                Case((("00", "01", "1", "010"),)),
            ],
            SameBool(),
            weight=2,
        ),
        Criterion(
            "a prefix anywhere in the list, before or after the longer codeword (False)",
            [
                Case((["01", "0"],)),
                Case((["10", "1", "0"],)),  # Kraft sum 1.25
                Case((["111", "110", "10", "0", "11"],)),
            ],
            SameBool(),
        ),
        Criterion(
            "a repeated codeword is not prefix-free (False)",
            [
                Case((["10", "10"],)),
                Case((["0", "1", "0"],)),  # Kraft sum 1.25
                Case((["00", "01", "10", "11", "01"],)),
            ],
            SameBool(),
        ),
    ]


def _safe_for_log2(p: np.ndarray) -> bool:
    """No p_i within a relative 1e-9 of a power of two unless it is one exactly (there, a
    correct np.ceil(-np.log2(p)) may differ from the exact ceiling by rounding)."""
    for x in p[p > 0]:
        _, e = math.frexp(float(x))
        power = math.ldexp(0.5, e)  # the power of two at or below x
        if x != power and (x / power - 1 < 1e-9 or 2 - x / power < 2e-9):
            return False
    return True


def shannon_lengths(rng: np.random.Generator) -> list[Criterion]:
    typical = [_distribution(rng, n) for n in (3, 8, 30, 200)]
    dyadic = np.concatenate([2.0 ** -np.arange(1, 41), [2.0**-40]])  # -ln p / ln 2 misses 29
    with_zeros = [np.array([0.5, 0.0, 0.5]), np.array([0.0, 1.0]), _distribution(rng, 12, 4)]
    assert all(_safe_for_log2(np.asarray(p)) for p in [*typical, *with_zeros])
    return [
        Criterion(
            "typical distributions give ceil(-log2 p_i), as an int array",
            [Case((p,)) for p in typical] + [Case(([0.3, 0.7],)), Case(((0.1, 0.2, 0.3, 0.4),))],
            CodeLengths(),
            weight=2,
        ),
        Criterion(
            "exact at powers of two (p = 0.25 gives 2)",
            [
                Case(([0.5, 0.25, 0.125, 0.125],)),
                Case(([0.25] * 4,)),
                Case((dyadic,)),
                Case(([1.0],)),
            ],
            CodeLengths(),
        ),
        Criterion(
            "zero probabilities get length 0",
            [Case((p,)) for p in with_zeros],
            CodeLengths(),
        ),
    ]


def huffman_code(rng: np.random.Generator) -> list[Criterion]:
    compare = Huffman()
    return [
        Criterion(
            "a binary prefix code with the optimal expected length (typical distributions)",
            [
                Case(([0.4, 0.2, 0.2, 0.1, 0.1],)),  # two optimal length profiles
                Case(((0.25, 0.25, 0.2, 0.15, 0.15),)),  # Cover & Thomas, Example 5.6.1
                Case(([0.5, 0.25, 0.125, 0.0625, 0.0625],)),
                Case(([0.9, 0.1],)),
            ]
            + [Case((_distribution(rng, n),)) for n in (3, 8, 30, 150)],
            compare,
            weight=2,
        ),
        Criterion(
            "ties: many equal probabilities (any tie-breaking is fine)",
            [
                Case(([0.25] * 4,)),
                Case(([1 / 3] * 3,)),
                Case((np.full(10, 0.1),)),
                Case(([1 / 6] * 6,)),
                Case(([0.3, 0.3, 0.1, 0.1, 0.1, 0.1],)),
                Case(([1 / 3, 1 / 3, 1 / 4, 1 / 12],)),
            ],
            compare,
        ),
        Criterion(
            "symbols with p_i = 0 get no codeword",
            [
                Case(([0.5, 0.0, 0.25, 0.25],)),
                Case(([0.0, 0.3, 0.0, 0.7],)),
                Case((_distribution(rng, 15, zeros=5),)),
            ],
            compare,
        ),
        Criterion(
            "a single symbol gets the codeword '0'",
            [Case(([1.0],)), Case(([0.0, 0.0, 1.0, 0.0],))],
            compare,
        ),
    ]


def _prefix_code(rng, n):
    """A random complete prefix code on symbols 0..n-1, by splitting random leaves."""
    words = [""]
    while len(words) < n:
        w = words.pop(int(rng.integers(len(words))))
        words += [w + "0", w + "1"]
    return {i: w for i, w in enumerate(rng.permutation(words).tolist())}


def encode(rng: np.random.Generator) -> list[Criterion]:
    code = {0: "0", 1: "10", 2: "11"}
    letters = {"a": "0", "b": "10", "r": "110", "c": "1110", "d": "1111"}
    big = _prefix_code(rng, 12)
    return [
        Criterion(
            "the concatenation of the codewords",
            [
                Case(([0, 2, 1], code)),
                Case(((1, 1, 0, 2),), {"code": code}),
                Case((rng.integers(0, 12, size=300), big)),
                Case((rng.integers(0, 12, size=50).tolist(), big)),
            ],
            SameString(),
            weight=2,
        ),
        Criterion(
            "any symbols: the characters of a string, a one-symbol code",
            [Case(("abracadabra", letters)), Case(([7, 7, 7], {7: "1"}))],
            SameString(),
        ),
        Criterion(
            "an empty message gives the empty string",
            [Case(([], code)), Case(("", letters))],
            SameString(),
        ),
    ]


def decode(rng: np.random.Generator) -> list[Criterion]:
    code = {0: "0", 1: "10", 2: "11"}
    letters = {"a": "0", "b": "10", "r": "110", "c": "1110", "d": "1111"}
    big = _prefix_code(rng, 12)
    message = rng.integers(0, 12, size=200).tolist()
    bits = "".join(big[s] for s in message)
    longest = max(big.values(), key=len)  # its proper prefixes are no codeword
    incomplete = {0: "0", 1: "10"}  # Kraft sum 3/4: bits '11' start no codeword
    return [
        Criterion(
            "bits made of whole codewords are decoded",
            [
                Case(("01110", code)),
                Case(("0111100", code)),
                Case((bits, big)),
                Case(("01100111001100", letters)),
                Case(("000", {7: "0"})),
            ],
            SameSymbols(),
            weight=2,
        ),
        Criterion(
            "the empty string decodes to []",
            [Case(("", code)), Case(("", big))],
            SameSymbols(),
        ),
        Criterion(
            "bits that do not split into codewords raise ValueError (trailing bits too)",
            [
                Case(("0111", code)),
                Case(("1", code)),
                Case((bits + longest[:-1], big)),
                Case(("011", incomplete)),
                Case(("0101100", incomplete)),
                Case(("0110011100110" + "11", letters)),  # 'aracar', then '11'
            ],
            SameSymbols(),
            weight=2,
        ),
    ]


def _all_messages(k, n):
    return [list(t) for t in itertools.product(range(k), repeat=n)]


def _tails(rng, p, n, last):
    """Messages of length n that share their first n - last symbols and differ after."""
    head = _message(rng, p, n - last)
    return [head + list(t) for t in itertools.product(range(len(p)), repeat=last)]


def arithmetic_encode(rng: np.random.Generator) -> list[Criterion]:
    bits = BitsBound()
    distinct = DistinctCodes()
    moderate = _distribution(rng, 6, floor=0.02)
    with_zeros = [0.2, 0.0, 0.5, 0.0, 0.3]
    return [
        Criterion(
            "a str of '0'/'1' of at most ceil(-log2 P) + 2 bits (short messages)",
            [
                Case(([0, 1], [0.5, 0.5])),
                Case(([1, 1, 1], [0.5, 0.25, 0.25])),
                Case((_message(rng, [0.6, 0.3, 0.1], 20), [0.6, 0.3, 0.1])),
                Case((tuple(_message(rng, moderate, 12)), moderate)),
                Case((np.array(_message(rng, with_zeros, 15)), np.array(with_zeros))),
            ],
            bits,
        ),
        Criterion(
            "distinct messages of the same length get distinct codes (short messages)",
            [
                Case((_all_messages(3, 4), [0.5, 0.25, 0.25])),
                Case((_all_messages(2, 9), [0.9, 0.1])),
                Case((_all_messages(3, 3), (0.6, 0.3, 0.1))),
            ],
            distinct,
            adapt=Each(),
        ),
        Criterion(
            "long messages (1000+ symbols) stay within the bound",
            [
                Case((_message(rng, SKEWED, 1000), SKEWED)),
                Case((_message(rng, DYADIC, 2000), DYADIC)),
            ],
            bits,
        ),
        Criterion(
            "long messages (1000+ symbols) that differ only in their last symbols get "
            "distinct codes",
            [
                Case((_tails(rng, SKEWED, 1000, 1), SKEWED)),
                Case((_tails(rng, DYADIC, 1500, 2), DYADIC)),
                Case((_tails(rng, [0.5, 0.5], 1000, 3), [0.5, 0.5])),
            ],
            distinct,
            adapt=Each(),
            weight=2,
        ),
        Criterion(
            "edge cases: the empty message, a certain symbol (P = 1: at most 2 bits)",
            [Case(([], [0.3, 0.7])), Case(([1] * 20, [0.0, 1.0, 0.0])), Case(([0] * 7, [1.0]))],
            bits,
        ),
    ]


def arithmetic_decode(rng: np.random.Generator) -> list[Criterion]:
    compare = RoundTripExact()
    moderate = _distribution(rng, 5, floor=0.02)
    with_zeros = [0.0, 0.25, 0.0, 0.75]
    return [
        Criterion(
            "round trip through your arithmetic_encode: short messages come back exactly",
            [
                Case(([0, 1], [0.5, 0.5])),
                Case(([1, 1, 1], [0.5, 0.25, 0.25])),
                Case((_message(rng, [0.6, 0.3, 0.1], 25), [0.6, 0.3, 0.1])),
                Case((tuple(_message(rng, moderate, 12)), moderate)),
                Case((np.array(_message(rng, with_zeros, 40)), np.array(with_zeros))),
            ],
            compare,
            adapt=RoundTrip("encoder"),
        ),
        Criterion(
            "round trip of long messages (1000+ symbols) is exact",
            [
                Case((_message(rng, SKEWED, 1000), SKEWED)),
                Case((_message(rng, DYADIC, 2000), DYADIC)),
            ],
            compare,
            adapt=RoundTrip("encoder"),
        ),
        Criterion(
            "edge cases: n = 0 gives [], a certain symbol (P = 1: its n copies come back, "
            "whatever the bits, even none)",
            [Case(([], [0.3, 0.7])), Case(([1] * 20, [0.0, 1.0, 0.0])), Case(([0] * 7, [1.0]))],
            compare,
            adapt=RoundTrip("encoder"),
        ),
    ]


CHECKS = {
    "kraft_sum": kraft_sum,
    "is_prefix_free": is_prefix_free,
    "shannon_lengths": shannon_lengths,
    "huffman_code": huffman_code,
    "encode": encode,
    "decode": decode,
    "arithmetic_encode": arithmetic_encode,
    "arithmetic_decode": arithmetic_decode,
}


# -- public cases -----------------------------------------------------------------------------


def public_cases(rng: np.random.Generator) -> dict[str, dict[str, list[Case]]]:
    """The self-check's hand-picked public cases (``autograder/public_cases.py``)."""
    return {
        "kraft_sum": {
            "binary Kraft sums": [Case(([2, 2, 3, 3, 3],)), Case(((1, 3, 3, 3),))],
            "edge cases": [Case(([0, 2],)), Case((np.array([0.5, 1.5, 2.5]),))],
            "the alphabet size D": [Case(([1, 2, 2], 4))],
        },
        "is_prefix_free": {
            "are recognised": [Case((["00", "01", "10", "11"],)), Case((("1", "01", "00"),))],
            "Kraft's inequality": [
                Case((["1", "10"],)),
                Case((["1", "10", "100"],)),
                Case((["0", "11", "110"],)),
            ],
            "a prefix anywhere": [Case((["10", "1"],)), Case((["01", "1", "0"],))],
            "repeated codeword": [Case((["01", "01"],)), Case((["1", "0", "1"],))],
        },
        "shannon_lengths": {
            "exact at powers of two": [
                Case(([0.25, 0.25, 0.5],)),
                Case(([0.125] * 8,)),
                Case((np.concatenate([2.0 ** -np.arange(1, 31), [2.0**-30]]),)),
            ],
        },
        "huffman_code": {
            "ties": [Case(([0.2] * 5,)), Case(([0.125] * 8,)), Case(([0.4, 0.2, 0.2, 0.2],))],
            "a single symbol": [Case(([0.0, 1.0],)), Case(([0.0, 0.0, 0.0, 1.0, 0.0],))],
        },
        "encode": {
            "any symbols": [
                Case(("banana", {"b": "10", "a": "0", "n": "11"})),
                Case(([3, 3], {3: "0"})),
            ],
            "an empty message": [Case(([], {5: "1", 6: "0"})), Case(("", {"x": "0", "y": "1"}))],
        },
        "decode": {
            "whole codewords": [
                Case(("10011", {0: "0", 1: "10", 2: "11"})),
                Case(("0010110", {"x": "0", "y": "10", "z": "11"})),
            ],
            "do not split": [
                Case(("0110", {0: "0", 1: "10", 2: "11"})),
                Case(("00111", {0: "0", 1: "10"})),
                Case(("1", {"x": "0", "y": "10", "z": "11"})),
            ],
        },
        "arithmetic_encode": {
            "distinct messages of the same length get distinct codes (short": [
                Case(([list(m) for m in np.ndindex(2, 2, 2, 2, 2)], [0.7, 0.3])),
                Case(([list(m) for m in np.ndindex(3, 3, 3)], (0.5, 0.3, 0.2))),
            ],
            "edge cases": [Case(([], [0.6, 0.4])), Case(([0] * 15, [1.0, 0.0]))],
        },
        "arithmetic_decode": {
            "edge cases": [Case(([], [0.6, 0.4])), Case(([2] * 12, [0.0, 0.0, 1.0]))],
        },
    }

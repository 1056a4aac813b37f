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
from collections.abc import Callable

import numpy as np

from autograder.checks.core import Case, Criterion, Outcome, close

# The arithmetic decoder is checked by a round trip through the student's own encoder.
PARTNERS = {"arithmetic_decode": {"encoder": "arithmetic_encode"}}

# Long messages from skewed sources break floating-point coders. Exact coders that keep
# Fractions of the float probabilities (denominators near 2**56) are slow, about O(n**3):
# messages of 1000 symbols, and few of them per call (a set of messages is encoded in one
# call, under one call's time limit), keep a slow but correct answer well inside the limits;
# a dyadic source keeps the numbers small.
SKEWED = [0.9, 0.05, 0.05]
DYADIC = [0.875, 0.0625, 0.0625]


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng(sum(name.encode()) * 7919)


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


# -- comparisons -----------------------------------------------------------------------------


def _is_bits(value) -> bool:
    return isinstance(value, str) and set(value) <= {"0", "1"}


def _by_contract(
    flaw: Callable[[object, Case], tuple[str, str] | None],
    relation: Callable[[object, object, Case], str | None] | None = None,
):
    """A comparison for answers that are not unique.

    ``flaw(value, case)`` returns None when the value meets the contract's properties, else
    ``(kind, reason)``. Against the reference (which has no flaw) the student's value must
    have no flaw and stand in ``relation`` to the reference's value (e.g. the same expected
    length). Against a known mistake's flawed value (diagnosis), the student's value matches
    when it has a flaw of the same kind.
    """

    def compare(got: Outcome, expected: Outcome, case: Case) -> str | None:
        theirs = flaw(expected.value, case)
        mine = flaw(got.value, case)
        if theirs is None:
            if mine is not None:
                return mine[1]
            return relation(got.value, expected.value, case) if relation else None
        if mine is not None and mine[0] == theirs[0]:
            return None
        return f"not the same flaw ({theirs[0]})"

    return compare


def _same_bool(got: Outcome, expected: Outcome, case: Case) -> str | None:
    g = got.value
    if not isinstance(g, (bool, np.bool_)):
        return f"expected True or False, got a {type(g).__name__}"
    if bool(g) != bool(expected.value):
        return f"expected {bool(expected.value)}, got {bool(g)}"
    return None


def _same_int_array(got: Outcome, expected: Outcome, case: Case) -> str | None:
    g = got.value
    if g is None:
        return "it returned None (is a `return` missing?)"
    try:
        g_arr = np.asarray(g)
    except Exception:  # noqa: BLE001
        return f"the result is not an array (got {type(g).__name__})"
    e_arr = np.asarray(expected.value)
    if g_arr.shape != e_arr.shape:
        return f"expected shape {e_arr.shape}, got shape {g_arr.shape}"
    if g_arr.dtype.kind not in "iu":
        return f"expected an int array, got dtype {g_arr.dtype} (convert with .astype(int))"
    if not np.array_equal(g_arr, e_arr):
        i = int(np.flatnonzero(g_arr != e_arr)[0])
        p = np.asarray(case.args[0], dtype=float)
        return (
            f"the lengths differ, first at index {i}: p = {float(p[i])!r} needs "
            f"{e_arr[i]} bit{'s' if e_arr[i] != 1 else ''}, got {g_arr[i]}"
        )
    return None


def _same_string(got: Outcome, expected: Outcome, case: Case) -> str | None:
    g, e = got.value, expected.value
    if not isinstance(g, str):
        return f"expected a string of '0' and '1', got a {type(g).__name__}"
    if g != e:
        if len(g) != len(e):
            return f"expected {len(e)} characters, got {len(g)}"
        i = next(k for k in range(len(e)) if g[k] != e[k])
        return f"the strings differ first at position {i}"
    return None


def _same_symbols(got: Outcome, expected: Outcome, case: Case) -> str | None:
    g, e = got.value, expected.value
    if not isinstance(g, (list, tuple)):
        return f"expected a list of symbols, got a {type(g).__name__}"
    if len(g) != len(e):
        return f"expected {len(e)} symbols, got {len(g)}"
    for i, (a, b) in enumerate(zip(g, e, strict=True)):
        if not a == b:
            return f"the symbols differ first at position {i}: expected {b!r}, got {a!r}"
    return None


# -- Huffman ---------------------------------------------------------------------------------


def _huffman_flaw(value, case: Case) -> tuple[str, str] | None:
    p = np.asarray(case.args[0], dtype=float)
    support = {i for i in range(p.size) if p[i] > 0}
    if not isinstance(value, dict):
        return "not a dict", f"expected a dict {{symbol: codeword}}, got a {type(value).__name__}"
    if not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in value):
        return "keys", "the keys must be the symbols' indices, as ints"
    keys = set(value)
    if keys != support:
        extra, missing = sorted(keys - support), sorted(support - keys)
        if extra:
            shown = ", ".join(
                f"{i} (p = {float(p[i])!r})" if 0 <= i < p.size else str(i) for i in extra[:4]
            )
            return "extra keys", f"symbols that never occur must get no codeword: {shown}"
        return "missing keys", f"symbols with p_i > 0 lack a codeword: {missing[:6]}"
    words = list(value.values())
    if not all(isinstance(w, str) for w in words):
        return "not strings", "every codeword must be a string of '0' and '1'"
    if any(w == "" for w in words):
        return "empty codeword", "a codeword is empty ('' cannot be sent or decoded)"
    if not all(set(w) <= {"0", "1"} for w in words):
        return "not bits", "a codeword has a character other than '0' and '1'"
    ordered = sorted(words)
    for a, b in itertools.pairwise(ordered):
        if b.startswith(a):
            return "not prefix-free", f"not prefix-free: {a!r} is a prefix of {b!r}"
    if len(support) == 1 and words != ["0"]:
        return "single symbol", f"a single symbol gets the codeword '0' (got {words[0]!r})"
    return None


def _expected_length(code: dict, p: np.ndarray) -> float:
    return math.fsum(float(p[i]) * len(w) for i, w in code.items())


def _same_expected_length(got, expected, case: Case) -> str | None:
    p = np.asarray(case.args[0], dtype=float)
    mine, best = _expected_length(got, p), _expected_length(expected, p)
    if abs(mine - best) > 1e-9:
        lengths = {i: len(w) for i, w in sorted(got.items())}
        shown = f" (your lengths: {lengths})" if len(lengths) <= 12 else ""
        return (
            f"a prefix code, but not an optimal one: its expected length sum p_i len_i is "
            f"{mine:.6f} bits, the optimum is {best:.6f}{shown}"
        )
    return None


# -- arithmetic coding -----------------------------------------------------------------------


def ceil_information(symbols, p) -> int:
    """``ceil(-log2 P)`` of ``P = prod p[s]``, exactly (every float is a dyadic rational)."""
    numerator, exponent = 1, 0
    for s in symbols:
        a, b = float(p[int(s)]).as_integer_ratio()  # b is a power of two
        numerator *= a
        exponent += b.bit_length() - 1
    # P = numerator / 2**exponent; the answer is the smallest c >= 0 with P * 2**c >= 1.
    c = max(exponent - numerator.bit_length(), 0)
    while (numerator << c) < (1 << exponent):
        c += 1
    while c > 0 and (numerator << (c - 1)) >= (1 << exponent):
        c -= 1
    return c


def _bits_flaw(value, case: Case) -> tuple[str, str] | None:
    symbols, p = case.args
    if not isinstance(value, str):
        return "not a string", f"expected a str of '0' and '1', got a {type(value).__name__}"
    if not _is_bits(value):
        return "not bits", "the code has characters other than '0' and '1'"
    information = ceil_information(symbols, p)
    if len(value) > information + 2:
        return "too long", (
            f"{len(value)} bits is more than the bound ceil(-log2 P) + 2 = {information + 2} "
            f"bits for this message (your bits need not match the ones shown as expected: any "
            f"convention within the bound works)"
        )
    return None


def _distinct_flaw(value, case: Case) -> tuple[str, str] | None:
    messages = case.args[0]
    if not isinstance(value, list) or len(value) != len(messages):
        return "not a list", "could not collect one code per message"
    for code in value:
        if not _is_bits(code):
            return "not bits", f"a code is not a str of '0' and '1' (got {code!r:.60})"
    first: dict[str, int] = {}
    for j, code in enumerate(value):
        if code in first:
            i = first[code]
            a, b = messages[i], messages[j]
            where = next(k for k in range(len(a)) if a[k] != b[k])
            shown = code if len(code) <= 40 else code[:30] + f"... ({len(code)} bits)"
            return "collision", (
                f"messages #{i} and #{j} of this set (both {len(a)} symbols long, first "
                f"different at position {where}) get the same code {shown!r}, so no decoder "
                f"can tell them apart"
            )
        first[code] = j
    return None


def _round_trip_flaw(value, case: Case) -> tuple[str, str] | None:
    message = list(case.args[0])
    n = len(message)
    if not isinstance(value, (list, tuple, np.ndarray)):
        return "wrong", f"expected a list of {n} symbols, got a {type(value).__name__}"
    got = list(value)
    if len(got) != n:
        return "wrong", f"decoding your own code gave {len(got)} symbols instead of n = {n}"
    for i, (a, b) in enumerate(zip(got, message, strict=True)):
        if not a == b:
            return "wrong", (
                f"arithmetic_decode(arithmetic_encode(m, p), p, len(m)) must give back m; "
                f"the {n}-symbol message comes back different from position {i} on "
                f"(expected {b!r}, got {a!r})"
            )
    return None


def _codes_of_each(encoder: Callable, partners: dict) -> Callable:
    """Encode every message of a set with the same p: one call, one list of codes."""
    return lambda messages, p: [encoder(m, p) for m in messages]


def _round_trip(decoder: Callable, partners: dict) -> Callable:
    encoder = partners["encoder"]
    return lambda symbols, p: decoder(encoder(symbols, p), p, len(symbols))


# -- criteria --------------------------------------------------------------------------------


def kraft_sum():
    rng = _rng("kraft_sum")
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


def is_prefix_free():
    rng = _rng("is_prefix_free")
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
            _same_bool,
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
            _same_bool,
            weight=2,
        ),
        Criterion(
            "a prefix anywhere in the list, before or after the longer codeword (False)",
            [
                Case((["01", "0"],)),
                Case((["10", "1", "0"],)),  # Kraft sum 1.25
                Case((["111", "110", "10", "0", "11"],)),
            ],
            _same_bool,
        ),
        Criterion(
            "a repeated codeword is not prefix-free (False)",
            [
                Case((["10", "10"],)),
                Case((["0", "1", "0"],)),  # Kraft sum 1.25
                Case((["00", "01", "10", "11", "01"],)),
            ],
            _same_bool,
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


def shannon_lengths():
    rng = _rng("shannon_lengths")
    typical = [_distribution(rng, n) for n in (3, 8, 30, 200)]
    dyadic = np.concatenate([2.0 ** -np.arange(1, 41), [2.0**-40]])  # -ln p / ln 2 misses 29
    with_zeros = [np.array([0.5, 0.0, 0.5]), np.array([0.0, 1.0]), _distribution(rng, 12, 4)]
    assert all(_safe_for_log2(np.asarray(p)) for p in [*typical, *with_zeros])
    return [
        Criterion(
            "typical distributions give ceil(-log2 p_i), as an int array",
            [Case((p,)) for p in typical] + [Case(([0.3, 0.7],)), Case(((0.1, 0.2, 0.3, 0.4),))],
            _same_int_array,
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
            _same_int_array,
        ),
        Criterion(
            "zero probabilities get length 0",
            [Case((p,)) for p in with_zeros],
            _same_int_array,
        ),
    ]


def huffman_code():
    rng = _rng("huffman_code")
    compare = _by_contract(_huffman_flaw, _same_expected_length)
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


def encode():
    rng = _rng("encode")
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
            _same_string,
            weight=2,
        ),
        Criterion(
            "any symbols: the characters of a string, a one-symbol code",
            [Case(("abracadabra", letters)), Case(([7, 7, 7], {7: "1"}))],
            _same_string,
        ),
        Criterion(
            "an empty message gives the empty string",
            [Case(([], code)), Case(("", letters))],
            _same_string,
        ),
    ]


def decode():
    rng = _rng("decode")
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
            _same_symbols,
            weight=2,
        ),
        Criterion(
            "the empty string decodes to []",
            [Case(("", code)), Case(("", big))],
            _same_symbols,
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
            _same_symbols,
            weight=2,
        ),
    ]


def _all_messages(k, n):
    return [list(t) for t in itertools.product(range(k), repeat=n)]


def _tails(rng, p, n, last):
    """Messages of length n that share their first n - last symbols and differ after."""
    head = _message(rng, p, n - last)
    return [head + list(t) for t in itertools.product(range(len(p)), repeat=last)]


def arithmetic_encode():
    rng = _rng("arithmetic_encode")
    bits = _by_contract(_bits_flaw)
    distinct = _by_contract(_distinct_flaw)
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
            adapt=_codes_of_each,
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
            adapt=_codes_of_each,
            weight=2,
        ),
        Criterion(
            "edge cases: the empty message, a certain symbol (P = 1: at most 2 bits)",
            [Case(([], [0.3, 0.7])), Case(([1] * 20, [0.0, 1.0, 0.0])), Case(([0] * 7, [1.0]))],
            bits,
        ),
    ]


def arithmetic_decode():
    rng = _rng("arithmetic_decode")
    compare = _by_contract(_round_trip_flaw)
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
            adapt=_round_trip,
        ),
        Criterion(
            "round trip of long messages (1000+ symbols) is exact",
            [
                Case((_message(rng, SKEWED, 1000), SKEWED)),
                Case((_message(rng, DYADIC, 2000), DYADIC)),
            ],
            compare,
            adapt=_round_trip,
        ),
        Criterion(
            "edge cases: n = 0 gives [], a certain symbol (P = 1: its n copies come back, "
            "whatever the bits, even none)",
            [Case(([], [0.3, 0.7])), Case(([1] * 20, [0.0, 1.0, 0.0])), Case(([0] * 7, [1.0]))],
            compare,
            adapt=_round_trip,
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

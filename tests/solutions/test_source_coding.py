"""Tests for solutions.source_coding and autograder.answers.source_coding.

The truths are independent of the implementation: exact rational arithmetic (fractions,
Python integers), brute force over codeword-length vectors, the pairwise definition of a
prefix code, scipy's entropy, and hand-worked examples.
"""

from __future__ import annotations

import itertools
import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import entropy

from autograder.answers import Mistake
from autograder.answers import source_coding as answers
from solutions import source_coding
from solutions.source_coding import (
    arithmetic_decode,
    arithmetic_encode,
    decode,
    encode,
    huffman_code,
    is_prefix_free,
    kraft_sum,
    shannon_lengths,
)

EXERCISES = [
    "kraft_sum",
    "is_prefix_free",
    "shannon_lengths",
    "huffman_code",
    "encode",
    "decode",
    "arithmetic_encode",
    "arithmetic_decode",
]


# ---------------------------------------------------------------------------------------------
# independent helpers
# ---------------------------------------------------------------------------------------------


def random_p(rng, k, zeros=0):
    """A random probability vector of length k with `zeros` entries set to exactly 0."""
    p = rng.dirichlet(np.full(k - zeros, 0.7))
    p = np.concatenate([p, np.zeros(zeros)])
    return rng.permutation(p)


def prefix_free_by_definition(words):
    """No codeword is a prefix of a codeword at another position (O(n^2) definition)."""
    return not any(
        i != j and b.startswith(a) for i, a in enumerate(words) for j, b in enumerate(words)
    )


def expected_length(code, p):
    return sum(p[i] * len(word) for i, word in code.items())


def optimal_expected_length(p):
    """Brute force: min sum p_i l_i over integer lengths 1..n-1 satisfying Kraft."""
    probs = np.array([x for x in p if x > 0])
    n = len(probs)
    if n == 1:
        return float(probs[0])  # one symbol still needs one bit
    lengths = np.array(list(itertools.product(range(1, n), repeat=n)))  # ((n-1)^n, n)
    feasible = (2.0 ** -lengths.astype(float)).sum(axis=1) <= 1.0  # exact: dyadic sums
    return float((lengths[feasible] @ probs).min())


def ceil_information(symbols, p):
    """ceil(-log2 prod p[s]) computed exactly with integers."""
    numerator, exponent = 1, 0
    for s in symbols:
        a, b = float(p[s]).as_integer_ratio()  # b is a power of two
        numerator *= a
        exponent += b.bit_length() - 1
    c = max(exponent - numerator.bit_length(), 0)  # prod p = numerator / 2**exponent
    while (numerator << c) < (1 << exponent):
        c += 1
    while c > 0 and (numerator << (c - 1)) >= (1 << exponent):
        c -= 1
    return c


def quietly(fn, *args):
    """Call fn, with warnings silenced; return ("ok", value) or ("error", exception type)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return "ok", fn(*args)
        except Exception as err:  # noqa: BLE001 - a mistake may fail in any way
            return "error", type(err)


# ---------------------------------------------------------------------------------------------
# kraft_sum
# ---------------------------------------------------------------------------------------------


def test_kraft_sum_complete_code_is_exactly_one():
    """Does a complete binary code (lengths 1, 2, 3, 3) give exactly 1.0?"""
    assert kraft_sum([1, 2, 3, 3]) == 1.0
    assert kraft_sum(list(range(1, 60)) + [59]) == 1.0  # needs 59 bits of precision


def test_kraft_sum_matches_exact_fractions():
    """Does the sum agree with exact rational arithmetic for D = 2, 3, 5?"""
    rng = np.random.default_rng(0)
    for D in (2, 3, 5):
        for _ in range(20):
            lengths = rng.integers(0, 40, size=rng.integers(1, 30))
            exact = sum(Fraction(1, D ** int(length)) for length in lengths)
            assert_allclose(kraft_sum(lengths, D=D), float(exact), rtol=1e-15)
            if D == 2:
                assert kraft_sum(lengths) == float(exact)  # powers of two: exactly rounded


def test_kraft_sum_edge_cases():
    """Do the empty list, NumPy ints, huge lengths and real lengths give the right sums?"""
    assert kraft_sum([]) == 0.0
    assert kraft_sum(np.array([1, 2], dtype=np.int64)) == 0.75
    assert kraft_sum([2000]) == 0.0  # underflows quietly
    assert kraft_sum([0]) == 1.0
    p = np.array([0.3, 0.2, 0.5])
    assert_allclose(kraft_sum(-np.log2(p)), 1.0, rtol=1e-15)  # ideal lengths are tight
    assert isinstance(kraft_sum([1, 2]), float)


def test_kraft_sum_rejects_bad_input():
    """Are negative lengths, 2-D input and D < 2 refused with a clear message?"""
    with pytest.raises(ValueError, match="non-negative"):
        kraft_sum([1, -1])
    with pytest.raises(ValueError, match="1-D"):
        kraft_sum([[1, 2]])
    with pytest.raises(ValueError, match="D must be"):
        kraft_sum([1], D=1)


# ---------------------------------------------------------------------------------------------
# is_prefix_free
# ---------------------------------------------------------------------------------------------


def test_is_prefix_free_hand_examples():
    """Are the textbook codes classified correctly, in both orders?"""
    assert is_prefix_free(["0", "10", "110", "111"])
    assert not is_prefix_free(["0", "01"])
    assert not is_prefix_free(["01", "0"])
    assert not is_prefix_free(["1", "01", "011"])  # not even uniquely decodable
    assert not is_prefix_free(["10", "10"])
    assert is_prefix_free([])
    assert is_prefix_free(["0"])
    assert not is_prefix_free(["", "0"])


def test_is_prefix_free_matches_definition_on_random_codes():
    """Does it agree with the O(n^2) definition on random sets of short words, repeats included?"""
    rng = np.random.default_rng(1)
    seen = set()
    for _ in range(500):
        words = ["".join(rng.choice(["0", "1"], size=rng.integers(1, 4))) for _ in range(4)]
        expected = prefix_free_by_definition(words)
        assert is_prefix_free(words) == expected
        seen.add(expected)
    assert seen == {True, False}


def test_is_prefix_free_accepts_any_iterable_and_keeps_input():
    """Do dict values and tuples work, and is the caller's list left as it was?"""
    code = {0: "11", 1: "0", 2: "10"}
    assert is_prefix_free(code.values())
    assert is_prefix_free(tuple(code.values()))
    words = ["11", "0", "10"]
    is_prefix_free(words)
    assert words == ["11", "0", "10"]


# ---------------------------------------------------------------------------------------------
# shannon_lengths
# ---------------------------------------------------------------------------------------------


def test_shannon_lengths_exact_at_powers_of_two():
    """Is 2**-k given exactly k bits for k = 0..1000?"""
    k = np.arange(0, 1001)
    assert_array_equal(shannon_lengths(2.0**-k), k)
    assert shannon_lengths([0.25])[0] == 2
    assert shannon_lengths([1 / 8])[0] == 3


def test_shannon_lengths_match_exact_ceiling():
    """Is each length the smallest integer l with 2**-l <= p_i (exact rationals)?"""
    rng = np.random.default_rng(2)
    for _ in range(50):
        p = random_p(rng, int(rng.integers(2, 12)))
        expected = []
        for pi in p:
            length = 0
            while Fraction(1, 2**length) > Fraction(float(pi)):
                length += 1
            expected.append(length)
        assert_array_equal(shannon_lengths(p), expected)


def test_shannon_lengths_zero_probability_gets_zero():
    """Does p_i = 0 give length 0, with an int dtype and no warning?"""
    lengths = shannon_lengths([0.5, 0.0, 0.5, 0.0])
    assert_array_equal(lengths, [1, 0, 1, 0])
    assert np.issubdtype(lengths.dtype, np.integer)
    assert_array_equal(shannon_lengths([1.0]), [0])


def test_shannon_lengths_satisfy_kraft_and_source_coding_bound():
    """Do Shannon lengths satisfy Kraft and H <= L < H + 1 on random distributions?"""
    rng = np.random.default_rng(3)
    for _ in range(100):
        p = random_p(rng, int(rng.integers(2, 20)), zeros=int(rng.integers(0, 2)))
        lengths = shannon_lengths(p)
        assert kraft_sum(lengths[p > 0]) <= 1.0
        h = entropy(p, base=2)
        average = float(p @ lengths)
        assert h - 1e-12 <= average < h + 1


def test_shannon_lengths_rejects_bad_input_and_keeps_input():
    """Are probabilities outside [0, 1] and 2-D input refused, and is the input unchanged?"""
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        shannon_lengths([0.5, -0.1])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        shannon_lengths([1.5])
    with pytest.raises(ValueError, match="1-D"):
        shannon_lengths([[0.5, 0.5]])
    p = np.array([0.5, 0.25, 0.25])
    shannon_lengths(p)
    assert_array_equal(p, [0.5, 0.25, 0.25])


# ---------------------------------------------------------------------------------------------
# huffman_code
# ---------------------------------------------------------------------------------------------


def test_huffman_code_dyadic_lengths_equal_surprisal():
    """For dyadic p, are the lengths exactly -log2 p_i, so that L = H?"""
    p = [0.5, 0.25, 0.125, 0.0625, 0.0625]
    code = huffman_code(p)
    assert {i: len(w) for i, w in code.items()} == {0: 1, 1: 2, 2: 3, 3: 4, 4: 4}
    assert expected_length(code, p) == entropy(p, base=2)


def test_huffman_code_cover_thomas_example():
    """Does the Cover & Thomas example (0.4, 0.2, 0.2, 0.1, 0.1) reach L = 2.2 bits?"""
    p = [0.4, 0.2, 0.2, 0.1, 0.1]
    assert_allclose(expected_length(huffman_code(p), p), 2.2, rtol=1e-12)


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_huffman_code_is_optimal_by_brute_force(n):
    """Is Huffman's expected length the minimum over all length vectors satisfying Kraft?"""
    rng = np.random.default_rng(10 + n)
    for trial in range(8):
        p = random_p(rng, n, zeros=int(trial % 3 == 2 and n > 2))
        code = huffman_code(p)
        assert_allclose(expected_length(code, p), optimal_expected_length(p), rtol=1e-12)


def test_huffman_code_is_a_binary_prefix_code_for_the_support():
    """Are the keys exactly the symbols with p_i > 0 and the codewords a binary prefix code?"""
    rng = np.random.default_rng(4)
    for _ in range(30):
        p = random_p(rng, int(rng.integers(2, 30)), zeros=int(rng.integers(0, 3)))
        code = huffman_code(p)
        assert set(code) == {i for i in range(len(p)) if p[i] > 0}
        assert all(isinstance(i, int) for i in code)
        assert all(w and set(w) <= {"0", "1"} for w in code.values())
        assert prefix_free_by_definition(list(code.values()))
        if len(code) > 1:
            assert kraft_sum([len(w) for w in code.values()]) == 1.0  # Huffman trees are full


def test_huffman_code_single_symbol_gets_zero():
    """Does a lone symbol of positive probability get the codeword "0"?"""
    assert huffman_code([1.0]) == {0: "0"}
    assert huffman_code([0.0, 0.0, 1.0, 0.0]) == {2: "0"}


def test_huffman_code_uniform_distributions():
    """Do 4 equal symbols get 2 bits each, and 3 equal symbols lengths {1, 2, 2}?"""
    assert sorted(map(len, huffman_code([0.25] * 4).values())) == [2, 2, 2, 2]
    assert sorted(map(len, huffman_code([1 / 3] * 3).values())) == [1, 2, 2]


def test_huffman_code_obeys_source_coding_theorem_and_beats_shannon():
    """On large random alphabets, is H <= L < H + 1 and L <= the Shannon code's length?"""
    rng = np.random.default_rng(5)
    for _ in range(10):
        p = random_p(rng, 200)
        length = expected_length(huffman_code(p), p)
        h = entropy(p, base=2)
        assert h - 1e-12 <= length < h + 1
        assert length <= float(p @ shannon_lengths(p)) + 1e-12


def test_huffman_code_rejects_bad_input_and_keeps_input():
    """Are non-distributions refused with a message, and is the input unchanged?"""
    with pytest.raises(ValueError, match="sum to 1"):
        huffman_code([0.5, 0.4])
    with pytest.raises(ValueError, match="non-negative"):
        huffman_code([1.5, -0.5])
    with pytest.raises(ValueError, match="non-empty 1-D"):
        huffman_code([])
    p = np.array([0.1, 0.2, 0.7])
    huffman_code(p)
    assert_array_equal(p, [0.1, 0.2, 0.7])


# ---------------------------------------------------------------------------------------------
# encode / decode
# ---------------------------------------------------------------------------------------------

CODE = {0: "0", 1: "10", 2: "11"}


def test_encode_concatenates_codewords():
    """Is the encoding the plain concatenation of codewords?"""
    assert encode([0, 2, 1], CODE) == "01110"
    assert encode([], CODE) == ""
    assert encode("abba", {"a": "0", "b": "1"}) == "0110"
    assert encode(np.array([1, 1]), CODE) == "1010"


def test_encode_rejects_unknown_symbol():
    """Is a symbol without a codeword refused with a message naming it?"""
    with pytest.raises(ValueError, match="symbol 3"):
        encode([0, 3], CODE)


def test_decode_hand_examples():
    """Are hand-encoded strings decoded, including the empty string and a one-word code?"""
    assert decode("01110", CODE) == [0, 2, 1]
    assert decode("", CODE) == []
    assert decode("000", {7: "0"}) == [7, 7, 7]
    assert decode("0110", {"a": "0", "b": "1"}) == ["a", "b", "b", "a"]


def test_decode_inverts_encode_on_random_messages():
    """Does decode(encode(m)) return m for Huffman codes of random sources?"""
    rng = np.random.default_rng(6)
    for _ in range(30):
        p = random_p(rng, int(rng.integers(1, 12)), zeros=0)
        code = huffman_code(p)
        message = rng.choice(len(p), size=int(rng.integers(0, 300)), p=p).tolist()
        assert decode(encode(message, code), code) == message


@pytest.mark.parametrize(
    "bits, message",
    [
        ("0111", "'1' is left over"),  # incomplete last codeword
        ("01", "'1' is left over"),
        ("1", "'1' is left over"),
        ("0201", "no codeword matches '20' at position 1"),  # a character that is not a bit
    ],
)
def test_decode_rejects_bits_that_do_not_split(bits, message):
    """Are trailing garbage, incomplete codewords and foreign characters refused?"""
    with pytest.raises(ValueError, match=message):
        decode(bits, CODE)


def test_decode_rejects_incomplete_code_gaps_and_bad_codes():
    """Is a bit pattern no codeword starts with refused, and are non-prefix codes refused?"""
    with pytest.raises(ValueError, match="no codeword matches '11'"):
        decode("011", {0: "0", 1: "10"})
    with pytest.raises(ValueError, match="not prefix-free"):
        decode("01", {0: "0", 1: "01"})
    with pytest.raises(ValueError, match="not prefix-free"):
        decode("0", {0: "0", 1: "0"})
    with pytest.raises(ValueError, match="empty codeword"):
        decode("0", {0: ""})
    with pytest.raises(ValueError, match="no codeword"):
        decode("0", {})


# ---------------------------------------------------------------------------------------------
# arithmetic coding
# ---------------------------------------------------------------------------------------------


def assert_round_trip(message, p):
    bits = arithmetic_encode(message, p)
    assert set(bits) <= {"0", "1"}
    assert len(bits) <= ceil_information(message, p) + 2
    assert arithmetic_decode(bits, p, len(message)) == list(message)
    return bits


def test_arithmetic_encode_hand_examples():
    """Do [0, 1] under (1/2, 1/2) give '01' and [1, 1, 1] under (1/2, 1/4, 1/4) give '101010'?"""
    # [0, 1] -> [1/4, 1/2) = [0.01b, 0.10b); [1, 1, 1] -> [42/64, 43/64) = [0.101010b, ...)
    assert arithmetic_encode([0, 1], [0.5, 0.5]) == "01"
    assert arithmetic_encode([1, 1, 1], [0.5, 0.25, 0.25]) == "101010"
    assert arithmetic_decode("101010", [0.5, 0.25, 0.25], 3) == [1, 1, 1]


def test_arithmetic_encode_fair_bits_are_the_message():
    """With p = (1/2, 1/2), is the code of a bit string that bit string itself?"""
    rng = np.random.default_rng(7)
    message = rng.integers(0, 2, size=500).tolist()
    bits = assert_round_trip(message, [0.5, 0.5])
    assert bits == "".join(map(str, message))


def test_arithmetic_coding_long_skewed_message():
    """Is a 3000-symbol message from p = (0.9, 0.05, 0.05) decoded exactly within the bound?"""
    rng = np.random.default_rng(8)
    p = [0.9, 0.05, 0.05]
    message = rng.choice(3, size=3000, p=p).tolist()
    bits = assert_round_trip(message, p)
    assert len(bits) < 0.6 * len(message)  # H(p) = 0.569 bits per symbol


def test_arithmetic_coding_random_sources_with_unused_symbols():
    """Do random sources, some with zero-probability symbols, round-trip within the bound?"""
    rng = np.random.default_rng(9)
    for _ in range(60):
        k = int(rng.integers(1, 8))
        p = random_p(rng, k, zeros=int(rng.integers(0, k)))
        message = rng.choice(k, size=int(rng.integers(0, 400)), p=p)
        assert_round_trip(message.tolist(), p)
        assert_round_trip(message, p)  # NumPy array of NumPy ints


def test_arithmetic_coding_5000_symbols_is_fast():
    """Does a 5000-symbol message round-trip (in well under a second)?"""
    rng = np.random.default_rng(10)
    p = rng.dirichlet(np.ones(20))
    assert_round_trip(rng.choice(20, size=5000, p=p).tolist(), p)


def test_arithmetic_coding_edge_cases():
    """Do empty messages, certain symbols and p off by 5e-7 from summing to 1 work?"""
    assert arithmetic_encode([], [0.3, 0.7]) == ""
    assert arithmetic_decode("", [0.3, 0.7], 0) == []
    assert arithmetic_encode([1] * 50, [0.0, 1.0, 0.0]) == ""  # P = 1: nothing to send
    assert arithmetic_decode("", [0.0, 1.0, 0.0], 50) == [1] * 50
    assert arithmetic_decode(arithmetic_encode([0] * 7, [1.0]), [1.0], 7) == [0] * 7  # K = 1
    rng = np.random.default_rng(11)
    for p in ([0.5, 0.5 + 5e-7], [0.2, 0.3, 0.5 - 5e-7]):
        assert_round_trip(rng.choice(len(p), size=2000).tolist(), p)


def test_arithmetic_coding_rejects_bad_input_and_keeps_input():
    """Are impossible symbols, bad indices, bad bits and bad p refused; is p unchanged?"""
    with pytest.raises(ValueError, match="probability 0"):
        arithmetic_encode([0, 1], [1.0, 0.0])
    with pytest.raises(ValueError, match="out of range"):
        arithmetic_encode([2], [0.5, 0.5])
    with pytest.raises(ValueError, match="out of range"):
        arithmetic_encode([-1], [0.5, 0.5])
    with pytest.raises(ValueError, match="sum to 1"):
        arithmetic_encode([0], [0.5, 0.4])
    with pytest.raises(ValueError, match="only '0' and '1'"):
        arithmetic_decode("012", [0.5, 0.5], 2)
    with pytest.raises(ValueError, match="n must be"):
        arithmetic_decode("01", [0.5, 0.5], -1)
    p = np.array([0.2, 0.8])
    message = np.array([1, 0, 1])
    arithmetic_decode(arithmetic_encode(message, p), p, 3)
    assert_array_equal(p, [0.2, 0.8])
    assert_array_equal(message, [1, 0, 1])


# ---------------------------------------------------------------------------------------------
# self-containment of the reference and the known answers
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# known mistakes and alternatives
# ---------------------------------------------------------------------------------------------

REFERENCE = {name: getattr(source_coding, name) for name in EXERCISES}


def typical_inputs(exercise):
    """A small set of inputs a grader would try; each mistake must fail on one of them."""
    rng = np.random.default_rng(12)
    dists = [
        [0.5, 0.25, 0.125, 0.125],
        [0.4, 0.2, 0.2, 0.1, 0.1],
        [0.0, 1.0],
        [0.1, 0.0, 0.6, 0.3],
        random_p(rng, 7),
    ]
    if exercise == "kraft_sum":
        return [([1, 2, 3, 3],), ([1, 1, 2],), ([1, 1], 3), ([],), (np.array([2, 2, 2]),)]
    if exercise == "is_prefix_free":
        words = [["0", "10", "110", "111"], ["0", "01"], ["01", "0"], ["10", "10"], []]
        return [(w,) for w in words]
    if exercise == "shannon_lengths":
        return [(p,) for p in dists] + [([0.25, 0.75],), (2.0 ** -np.arange(1, 20),)]
    if exercise == "huffman_code":
        return [(p,) for p in dists] + [([1.0],)]
    if exercise == "encode":
        return [([0, 2, 1], CODE), ([], CODE), ("ab", {"a": "0", "b": "1"})]
    if exercise == "decode":
        return [("01110", CODE), ("", CODE), ("0111", CODE), ("01", CODE), ("011", CODE)]
    messages = []  # arithmetic coding: (message, p)
    for p, n in (([0.5, 0.5], 40), ([0.9, 0.05, 0.05], 3000), ([0.2, 0.0, 0.8], 500)):
        messages.append((rng.choice(len(p), size=n, p=p).tolist(), p))
    messages.append(([0] * 5, [1.0]))  # a certain symbol: P = 1 needs no bits
    return messages


def same_output(exercise, expected, got, args):
    """Would a grader accept `got` where the reference gives `expected`?"""
    if exercise in ("kraft_sum", "shannon_lengths"):
        got = np.asarray(got)
        return got.shape == np.shape(expected) and np.allclose(got, expected, rtol=1e-6, atol=0)
    if exercise == "huffman_code":
        p = args[0]
        return (
            isinstance(got, dict)
            and set(got) == set(expected)
            and all(isinstance(w, str) and w and set(w) <= {"0", "1"} for w in got.values())
            and prefix_free_by_definition(list(got.values()))
            and math.isclose(expected_length(got, p), expected_length(expected, p), rel_tol=1e-9)
        )
    return type(got) is type(expected) and got == expected


def round_trips(encoder, decoder, message, p):
    status, bits = quietly(encoder, message, p)
    if status != "ok" or not isinstance(bits, str):
        return False
    if len(bits) > ceil_information(message, p) + 2:
        return False
    return quietly(decoder, bits, p, len(message)) == ("ok", list(message))


def test_examples_cover_every_exercise():
    """Is there an alternative for every exercise, and do the mistakes name real exercises?"""
    assert set(answers.ALTERNATIVES) == set(EXERCISES)
    assert all(answers.ALTERNATIVES[name] for name in EXERCISES)
    alternatives = answers.ALTERNATIVES
    assert len(alternatives["arithmetic_encode"]) == len(alternatives["arithmetic_decode"])
    for mistake in answers.MISTAKES:
        assert isinstance(mistake, Mistake)
        assert mistake.exercise in EXERCISES
        assert mistake.name and len(mistake.hint) > 30
    names = [m.name for m in answers.MISTAKES]
    assert len(names) == len(set(names))


ALTERNATIVE_CASES = [
    (name, fn)
    for name, fns in answers.ALTERNATIVES.items()
    if not name.startswith("arithmetic")
    for fn in fns
]


@pytest.mark.parametrize(
    "exercise, fn", ALTERNATIVE_CASES, ids=[fn.__name__ for _, fn in ALTERNATIVE_CASES]
)
def test_alternative_agrees_with_reference(exercise, fn):
    """Does the alternative answer give what the reference gives (or raise when it raises)?"""
    rng = np.random.default_rng(13)
    cases = list(typical_inputs(exercise))
    if exercise in ("shannon_lengths", "huffman_code"):
        cases += [(random_p(rng, int(rng.integers(2, 40)), zeros=1),) for _ in range(30)]
    if exercise == "is_prefix_free":
        cases += [
            (["".join(rng.choice(["0", "1"], size=rng.integers(1, 4))) for _ in range(4)],)
            for _ in range(200)
        ]
    if exercise in ("encode", "decode"):
        for _ in range(20):
            p = random_p(rng, int(rng.integers(1, 10)))
            code = huffman_code(p)
            bits = encode(rng.choice(len(p), size=50, p=p).tolist(), code)
            cases += [(bits, code), (bits + "1", code)] if exercise == "decode" else []
            cases += [(rng.choice(len(p), size=50, p=p).tolist(), code)] * (exercise == "encode")
    for args in cases:
        try:
            expected = REFERENCE[exercise](*args)
        except ValueError:
            with pytest.raises(ValueError):
                fn(*args)
            continue
        got = fn(*args)
        assert same_output(exercise, expected, got, args), args


@pytest.mark.parametrize("pair", range(len(answers.ALTERNATIVES["arithmetic_encode"])))
def test_alternative_arithmetic_coders_round_trip(pair):
    """Does each alternative encoder/decoder pair round-trip within the bound?"""
    encoder = answers.ALTERNATIVES["arithmetic_encode"][pair]
    decoder = answers.ALTERNATIVES["arithmetic_decode"][pair]
    rng = np.random.default_rng(14)
    cases = typical_inputs("arithmetic_encode") + [([], [0.3, 0.7]), ([1] * 20, [0.0, 1.0])]
    for _ in range(60):
        k = int(rng.integers(1, 7))
        p = random_p(rng, k, zeros=int(rng.integers(0, k)))
        cases.append((rng.choice(k, size=int(rng.integers(0, 200)), p=p).tolist(), p))
    cases.append((rng.choice(2, size=1000).tolist(), [0.5, 0.5 + 5e-7]))
    for message, p in cases:
        bits = encoder(message, p)
        assert len(bits) <= ceil_information(message, p) + 2
        assert decoder(bits, p, len(message)) == message
    with pytest.raises(ValueError):
        encoder([1], [1.0, 0.0])
    with pytest.raises(ValueError):
        decoder("0a", [0.5, 0.5], 1)


@pytest.mark.parametrize("mistake", answers.MISTAKES, ids=[m.fn.__name__ for m in answers.MISTAKES])
def test_mistake_differs_from_reference(mistake):
    """Does the known mistake give a wrong answer on at least one typical input?"""
    exercise = mistake.exercise
    cases = typical_inputs(exercise)
    if exercise == "arithmetic_encode":
        wrong = [not round_trips(mistake.fn, arithmetic_decode, *args) for args in cases]
    elif exercise == "arithmetic_decode":
        wrong = [not round_trips(arithmetic_encode, mistake.fn, *args) for args in cases]
    else:
        wrong = []
        for args in cases:
            try:
                expected = ("ok", REFERENCE[exercise](*args))
            except ValueError:
                expected = ("error", ValueError)
            got = quietly(mistake.fn, *args)
            if expected[0] == "ok" and got[0] == "ok":
                wrong.append(not same_output(exercise, expected[1], got[1], args))
            else:
                wrong.append(expected != got)
    assert any(wrong), f"{mistake.name!r} agrees with the reference on every typical input"


def test_float_arithmetic_coder_works_on_short_messages_only():
    """Is the float coder right on short messages (so it is a realistic mistake) but not long?"""
    encoder, decoder = answers.arithmetic_encode_float, answers.arithmetic_decode_float
    short = ([0, 1, 2, 0, 0, 1], [0.5, 0.25, 0.25])
    assert round_trips(encoder, decoder, *short)
    assert round_trips(encoder, arithmetic_decode, *short)
    assert round_trips(arithmetic_encode, decoder, *short)
    long = typical_inputs("arithmetic_encode")[1]
    assert not round_trips(encoder, decoder, *long)

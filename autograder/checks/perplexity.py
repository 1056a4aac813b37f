"""Hidden-check criteria for 06-perplexity. Every case is seeded: the same on every run.

The n-gram cases are small texts over a few symbols, built so that the classic slips show:
histories that end the training text (counted once too often by the raw (n-1)-gram count),
vocabulary entries never seen in training, unseen histories, and test texts shorter than the
order. Log-probabilities are compared as floats (rtol 1e-6); n-gram counts as mappings, where
an n-gram that does not occur may be absent or map to 0.
"""

from __future__ import annotations

import math

import numpy as np

from autograder.checks.core import Case, Criterion, close
from course.adapters import PlainMapping
from course.comparisons import NgramCounts

SYMBOLS = list("abcd")


def _text(rng, size, symbols=SYMBOLS) -> list[str]:
    return [str(s) for s in rng.choice(symbols, size=size)]


def _log_probs(rng, size) -> np.ndarray:
    return np.log(rng.uniform(0.01, 1.0, size=size))


def _ending_with(rng, size, ending, symbols=SYMBOLS) -> list[str]:
    """A random text whose last tokens are ``ending``, which also occurs once in the middle
    (followed by a token there), so that its count at the end matters."""
    body = _text(rng, size, symbols)
    middle = size // 2
    return body[:middle] + list(ending) + body[middle:] + list(ending)


# -- perplexity -------------------------------------------------------------------------------


def perplexity(rng: np.random.Generator) -> list[Criterion]:
    return [
        Criterion(
            "exp(-mean) of natural-log probabilities (lists, tuples, arrays)",
            [
                Case((_log_probs(rng, 25),)),
                Case((_log_probs(rng, 3).tolist(),)),
                Case((tuple(_log_probs(rng, 7).tolist()),)),
                Case(([math.log(0.5), math.log(0.125)],)),
                Case(([-0.1],)),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "a model that gives every token probability 1/K has perplexity K",
            [Case(([-math.log(k)] * 6,)) for k in (2, 27, 50257)]
            + [Case((np.zeros(4),))],  # every token certain: perplexity 1
            close(),
        ),
        Criterion(
            "long texts (10,000 tokens) give a finite, exact answer (no underflow)",
            [Case((np.full(10_000, -5.0),)), Case((_log_probs(rng, 10_000),))],
            close(),
        ),
        Criterion(
            "a token of probability 0 (log-probability -inf) gives inf",
            [Case(([math.log(0.5), -math.inf],)), Case((np.array([-1.0, -math.inf, -2.0]),))],
            close(),
            weight=0.5,
        ),
        Criterion(
            "an empty input raises ValueError",
            [Case(([],)), Case((np.array([]),))],
            close(),
        ),
    ]


# -- ngram_counts -----------------------------------------------------------------------------


def ngram_counts(rng: np.random.Generator) -> list[Criterion]:
    words = ["to", "be", "or", "not", "the", "question"]
    return [
        Criterion(
            "bigrams and trigrams of lists of words",
            [
                Case(("to be or not to be".split(), 2)),
                Case((_text(rng, 40, words), 2)),
                Case((_text(rng, 60), 3)),
            ],
            NgramCounts(),
            weight=2,
            adapt=PlainMapping(),
        ),
        Criterion(
            "unigrams (n = 1) are 1-tuples",
            [Case((_text(rng, 30), 1)), Case(("abracadabra", 1))],
            NgramCounts(),
            adapt=PlainMapping(),
        ),
        Criterion(
            "the last n-gram is counted too (m - n + 1 n-grams in all)",
            [Case((list("abcdefg"), 2)), Case((list("xyzxyw"), 3)), Case(("to be".split(), 2))],
            NgramCounts(),
            adapt=PlainMapping(),
        ),
        Criterion(
            "strings, tuples and arrays of tokens; longer n",
            [
                Case(("abracadabra", 3)),
                Case((tuple(_text(rng, 25)), 4)),
                Case((rng.integers(0, 3, 30), 2)),
                Case(("mississippi", 5)),
            ],
            NgramCounts(),
            adapt=PlainMapping(),
        ),
        Criterion(
            "a text of exactly n tokens has one n-gram, a shorter one none",
            [Case(("abc", 3)), Case(("ab", 3)), Case(([], 1))],
            NgramCounts(),
            adapt=PlainMapping(),
        ),
    ]


# -- ngram_log_prob ---------------------------------------------------------------------------


def ngram_log_prob(rng: np.random.Generator) -> list[Criterion]:
    vocab = SYMBOLS + ["e"]  # 'e' never occurs in training: it still counts in |V|
    return [
        Criterion(
            "bigram and trigram models with k = 1 (Laplace)",
            [
                Case((_text(rng, 40), _text(rng, 15), 2, vocab)),
                Case((_text(rng, 60), _text(rng, 20), 3, vocab), {"k": 1.0}),
                Case((_text(rng, 30), _text(rng, 12), 2, SYMBOLS)),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "the unigram model (n = 1): (C(w) + k) / (N + k|V|)",
            [
                Case((_text(rng, 30), _text(rng, 10), 1, vocab)),
                Case((_text(rng, 25), _text(rng, 8), 1, SYMBOLS), {"k": 0.5}),
            ],
            close(),
        ),
        Criterion(
            "other k: 0.5 and 0.01",
            [
                Case((_text(rng, 40), _text(rng, 15), 2, vocab), {"k": 0.5}),
                Case((_text(rng, 50), _text(rng, 15), 3, vocab), {"k": 0.01}),
                Case((_text(rng, 50), _text(rng, 15), 2, SYMBOLS), {"k": 0.01}),
            ],
            close(),
        ),
        Criterion(
            "a history that ends the training text is counted only where a token follows it",
            [
                Case((_ending_with(rng, 20, "d"), ["d", "a", "d", "d", "b"], 2, vocab)),
                Case((_ending_with(rng, 30, "cd"), list("cdacdcdd"), 3, vocab), {"k": 0.5}),
                Case((_ending_with(rng, 20, "b"), list("bab"), 2, SYMBOLS), {"k": 0.01}),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "unseen histories and unseen tokens get the add-k share",
            [
                Case((list("ababab"), list("cdecab"), 2, vocab)),
                Case((list("aabbaab"), list("ccdee"), 3, vocab), {"k": 0.5}),
            ],
            close(),
        ),
        Criterion(
            "only test_tokens[n-1:] are scored (a test text of n - 1 tokens scores 0.0)",
            [
                Case((_text(rng, 20), ["a", "b"], 3, SYMBOLS)),
                Case((_text(rng, 20), ["c"], 2, SYMBOLS)),
                Case((_text(rng, 20), ["c", "a", "b"], 3, SYMBOLS), {"k": 0.5}),
            ],
            close(),
        ),
        Criterion(
            "strings, tuples and words as tokens",
            [
                Case(("abracadabra", "cadabra", 2, "abcdr")),
                Case(
                    (
                        tuple("to be or not to be that is the question".split()),
                        ("to", "be", "the", "question"),
                        2,
                        ("to", "be", "or", "not", "that", "is", "the", "question", "a"),
                    ),
                    {"k": 0.5},
                ),
            ],
            close(),
        ),
    ]


# -- interpolated_log_prob ------------------------------------------------------------------


def interpolated_log_prob(rng: np.random.Generator) -> list[Criterion]:
    vocab = SYMBOLS + ["e"]
    return [
        Criterion(
            "lambdas[j] weights the maximum-likelihood model with a j-token history",
            [
                Case((_text(rng, 60), _text(rng, 20), vocab, [0.1, 0.3, 0.6])),
                Case((_text(rng, 60), _text(rng, 20), SYMBOLS, [0.6, 0.3, 0.1])),
                Case((_text(rng, 40), _text(rng, 15), vocab, [0.2, 0.8])),
                Case((_text(rng, 80), _text(rng, 25), vocab, [0.1, 0.2, 0.3, 0.4])),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "lambdas = [1.0] is the maximum-likelihood unigram model",
            [Case((_text(rng, 30), _text(rng, 10), vocab, [1.0]))],
            close(),
        ),
        Criterion(
            "a history never followed by a token in training counts 0/0 as 0",
            [
                Case((list("aabbab"), list("ccab"), vocab, [0.5, 0.5])),
                Case((list("abcabcab"), list("cbaab"), vocab, [0.2, 0.3, 0.5])),
            ],
            close(),
        ),
        Criterion(
            "a history that ends the training text is counted only where a token follows it",
            [
                Case((_ending_with(rng, 20, "d"), list("dadab"), vocab, [0.3, 0.7])),
                Case((_ending_with(rng, 30, "cd"), list("cdacdb"), vocab, [0.2, 0.3, 0.5])),
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "scores test_tokens[len(lambdas)-1:] (fewer tokens than that score 0.0)",
            [
                Case((_text(rng, 20), ["a", "b"], SYMBOLS, [0.2, 0.3, 0.5])),
                Case((_text(rng, 20), ["b", "a", "c"], SYMBOLS, [0.2, 0.3, 0.5])),
            ],
            close(),
        ),
        Criterion(
            "lambdas as a tuple or NumPy array; strings and words as tokens",
            [
                Case(("abracadabra", "cadabra", "abcdr", (0.25, 0.75))),
                Case((_text(rng, 50), _text(rng, 15), vocab, np.array([0.1, 0.2, 0.7]))),
                Case(
                    (
                        "to be or not to be that is the question".split(),
                        "not to be the question".split(),
                        ["to", "be", "or", "not", "that", "is", "the", "question"],
                        [0.4, 0.6],
                    )
                ),
            ],
            close(),
        ),
        Criterion(
            "a token never seen in training has probability 0: the total is -inf",
            [Case((list("abab"), list("abc"), vocab, [0.5, 0.5]))],
            close(),
            weight=0.5,
        ),
    ]


# -- bits per byte ----------------------------------------------------------------------------


def bits_per_byte(rng: np.random.Generator) -> list[Criterion]:
    return [
        Criterion(
            "total nats / (ln 2 · bytes)",
            [Case((float(rng.uniform(10, 1e4)), int(rng.integers(10, 5000)))) for _ in range(3)]
            + [Case((1234.5, 1000))],
            close(),
            weight=2,
        ),
        Criterion(
            "uniform over 256 byte values is 8 bits per byte; a perfect model 0",
            [Case((100 * math.log(256), 100)), Case((0.0, 7))],
            close(),
        ),
    ]


def perplexity_to_bits_per_byte(rng: np.random.Generator) -> list[Criterion]:
    total_nats, num_bytes = 3000.0, 1500
    return [
        Criterion(
            "bits per byte from a per-token perplexity (typical values)",
            [
                Case((float(ppl), int(tokens), int(tokens * bytes_per_token)))
                for ppl, tokens, bytes_per_token in zip(
                    rng.uniform(2, 300, 3), rng.integers(100, 1000, 3), (1.0, 3.7, 4.2), strict=True
                )
            ]
            + [Case((12.3, 100, 420))],
            close(),
            weight=2,
        ),
        Criterion(
            "one token per byte: log2(ppl) bits per byte (256 gives 8)",
            [Case((256.0, 10, 10)), Case((3.5, 7, 7))],
            close(),
        ),
        Criterion(
            "two tokenizations of one text with the same total loss give the same bits per byte",
            [
                Case((math.exp(total_nats / tokens), tokens, num_bytes))
                for tokens in (1500, 400, 300)
            ],
            close(),
            weight=2,
        ),
        Criterion(
            "perplexity 1 (every token certain) is 0 bits per byte",
            [Case((1.0, 50, 200))],
            close(),
        ),
    ]


CHECKS = {
    "perplexity": perplexity,
    "ngram_counts": ngram_counts,
    "ngram_log_prob": ngram_log_prob,
    "interpolated_log_prob": interpolated_log_prob,
    "bits_per_byte": bits_per_byte,
    "perplexity_to_bits_per_byte": perplexity_to_bits_per_byte,
}


# -- public cases -----------------------------------------------------------------------------

# A criterion whose only possible input is a hidden case (the one empty input): no public cases.
WITHOUT_PUBLIC_CASES = {"perplexity": "an empty input raises ValueError"}


def public_cases(rng: np.random.Generator) -> dict[str, dict[str, list[Case]]]:
    """The self-check's hand-picked public cases (``autograder/public_cases.py``)."""
    vocab = list("abcde")
    return {
        "perplexity": {
            "probability 1/K": [Case(([-math.log(3)] * 5,)), Case(([-math.log(1000)] * 3,))],
            "probability 0": [Case(([math.log(0.25), -math.inf, math.log(0.5)],))],
            "long texts": [  # the product of the probabilities underflows to 0
                Case((np.full(1200, -0.7),)),
                Case((np.log(rng.uniform(0.01, 1.0, size=1000)),)),
            ],
        },
        "ngram_counts": {
            "the last n-gram is counted": [Case((list("pqrst"), 2)), Case((list("abab"), 3))],
            "exactly n tokens": [Case(("xyz", 3)), Case(("xy", 3)), Case(([], 2))],
        },
        "ngram_log_prob": {
            "unseen histories": [
                Case((list("cdcdcd"), list("abeab"), 2, vocab)),
                Case((list("ddccdc"), list("aabe"), 3, vocab), {"k": 0.5}),
            ],
            "strings, tuples": [
                Case(("banana", "nab", 2, "abn")),
                Case(
                    (
                        tuple("we are what we are".split()),
                        ("we", "are", "what"),
                        2,
                        ("we", "are", "what"),
                    )
                ),
            ],
        },
        "interpolated_log_prob": {
            "0/0 as 0": [
                Case((list("babbaa"), list("ddab"), vocab, [0.4, 0.6])),
                Case((list("bcabca"), list("dcbab"), vocab, [0.3, 0.3, 0.4])),
            ],
            "never seen in training": [Case((list("baba"), list("bae"), vocab, [0.5, 0.5]))],
        },
        "bits_per_byte": {
            "uniform over 256": [Case((50 * math.log(256), 50)), Case((0.0, 3))],
        },
        "perplexity_to_bits_per_byte": {
            "one token per byte": [Case((256.0, 4, 4)), Case((5.5, 9, 9))],
            "two tokenizations": [
                Case((math.exp(2000.0 / tokens), tokens, 1000)) for tokens in (1000, 250, 500)
            ],
            "perplexity 1": [Case((1.0, 20, 80))],
        },
    }

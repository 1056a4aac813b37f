"""Tests for solutions/perplexity.py (notebook 06) and its known answers.

The reference is compared with independent truths: SciPy's entropies and geometric mean,
hand-worked counts, and an n-gram model written here by brute force (counts by scanning the
text, normalisers by summing over the vocabulary). The known mistakes must be wrong
somewhere on typical inputs; the alternatives must agree everywhere.
"""

import copy
import inspect
import itertools
import math
import warnings
from collections import Counter

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from autograder.answers import Mistake
from autograder.answers import perplexity as answers
from solutions import perplexity as sol

EXERCISES = [
    "perplexity",
    "ngram_counts",
    "ngram_log_prob",
    "interpolated_log_prob",
    "bits_per_byte",
    "perplexity_to_bits_per_byte",
]
VOCAB = list("abcd")


def count_by_scanning(tokens, gram):
    """How often the tuple `gram` occurs in `tokens`, by checking every start position."""
    gram = tuple(gram)
    return sum(
        1
        for t in range(len(tokens) - len(gram) + 1)
        if all(tokens[t + i] == gram[i] for i in range(len(gram)))
    )


def brute_force_add_k(train, test, n, vocab, k):
    """Total log-probability with P(w|h) = (C(h,w) + k) / sum over v of (C(h,v) + k)."""
    total = 0.0
    for t in range(n - 1, len(test)):
        history = tuple(test[t - n + 1 : t])
        numerator = count_by_scanning(train, history + (test[t],)) + k
        denominator = sum(count_by_scanning(train, history + (v,)) + k for v in vocab)
        total += math.log(numerator / denominator) if numerator > 0 else -math.inf
    return total


def brute_force_interpolated(train, test, vocab, lambdas):
    """Total log-probability of the interpolated ML model, 0/0 counted as 0."""
    total = 0.0
    for t in range(len(lambdas) - 1, len(test)):
        p = 0.0
        for j, weight in enumerate(lambdas):
            history = tuple(test[t - j : t])
            denominator = sum(count_by_scanning(train, history + (v,)) for v in vocab)
            if denominator > 0:
                p += weight * count_by_scanning(train, history + (test[t],)) / denominator
        total += math.log(p) if p > 0 else -math.inf
    return total


# ---------------------------------------------------------------------------------------
# perplexity
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 10, 50257])
def test_perplexity_of_uniform_model_is_vocabulary_size(size):
    """Does a model that gives every token probability 1/|V| have perplexity |V|?"""
    assert_allclose(sol.perplexity([-math.log(size)] * 7), size, rtol=1e-12)


def test_perplexity_is_exp_of_cross_entropy():
    """On a text with token frequencies p, is the perplexity of model q exp(H(p, q))?"""
    rng = np.random.default_rng(0)
    p = rng.integers(1, 10, size=6)
    q = rng.dirichlet(np.ones(6))
    text = np.repeat(np.arange(6), p)  # token i appears p[i] times
    cross_entropy = stats.entropy(p / p.sum()) + stats.entropy(p / p.sum(), q)
    assert_allclose(sol.perplexity(np.log(q[text])), math.exp(cross_entropy), rtol=1e-12)


def test_perplexity_is_geometric_mean_of_inverse_probabilities():
    """Is the perplexity the geometric mean of 1 / q(token)?"""
    rng = np.random.default_rng(1)
    probs = rng.uniform(0.01, 1, size=100)
    assert_allclose(sol.perplexity(np.log(probs)), stats.gmean(1 / probs), rtol=1e-12)


def test_perplexity_infinite_cases_without_warning():
    """Is a zero-probability token, or a mean beyond float range, inf without a warning?"""
    assert sol.perplexity([math.log(0.5), -math.inf]) == math.inf
    assert sol.perplexity([-800.0, -800.0]) == math.inf
    assert sol.perplexity([0.0, 0.0]) == 1.0


def test_perplexity_returns_float_and_keeps_input():
    """Does a 2-D array use all entries, return a float and stay unchanged?"""
    log_probs = np.log(np.array([[0.5, 0.25], [0.125, 0.5]]))
    before = log_probs.copy()
    result = sol.perplexity(log_probs)
    assert type(result) is float
    assert_allclose(result, 2 ** (7 / 4), rtol=1e-12)
    np.testing.assert_array_equal(log_probs, before)


@pytest.mark.parametrize("empty", [[], (), np.array([])])
def test_perplexity_rejects_empty_input(empty):
    """Is an empty list of log-probabilities a ValueError?"""
    with pytest.raises(ValueError, match="empty"):
        sol.perplexity(empty)


# ---------------------------------------------------------------------------------------
# ngram_counts
# ---------------------------------------------------------------------------------------


def test_ngram_counts_hand_worked():
    """Are the bigrams of 'to be or not to be' counted by hand?"""
    tokens = "to be or not to be".split()
    expected = {("to", "be"): 2, ("be", "or"): 1, ("or", "not"): 1, ("not", "to"): 1}
    assert dict(sol.ngram_counts(tokens, 2)) == expected
    assert dict(sol.ngram_counts(tokens, 1)) == {("to",): 2, ("be",): 2, ("or",): 1, ("not",): 1}
    assert dict(sol.ngram_counts(tokens, 6)) == {tuple(tokens): 1}
    assert dict(sol.ngram_counts(tokens, 7)) == {}


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_ngram_counts_match_scanning(n):
    """Does every count equal a scan of the text, with m - n + 1 n-grams in total?"""
    rng = np.random.default_rng(n)
    tokens = list(rng.choice(VOCAB, size=30))
    counts = sol.ngram_counts(tokens, n)
    assert isinstance(counts, dict)
    assert sum(counts.values()) == len(tokens) - n + 1
    for gram in itertools.product(VOCAB, repeat=n):
        assert counts.get(gram, 0) == count_by_scanning(tokens, gram)


def test_ngram_counts_string_and_input_kept():
    """Does a string count its characters, and is a token list left unchanged?"""
    assert dict(sol.ngram_counts("abab", 2)) == {("a", "b"): 2, ("b", "a"): 1}
    tokens = ["x", "y", "x"]
    sol.ngram_counts(tokens, 2)
    assert tokens == ["x", "y", "x"]


@pytest.mark.parametrize("n", [0, -1, 1.5, 2.0, True])
def test_ngram_counts_rejects_bad_order(n):
    """Is an order that is not a positive integer a ValueError?"""
    with pytest.raises(ValueError, match="n must be a positive integer"):
        sol.ngram_counts("abc", n)


# ---------------------------------------------------------------------------------------
# ngram_log_prob
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "k"), [(1, 1.0), (2, 1.0), (3, 0.5), (2, 0.01), (4, 2.0)])
def test_ngram_log_prob_matches_brute_force(n, k):
    """Is the total log-probability that of the add-k model built by brute force?"""
    rng = np.random.default_rng(10 * n)
    train = list(rng.choice(VOCAB, size=40))
    test = list(rng.choice(VOCAB, size=20))
    expected = brute_force_add_k(train, test, n, VOCAB, k)
    assert_allclose(sol.ngram_log_prob(train, test, n, VOCAB, k=k), expected, rtol=1e-12)


@pytest.mark.parametrize(("n", "k"), [(1, 1.0), (2, 1.0), (2, 0.1), (3, 0.5), (3, 3.0)])
def test_ngram_log_prob_sums_to_one_for_every_history(n, k):
    """Do the probabilities of the next token sum to 1 for every history, boundary included?"""
    train = list("abcab") + list("dd")  # 'd' and ('d', 'd') occur only at the end of the text
    for history in itertools.product(VOCAB, repeat=n - 1):
        total = sum(
            math.exp(sol.ngram_log_prob(train, list(history) + [w], n, VOCAB, k=k)) for w in VOCAB
        )
        assert_allclose(total, 1.0, rtol=1e-12, err_msg=str(history))


def test_ngram_log_prob_maximum_likelihood_with_k_zero():
    """With k = 0, is a seen bigram scored by its relative frequency and an unseen one -inf?"""
    train = list("abab")  # a -> b twice, b -> a once
    assert_allclose(sol.ngram_log_prob(train, list("aba"), 2, VOCAB, k=0), 0.0, atol=1e-15)
    assert sol.ngram_log_prob(train, list("aa"), 2, VOCAB, k=0) == -math.inf
    assert sol.ngram_log_prob(train, list("cd"), 2, VOCAB, k=0) == -math.inf  # unseen history


def test_ngram_log_prob_scores_from_position_n_minus_1():
    """Is nothing scored when the test text is shorter than n, and one token when equal?"""
    assert sol.ngram_log_prob(list("abc"), list("ab"), 3, VOCAB) == 0.0
    unseen = sol.ngram_log_prob(list("abc"), list("dda"), 3, VOCAB, k=1)
    assert_allclose(unseen, math.log(1 / 4), rtol=1e-12)  # unseen history: uniform


def test_ngram_log_prob_returns_float_and_keeps_input():
    """Does it return a Python float and leave the token lists unchanged?"""
    train, test, vocab = list("abcabd"), list("abd"), list(VOCAB)
    assert type(sol.ngram_log_prob(train, test, 2, vocab)) is float
    assert train == list("abcabd") and test == list("abd") and vocab == VOCAB


@pytest.mark.parametrize(
    ("train", "test", "n", "k", "match"),
    [
        ("ab", "ab", 0, 1.0, "n must be"),
        ("ab", "ab", 2, -0.5, "k must be"),
        ("abz", "ab", 2, 1.0, "'z' is not in vocab"),
        ("ab", "zb", 2, 1.0, "'z' is not in vocab"),
    ],
)
def test_ngram_log_prob_rejects_invalid_input(train, test, n, k, match):
    """Are a bad order, a negative k and unknown tokens ValueErrors?"""
    with pytest.raises(ValueError, match=match):
        sol.ngram_log_prob(train, test, n, VOCAB, k=k)


# ---------------------------------------------------------------------------------------
# interpolated_log_prob
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lambdas", [[1.0], [0.3, 0.7], [0.1, 0.3, 0.6], [0.6, 0.3, 0.1], [0.25, 0.25, 0.25, 0.25]]
)
def test_interpolated_log_prob_matches_brute_force(lambdas):
    """Is the total that of the interpolated ML model built by brute force?"""
    rng = np.random.default_rng(len(lambdas))
    train = list(rng.choice(VOCAB, size=30))
    test = list(rng.choice(VOCAB[:3], size=15))
    expected = brute_force_interpolated(train, test, VOCAB, lambdas)
    result = sol.interpolated_log_prob(train, test, VOCAB, lambdas)
    assert_allclose(result, expected, rtol=1e-12)


def test_interpolated_log_prob_sums_to_weight_of_seen_histories():
    """Does P(. | h) sum to the total weight of the orders whose history was followed?"""
    train = list("abcab") + list("dd")
    lambdas = [0.2, 0.3, 0.5]
    for history in itertools.product(VOCAB, repeat=2):
        total = sum(
            math.exp(sol.interpolated_log_prob(train, list(history) + [w], VOCAB, lambdas))
            for w in VOCAB
        )
        followed = [
            sum(count_by_scanning(train, history[2 - j :] + (v,)) for v in VOCAB) > 0
            for j in range(3)
        ]
        assert_allclose(
            total, sum(lam for lam, f in zip(lambdas, followed, strict=True) if f), rtol=1e-12
        )


def test_interpolated_log_prob_closed_forms():
    """Is it the unigram model for lambdas = [1], and -inf for a token never seen?"""
    train = list("aabc")
    assert_allclose(
        sol.interpolated_log_prob(train, list("ab"), VOCAB, [1.0]), math.log(2 / 4 * 1 / 4)
    )
    assert sol.interpolated_log_prob(train, list("ad"), VOCAB, [0.5, 0.5]) == -math.inf
    assert sol.interpolated_log_prob(train, list("a"), VOCAB, [0.5, 0.5]) == 0.0


def test_interpolated_log_prob_returns_float_and_keeps_input():
    """Does it return a Python float and leave its inputs unchanged?"""
    train, test, lambdas = list("abcab"), list("abc"), np.array([0.5, 0.5])
    assert type(sol.interpolated_log_prob(train, test, VOCAB, lambdas)) is float
    assert train == list("abcab") and test == list("abc")
    np.testing.assert_array_equal(lambdas, [0.5, 0.5])


@pytest.mark.parametrize(
    ("test", "lambdas", "match"),
    [
        ("ab", [], "non-empty"),
        ("ab", [[0.5, 0.5]], "1-D"),
        ("ab", [0.5, 0.6], "sum to 1"),
        ("ab", [-0.5, 1.5], "non-negative"),
        ("az", [0.5, 0.5], "'z' is not in vocab"),
    ],
)
def test_interpolated_log_prob_rejects_invalid_input(test, lambdas, match):
    """Are bad weights and unknown tokens ValueErrors?"""
    with pytest.raises(ValueError, match=match):
        sol.interpolated_log_prob("abc", test, VOCAB, lambdas)


# ---------------------------------------------------------------------------------------
# bits_per_byte and perplexity_to_bits_per_byte
# ---------------------------------------------------------------------------------------


def test_bits_per_byte_closed_forms():
    """Is a uniform model over 256 byte values 8 bits per byte, and a perfect one 0?"""
    assert_allclose(sol.bits_per_byte(1000 * math.log(256), 1000), 8.0, rtol=1e-15)
    assert_allclose(sol.bits_per_byte(3 * math.log(2), 12), 0.25, rtol=1e-15)
    assert sol.bits_per_byte(0.0, 5) == 0.0
    assert type(sol.bits_per_byte(1, 1)) is float


def test_perplexity_to_bits_per_byte_closed_forms():
    """Is it log2(ppl) * tokens / bytes: 8 for one byte per token at ppl 256?"""
    assert_allclose(sol.perplexity_to_bits_per_byte(256, 10, 10), 8.0, rtol=1e-15)
    assert_allclose(sol.perplexity_to_bits_per_byte(16, 10, 40), 1.0, rtol=1e-15)
    assert sol.perplexity_to_bits_per_byte(1.0, 10, 40) == 0.0
    assert type(sol.perplexity_to_bits_per_byte(2, 1, 1)) is float


def test_bits_per_byte_agrees_with_perplexity_route():
    """Does the total NLL route give the same bits per byte as the perplexity route?"""
    rng = np.random.default_rng(3)
    log_probs = np.log(rng.uniform(0.001, 1, size=200))
    num_bytes = 731
    direct = sol.bits_per_byte(-np.sum(log_probs), num_bytes)
    via_ppl = sol.perplexity_to_bits_per_byte(sol.perplexity(log_probs), 200, num_bytes)
    assert_allclose(via_ppl, direct, rtol=1e-12)
    assert_allclose(direct, -np.sum(np.log2(np.exp(log_probs))) / num_bytes, rtol=1e-12)


def test_perplexity_to_bits_per_byte_is_tokenizer_independent():
    """Do a character model and a word model with the same total NLL get the same bpb?"""
    text_bytes, total_nll = 120, 250.0
    char_ppl = math.exp(total_nll / 120)  # 120 one-byte tokens
    word_ppl = math.exp(total_nll / 25)  # 25 word tokens: much higher perplexity
    char_bpb = sol.perplexity_to_bits_per_byte(char_ppl, 120, text_bytes)
    word_bpb = sol.perplexity_to_bits_per_byte(word_ppl, 25, text_bytes)
    assert word_ppl > 10 * char_ppl
    assert_allclose(char_bpb, word_bpb, rtol=1e-12)


@pytest.mark.parametrize(
    ("args", "match"), [((1.0, 0), "num_bytes"), ((1.0, -3), "num_bytes"), ((-1.0, 5), "nll")]
)
def test_bits_per_byte_rejects_invalid_input(args, match):
    """Are a non-positive byte count and a negative NLL ValueErrors?"""
    with pytest.raises(ValueError, match=match):
        sol.bits_per_byte(*args)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0.0, 1, 1), "ppl"),
        ((-2.0, 1, 1), "ppl"),
        ((2.0, -1, 1), "num_tokens"),
        ((2.0, 1, 0), "num_bytes"),
    ],
)
def test_perplexity_to_bits_per_byte_rejects_invalid_input(args, match):
    """Are a non-positive perplexity or byte count and negative tokens ValueErrors?"""
    with pytest.raises(ValueError, match=match):
        sol.perplexity_to_bits_per_byte(*args)


# ---------------------------------------------------------------------------------------
# Known mistakes and alternatives
# ---------------------------------------------------------------------------------------

_rng = np.random.default_rng(2024)
_train = list(_rng.choice(VOCAB, size=40))
_test = list(_rng.choice(VOCAB, size=12)) + _train[-2:]  # ends with train's last bigram
_log_probs = np.log(_rng.uniform(0.01, 1, size=25))

CASES = {
    "perplexity": [
        ((_log_probs,), {}),
        (([math.log(0.25)] * 4,), {}),
        ((_log_probs.reshape(5, 5),), {}),
        (([math.log(0.5), -math.inf],), {}),
        (([-0.1],), {}),
    ],
    "ngram_counts": [
        ((_train, 1), {}),
        ((_train, 2), {}),
        (("abracadabra", 3), {}),
        (("abc", 5), {}),
    ],
    "ngram_log_prob": [
        ((_train, _test, 2, VOCAB), {}),
        ((_train, _test, 1, VOCAB), {"k": 0.5}),
        ((_train, _test, 3, VOCAB), {"k": 0.1}),
        ((_train, _train[:10], 2, VOCAB), {"k": 0}),
        ((list("abab"), list("aca"), 2, VOCAB), {"k": 0}),
        ((list("abab"), list("cab"), 2, VOCAB), {"k": 0}),  # unseen history first
    ],
    "interpolated_log_prob": [
        ((_train, _test, VOCAB, [0.2, 0.3, 0.5]), {}),
        ((_train, _test, VOCAB, [0.9, 0.1]), {}),
        ((_train, _test, VOCAB, [1.0]), {}),
        ((list("aabb") + list("cd"), list("cdcd"), VOCAB, np.array([0.1, 0.2, 0.7])), {}),
    ],
    "bits_per_byte": [((100.0, 50), {}), ((0.0, 3), {}), ((1234.5, 1000), {})],
    "perplexity_to_bits_per_byte": [
        ((12.3, 100, 420), {}),
        ((1.0, 5, 5), {}),
        ((256.0, 10, 10), {}),
        ((3.5, 7, 7), {}),
    ],
}

ERROR_CASES = {
    "perplexity": [(([],), {}), ((np.array([]),), {})],
    "ngram_counts": [(("abc", 0), {}), (("abc", 2.0), {})],
    "ngram_log_prob": [
        (("ab", "ab", 0, VOCAB), {}),
        (("ab", "ab", 2, VOCAB), {"k": -1}),
        (("abz", "ab", 2, VOCAB), {}),
        (("ab", "zb", 1, VOCAB), {}),
    ],
    "interpolated_log_prob": [
        (("ab", "ab", VOCAB, []), {}),
        (("ab", "ab", VOCAB, [0.5, 0.6]), {}),
        (("ab", "ab", VOCAB, [-0.5, 1.5]), {}),
        (("ab", "az", VOCAB, [0.5, 0.5]), {}),
    ],
    "bits_per_byte": [((1.0, 0), {}), ((-1.0, 10), {})],
    "perplexity_to_bits_per_byte": [((0.0, 1, 1), {}), ((2.0, -1, 1), {}), ((2.0, 1, 0), {})],
}


def same_output(a, b):
    """Do two outputs agree within the grading tolerance (mappings compared as dicts)?"""
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and dict(a) == dict(b)
    try:
        return bool(np.allclose(float(a), float(b), rtol=1e-6, atol=1e-9, equal_nan=True))
    except (TypeError, ValueError):
        return False


def exercise_of(fn):
    """The exercise a reference, mistake or alternative function answers."""
    if fn.__module__ == sol.__name__:
        return fn.__name__
    for mistake in answers.MISTAKES:
        if mistake.fn is fn:
            return mistake.exercise
    return next(e for e, fns in answers.ALTERNATIVES.items() if fn in fns)


def run_quietly(fn, args, kwargs):
    """Call fn on deep copies of the arguments, with warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*copy.deepcopy(args), **copy.deepcopy(kwargs))


ALTERNATIVE_PARAMS = [
    pytest.param(exercise, fn, id=f"{exercise}-{fn.__name__}")
    for exercise, fns in answers.ALTERNATIVES.items()
    for fn in fns
]


@pytest.mark.parametrize(("exercise", "fn"), ALTERNATIVE_PARAMS)
def test_alternative_agrees_with_reference(exercise, fn):
    """Does every correct alternative give the reference's output and ValueErrors?"""
    reference = getattr(sol, exercise)
    for args, kwargs in CASES[exercise]:
        expected = reference(*args, **kwargs)
        assert same_output(fn(*copy.deepcopy(args), **copy.deepcopy(kwargs)), expected), args
    for args, kwargs in ERROR_CASES[exercise]:
        with pytest.raises(ValueError):
            reference(*args, **kwargs)
        with pytest.raises(ValueError):
            fn(*args, **kwargs)


@pytest.mark.parametrize(("exercise", "fn"), ALTERNATIVE_PARAMS)
def test_alternative_agrees_with_reference_on_random_inputs(exercise, fn):
    """Do the alternatives agree with the reference on seeded random inputs?"""
    rng = np.random.default_rng(len(fn.__name__))
    reference = getattr(sol, exercise)
    for _ in range(5):
        train = list(rng.choice(VOCAB, size=int(rng.integers(0, 30))))
        test = list(rng.choice(VOCAB, size=int(rng.integers(0, 10))))
        n = int(rng.integers(1, 4))
        args = {
            "perplexity": (np.log(rng.uniform(0.001, 1, size=int(rng.integers(1, 20)))),),
            "ngram_counts": (train, n),
            "ngram_log_prob": (train, test, n, VOCAB, float(rng.choice([0.01, 1, 3]))),
            "interpolated_log_prob": (train, test, VOCAB, rng.dirichlet(np.ones(n))),
            "bits_per_byte": (float(rng.uniform(0, 1e4)), int(rng.integers(1, 1e4))),
            "perplexity_to_bits_per_byte": (
                float(rng.uniform(1, 1e3)),
                int(rng.integers(0, 1e3)),
                int(rng.integers(1, 1e4)),
            ),
        }[exercise]
        assert same_output(fn(*args), reference(*args)), args


@pytest.mark.parametrize("mistake", answers.MISTAKES, ids=lambda m: f"{m.exercise}-{m.name}")
def test_mistake_differs_from_reference(mistake):
    """Is every known mistake wrong on at least one typical input?"""
    reference = getattr(sol, mistake.exercise)
    for args, kwargs in CASES[mistake.exercise]:
        try:
            result = run_quietly(mistake.fn, args, kwargs)
        except Exception:  # a crash on valid input is wrong too
            return
        if not same_output(result, reference(*args, **kwargs)):
            return
    pytest.fail(f"{mistake.fn.__name__} agrees with the reference on every typical input")


def test_examples_cover_every_exercise_with_teaching_hints():
    """Does every exercise have an alternative and every mistake a name and a short hint?"""
    assert set(answers.ALTERNATIVES) == set(EXERCISES)
    for mistake in answers.MISTAKES:
        assert isinstance(mistake, Mistake) and mistake.exercise in EXERCISES
        assert mistake.name and len(mistake.name) <= 70
        assert 20 <= len(mistake.hint) <= 320 and mistake.hint.count(". ") <= 1
    names = [(m.exercise, m.name) for m in answers.MISTAKES]
    assert len(names) == len(set(names))


ALL_EXAMPLES = [m.fn for m in answers.MISTAKES] + [
    fn for fns in answers.ALTERNATIVES.values() for fn in fns
]


@pytest.mark.parametrize("fn", ALL_EXAMPLES, ids=lambda fn: fn.__name__)
def test_example_has_the_exercise_signature(fn):
    """Does every example take the exercise's parameters, with its defaults?"""
    expected = inspect.signature(getattr(sol, exercise_of(fn))).parameters
    actual = inspect.signature(fn).parameters
    assert [(p.name, p.default) for p in actual.values()] == [
        (p.name, p.default) for p in expected.values()
    ]


# ---------------------------------------------------------------------------------------
# Module rules: docstring (imports and self-containment: tests/test_self_contained.py)
# ---------------------------------------------------------------------------------------


def test_module_docstring_names_the_notebook():
    """Does the module docstring open with the notebook id?"""
    assert "06-perplexity" in sol.__doc__.splitlines()[0]


def test_ngram_counts_returns_a_counter():
    """Do unseen n-grams look up as 0 in the returned mapping?"""
    counts = sol.ngram_counts("ab", 2)
    assert isinstance(counts, Counter) and counts[("b", "a")] == 0


STUDENT_CELLS = """
def ngram_log_prob(train_tokens, test_tokens, n, vocab, k=1.0):
    grams = ngram_counts(train_tokens, n)  # the student's own function, from the notebook
    followed = Counter()
    for gram, c in grams.items():
        followed[gram[:-1]] += c
    test = list(test_tokens)
    terms = [
        math.log((grams.get(tuple(test[t - n + 1 : t + 1]), 0) + k)
                 / (followed[tuple(test[t - n + 1 : t])] + k * len(vocab)))
        for t in range(n - 1, len(test))
    ]
    return math.fsum(terms)


def interpolated_log_prob(train_tokens, test_tokens, vocab, lambdas):
    m = len(lambdas)
    grams = [ngram_counts(train_tokens, j + 1) for j in range(m)]  # the student's own function
    followed = [Counter() for _ in range(m)]
    for j in range(m):
        for gram, c in grams[j].items():
            followed[j][gram[:-1]] += c
    test, total = list(test_tokens), 0.0
    for t in range(m - 1, len(test)):
        p = 0.0
        for j in range(m):
            history = tuple(test[t - j : t])
            if followed[j][history] > 0:
                p += lambdas[j] * grams[j].get(history + (test[t],), 0) / followed[j][history]
        if p == 0:
            return -math.inf
        total += math.log(p)
    return total
"""


@pytest.mark.parametrize("counts", ["reference", "stops_early"])
def test_graded_function_may_call_the_students_earlier_function(counts):
    """Does grading call the exercise in its notebook's namespace, earlier functions included?

    The rule stated in "How the exercises work": a function may call ngram_counts, and a
    mistake in ngram_counts then costs points in the exercises that call it too.
    """
    from autograder.checks import grade_function

    ngram_counts = sol.ngram_counts if counts == "reference" else answers.ngram_counts_stops_early
    namespace = {"math": math, "np": np, "Counter": Counter, "ngram_counts": ngram_counts}
    exec(STUDENT_CELLS, namespace)  # noqa: S102 - cells as a student would write them
    for name in ("ngram_log_prob", "interpolated_log_prob"):
        result = grade_function(name, namespace[name])
        if counts == "reference":
            assert result.points == result.max_points, result.report()
        else:
            assert result.points < result.max_points, result.report()

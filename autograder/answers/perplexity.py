"""Known mistakes and alternative correct answers for notebook 06-perplexity.

Every function is self-contained (module-level ``math`` and ``numpy as np`` only, other
imports inside the body) and has the signature of its exercise. ``tests/solutions/
test_perplexity.py`` checks that each mistake is wrong somewhere on typical inputs and each
alternative agrees with ``solutions.perplexity`` everywhere it is tested.
"""

import math

import numpy as np

from autograder.answers import Mistake

# ---------------------------------------------------------------------------------------
# Mistakes
# ---------------------------------------------------------------------------------------


def perplexity_base_2(log_probs):
    log_probs = np.asarray(log_probs, dtype=float)
    if log_probs.size == 0:
        raise ValueError("log_probs is empty")
    return float(2.0 ** (-np.mean(log_probs)))  # natural-log inputs exponentiated as bits


def perplexity_mean_of_token_perplexities(log_probs):
    log_probs = np.asarray(log_probs, dtype=float)
    if log_probs.size == 0:
        raise ValueError("log_probs is empty")
    return float(np.mean(np.exp(-log_probs)))  # arithmetic mean of per-token perplexities


def perplexity_exp_of_total(log_probs):
    log_probs = np.asarray(log_probs, dtype=float)
    if log_probs.size == 0:
        raise ValueError("log_probs is empty")
    return float(np.exp(-np.sum(log_probs)))  # sum instead of mean


def ngram_counts_stops_early(tokens, n):
    tokens = list(tokens)
    counts = {}
    for t in range(len(tokens) - n):  # misses the last n-gram
        gram = tuple(tokens[t : t + n])
        counts[gram] = counts.get(gram, 0) + 1
    return counts


def ngram_counts_of_history_length(tokens, n):
    from collections import Counter

    tokens = list(tokens)
    return Counter(tuple(tokens[t : t + n - 1]) for t in range(len(tokens) - n + 2))


def ngram_log_prob_raw_history_counts(train_tokens, test_tokens, n, vocab, k=1.0):
    from collections import Counter

    train, test = list(train_tokens), list(test_tokens)
    grams = Counter(tuple(train[t : t + n]) for t in range(len(train) - n + 1))
    # every occurrence of the (n-1)-gram, also the one that ends the text
    hist = Counter(tuple(train[t : t + n - 1]) for t in range(len(train) - n + 2))
    total = 0.0
    for t in range(n - 1, len(test)):
        gram = tuple(test[t - n + 1 : t + 1])
        total += math.log((grams[gram] + k) / (hist[gram[:-1]] + k * len(vocab)))
    return total


def ngram_log_prob_k_times_v_minus_1(train_tokens, test_tokens, n, vocab, k=1.0):
    from collections import Counter

    train, test = list(train_tokens), list(test_tokens)
    grams = Counter(tuple(train[t : t + n]) for t in range(len(train) - n + 1))
    hist = Counter()
    for gram, c in grams.items():
        hist[gram[:-1]] += c
    total = 0.0
    for t in range(n - 1, len(test)):
        gram = tuple(test[t - n + 1 : t + 1])
        total += math.log((grams[gram] + k) / (hist[gram[:-1]] + k * (len(vocab) - 1)))
    return total


def ngram_log_prob_forgets_k_v(train_tokens, test_tokens, n, vocab, k=1.0):
    from collections import Counter

    train, test = list(train_tokens), list(test_tokens)
    grams = Counter(tuple(train[t : t + n]) for t in range(len(train) - n + 1))
    hist = Counter()
    for gram, c in grams.items():
        hist[gram[:-1]] += c
    total = 0.0
    for t in range(n - 1, len(test)):
        gram = tuple(test[t - n + 1 : t + 1])
        total += math.log((grams[gram] + k) / hist[gram[:-1]])  # k added on top only
    return total


def ngram_log_prob_scores_every_token(train_tokens, test_tokens, n, vocab, k=1.0):
    from collections import Counter

    train, test = list(train_tokens), list(test_tokens)
    grams = Counter(tuple(train[t : t + n]) for t in range(len(train) - n + 1))
    hist = Counter()
    for gram, c in grams.items():
        hist[gram[:-1]] += c
    total = 0.0
    for t in range(len(test)):  # also the first n-1 tokens, with a truncated history
        gram = tuple(test[max(0, t - n + 1) : t + 1])
        total += math.log((grams[gram] + k) / (hist[gram[:-1]] + k * len(vocab)))
    return total


def interpolated_lambdas_reversed(train_tokens, test_tokens, vocab, lambdas):
    from collections import Counter

    train, test = list(train_tokens), list(test_tokens)
    weights = list(lambdas)[::-1]  # lambdas[0] used for the longest history
    m = len(weights)
    grams = [Counter(tuple(train[t : t + j + 1]) for t in range(len(train) - j)) for j in range(m)]
    hists = [Counter() for _ in range(m)]
    for j in range(m):
        for gram, c in grams[j].items():
            hists[j][gram[:-1]] += c
    total = 0.0
    for t in range(m - 1, len(test)):
        p = 0.0
        for j in range(m):
            gram = tuple(test[t - j : t + 1])
            if hists[j][gram[:-1]] > 0:
                p += weights[j] * grams[j][gram] / hists[j][gram[:-1]]
        total += math.log(p) if p > 0 else -math.inf
    return total


def interpolated_raw_history_counts(train_tokens, test_tokens, vocab, lambdas):
    from collections import Counter

    train, test = list(train_tokens), list(test_tokens)
    m = len(lambdas)
    total = 0.0
    grams = [Counter(tuple(train[t : t + j + 1]) for t in range(len(train) - j)) for j in range(m)]
    raw = [Counter(tuple(train[t : t + j]) for t in range(len(train) - j + 1)) for j in range(m)]
    for t in range(m - 1, len(test)):
        p = 0.0
        for j in range(m):
            gram = tuple(test[t - j : t + 1])
            if raw[j][gram[:-1]] > 0:  # counts the history also where it ends the text
                p += lambdas[j] * grams[j][gram] / raw[j][gram[:-1]]
        total += math.log(p) if p > 0 else -math.inf
    return total


def bits_per_byte_in_nats(total_nll_nats, num_bytes):
    return total_nll_nats / num_bytes  # nats per byte: the ln 2 is missing


def bits_per_byte_times_ln2(total_nll_nats, num_bytes):
    return total_nll_nats * math.log(2) / num_bytes  # converts in the wrong direction


def ppl_to_bpb_without_num_tokens(ppl, num_tokens, num_bytes):
    return math.log2(ppl) / num_bytes


def ppl_to_bpb_bits_per_token(ppl, num_tokens, num_bytes):
    return math.log2(ppl)  # bits per token, not per byte


def ppl_to_bpb_in_nats(ppl, num_tokens, num_bytes):
    return num_tokens * math.log(ppl) / num_bytes


MISTAKES = [
    Mistake(
        "perplexity",
        "exponentiated with base 2",
        "The log-probabilities are natural logs, so undo them with exp: perplexity = "
        "exp(-mean). 2 ** (-mean) is only right for log2 inputs.",
        perplexity_base_2,
    ),
    Mistake(
        "perplexity",
        "mean of per-token perplexities",
        "Perplexity is the exponential of the mean log-probability (a geometric mean), not "
        "the average of exp(-log p) over tokens: average first, exponentiate once.",
        perplexity_mean_of_token_perplexities,
    ),
    Mistake(
        "perplexity",
        "exp of the total instead of the mean",
        "Divide the summed negative log-probability by the number of tokens before taking "
        "exp: perplexity is per token.",
        perplexity_exp_of_total,
    ),
    Mistake(
        "ngram_counts",
        "last n-gram missing",
        "A sequence of m tokens has m - n + 1 n-grams: the start positions run from 0 to "
        "m - n inclusive, so range(len(tokens) - n + 1).",
        ngram_counts_stops_early,
    ),
    Mistake(
        "ngram_counts",
        "counts (n-1)-grams",
        "Each key must be a tuple of exactly n consecutive tokens: slice tokens[t : t + n].",
        ngram_counts_of_history_length,
    ),
    Mistake(
        "ngram_log_prob",
        "history counted where it ends the text (boundary off by one)",
        "The denominator is sum over v of C(h, v): how often h is followed by a token. The "
        "raw count of the (n-1)-gram h also counts it at the very end of the training text, "
        "and then the probabilities no longer sum to 1; sum the n-gram counts instead.",
        ngram_log_prob_raw_history_counts,
    ),
    Mistake(
        "ngram_log_prob",
        "adds k(|V| - 1) to the denominator",
        "k is added to every one of the |V| possible next tokens, so the denominator grows by "
        "k|V|, not k(|V| - 1).",
        ngram_log_prob_k_times_v_minus_1,
    ),
    Mistake(
        "ngram_log_prob",
        "k|V| missing from the denominator",
        "Adding k to each of the |V| numerators adds k|V| to their total: divide by "
        "sum_v C(h, v) + k|V| so that the probabilities still sum to 1.",
        ngram_log_prob_forgets_k_v,
    ),
    Mistake(
        "ngram_log_prob",
        "scores the first n-1 tokens too",
        "Only test_tokens[n-1:] have a full history of n-1 tokens; start scoring at index n - 1.",
        ngram_log_prob_scores_every_token,
    ),
    Mistake(
        "interpolated_log_prob",
        "lambdas in the wrong order",
        "lambdas[j] weights the model with a history of j tokens: lambdas[0] is the unigram "
        "weight, lambdas[-1] the weight of the longest history.",
        interpolated_lambdas_reversed,
    ),
    Mistake(
        "interpolated_log_prob",
        "history counted where it ends the text (boundary off by one)",
        "P_ML(w | h) divides by sum over v of C(h, v), the number of times h is followed by a "
        "token; the raw count of h also includes its occurrence at the end of the text.",
        interpolated_raw_history_counts,
    ),
    Mistake(
        "bits_per_byte",
        "nats per byte (ln 2 missing)",
        "The total is in nats; divide by ln 2 as well to get bits.",
        bits_per_byte_in_nats,
    ),
    Mistake(
        "bits_per_byte",
        "multiplies by ln 2",
        "One nat is 1 / ln 2 ≈ 1.44 bits: divide by ln 2, do not multiply.",
        bits_per_byte_times_ln2,
    ),
    Mistake(
        "perplexity_to_bits_per_byte",
        "num_tokens missing",
        "log2(ppl) is the number of bits per token; multiply by num_tokens to get the bits "
        "of the whole text before dividing by num_bytes.",
        ppl_to_bpb_without_num_tokens,
    ),
    Mistake(
        "perplexity_to_bits_per_byte",
        "bits per token instead of per byte",
        "log2(ppl) is bits per token. Convert to the whole text (times num_tokens) and then "
        "per byte (divided by num_bytes).",
        ppl_to_bpb_bits_per_token,
    ),
    Mistake(
        "perplexity_to_bits_per_byte",
        "nats instead of bits",
        "ln(ppl) is in nats per token; divide by ln 2 (or use log2) to get bits.",
        ppl_to_bpb_in_nats,
    ),
]

# ---------------------------------------------------------------------------------------
# Alternatives (correct)
# ---------------------------------------------------------------------------------------


def perplexity_fsum(log_probs):
    """Exact sum with math.fsum, math.exp; overflow means inf."""
    values = [float(v) for v in np.ravel(np.asarray(log_probs, dtype=float))]
    if not values:
        raise ValueError("no log-probabilities given")
    try:
        return math.exp(-math.fsum(values) / len(values))
    except OverflowError:
        return math.inf


def perplexity_via_bits(log_probs):
    """Cross-entropy in bits, then 2 ** bits."""
    lp = np.asarray(log_probs, dtype=np.float64)
    if lp.size == 0:
        raise ValueError("log_probs must not be empty")
    bits = -lp.mean() / np.log(2)
    with np.errstate(over="ignore"):
        return float(np.exp2(bits))


def ngram_counts_dict(tokens, n):
    """A plain dict filled in a loop."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError("n must be an integer >= 1")
    tokens = list(tokens)
    counts = {}
    for t in range(len(tokens) - n + 1):
        gram = tuple(tokens[t : t + n])
        counts[gram] = counts.get(gram, 0) + 1
    return counts


def ngram_counts_zip(tokens, n):
    """Counter over zip of n shifted copies."""
    from collections import Counter

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError("n must be an integer >= 1")
    tokens = list(tokens)
    return Counter(zip(*(tokens[i:] for i in range(n))))


def ngram_log_prob_normalise_over_vocab(train_tokens, test_tokens, n, vocab, k=1.0):
    """The denominator summed explicitly over the vocabulary."""
    from collections import defaultdict

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError("n must be an integer >= 1")
    if not k >= 0:
        raise ValueError("k must be >= 0")
    train, test, vocab = list(train_tokens), list(test_tokens), list(vocab)
    for token in train + test:
        if token not in vocab:
            raise ValueError(f"{token!r} not in vocab")
    counts = defaultdict(int)
    for t in range(n - 1, len(train)):
        counts[tuple(train[t - n + 1 : t + 1])] += 1
    total = 0.0
    for t in range(n - 1, len(test)):
        history, word = tuple(test[t - n + 1 : t]), test[t]
        numerator = counts[history + (word,)] + k
        denominator = sum(counts[history + (v,)] + k for v in vocab)
        if numerator == 0:
            return float("-inf")
        total += math.log(numerator) - math.log(denominator)
    return total


def ngram_log_prob_numpy(train_tokens, test_tokens, n, vocab, k=1.0):
    """Token ids; each history gets a row number (a dict), each n-gram the code
    row * |V| + word; counts by np.unique, looked up with np.searchsorted."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError("n must be an integer >= 1")
    if not k >= 0:
        raise ValueError("k must be >= 0")
    vocab = list(vocab)
    size = len(vocab)
    ids = {}
    for i, w in enumerate(vocab):
        ids.setdefault(w, i)
    try:
        train = [ids[w] for w in train_tokens]
        test = [ids[w] for w in test_tokens]
    except KeyError as err:
        raise ValueError(f"token {err.args[0]!r} is not in vocab") from None
    histories = {}  # every (n-1)-token history of train or test -> a row number

    def rows(seq):
        return np.array(
            [
                histories.setdefault(tuple(seq[t - n + 1 : t]), len(histories))
                for t in range(n - 1, len(seq))
            ],
            dtype=np.int64,
        )

    train_rows, test_rows = rows(train), rows(test)
    if test_rows.size == 0:
        return 0.0
    grams, counts = np.unique(
        train_rows * size + np.array(train[n - 1 :], dtype=np.int64), return_counts=True
    )
    followed = np.bincount(train_rows, minlength=len(histories))  # sum over v of C(h, v)
    wanted = test_rows * size + np.array(test[n - 1 :], dtype=np.int64)
    found = np.zeros(wanted.size)
    if grams.size:
        at = np.minimum(np.searchsorted(grams, wanted), grams.size - 1)
        found = np.where(grams[at] == wanted, counts[at], 0)
    numerator = found + k
    if np.any(numerator == 0):  # also covers 0 / 0 for an unseen history when k = 0
        return -math.inf
    return float(np.sum(np.log(numerator / (followed[test_rows] + k * size))))


def interpolated_numpy(train_tokens, test_tokens, vocab, lambdas):
    """Token ids; per order, n-gram codes in base |V| counted with np.unique, looked up with
    np.searchsorted; histories counted by summing the n-gram counts (np.bincount)."""
    lam = np.asarray(lambdas, dtype=float)
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError("lambdas must be a non-empty 1-D sequence")
    if not np.all(np.isfinite(lam)) or np.any(lam < 0) or abs(lam.sum() - 1.0) > 1e-6:
        raise ValueError("lambdas must be non-negative weights summing to 1")
    ids = {}
    for w in vocab:
        ids.setdefault(w, len(ids))
    try:
        train = np.array([ids[w] for w in train_tokens], dtype=np.int64)
        test = np.array([ids[w] for w in test_tokens], dtype=np.int64)
    except KeyError as err:
        raise ValueError(f"token {err.args[0]!r} is not in vocab") from None
    base, m = max(len(ids), 1), lam.size
    if test.size < m:
        return 0.0
    dtype = np.int64 if base**m < 2**62 else object  # Python ints when int64 could overflow
    targets = np.arange(m - 1, test.size)  # positions of the scored test tokens
    p = np.zeros(targets.size)
    for j in range(m):  # j tokens of history
        if train.size > j:
            codes = np.zeros(train.size - j, dtype=dtype)
            for i in range(j + 1):
                codes = codes * base + train[i : train.size - j + i]
        else:
            codes = np.zeros(0, dtype=dtype)
        grams, gram_counts = np.unique(codes, return_counts=True)
        histories, which = np.unique(grams // base, return_inverse=True)
        history_counts = np.bincount(which, weights=gram_counts, minlength=histories.size)
        wanted = np.zeros(targets.size, dtype=dtype)
        for i in range(j + 1):
            wanted = wanted * base + test[targets - j + i]
        c = np.zeros(targets.size)
        h = np.zeros(targets.size)
        if grams.size:
            at = np.minimum(np.searchsorted(grams, wanted), grams.size - 1)
            c = np.where(grams[at] == wanted, gram_counts[at], 0.0)
            at = np.minimum(np.searchsorted(histories, wanted // base), histories.size - 1)
            h = np.where(histories[at] == wanted // base, history_counts[at], 0.0)
        p += lam[j] * np.divide(c, h, out=np.zeros(targets.size), where=h > 0)  # 0/0 = 0
    if np.any(p <= 0):
        return -math.inf
    return float(np.sum(np.log(p)))


def interpolated_normalise_over_vocab(train_tokens, test_tokens, vocab, lambdas):
    """Each order's denominator summed over the vocabulary; 0/0 skipped."""
    from collections import Counter

    lam = [float(x) for x in np.asarray(lambdas, dtype=float).reshape(-1)]
    if np.ndim(lambdas) != 1 or not lam:
        raise ValueError("lambdas must be a non-empty 1-D sequence")
    if any(not math.isfinite(x) or x < 0 for x in lam) or abs(math.fsum(lam) - 1) > 1e-6:
        raise ValueError("lambdas must be non-negative weights summing to 1")
    train, test, vocab = list(train_tokens), list(test_tokens), list(vocab)
    for token in train + test:
        if token not in vocab:
            raise ValueError(f"{token!r} not in vocab")
    m = len(lam)
    counts = Counter()
    for j in range(m):
        for t in range(j, len(train)):
            counts[tuple(train[t - j : t + 1])] += 1
    total = 0.0
    for t in range(m - 1, len(test)):
        p = 0.0
        for j in range(m):
            history = tuple(test[t - j : t])
            denominator = sum(counts[history + (v,)] for v in set(vocab))
            if denominator:
                p += lam[j] * counts[history + (test[t],)] / denominator
        if p <= 0:
            return -math.inf
        total += math.log(p)
    return total


def bits_per_byte_log2e(total_nll_nats, num_bytes):
    """Nats to bits with log2(e)."""
    if num_bytes <= 0 or math.isnan(num_bytes):
        raise ValueError("num_bytes must be > 0")
    if total_nll_nats < 0:
        raise ValueError("total_nll_nats must be >= 0")
    return total_nll_nats * math.log2(math.e) / num_bytes


def ppl_to_bpb_log2(ppl, num_tokens, num_bytes):
    """Bits per token times tokens per byte."""
    if not ppl > 0:
        raise ValueError("ppl must be > 0")
    if num_tokens < 0:
        raise ValueError("num_tokens must be >= 0")
    if not num_bytes > 0:
        raise ValueError("num_bytes must be > 0")
    return math.log2(ppl) * (num_tokens / num_bytes)


ALTERNATIVES = {
    "perplexity": [perplexity_fsum, perplexity_via_bits],
    # The first alternative of each exercise is the demo's "alt-correct" answer, which runs on
    # the whole corpus in the notebook: the fast ones come first.
    "ngram_counts": [ngram_counts_zip, ngram_counts_dict],
    "ngram_log_prob": [ngram_log_prob_numpy, ngram_log_prob_normalise_over_vocab],
    "interpolated_log_prob": [interpolated_numpy, interpolated_normalise_over_vocab],
    "bits_per_byte": [bits_per_byte_log2e],
    "perplexity_to_bits_per_byte": [ppl_to_bpb_log2],
}

r"""Notebook 06-perplexity: perplexity, add-k and interpolated n-gram models, bits per byte.

Run the doctests with ``pytest --doctest-modules solutions/perplexity.py``.

Perplexity, n-gram counts, add-k and interpolated n-gram language models, and bits per
byte, the tokenizer-independent way to compare them. Logarithms are natural (nats), as in
PyTorch. Each function is self-contained (its source is pasted into a notebook cell), so
no helper is shared between them.
"""

import math

import numpy as np


def perplexity(log_probs):
    r"""Perplexity of a model on a text from the natural-log probabilities of its tokens.

    Parameters
    ----------
    log_probs : array-like of shape (n,)
        ``ln q(x_t | x_{<t})`` for every scored token (any shape; all entries are used).

    Returns
    -------
    float
        ``exp(-mean(log_probs))``; ``inf`` if a token has probability 0 (or the mean is
        beyond float range).

    Raises
    ------
    ValueError
        If ``log_probs`` is empty.

    Notes
    -----
    .. math::

        \operatorname{PPL} = \exp\Big(-\frac{1}{n} \sum_{t=1}^{n} \ln q(x_t \mid x_{<t})\Big)
        = e^{\hat H},

    the exponential of the per-token cross-entropy :math:`\hat H` in nats: the size of a
    uniform distribution that would be as surprised. It is the geometric mean of the
    inverse probabilities, not the arithmetic mean of per-token perplexities.

    Examples
    --------
    >>> round(perplexity([math.log(0.25)] * 8), 9)  # a uniform model over 4 tokens
    4.0
    >>> round(perplexity([math.log(0.5), math.log(0.125)]), 9)  # sqrt(2 * 8)
    4.0
    >>> perplexity([math.log(0.5), -math.inf])
    inf
    """
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if log_probs.size == 0:
        raise ValueError("log_probs is empty: perplexity needs at least one scored token")
    with np.errstate(over="ignore"):  # exp(> 709.8) is inf in float64, which is the answer
        return float(np.exp(-np.mean(log_probs)))


def ngram_counts(tokens, n):
    r"""Count every n-gram (run of ``n`` consecutive tokens) of a token sequence.

    Parameters
    ----------
    tokens : sequence of hashable of length m
        The text as tokens (a string counts as its characters).
    n : int
        The order, ``n >= 1``.

    Returns
    -------
    collections.Counter
        Maps each n-gram, a tuple of ``n`` tokens, to its number of occurrences; there are
        ``max(m - n + 1, 0)`` n-grams in all. Unseen n-grams look up as 0.

    Notes
    -----
    .. math::

        C(w_1, \dots, w_n) = \#\{t : (x_t, \dots, x_{t+n-1}) = (w_1, \dots, w_n)\},
        \qquad 0 \le t \le m - n.

    Examples
    --------
    >>> sorted(ngram_counts(["the", "cat", "the", "cat"], 2).items())
    [(('cat', 'the'), 1), (('the', 'cat'), 2)]
    >>> sum(ngram_counts("abcde", 3).values())  # 5 - 3 + 1 trigrams
    3
    """
    from collections import Counter

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    tokens = list(tokens)
    return Counter(tuple(tokens[t : t + n]) for t in range(len(tokens) - n + 1))


def ngram_log_prob(train_tokens, test_tokens, n, vocab, k=1.0):
    r"""Total natural-log probability of a text under an add-k n-gram model.

    Parameters
    ----------
    train_tokens : sequence of hashable
        Training text; every token is in ``vocab``.
    test_tokens : sequence of hashable
        Text to score; every token is in ``vocab``. The tokens ``test_tokens[n-1:]`` are
        scored, each given the ``n - 1`` tokens before it.
    n : int
        Order of the model, ``n >= 1`` (``n = 1`` is the unigram model, empty history).
    vocab : sequence of hashable
        The vocabulary; ``|V| = len(vocab)``.
    k : float, default=1.0
        Pseudo-count added to every n-gram count, ``k > 0`` (``k = 1`` is Laplace smoothing).

    Returns
    -------
    float
        :math:`\sum_t \ln P(x_t \mid x_{t-n+1}, \dots, x_{t-1})`; ``0.0`` if nothing is
        scored.

    Notes
    -----
    .. math::

        P(w \mid h) = \frac{C(h, w) + k}{\sum_{v \in V} C(h, v) + k |V|},

    where :math:`C(h, w)` counts the n-gram :math:`(h, w)` in the training text. The
    denominator counts the occurrences of :math:`h` *followed by a token*; it differs from
    the raw count of the (n-1)-gram :math:`h` when :math:`h` ends the training text, and
    only the former makes :math:`\sum_w P(w \mid h) = 1`.

    Examples
    --------
    >>> round(ngram_log_prob("abab", "ab", n=2, vocab="ab", k=1), 12)  # P(b|a) = (2+1)/(2+2)
    -0.287682072452
    >>> round(ngram_log_prob("ab", "aab", n=1, vocab="ab", k=0.5), 12)  # 3 ln(1.5 / 3)
    -2.07944154168
    """
    from collections import Counter

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not k >= 0:
        raise ValueError(f"k must be non-negative, got {k!r}")
    train, test, vocab = list(train_tokens), list(test_tokens), list(vocab)
    known = set(vocab)
    if not known.issuperset(train) or not known.issuperset(test):
        unknown = next(token for token in train + test if token not in known)
        raise ValueError(f"token {unknown!r} is not in vocab")
    size = len(vocab)
    grams = Counter(tuple(train[t : t + n]) for t in range(len(train) - n + 1))  # C(h, w)
    history = Counter()  # sum over v of C(h, v): occurrences of h followed by a token
    for gram, c in grams.items():
        history[gram[:-1]] += c
    terms = []
    for t in range(n - 1, len(test)):
        gram = tuple(test[t - n + 1 : t + 1])  # (h, w) with w = test[t]
        numerator = grams[gram] + k
        if numerator == 0:
            return -math.inf
        terms.append(math.log(numerator / (history[gram[:-1]] + k * size)))
    return math.fsum(terms)


def interpolated_log_prob(train_tokens, test_tokens, vocab, lambdas):
    r"""Total natural-log probability of a text under a linearly interpolated n-gram model.

    Parameters
    ----------
    train_tokens : sequence of hashable
        Training text; every token is in ``vocab``.
    test_tokens : sequence of hashable
        Text to score; every token is in ``vocab``. With ``m = len(lambdas)``, the tokens
        ``test_tokens[m-1:]`` are scored.
    vocab : sequence of hashable
        The vocabulary.
    lambdas : array-like of shape (m,)
        Mixture weights, non-negative and summing to 1 within ``1e-6``: ``lambdas[j]``
        weights the maximum-likelihood model of order ``j + 1`` (history of ``j`` tokens),
        so ``lambdas[0]`` is the unigram weight.

    Returns
    -------
    float
        :math:`\sum_t \ln P(x_t \mid x_{<t})`; ``0.0`` if nothing is scored, ``-inf`` if
        some scored token gets probability 0.

    Notes
    -----
    .. math::

        P(w \mid x_{t-m+1}, \dots, x_{t-1}) = \sum_{j=0}^{m-1} \lambda_j\,
        P_{\mathrm{ML}}(w \mid x_{t-j}, \dots, x_{t-1}), \qquad
        P_{\mathrm{ML}}(w \mid h) = \frac{C(h, w)}{\sum_{v} C(h, v)},

    with counts from the training text and :math:`0 / 0 = 0` for a history never followed
    by a token in training (that component then gives no probability at all).

    Examples
    --------
    >>> lp = interpolated_log_prob("abab", "ab", vocab="ab", lambdas=[0.5, 0.5])
    >>> round(lp, 12) == round(math.log(0.5 * 2 / 4 + 0.5 * 2 / 2), 12)  # P(b|a) = 3/4
    True
    """
    from collections import Counter

    lambdas = np.asarray(lambdas, dtype=np.float64)
    if lambdas.ndim != 1 or lambdas.size == 0:
        raise ValueError(f"lambdas must be a non-empty 1-D sequence, got shape {lambdas.shape}")
    if not np.all(np.isfinite(lambdas)) or np.any(lambdas < 0):
        raise ValueError("lambdas must be finite and non-negative")
    if abs(lambdas.sum() - 1.0) > 1e-6:
        raise ValueError(f"lambdas must sum to 1 (within 1e-6), but they sum to {lambdas.sum()!r}")
    train, test, vocab = list(train_tokens), list(test_tokens), list(vocab)
    known = set(vocab)
    if not known.issuperset(train) or not known.issuperset(test):
        unknown = next(token for token in train + test if token not in known)
        raise ValueError(f"token {unknown!r} is not in vocab")
    m = len(lambdas)
    # grams[j][(h, w)] = C(h, w) with len(h) = j; history[j][h] = sum over v of C(h, v)
    grams = [Counter(tuple(train[t : t + j + 1]) for t in range(len(train) - j)) for j in range(m)]
    history = [Counter() for _ in range(m)]
    for j in range(m):
        for gram, c in grams[j].items():
            history[j][gram[:-1]] += c
    terms = []
    for t in range(m - 1, len(test)):
        p = 0.0
        for j in range(m):
            gram = tuple(test[t - j : t + 1])  # history of j tokens, then w = test[t]
            if history[j][gram[:-1]] > 0:  # 0 / 0 counts as 0
                p += lambdas[j] * grams[j][gram] / history[j][gram[:-1]]
        if p == 0:
            return -math.inf
        terms.append(math.log(p))
    return math.fsum(terms)


def bits_per_byte(total_nll_nats, num_bytes):
    r"""Bits per byte of a text from its total negative log-likelihood in nats.

    Parameters
    ----------
    total_nll_nats : float
        :math:`-\sum_t \ln q(x_t \mid x_{<t})` over the whole text, ``>= 0``.
    num_bytes : int
        Length of the same text in bytes (UTF-8), ``> 0``.

    Returns
    -------
    float
        ``total_nll_nats / (ln 2 * num_bytes)``.

    Notes
    -----
    .. math::

        \mathrm{bpb} = \frac{-\sum_t \ln q(x_t \mid x_{<t})}{\ln 2 \cdot N_{\text{bytes}}}.

    Unlike per-token perplexity it does not depend on the tokenizer, so models with
    different vocabularies (and compressors such as ``zlib``) can be compared.

    Examples
    --------
    >>> round(bits_per_byte(100 * math.log(256), 100), 12)  # uniform over 256 byte values
    8.0
    """
    if not num_bytes > 0:
        raise ValueError(f"num_bytes must be positive, got {num_bytes!r}")
    if total_nll_nats < 0:
        raise ValueError(
            f"total_nll_nats must be >= 0 (a negative log-likelihood), got {total_nll_nats!r}"
        )
    return float(total_nll_nats) / (math.log(2) * num_bytes)


def perplexity_to_bits_per_byte(ppl, num_tokens, num_bytes):
    r"""Convert a per-token perplexity into bits per byte of the same text.

    Parameters
    ----------
    ppl : float
        Per-token perplexity of the model on the text, ``>= 1``.
    num_tokens : int
        Number of tokens the perplexity averages over, ``>= 0``.
    num_bytes : int
        Length of the same text in bytes, ``> 0``.

    Returns
    -------
    float
        The bits per byte that :func:`bits_per_byte` gives for the same text, whose
        total loss the perplexity summarises.

    Notes
    -----
    A tokenizer with longer tokens has fewer of them and a higher perplexity per token for
    the same bits per byte.

    Examples
    --------
    >>> round(perplexity_to_bits_per_byte(256.0, 10, 10), 12)  # one token per byte
    8.0
    >>> round(perplexity_to_bits_per_byte(16.0, 10, 40), 12)  # 4 bits per 4-byte token
    1.0
    """
    if not ppl > 0:
        raise ValueError(f"ppl must be positive (a perplexity is at least 1), got {ppl!r}")
    if num_tokens < 0:
        raise ValueError(f"num_tokens must be non-negative, got {num_tokens!r}")
    if not num_bytes > 0:
        raise ValueError(f"num_bytes must be positive, got {num_bytes!r}")
    return float(num_tokens * math.log(ppl) / (math.log(2) * num_bytes))

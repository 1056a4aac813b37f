r"""Notebook 05-mutual-information: MI, PMI, co-occurrence, PPMI, SVD vectors, plug-in MI, InfoNCE.

Run the doctests with ``pytest --doctest-modules solutions/mutual_information.py``.

Mutual information of a joint table, pointwise mutual information, word co-occurrence
counts, (shifted) positive PMI, SVD word embeddings, the plug-in MI estimator and the
InfoNCE contrastive loss. Each
function is self-contained (its source is pasted into a notebook cell), so no helper is
shared between them.
"""

import math

import numpy as np


def mutual_information(pxy, base=2):
    r"""Mutual information :math:`I(X; Y)` of a joint distribution table.

    Parameters
    ----------
    pxy : array-like of shape (n_x, n_y)
        Joint probabilities ``p(x, y)``: rows index X, columns index Y. Non-negative,
        summing to 1 within ``1e-6``.
    base : float, default=2
        Base of the logarithm: 2 gives bits, ``math.e`` gives nats.

    Returns
    -------
    float
        :math:`I(X; Y) \ge 0` in units of ``base`` (up to rounding).

    Notes
    -----
    .. math::

        I(X; Y) = \sum_{x, y} p(x, y) \log \frac{p(x, y)}{p(x)\, p(y)},
        \qquad p(x) = \sum_y p(x, y), \quad p(y) = \sum_x p(x, y),

    with :math:`0 \log 0 = 0`, so cells with :math:`p(x, y) = 0` contribute nothing. The
    same number is :math:`H(X) + H(Y) - H(X, Y)` and :math:`D_{KL}(p_{XY} \| p_X p_Y)`.
    For independent variables the sum may round to about ``-1e-17``: that is accepted (this
    reference clips it at 0; an answer need not).

    Examples
    --------
    >>> mutual_information([[0.5, 0.0], [0.0, 0.5]])  # Y is a copy of a fair bit X
    1.0
    >>> mutual_information([[0.25, 0.25], [0.25, 0.25]])  # X and Y independent
    0.0
    >>> round(mutual_information([[0.5, 0.0], [0.0, 0.5]], base=math.e), 12)  # ln 2 nats
    0.69314718056
    """
    pxy = np.asarray(pxy, dtype=np.float64)
    if pxy.ndim != 2 or pxy.size == 0:
        raise ValueError(f"pxy must be a non-empty 2-D joint table, got shape {pxy.shape}")
    if not np.all(np.isfinite(pxy)) or np.any(pxy < 0):
        raise ValueError("pxy must hold finite, non-negative probabilities")
    if abs(pxy.sum() - 1.0) > 1e-6:
        raise ValueError(f"pxy must sum to 1 (within 1e-6), but it sums to {pxy.sum()!r}")
    if not base > 0 or base == 1:
        raise ValueError(f"base must be positive and not 1, got {base!r}")
    px = pxy.sum(axis=1)  # (n_x,)
    py = pxy.sum(axis=0)  # (n_y,)
    i, j = np.nonzero(pxy)  # cells with p(x, y) > 0; the others add 0 log 0 = 0
    p = pxy[i, j]
    mi = float(np.sum(p * (np.log(p) - np.log(px[i]) - np.log(py[j])))) / math.log(base)
    return mi if mi > 0 else 0.0


def pmi(pxy, base=2):
    r"""Pointwise mutual information of every cell of a joint table.

    Parameters
    ----------
    pxy : array-like of shape (n_x, n_y)
        Joint probabilities ``p(x, y)``: rows index X, columns index Y. Non-negative,
        summing to 1 within ``1e-6``.
    base : float, default=2
        Base of the logarithm: 2 gives bits, ``math.e`` gives nats.

    Returns
    -------
    ndarray of shape (n_x, n_y), dtype float64
        ``PMI[x, y]``, equal to ``-inf`` where ``p(x, y) = 0``.

    Notes
    -----
    .. math::

        \operatorname{PMI}(x, y) = \log \frac{p(x, y)}{p(x)\, p(y)},

    positive when the pair occurs more often than under independence, negative when less
    often, and :math:`\log 0 = -\infty` when it never occurs. Mutual information is its
    expectation: :math:`I(X; Y) = \sum_{x, y} p(x, y) \operatorname{PMI}(x, y)`.

    Examples
    --------
    >>> pmi([[0.5, 0.0], [0.0, 0.5]]).tolist()
    [[1.0, -inf], [-inf, 1.0]]
    >>> pmi([[0.25, 0.25], [0.25, 0.25]]).tolist()
    [[0.0, 0.0], [0.0, 0.0]]
    """
    pxy = np.asarray(pxy, dtype=np.float64)
    if pxy.ndim != 2 or pxy.size == 0:
        raise ValueError(f"pxy must be a non-empty 2-D joint table, got shape {pxy.shape}")
    if not np.all(np.isfinite(pxy)) or np.any(pxy < 0):
        raise ValueError("pxy must hold finite, non-negative probabilities")
    if abs(pxy.sum() - 1.0) > 1e-6:
        raise ValueError(f"pxy must sum to 1 (within 1e-6), but it sums to {pxy.sum()!r}")
    if not base > 0 or base == 1:
        raise ValueError(f"base must be positive and not 1, got {base!r}")
    px = pxy.sum(axis=1)  # (n_x,)
    py = pxy.sum(axis=0)  # (n_y,)
    out = np.full(pxy.shape, -np.inf)  # (n_x, n_y); log 0 = -inf where p(x, y) = 0
    i, j = np.nonzero(pxy)
    out[i, j] = (np.log(pxy[i, j]) - np.log(px[i]) - np.log(py[j])) / math.log(base)
    return out


def cooccurrence_matrix(tokens, vocab, window=2):
    r"""Symmetric word-word co-occurrence counts within a window.

    Parameters
    ----------
    tokens : sequence of hashable of length n
        The text as a sequence of tokens (a string counts as its characters).
    vocab : sequence of hashable of length V
        The words that get a row and a column, ``vocab[i]`` at index ``i``; no repeats.
        Tokens outside ``vocab`` are not counted but still take up their positions.
    window : int, default=2
        How far apart, in positions, two tokens may be to co-occur (on either side).

    Returns
    -------
    ndarray of shape (V, V), dtype int64
        ``C[i, j]``, the number of ordered position pairs ``(t, s)`` with
        ``0 < |t - s| <= window``, ``tokens[t] == vocab[i]`` and ``tokens[s] == vocab[j]``.
        The matrix is symmetric.

    Notes
    -----
    .. math::

        C_{ij} = \#\{(t, s) : 0 < |t - s| \le w,\ x_t = v_i,\ x_s = v_j\}.

    Both orders of a pair count, so ``"a a"`` gives ``C[a, a] = 2``. Dropping the
    out-of-vocabulary tokens before counting would bring words that were far apart into
    each other's windows.

    Examples
    --------
    >>> cooccurrence_matrix("aab", vocab="ab", window=2).tolist()
    [[2, 2], [2, 0]]
    >>> cooccurrence_matrix(["a", "UNK", "b"], vocab=["a", "b"], window=1).tolist()
    [[0, 0], [0, 0]]
    """
    vocab = list(vocab)
    index = {word: i for i, word in enumerate(vocab)}
    if len(index) != len(vocab):
        raise ValueError("vocab repeats a word: every word needs exactly one row and column")
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 0:
        raise ValueError(f"window must be a non-negative integer, got {window!r}")
    ids = np.array([index.get(token, -1) for token in tokens], dtype=np.int64)  # (n,)
    counts = np.zeros((len(vocab), len(vocab)), dtype=np.int64)  # (V, V)
    for d in range(1, min(int(window), len(ids) - 1) + 1):  # offsets that fit in the text
        left, right = ids[: len(ids) - d], ids[d:]  # positions t and s = t + d
        both = (left >= 0) & (right >= 0)  # -1 marks a token outside vocab
        np.add.at(counts, (left[both], right[both]), 1)  # the pair (t, t + d)
        np.add.at(counts, (right[both], left[both]), 1)  # the pair (t + d, t)
    return counts


def ppmi(counts, k=1):
    r"""Shifted positive pointwise mutual information of a count matrix, in nats.

    Parameters
    ----------
    counts : array-like of shape (n_words, n_contexts)
        Non-negative co-occurrence counts (ints or floats).
    k : float, default=1
        Shift: ``log k`` is subtracted before clipping at 0 (the number of negative samples
        of word2vec's SGNS). ``k = 1`` is plain PPMI.

    Returns
    -------
    ndarray of shape (n_words, n_contexts), dtype float64
        ``max(PMI - log k, 0)``, and 0 wherever the count is 0 (so all-zero rows and
        columns are 0).

    Notes
    -----
    With :math:`N = \sum_{ij} C_{ij}`, :math:`p(i, j) = C_{ij} / N` and marginals from the
    row and column sums,

    .. math::

        \operatorname{PPMI}_k(i, j) = \max\Big(\ln \frac{C_{ij}\, N}{C_{i\cdot}\, C_{\cdot j}}
        - \ln k,\ 0\Big).

    Levy & Goldberg (2014) show that SGNS with ``k`` negative samples, given enough
    dimensions to fit every word-context cell on its own, reaches its optimum at
    :math:`\vec w \cdot \vec c = \operatorname{PMI} - \ln k`.

    Examples
    --------
    >>> ppmi([[2, 0], [0, 2]]).round(12).tolist()  # PMI = ln 2 on the diagonal
    [[0.69314718056, 0.0], [0.0, 0.69314718056]]
    >>> ppmi([[2, 0], [0, 2]], k=2).tolist()  # ln 2 - ln 2 = 0
    [[0.0, 0.0], [0.0, 0.0]]
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2:
        raise ValueError(f"counts must be a 2-D count matrix, got shape {counts.shape}")
    if not np.all(np.isfinite(counts)) or np.any(counts < 0):
        raise ValueError("counts must be finite and non-negative")
    if not k > 0:
        raise ValueError(f"k must be positive (the shift is log k), got {k!r}")
    total = counts.sum()
    rows = counts.sum(axis=1)  # (n_words,)
    cols = counts.sum(axis=0)  # (n_contexts,)
    out = np.zeros(counts.shape)  # (n_words, n_contexts); 0 where the count is 0
    if total == 0:
        return out
    i, j = np.nonzero(counts)
    shifted = (
        np.log(counts[i, j]) + math.log(total) - np.log(rows[i]) - np.log(cols[j]) - math.log(k)
    )
    out[i, j] = np.maximum(shifted, 0.0)
    return out


def svd_embeddings(matrix, dim):
    r"""Word vectors from the truncated SVD of a (PPMI) matrix.

    Parameters
    ----------
    matrix : array-like of shape (n_words, n_contexts)
        The matrix to factorise, e.g. the output of :func:`ppmi`.
    dim : int
        Number of dimensions to keep, ``1 <= dim <= min(n_words, n_contexts)``.

    Returns
    -------
    ndarray of shape (n_words, dim), dtype float64
        ``U[:, :dim] * sqrt(S[:dim])``, one row per word.

    Notes
    -----
    With the SVD :math:`M = U \Sigma V^\top` (singular values in decreasing order), the
    embeddings are :math:`E = U_d \Sigma_d^{1/2}` and the context vectors
    :math:`V_d \Sigma_d^{1/2}`, splitting :math:`\Sigma` symmetrically (Levy, Goldberg &
    Dagan 2015). Signs of singular vectors are arbitrary, but :math:`E E^\top =
    U_d \Sigma_d U_d^\top` is not.

    Examples
    --------
    >>> E = svd_embeddings([[2.0, 1.0], [1.0, 2.0]], dim=1)  # eigenvalues 3 and 1
    >>> (np.round(E @ E.T, 12) + 0.0).tolist()  # rank-1 part: 3 * [1, 1]^T [1, 1] / 2
    [[1.5, 1.5], [1.5, 1.5]]
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or matrix.size == 0:
        raise ValueError(f"matrix must be a non-empty 2-D array, got shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("matrix must hold finite numbers")
    if (
        isinstance(dim, bool)
        or not isinstance(dim, (int, np.integer))
        or not 1 <= dim <= min(matrix.shape)
    ):
        raise ValueError(
            f"dim must be an integer from 1 to min(matrix.shape) = {min(matrix.shape)}, got {dim!r}"
        )
    u, s, _ = np.linalg.svd(matrix, full_matrices=False)  # u (n_words, r), s (r,)
    return u[:, :dim] * np.sqrt(s[:dim])  # (n_words, dim)


def plugin_mi(x, y, base=2):
    r"""Plug-in estimate of :math:`I(X; Y)` from paired samples.

    Parameters
    ----------
    x : sequence of hashable of length n
        Samples of X (any hashable labels; a string counts as its characters).
    y : sequence of hashable of length n
        Samples of Y, paired with ``x`` position by position.
    base : float, default=2
        Base of the logarithm: 2 gives bits, ``math.e`` gives nats.

    Returns
    -------
    float
        The mutual information of the empirical joint distribution of the pairs, ``>= 0`` up
        to rounding.

    Notes
    -----
    With :math:`n_{xy}` the number of pairs equal to :math:`(x, y)` and :math:`n_x`,
    :math:`n_y` the marginal counts,

    .. math::

        \hat I(X; Y) = \sum_{x, y} \frac{n_{xy}}{n} \log \frac{n_{xy}\, n}{n_x\, n_y}.

    For large ``n`` its bias is about :math:`[(K_{XY} - 1) - (K_X - 1) - (K_Y - 1)] /
    (2 n \ln 2)` bits (Miller 1955), with :math:`K` the number of values of positive
    probability: upwards for independent X and Y, downwards when one variable determines
    the other.

    Examples
    --------
    >>> round(plugin_mi("aabb", "xxyy"), 12)  # y determines x: one bit
    1.0
    >>> round(plugin_mi("abab", "xxyy"), 12)  # empirically independent
    0.0
    """
    from collections import Counter

    x, y = list(x), list(y)
    if len(x) != len(y):
        raise ValueError(
            f"x and y must be paired samples of equal length, got {len(x)} and {len(y)}"
        )
    if not x:
        raise ValueError("x and y are empty: the plug-in estimate needs at least one pair")
    if not base > 0 or base == 1:
        raise ValueError(f"base must be positive and not 1, got {base!r}")
    n = len(x)
    joint, count_x, count_y = Counter(zip(x, y, strict=True)), Counter(x), Counter(y)
    mi = math.fsum(
        c / n * (math.log(c) + math.log(n) - math.log(count_x[a]) - math.log(count_y[b]))
        for (a, b), c in joint.items()
    ) / math.log(base)
    return mi if mi > 0 else 0.0


def infonce_loss(scores):
    r"""InfoNCE loss of a square matrix of critic scores, in nats.

    Parameters
    ----------
    scores : array-like of shape (N, N)
        ``scores[i, j] = f(x_i, y_j)``: row ``i`` is the anchor ``x_i``, column ``j`` a
        candidate ``y_j``; the positive pair ``(x_i, y_i)`` is on the diagonal. Scores may be
        as large as ``1e4`` in absolute value.

    Returns
    -------
    float
        The mean over the rows of :math:`-\ln \big(e^{s_{ii}} / \sum_j e^{s_{ij}}\big)`,
        in nats, finite for every finite input.

    Raises
    ------
    ValueError
        If ``scores`` is not a non-empty square 2-D array.

    Notes
    -----
    .. math::

        L = -\frac{1}{N} \sum_{i=1}^{N} \ln \frac{e^{s_{ii}}}{\sum_{j=1}^{N} e^{s_{ij}}},
        \qquad I(X; Y) \ge \ln N - L

    (van den Oord et al. 2018): row ``i`` is an N-way classification of which candidate is
    the positive one, and :math:`L \ge 0`. With all scores equal, :math:`L = \ln N`.

    Examples
    --------
    >>> round(infonce_loss([[0.0, 0.0], [0.0, 0.0]]), 12)  # no preference: ln 2
    0.69314718056
    >>> infonce_loss([[1e4, 0.0], [0.0, 1e4]])  # the positive wins by far: 0 nats
    0.0
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] != s.shape[1] or s.size == 0:
        raise ValueError(f"scores must be a non-empty square (N, N) array, got shape {s.shape}")
    top = s.max(axis=1, keepdims=True)  # (N, 1): subtracted before exp, so nothing overflows
    log_norm = top[:, 0] + np.log(np.exp(s - top).sum(axis=1))  # (N,): ln sum_j e^{s_ij}
    return float(np.mean(log_norm - np.diag(s)))

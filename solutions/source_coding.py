"""Notebook 02-source-coding: Kraft sums, prefix codes, Shannon lengths, Huffman, arithmetic coding.

Each function is self-contained (it uses only ``math`` and ``numpy``, and imports anything else
inside its body) because its source is also the solution cell of
``source/02-source-coding/02-source-coding.ipynb``.
"""

from __future__ import annotations

import math

import numpy as np


def kraft_sum(lengths, D=2):
    r"""Kraft sum of a list of codeword lengths.

    Parameters
    ----------
    lengths : array-like of shape (n,)
        Codeword lengths :math:`\ell_i \ge 0` (integers for a real code; real-valued "ideal"
        lengths such as :math:`-\log_2 p_i` are accepted too).
    D : int, default 2
        Size of the code alphabet (2 for binary codes).

    Returns
    -------
    float
        :math:`\sum_i D^{-\ell_i}`; 0.0 for an empty list.

    Notes
    -----
    Kraft–McMillan: a uniquely decodable :math:`D`-ary code with lengths :math:`\ell_i`
    exists if and only if

    .. math:: \sum_i D^{-\ell_i} \le 1,

    and then a prefix code with the same lengths exists too.

    Examples
    --------
    >>> kraft_sum([1, 2, 3, 3])
    1.0
    >>> kraft_sum([1, 1, 2])
    1.25
    >>> kraft_sum([1, 1], D=3)
    0.6666666666666666
    """
    lengths = np.asarray(lengths, dtype=float)
    if lengths.ndim != 1:
        raise ValueError(f"lengths must be 1-D (got shape {lengths.shape})")
    if np.any(lengths < 0):
        raise ValueError(f"lengths must be non-negative (got {lengths.min()})")
    if D < 2:
        raise ValueError(f"D must be at least 2 (got {D})")
    return math.fsum(float(D) ** -lengths)


def is_prefix_free(codewords):
    r"""Tell whether no codeword is a prefix of another.

    Parameters
    ----------
    codewords : iterable of str
        Codewords, strings over ``'0'`` and ``'1'``.

    Returns
    -------
    bool
        True iff no codeword is a prefix of another one. A codeword listed twice is a prefix
        of its copy, so repeats give False; an empty list is prefix-free.

    Notes
    -----
    Kraft's inequality tells whether *some* prefix code with these codewords' lengths exists;
    this tells whether *these* codewords form one.

    Examples
    --------
    >>> is_prefix_free(["0", "10", "110", "111"])
    True
    >>> is_prefix_free(["0", "01"])
    False
    >>> is_prefix_free(["10", "10"])
    False
    """
    from itertools import pairwise

    words = sorted(codewords)
    return not any(longer.startswith(shorter) for shorter, longer in pairwise(words))


def shannon_lengths(p):
    r"""Shannon code lengths :math:`\lceil -\log_2 p_i \rceil`.

    Parameters
    ----------
    p : array-like of shape (n,)
        Probabilities in [0, 1].

    Returns
    -------
    ndarray of shape (n,), dtype int64
        :math:`\lceil -\log_2 p_i \rceil` where :math:`p_i > 0`, and 0 where :math:`p_i = 0`
        (that symbol gets no codeword).

    Notes
    -----
    The lengths satisfy Kraft's inequality,
    :math:`\sum_i 2^{-\lceil -\log_2 p_i \rceil} \le \sum_i p_i = 1`, and the expected length
    :math:`L = \sum_i p_i \ell_i` obeys :math:`H(p) \le L < H(p) + 1`. At a power of two the
    length is exact: ``p = 0.25`` gives 2 and ``p = 2**-29`` gives 29.

    Examples
    --------
    >>> print(shannon_lengths([0.5, 0.25, 0.125, 0.125, 0.0]))
    [1 2 3 3 0]
    >>> print(shannon_lengths([0.3, 0.7]))
    [2 1]
    """
    p = np.asarray(p, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"p must be 1-D (got shape {p.shape})")
    if np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
        raise ValueError(f"p must have entries in [0, 1] (got {p.min()} to {p.max()})")
    lengths = np.zeros(p.shape, dtype=np.int64)
    positive = p > 0
    lengths[positive] = np.ceil(-np.log2(p[positive]))
    return lengths


def huffman_code(p):
    r"""Binary Huffman code of a probability vector.

    Parameters
    ----------
    p : array-like of shape (n,)
        Probability vector (non-negative, sums to 1 within 1e-6).

    Returns
    -------
    dict of int to str
        ``{i: codeword}`` for every ``i`` with ``p[i] > 0``. The code is prefix-free and has
        the smallest expected length :math:`\sum_i p_i \ell_i` among all binary prefix codes.
        A single symbol gets the codeword ``"0"``.

    Notes
    -----
    Ties may be broken any way: every optimal prefix code is a correct answer, and its
    expected length obeys

    .. math:: H(p) \le \sum_i p_i \ell_i < H(p) + 1.

    Examples
    --------
    >>> code = huffman_code([0.5, 0.25, 0.125, 0.125])
    >>> {i: len(word) for i, word in sorted(code.items())}
    {0: 1, 1: 2, 2: 3, 3: 3}
    >>> huffman_code([0.0, 1.0])
    {1: '0'}
    """
    import heapq

    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"p must be a non-empty 1-D array (got shape {p.shape})")
    if np.any(p < 0):
        raise ValueError(f"p must be non-negative (got {p.min()})")
    if not abs(p.sum() - 1.0) <= 1e-6:
        raise ValueError(f"p must sum to 1 (got {p.sum()})")

    symbols = [i for i in range(p.size) if p[i] > 0]
    if len(symbols) == 1:
        return {symbols[0]: "0"}
    code = {i: "" for i in symbols}
    # (probability, unique tie-breaker, symbols under this node); the tie-breaker keeps
    # heapq from ever comparing the lists.
    heap = [(float(p[i]), i, [i]) for i in symbols]
    heapq.heapify(heap)
    next_id = p.size
    while len(heap) > 1:
        p0, _, group0 = heapq.heappop(heap)
        p1, _, group1 = heapq.heappop(heap)
        for i in group0:
            code[i] = "0" + code[i]
        for i in group1:
            code[i] = "1" + code[i]
        heapq.heappush(heap, (p0 + p1, next_id, group0 + group1))
        next_id += 1
    return code


def encode(symbols, code):
    r"""Encode a sequence of symbols with a code.

    Parameters
    ----------
    symbols : iterable
        The message; each symbol must be a key of `code`.
    code : dict
        ``{symbol: codeword}``, codewords strings over ``'0'`` and ``'1'``.

    Returns
    -------
    str
        The concatenation of ``code[s]`` for ``s`` in `symbols` (``""`` for an empty message).

    Notes
    -----
    The length of the encoding is :math:`\sum_t \ell(s_t)`; for a long i.i.d. message this is
    about :math:`n \sum_i p_i \ell_i` bits.

    Examples
    --------
    >>> encode([0, 2, 1], {0: "0", 1: "10", 2: "11"})
    '01110'
    >>> encode("aab", {"a": "0", "b": "1"})
    '001'
    """
    pieces = []
    for s in symbols:
        if s not in code:
            raise ValueError(f"symbol {s!r} has no codeword in code")
        pieces.append(code[s])
    return "".join(pieces)


def decode(bits, code):
    r"""Decode a bit string produced with a prefix code.

    Parameters
    ----------
    bits : str
        A string over ``'0'`` and ``'1'``.
    code : dict
        ``{symbol: codeword}``, a prefix-free code.

    Returns
    -------
    list
        The symbols whose codewords concatenate to `bits` (``[]`` for ``""``).

    Raises
    ------
    ValueError
        If `bits` does not split into codewords (no codeword matches at some position, or
        bits are left over at the end).

    Notes
    -----
    With a prefix code the first codeword that matches while reading left to right is the
    only one that can match, so decoding is greedy and needs no look-ahead.

    Examples
    --------
    >>> decode("01110", {0: "0", 1: "10", 2: "11"})
    [0, 2, 1]
    >>> decode("011", {0: "0", 1: "10", 2: "11"})
    [0, 2]
    >>> decode("0111", {0: "0", 1: "10", 2: "11"})
    Traceback (most recent call last):
    ...
    ValueError: bits do not split into codewords: '1' is left over at the end
    """
    from itertools import pairwise

    words = sorted(code.values())
    if "" in words:
        raise ValueError("code has an empty codeword")
    for shorter, longer in pairwise(words):
        if longer.startswith(shorter):
            raise ValueError(f"code is not prefix-free: {shorter!r} is a prefix of {longer!r}")
    symbol_of = {word: s for s, word in code.items()}
    longest = max(map(len, words), default=0)

    symbols, start = [], 0
    for end in range(1, len(bits) + 1):
        word = bits[start:end]
        if word in symbol_of:
            symbols.append(symbol_of[word])
            start = end
        elif end - start >= longest:
            raise ValueError(
                f"bits do not split into codewords: no codeword matches {word!r} "
                f"at position {start}"
            )
    if start != len(bits):
        raise ValueError(
            f"bits do not split into codewords: {bits[start:]!r} is left over at the end"
        )
    return symbols


def arithmetic_encode(symbols, p):
    r"""Arithmetic-code a message exactly.

    Parameters
    ----------
    symbols : array-like of shape (n,)
        The message, integers indexing `p`.
    p : array-like of shape (K,)
        Probability vector of the i.i.d. source (zeros allowed for unused symbols).

    Returns
    -------
    str
        A string of ``'0'`` and ``'1'`` of at most :math:`\lceil -\log_2 P \rceil + 2`
        characters, where :math:`P = \prod_t p_{s_t}` is the probability of the message.
        Distinct messages of the same length get distinct strings, and
        :func:`arithmetic_decode`, told the length, recovers the message from its string.

    Notes
    -----
    The bit-level convention is yours to define: the bits are never compared with another
    implementation's, only checked against the length bound, for distinct messages, and by
    the round trip through your own :func:`arithmetic_decode`.

    Examples
    --------
    >>> len(arithmetic_encode([0, 1], [0.5, 0.5])) <= 2 + 2  # P = 1/4: at most ceil(2) + 2 bits
    True
    >>> arithmetic_encode([0, 1], [0.5, 0.5]) != arithmetic_encode([1, 0], [0.5, 0.5])
    True
    """
    from fractions import Fraction

    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"p must be a non-empty 1-D array (got shape {p.shape})")
    if np.any(p < 0):
        raise ValueError(f"p must be non-negative (got {p.min()})")
    if not abs(p.sum() - 1.0) <= 1e-6:
        raise ValueError(f"p must sum to 1 (got {p.sum()})")

    # Exact integer frequencies: p_i = freq_i / total (after renormalisation).
    exact = [Fraction(float(x)) for x in p]
    denominator = max(f.denominator for f in exact)  # all powers of two: the max is a multiple
    freq = [f.numerator * (denominator // f.denominator) for f in exact]
    common = math.gcd(*freq)
    freq = [f // common for f in freq]
    total = sum(freq)
    start = [0] * len(freq)  # start[i] = freq_0 + ... + freq_{i-1}
    for i in range(1, len(freq)):
        start[i] = start[i - 1] + freq[i - 1]

    low, width, n = 0, 1, 0  # interval [low / total**n, (low + width) / total**n)
    for s in symbols:
        s = int(s)
        if not 0 <= s < len(freq):
            raise ValueError(f"symbol {s} is out of range for p of length {len(freq)}")
        if freq[s] == 0:
            raise ValueError(f"symbol {s} has probability 0 and cannot be encoded")
        low = low * total + width * start[s]
        width = width * freq[s]
        n += 1
    scale = total**n

    # Smallest k0 with 2**-k0 <= W, i.e. width * 2**k0 >= scale ...
    k0 = max(scale.bit_length() - width.bit_length(), 0)
    while (width << k0) < scale:
        k0 += 1
    while k0 > 0 and (width << (k0 - 1)) >= scale:
        k0 -= 1
    # ... then the first k in (k0, k0 + 1) whose dyadic interval [m, m + 1) / 2**k fits inside.
    for k in (k0, k0 + 1):
        m = -((-low << k) // scale)  # ceil(low * 2**k / scale)
        if (m + 1) * scale <= (low + width) << k:
            break
    return format(m, f"0{k}b") if k > 0 else ""


def arithmetic_decode(bits, p, n):
    r"""Decode `n` symbols from the bits written by :func:`arithmetic_encode`.

    Parameters
    ----------
    bits : str
        A string over ``'0'`` and ``'1'``.
    p : array-like of shape (K,)
        The probability vector used to encode (zeros allowed for unused symbols).
    n : int
        Number of symbols in the message.

    Returns
    -------
    list of int
        The `n` symbols of the message that :func:`arithmetic_encode` encoded as `bits` with
        the same `p`: the round trip ``arithmetic_decode(arithmetic_encode(m, p), p, len(m))``
        gives back ``list(m)`` exactly.

    Examples
    --------
    >>> p = [0.5, 0.25, 0.25]
    >>> arithmetic_decode(arithmetic_encode([2, 0, 1], p), p, 3)
    [2, 0, 1]
    >>> arithmetic_decode(arithmetic_encode([0, 0, 0], [1.0]), [1.0], 3)  # P = 1
    [0, 0, 0]
    """
    import bisect
    from fractions import Fraction

    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"p must be a non-empty 1-D array (got shape {p.shape})")
    if np.any(p < 0):
        raise ValueError(f"p must be non-negative (got {p.min()})")
    if not abs(p.sum() - 1.0) <= 1e-6:
        raise ValueError(f"p must sum to 1 (got {p.sum()})")
    if not set(bits) <= {"0", "1"}:
        raise ValueError(f"bits must contain only '0' and '1' (got {sorted(set(bits))})")
    if n < 0:
        raise ValueError(f"n must be non-negative (got {n})")

    # The same exact integer frequencies as the encoder: p_i = freq_i / total.
    exact = [Fraction(float(x)) for x in p]
    denominator = max(f.denominator for f in exact)
    freq = [f.numerator * (denominator // f.denominator) for f in exact]
    common = math.gcd(*freq)
    freq = [f // common for f in freq]
    total = sum(freq)
    start = [0] * len(freq)
    for i in range(1, len(freq)):
        start[i] = start[i - 1] + freq[i - 1]

    a, b = (int(bits, 2) if bits else 0), 1 << len(bits)  # v = a / b in [0, 1)
    symbols = []
    for _ in range(n):
        # the last symbol whose slice starts at or below v: start[s] <= floor(v * total)
        s = bisect.bisect_right(start, (a * total) // b) - 1
        symbols.append(s)
        a, b = a * total - start[s] * b, b * freq[s]  # v <- (v * total - start[s]) / freq[s]
    return symbols

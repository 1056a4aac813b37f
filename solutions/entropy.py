"""Notebook 01-entropy: surprisal, entropy, joint and conditional entropy, softmax temperature.

Each function is self-contained (it uses only ``math`` and ``numpy``) because its source is
also the solution cell of ``source/01-entropy/01-entropy.ipynb``: ``python -m autograder sync``
writes it there, and a test fails when the two differ.
"""

from __future__ import annotations

import math

import numpy as np


def surprisal(p, base=2):
    r"""Surprisal (self-information) of an event of probability ``p``: :math:`-\log_b p`.

    Parameters
    ----------
    p : float or array-like of floats in [0, 1]
        Probabilities of events.
    base : float, default 2
        Base of the logarithm: 2 gives bits, ``math.e`` gives nats.

    Returns
    -------
    float or ndarray of float64
        A float for a scalar ``p``, an array of the same shape for an array ``p``.
        An impossible event (``p = 0``) has infinite surprisal.

    Notes
    -----
    .. math:: I(p) = -\log_b p = \log_b \frac{1}{p}

    Examples
    --------
    >>> surprisal(0.5)
    1.0
    >>> surprisal([1.0, 0.25, 0.0])
    array([ 0.,  2., inf])
    """
    p_arr = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore"):
        bits = -np.log(p_arr) / np.log(base)
    bits = bits + 0.0  # turns -0.0 (for p = 1) into 0.0
    return float(bits) if p_arr.ndim == 0 else bits


def entropy(p, base=2):
    r"""Shannon entropy :math:`H(p) = -\sum_i p_i \log_b p_i` of a probability vector.

    Parameters
    ----------
    p : array-like of shape (n,)
        A probability vector: non-negative entries that sum to 1 (within 1e-6).
    base : float, default 2
        Base of the logarithm: 2 gives bits, ``math.e`` gives nats.

    Returns
    -------
    float
        The entropy, with the convention :math:`0 \log 0 = 0`.

    Raises
    ------
    ValueError
        If ``p`` is not 1-D, is empty, has a negative entry or does not sum to 1.

    Notes
    -----
    .. math:: H(p) = \sum_i p_i \log_b \frac{1}{p_i} = \mathbb{E}_{i \sim p}[I(p_i)]

    Examples
    --------
    >>> entropy([0.5, 0.5])
    1.0
    >>> entropy([0.5, 0.25, 0.25, 0.0])
    1.5
    """
    p = np.asarray(p, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"p must be a 1-D probability vector (got an array of shape {p.shape})")
    if p.size == 0:
        raise ValueError("p is empty: a probability vector needs at least one entry")
    if np.any(p < 0):
        raise ValueError(f"p has a negative entry ({p.min()}): probabilities are >= 0")
    if not math.isclose(p.sum(), 1.0, rel_tol=0.0, abs_tol=1e-6):
        raise ValueError(f"p must sum to 1 (it sums to {p.sum()})")
    nz = p[p > 0]  # 0 log 0 = 0: zero entries contribute nothing
    return float(-np.sum(nz * np.log(nz)) / np.log(base) + 0.0)  # + 0.0: no -0.0


def binary_entropy(p):
    r"""Binary entropy :math:`H_b(p) = -p\log_2 p - (1-p)\log_2(1-p)`, in bits.

    Parameters
    ----------
    p : float or array-like of floats in [0, 1]
        Probability of one of the two outcomes.

    Returns
    -------
    float or ndarray of float64
        A float for a scalar ``p``, an array of the same shape otherwise;
        :math:`H_b(0) = H_b(1) = 0`.

    Examples
    --------
    >>> binary_entropy(0.5)
    1.0
    >>> binary_entropy([0.0, 1.0])
    array([0., 0.])
    """
    p_arr = np.asarray(p, dtype=float)
    q_arr = 1.0 - p_arr
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(p_arr > 0, p_arr * np.log2(p_arr), 0.0) - np.where(
            q_arr > 0, q_arr * np.log2(q_arr), 0.0
        )
    h = h + 0.0  # -0.0 becomes 0.0
    return float(h) if p_arr.ndim == 0 else h


def joint_entropy(pxy, base=2):
    r"""Joint entropy :math:`H(X, Y) = -\sum_{x,y} p(x,y) \log_b p(x,y)` of a joint table.

    Parameters
    ----------
    pxy : array-like of shape (n_x, n_y)
        Joint distribution: rows index X, columns index Y, entries sum to 1.
    base : float, default 2
        Base of the logarithm.

    Returns
    -------
    float

    Examples
    --------
    >>> joint_entropy([[0.25, 0.25], [0.25, 0.25]])
    2.0
    >>> joint_entropy([[0.5, 0.0], [0.0, 0.5]])
    1.0
    """
    pxy = np.asarray(pxy, dtype=float)
    nz = pxy[pxy > 0]
    return float(-np.sum(nz * np.log(nz)) / np.log(base) + 0.0)  # + 0.0: no -0.0


def conditional_entropy(pxy, base=2):
    r"""Conditional entropy :math:`H(Y \mid X)` of a joint table (rows index X).

    Parameters
    ----------
    pxy : array-like of shape (n_x, n_y)
        Joint distribution: rows index X, columns index Y, entries sum to 1.
    base : float, default 2
        Base of the logarithm.

    Returns
    -------
    float
        :math:`H(Y \mid X) = -\sum_{x,y} p(x,y)\log_b p(y \mid x)`; rows with
        :math:`p(x) = 0` contribute 0.

    Notes
    -----
    .. math:: H(Y \mid X) = \sum_x p(x)\, H(Y \mid X = x) = H(X, Y) - H(X)

    Examples
    --------
    >>> conditional_entropy([[0.25, 0.25], [0.5, 0.0]])
    0.5
    """
    pxy = np.asarray(pxy, dtype=float)
    px = pxy.sum(axis=1, keepdims=True)  # (n_x, 1)
    mask = pxy > 0  # p(x) > 0 wherever p(x, y) > 0
    joint = pxy[mask]
    conditional = joint / np.broadcast_to(px, pxy.shape)[mask]  # p(y | x)
    return float(-np.sum(joint * np.log(conditional)) / np.log(base) + 0.0)


def empirical_entropy(samples, base=2):
    r"""Plug-in entropy of the empirical distribution of a sequence of hashable symbols.

    Parameters
    ----------
    samples : sequence of hashable symbols
        E.g. a list of words, an array of ints, or a string (whose characters are the
        symbols).
    base : float, default 2
        Base of the logarithm.

    Returns
    -------
    float
        :math:`H(\hat p)` where :math:`\hat p(s) = \mathrm{count}(s) / N`.

    Raises
    ------
    ValueError
        If ``samples`` is empty.

    Examples
    --------
    >>> empirical_entropy("abab")
    1.0
    >>> round(empirical_entropy(["to", "be", "or", "not", "to", "be"]), 6)  # counts 2, 2, 1, 1
    1.918296
    """
    from collections import Counter

    counts = np.array(list(Counter(list(samples)).values()), dtype=float)
    if counts.size == 0:
        raise ValueError("samples is empty: the empirical distribution needs at least one sample")
    p = counts / counts.sum()
    return float(-np.sum(p * np.log(p)) / np.log(base) + 0.0)


def softmax(logits, temperature=1.0):
    r"""Softmax of ``logits / temperature`` along the last axis.

    Parameters
    ----------
    logits : array-like of shape (..., K)
        Unnormalised log-probabilities; any finite values (exact up to ±1e4 and beyond).
    temperature : float, default 1.0
        Must be > 0. Below 1 sharpens the distribution, above 1 flattens it.

    Returns
    -------
    ndarray of float64, shape (..., K)
        Non-negative, summing to 1 along the last axis.

    Raises
    ------
    ValueError
        If ``temperature <= 0``.

    Notes
    -----
    .. math:: \mathrm{softmax}(z / T)_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}
              = \frac{e^{(z_i - m) / T}}{\sum_j e^{(z_j - m) / T}},\quad m = \max_j z_j

    Subtracting the maximum changes nothing mathematically and keeps every exponent
    :math:`\le 0`, so nothing overflows.

    Examples
    --------
    >>> softmax([0.0, 0.0])
    array([0.5, 0.5])
    >>> softmax([1e4, 0.0])
    array([1., 0.])
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0 (got {temperature})")
    z = np.asarray(logits, dtype=float) / temperature
    z = z - z.max(axis=-1, keepdims=True)  # (..., K), every entry <= 0
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)

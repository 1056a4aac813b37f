"""Notebook 03-cross-entropy: cross-entropy, NLL, softmax gradient, MLE by gradient descent.

Each function is self-contained (it uses only ``math`` and ``numpy``) because its source is
also the solution cell of ``source/03-cross-entropy/03-cross-entropy.ipynb``.
"""

from __future__ import annotations

import math

import numpy as np


def cross_entropy(p, q, base=2):
    r"""Cross-entropy :math:`H(p, q)` of a model `q` on data distributed as `p`.

    Parameters
    ----------
    p : array-like of shape (n,)
        The true distribution (probability vector).
    q : array-like of shape (n,)
        The model distribution (probability vector).
    base : float, default 2
        Base of the logarithm: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        :math:`H(p, q) \ge H(p) \ge 0`; ``inf`` if :math:`q_i = 0` for some :math:`p_i > 0`.

    Raises
    ------
    ValueError
        If the shapes of `p` and `q` differ.

    Notes
    -----
    .. math:: H(p, q) = -\sum_i p_i \log q_i = H(p) + D(p \,\|\, q),

    the average code length when data from :math:`p` are coded with lengths
    :math:`-\log q_i`. Terms with :math:`p_i = 0` contribute 0, whatever :math:`q_i`.

    Examples
    --------
    >>> cross_entropy([0.5, 0.5], [0.5, 0.5])
    1.0
    >>> bool(np.isclose(cross_entropy([0.5, 0.5], [0.25, 0.75]), 2 - 0.5 * math.log2(3)))
    True
    >>> cross_entropy([1.0, 0.0], [0.5, 0.5])
    1.0
    >>> cross_entropy([0.5, 0.5], [1.0, 0.0])
    inf
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape (got {p.shape} and {q.shape})")
    for name, v in (("p", p), ("q", q)):
        if v.ndim != 1 or v.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array (got shape {v.shape})")
        if np.any(v < 0):
            raise ValueError(f"{name} must be non-negative (got {v.min()})")
        if not abs(v.sum() - 1.0) <= 1e-6:
            raise ValueError(f"{name} must sum to 1 (got {v.sum()})")
    if not (base > 0 and base != 1):
        raise ValueError(f"base must be positive and different from 1 (got {base})")

    support = p > 0
    if np.any(q[support] == 0):
        return math.inf
    return float(-np.sum(p[support] * np.log(q[support])) / math.log(base)) + 0.0  # no -0.0


def nll(probs, targets, base=math.e):
    r"""Mean negative log-likelihood of the targets under predicted distributions.

    Parameters
    ----------
    probs : array-like of shape (N, K)
        Row ``i`` is the predicted distribution over the K classes for example ``i`` (rows
        are not checked to sum to 1: only the target entries are used).
    targets : array-like of shape (N,)
        Integer class labels in ``0 .. K-1``.
    base : float, default ``math.e``
        Base of the logarithm (nats by default, as PyTorch).

    Returns
    -------
    float
        :math:`-\frac{1}{N}\sum_i \log \mathrm{probs}_{i, y_i}`; ``inf`` if some example's
        target has probability 0.

    Notes
    -----
    With :math:`\hat p` the empirical distribution of the targets and a model that predicts
    the same :math:`q` for every example, the NLL is exactly the cross-entropy
    :math:`H(\hat p, q)`; minimising it over :math:`q` is maximum likelihood.

    Examples
    --------
    >>> nll([[0.5, 0.5], [0.25, 0.75]], [0, 0], base=2)
    1.5
    >>> bool(np.isclose(nll([[0.5, 0.5]], [1]), math.log(2)))
    True
    """
    probs = np.asarray(probs, dtype=float)
    targets = np.asarray(targets)
    if probs.ndim != 2:
        raise ValueError(f"probs must be 2-D (N, K) (got shape {probs.shape})")
    n, k = probs.shape
    if targets.shape != (n,):
        raise ValueError(f"targets must have shape ({n},) (got {targets.shape})")
    if n == 0:
        raise ValueError("probs and targets are empty: the mean over 0 examples is undefined")
    if not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"targets must be integers (got dtype {targets.dtype})")
    if np.any((targets < 0) | (targets >= k)):
        raise ValueError(f"targets must be in 0..{k - 1} (got {targets.min()} to {targets.max()})")
    if np.any(probs < 0):
        raise ValueError(f"probs must be non-negative (got {probs.min()})")
    if not (base > 0 and base != 1):
        raise ValueError(f"base must be positive and different from 1 (got {base})")

    chosen = probs[np.arange(n), targets]  # (N,) probability of each target
    if np.any(chosen == 0):
        return math.inf
    return float(-np.mean(np.log(chosen)) / math.log(base)) + 0.0  # + 0.0: no -0.0


def empirical_distribution(labels, num_classes):
    r"""Relative frequencies of the labels.

    Parameters
    ----------
    labels : array-like of shape (N,)
        Integer labels in ``0 .. num_classes-1``.
    num_classes : int
        Number of classes K.

    Returns
    -------
    ndarray of shape (K,), dtype float64
        :math:`\hat p_k = \frac{1}{N} \#\{i : y_i = k\}`; sums to 1.

    Notes
    -----
    :math:`\hat p` is the maximum-likelihood categorical distribution: it minimises the
    cross-entropy :math:`H(\hat p, q) = H(\hat p) + D(\hat p \,\|\, q)` over :math:`q`.

    Examples
    --------
    >>> print(empirical_distribution([0, 2, 2, 1], 4))
    [0.25 0.25 0.5  0.  ]
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array (got shape {labels.shape})")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers (got dtype {labels.dtype})")
    if np.any((labels < 0) | (labels >= num_classes)):
        raise ValueError(
            f"labels must be in 0..{num_classes - 1} (got {labels.min()} to {labels.max()})"
        )
    counts = np.bincount(labels, minlength=num_classes)
    return counts / labels.size


def softmax_cross_entropy_grad(logits, targets):
    r"""Gradient of the mean softmax cross-entropy with respect to the logits.

    Parameters
    ----------
    logits : array-like of shape (N, K)
        Unnormalised log-probabilities, one row per example.
    targets : array-like of shape (N,)
        Integer class labels in ``0 .. K-1``.

    Returns
    -------
    ndarray of shape (N, K), dtype float64
        :math:`\partial \mathcal L / \partial z_{ik}` in row ``i``, column ``k``.

    Notes
    -----
    .. math:: \mathcal L = \frac{1}{N}\sum_{i=1}^{N} -\log \mathrm{softmax}(z_i)_{y_i}
              = \frac{1}{N}\sum_{i=1}^{N} \Big(\log \sum_k e^{z_{ik}} - z_{i y_i}\Big)

    Each row of the gradient sums to 0. Exact for logits as large as :math:`\pm 10^3`.

    Examples
    --------
    >>> print(softmax_cross_entropy_grad([[0.0, 0.0]], [0]))
    [[-0.5  0.5]]
    >>> print(softmax_cross_entropy_grad([[0.0, 0.0], [0.0, 0.0]], [0, 1]))
    [[-0.25  0.25]
     [ 0.25 -0.25]]
    >>> print(softmax_cross_entropy_grad([[1000.0, 0.0]], [0]))
    [[0. 0.]]
    """
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets)
    if logits.ndim != 2 or logits.shape[0] == 0:
        raise ValueError(f"logits must be 2-D (N, K) with N >= 1 (got shape {logits.shape})")
    n, k = logits.shape
    if targets.shape != (n,):
        raise ValueError(f"targets must have shape ({n},) (got {targets.shape})")
    if not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"targets must be integers (got dtype {targets.dtype})")
    if np.any((targets < 0) | (targets >= k)):
        raise ValueError(f"targets must be in 0..{k - 1} (got {targets.min()} to {targets.max()})")

    with np.errstate(over="ignore"):  # max - (-1e308) overflows to inf; exp(-inf) = 0 is right
        z = np.exp(logits - logits.max(axis=1, keepdims=True))  # (N, K)
    grad = z / z.sum(axis=1, keepdims=True)  # softmax, (N, K)
    grad[np.arange(n), targets] -= 1.0
    return grad / n


def fit_categorical(samples, num_classes, steps=500, lr=1.0):
    r"""Fit a categorical distribution by gradient descent on the mean NLL.

    Parameters
    ----------
    samples : array-like of shape (N,)
        Observed integer labels in ``0 .. num_classes-1``.
    num_classes : int
        Number of classes K.
    steps : int, default 500
        Number of gradient-descent steps (exactly this many).
    lr : float, default 1.0
        Learning rate.

    Returns
    -------
    ndarray of shape (K,), dtype float64
        :math:`\mathrm{softmax}(z)` after `steps` updates :math:`z \leftarrow z - \eta \nabla`
        started at :math:`z = 0`.

    Notes
    -----
    The model predicts :math:`q = \mathrm{softmax}(z)` for every sample. The mean NLL
    :math:`\mathcal L(z) = -\frac{1}{N}\sum_i \log q_{y_i} = H(\hat p, q)` has gradient

    .. math:: \nabla_z \mathcal L = \frac{1}{N}\sum_i (q - e_{y_i}) = q - \hat p,

    with :math:`\hat p` the empirical distribution, so gradient descent drives :math:`q`
    towards :math:`\hat p`: maximum likelihood is minimum cross-entropy.

    Examples
    --------
    >>> print(fit_categorical([0, 0, 0, 1], 2, steps=0))
    [0.5 0.5]
    >>> print(np.round(fit_categorical([0, 0, 0, 1], 2), 6))
    [0.75 0.25]
    """
    samples = np.asarray(samples)
    if samples.ndim != 1 or samples.size == 0:
        raise ValueError(f"samples must be a non-empty 1-D array (got shape {samples.shape})")
    if not np.issubdtype(samples.dtype, np.integer):
        raise ValueError(f"samples must be integers (got dtype {samples.dtype})")
    if np.any((samples < 0) | (samples >= num_classes)):
        raise ValueError(
            f"samples must be in 0..{num_classes - 1} (got {samples.min()} to {samples.max()})"
        )
    if steps < 0:
        raise ValueError(f"steps must be non-negative (got {steps})")

    p_hat = np.bincount(samples, minlength=num_classes) / samples.size  # (K,)
    logits = np.zeros(num_classes)
    for _ in range(steps):
        q = np.exp(logits - logits.max())
        q /= q.sum()
        logits -= lr * (q - p_hat)  # gradient of the mean NLL
    q = np.exp(logits - logits.max())
    return q / q.sum()


def fit_logistic_regression(X, y, steps=1000, lr=0.1):
    r"""Fit logistic regression by gradient descent on the mean binary cross-entropy.

    Parameters
    ----------
    X : array-like of shape (N, d)
        Features, one row per example.
    y : array-like of shape (N,)
        Labels in {0, 1}.
    steps : int, default 1000
        Number of gradient-descent steps (exactly this many).
    lr : float, default 0.1
        Learning rate.

    Returns
    -------
    w : ndarray of shape (d,), dtype float64
        Weights after `steps` updates started at 0.
    b : float
        Bias after `steps` updates started at 0.

    Notes
    -----
    With :math:`\hat y_i = \sigma(x_i^\top w + b)`, the mean binary cross-entropy

    .. math:: \mathcal L(w, b) = -\frac{1}{N}\sum_i \big(y_i \log \hat y_i
              + (1 - y_i) \log(1 - \hat y_i)\big)

    has gradients :math:`\nabla_w \mathcal L = \frac{1}{N} X^\top(\hat y - y)` and
    :math:`\partial_b \mathcal L = \frac{1}{N}\sum_i (\hat y_i - y_i)`; both are evaluated
    at the current :math:`(w, b)` before either is updated.

    Examples
    --------
    One feature taking two values; the fitted probabilities match the label frequencies at
    each value (1/4 at x = 0, 3/4 at x = 1), so :math:`b = -\log 3` and :math:`w = 2 \log 3`:

    >>> X = [[0.0]] * 4 + [[1.0]] * 4
    >>> y = [0, 0, 0, 1, 0, 1, 1, 1]
    >>> w, b = fit_logistic_regression(X, y, steps=5000, lr=1.0)
    >>> print(np.round(w, 6), round(b, 6))
    [2.197225] -1.098612
    >>> print(np.round([2 * math.log(3), -math.log(3)], 6))
    [ 2.197225 -1.098612]
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must be 2-D (N, d) with N >= 1 (got shape {X.shape})")
    n, d = X.shape
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},) (got {y.shape})")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must contain only 0 and 1")
    if steps < 0:
        raise ValueError(f"steps must be non-negative (got {steps})")

    w = np.zeros(d)
    b = 0.0
    for _ in range(steps):
        y_hat = np.exp(-np.logaddexp(0.0, -(X @ w + b)))  # sigmoid, (N,)
        error = y_hat - y  # (N,)
        w, b = w - lr * (X.T @ error) / n, b - lr * float(np.mean(error))
    return w, float(b)

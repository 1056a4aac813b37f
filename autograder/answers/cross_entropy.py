"""Known mistakes and alternative correct answers for 03-cross-entropy.

See :mod:`autograder.answers` for the rules.
"""

from __future__ import annotations

import math

import numpy as np

from autograder.answers import Mistake

# ---------------------------------------------------------------------------------------------
# Mistakes
# ---------------------------------------------------------------------------------------------


def cross_entropy_swapped(p, q, base=2):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("shape mismatch")
    p, q = q, p  # computes H(q, p)
    support = p > 0
    if np.any(q[support] == 0):
        return math.inf
    return float(-np.sum(p[support] * np.log(q[support])) / math.log(base))


def cross_entropy_nats(p, q, base=2):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("shape mismatch")
    support = p > 0
    if np.any(q[support] == 0):
        return math.inf
    return float(-np.sum(p[support] * np.log(q[support])))  # base ignored: always nats


def cross_entropy_zero_times_log_zero(p, q, base=2):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("shape mismatch")
    return float(-np.sum(p * np.log(q)) / math.log(base))  # 0 * log 0 = 0 * -inf = nan


def nll_sum(probs, targets, base=math.e):
    probs = np.asarray(probs, dtype=float)
    targets = np.asarray(targets)
    return float(-np.sum(np.log(probs[np.arange(len(targets)), targets])) / math.log(base))


def nll_log2(probs, targets, base=math.e):
    probs = np.asarray(probs, dtype=float)
    targets = np.asarray(targets)
    return float(-np.mean(np.log2(probs[np.arange(len(targets)), targets])))


def nll_column_indexing(probs, targets, base=math.e):
    probs = np.asarray(probs, dtype=float)
    targets = np.asarray(targets)
    # probs[:, targets] is an (N, N) matrix: every row paired with every target
    return float(-np.mean(np.log(probs[:, targets])) / math.log(base))


def empirical_distribution_counts(labels, num_classes):
    return np.bincount(np.asarray(labels), minlength=num_classes).astype(float)


def empirical_distribution_no_minlength(labels, num_classes):
    labels = np.asarray(labels)
    return np.bincount(labels) / labels.size  # too short when the last classes are unseen


def softmax_cross_entropy_grad_sum(logits, targets):
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets)
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    grad = z / z.sum(axis=1, keepdims=True)
    grad[np.arange(len(targets)), targets] -= 1.0
    return grad  # gradient of the SUM over rows, not the mean


def softmax_cross_entropy_grad_sign(logits, targets):
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets)
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    onehot = np.zeros_like(logits)
    onehot[np.arange(len(targets)), targets] = 1.0
    return (onehot - z / z.sum(axis=1, keepdims=True)) / len(targets)


def softmax_cross_entropy_grad_overflow(logits, targets):
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets)
    z = np.exp(logits)  # overflows to inf for logits above ~709: inf / inf = nan
    grad = z / z.sum(axis=1, keepdims=True)
    grad[np.arange(len(targets)), targets] -= 1.0
    return grad / len(targets)


def fit_categorical_returns_logits(samples, num_classes, steps=500, lr=1.0):
    samples = np.asarray(samples)
    p_hat = np.bincount(samples, minlength=num_classes) / samples.size
    logits = np.zeros(num_classes)
    for _ in range(steps):
        q = np.exp(logits - logits.max())
        logits -= lr * (q / q.sum() - p_hat)
    return logits


def fit_categorical_sum(samples, num_classes, steps=500, lr=1.0):
    samples = np.asarray(samples)
    counts = np.bincount(samples, minlength=num_classes)
    logits = np.zeros(num_classes)
    for _ in range(steps):
        q = np.exp(logits - logits.max())
        logits -= lr * (samples.size * q / q.sum() - counts)  # gradient of the SUM: no 1/N
    q = np.exp(logits - logits.max())
    return q / q.sum()


def fit_categorical_one_step_short(samples, num_classes, steps=500, lr=1.0):
    samples = np.asarray(samples)
    p_hat = np.bincount(samples, minlength=num_classes) / samples.size
    logits = np.zeros(num_classes)
    for _ in range(steps - 1):
        q = np.exp(logits - logits.max())
        logits -= lr * (q / q.sum() - p_hat)
    q = np.exp(logits - logits.max())
    return q / q.sum()


def fit_logistic_regression_sum(X, y, steps=1000, lr=0.1):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        error = 1 / (1 + np.exp(-(X @ w + b))) - y
        w, b = w - lr * X.T @ error, b - lr * float(np.sum(error))  # no 1/N
    return w, b


def fit_logistic_regression_no_bias(X, y, steps=1000, lr=0.1):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        error = 1 / (1 + np.exp(-(X @ w + b))) - y
        w = w - lr * X.T @ error / len(y)  # b is never updated
    return w, b


MISTAKES = [
    Mistake(
        "cross_entropy",
        "arguments swapped",
        "H(p, q) averages the model's surprisal -log q over the data distribution p: the "
        "weights are p and the logarithm is of q, not the other way round.",
        cross_entropy_swapped,
    ),
    Mistake(
        "cross_entropy",
        "base ignored (always nats)",
        "np.log is the natural log; divide by log(base) to get bits when base=2.",
        cross_entropy_nats,
    ),
    Mistake(
        "cross_entropy",
        "0 * log 0 gives nan",
        "Terms with p_i = 0 contribute 0 even where q_i = 0, but 0 * log(0) is nan in NumPy; sum "
        "only over the entries with p_i > 0.",
        cross_entropy_zero_times_log_zero,
    ),
    Mistake(
        "nll",
        "sum instead of mean",
        "The NLL loss is the MEAN over the N examples of -log probs[i, targets[i]]; divide the "
        "sum by N so the loss does not grow with the batch size.",
        nll_sum,
    ),
    Mistake(
        "nll",
        "log2 instead of the requested base",
        "The default base is e (nats, like PyTorch); use the natural log and divide by "
        "log(base) rather than always using log2.",
        nll_log2,
    ),
    Mistake(
        "nll",
        "probs[:, targets] instead of probs[range(N), targets]",
        "probs[:, targets] pairs every row with every target (an N x N matrix); pick one entry "
        "per row with probs[np.arange(N), targets].",
        nll_column_indexing,
    ),
    Mistake(
        "empirical_distribution",
        "counts instead of frequencies",
        "A distribution sums to 1: divide the counts by the number of labels.",
        empirical_distribution_counts,
    ),
    Mistake(
        "empirical_distribution",
        "too short when a class is unseen",
        "np.bincount(labels) stops at the largest label present; pass "
        "minlength=num_classes so the vector always has K entries.",
        empirical_distribution_no_minlength,
    ),
    Mistake(
        "softmax_cross_entropy_grad",
        "missing 1/N",
        "The loss is a mean over the N rows, so every row of the gradient carries a factor 1/N.",
        softmax_cross_entropy_grad_sum,
    ),
    Mistake(
        "softmax_cross_entropy_grad",
        "sign flipped",
        "The gradient of -log softmax(z)[y] is softmax(z) - onehot(y): the predicted "
        "probabilities minus the target, not the other way round.",
        softmax_cross_entropy_grad_sign,
    ),
    Mistake(
        "softmax_cross_entropy_grad",
        "softmax overflows for large logits",
        "exp(1000) is inf in float64 and inf / inf is nan; subtract each row's maximum before "
        "exponentiating (softmax does not change).",
        softmax_cross_entropy_grad_overflow,
    ),
    Mistake(
        "fit_categorical",
        "returns logits instead of probabilities",
        "The parameters are logits, but the answer is the fitted distribution: return "
        "softmax(logits).",
        fit_categorical_returns_logits,
    ),
    Mistake(
        "fit_categorical",
        "gradient of the sum, not the mean (missing 1/N)",
        "The loss is the MEAN NLL, so its gradient is q - p_hat (frequencies), not "
        "N * q - counts: with the sum, every step is N times too large.",
        fit_categorical_sum,
    ),
    Mistake(
        "fit_categorical",
        "one step short",
        "Take exactly `steps` gradient steps, starting from logits = 0 (range(steps), not "
        "range(steps - 1)).",
        fit_categorical_one_step_short,
    ),
    Mistake(
        "fit_logistic_regression",
        "gradient of the sum, not the mean",
        "The loss is the MEAN binary cross-entropy, so both gradients carry 1/N: "
        "X.T @ (sigmoid - y) / N and mean(sigmoid - y).",
        fit_logistic_regression_sum,
    ),
    Mistake(
        "fit_logistic_regression",
        "bias never updated",
        "The bias is a parameter too: update it every step with the mean of (sigmoid - y).",
        fit_logistic_regression_no_bias,
    ),
]

# ---------------------------------------------------------------------------------------------
# Alternatives (correct, written unlike the reference)
# ---------------------------------------------------------------------------------------------


def cross_entropy_loop(p, q, base=2):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(f"p and q have different shapes {p.shape} and {q.shape}")
    if p.ndim != 1 or p.size == 0:
        raise ValueError("p and q must be non-empty 1-D arrays")
    for v in (p, q):
        if np.any(v < 0) or abs(v.sum() - 1) > 1e-6:
            raise ValueError("p and q must be probability vectors")
    total = 0.0
    for pi, qi in zip(p, q):
        if pi > 0:
            if qi == 0:
                return math.inf
            total -= pi * math.log(qi, base)
    return total


def nll_loop(probs, targets, base=math.e):
    probs = np.asarray(probs, dtype=float)
    targets = np.asarray(targets)
    if probs.ndim != 2 or targets.shape != (probs.shape[0],) or probs.shape[0] == 0:
        raise ValueError("probs must be (N, K) and targets (N,), N >= 1")
    total = 0.0
    for row, target in zip(probs, targets):
        if not 0 <= target < probs.shape[1]:
            raise ValueError("target out of range")
        if row[target] == 0:
            return math.inf
        total -= math.log(row[target])
    return total / len(targets) / math.log(base)


def nll_take_along_axis(probs, targets, base=math.e):
    probs = np.asarray(probs, dtype=float)
    targets = np.asarray(targets)
    if probs.ndim != 2 or targets.shape != (probs.shape[0],) or probs.shape[0] == 0:
        raise ValueError("probs must be (N, K) and targets (N,), N >= 1")
    if np.any(targets < 0) or np.any(targets >= probs.shape[1]):
        raise ValueError("target out of range")
    chosen = np.take_along_axis(probs, targets[:, None], axis=1)[:, 0]
    with np.errstate(divide="ignore"):
        return float(np.mean(-np.log(chosen) / np.log(base)))


def empirical_distribution_loop(labels, num_classes):
    labels = list(labels)
    if not labels:
        raise ValueError("labels is empty")
    freq = np.zeros(num_classes)
    for label in labels:
        if not 0 <= label < num_classes:
            raise ValueError(f"label {label} out of range")
        freq[label] += 1
    return freq / len(labels)


def empirical_distribution_onehot(labels, num_classes):
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError("labels must be a non-empty 1-D array")
    if np.any((labels < 0) | (labels >= num_classes)):
        raise ValueError("label out of range")
    return (labels[:, None] == np.arange(num_classes)).mean(axis=0)  # (N, K) -> (K,)


def softmax_cross_entropy_grad_logsumexp(logits, targets):
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets)
    if logits.ndim != 2 or logits.shape[0] == 0 or targets.shape != (logits.shape[0],):
        raise ValueError("logits must be (N, K) and targets (N,), N >= 1")
    if np.any((targets < 0) | (targets >= logits.shape[1])):
        raise ValueError("target out of range")
    n, k = logits.shape
    top = logits.max(axis=1, keepdims=True)
    with np.errstate(over="ignore"):
        shifted = logits - top
    log_z = top + np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    with np.errstate(over="ignore"):
        softmax = np.exp(logits - log_z)
    onehot = np.eye(k)[targets]
    return (softmax - onehot) / n


def fit_categorical_per_sample(samples, num_classes, steps=500, lr=1.0):
    samples = np.asarray(samples)
    if samples.ndim != 1 or samples.size == 0:
        raise ValueError("samples must be a non-empty 1-D array")
    if np.any((samples < 0) | (samples >= num_classes)):
        raise ValueError("sample out of range")
    onehot = np.eye(num_classes)[samples]  # (N, K)
    logits = np.zeros(num_classes)
    for _ in range(steps):
        q = np.exp(logits - np.max(logits))
        q = q / np.sum(q)
        logits = logits - lr * np.mean(q[None, :] - onehot, axis=0)  # mean of per-sample grads
    q = np.exp(logits - np.max(logits))
    return q / np.sum(q)


def fit_logistic_regression_augmented(X, y, steps=1000, lr=0.1):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0 or y.shape != (X.shape[0],):
        raise ValueError("X must be (N, d) and y (N,), N >= 1")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must be 0/1")
    Xa = np.hstack([X, np.ones((X.shape[0], 1))])  # the bias is the weight of a constant 1
    theta = np.zeros(Xa.shape[1])
    for _ in range(steps):
        z = Xa @ theta
        ez = np.exp(-np.abs(z))
        sigmoid = np.where(z >= 0, 1 / (1 + ez), ez / (1 + ez))
        theta = theta - lr * np.mean((sigmoid - y)[:, None] * Xa, axis=0)
    return theta[:-1], float(theta[-1])


ALTERNATIVES = {
    "cross_entropy": [cross_entropy_loop],
    "nll": [nll_loop, nll_take_along_axis],
    "empirical_distribution": [empirical_distribution_loop, empirical_distribution_onehot],
    "softmax_cross_entropy_grad": [softmax_cross_entropy_grad_logsumexp],
    "fit_categorical": [fit_categorical_per_sample],
    "fit_logistic_regression": [fit_logistic_regression_augmented],
}

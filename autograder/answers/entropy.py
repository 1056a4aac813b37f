"""Known mistakes and alternative correct answers for 01-entropy (see ``__init__``)."""

from __future__ import annotations

import math

import numpy as np

from autograder.answers import Mistake

# -- classic mistakes ---------------------------------------------------------------------------


def surprisal_natural_log(p, base=2):
    p = np.asarray(p, dtype=float)
    out = -np.log(p)
    return float(out) if out.ndim == 0 else out


def surprisal_sign_flipped(p, base=2):
    p = np.asarray(p, dtype=float)
    out = np.log(p) / np.log(base)
    return float(out) if out.ndim == 0 else out


def entropy_natural_log(p, base=2):
    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0 or np.any(p < 0) or abs(p.sum() - 1) > 1e-6:
        raise ValueError("p must be a probability vector")
    nz = p[p > 0]
    return float(-np.sum(nz * np.log(nz)))


def entropy_no_zero_handling(p, base=2):
    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0 or np.any(p < 0) or abs(p.sum() - 1) > 1e-6:
        raise ValueError("p must be a probability vector")
    return float(-np.sum(p * np.log(p)) / np.log(base))


def entropy_no_validation(p, base=2):
    p = np.asarray(p, dtype=float)
    nz = p[p > 0]
    return float(-np.sum(nz * np.log(nz)) / np.log(base))


def entropy_exact_sum_test(p, base=2):
    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0 or np.any(p < 0) or p.sum() != 1:
        raise ValueError("p must be a probability vector")
    nz = p[p > 0]
    return float(-np.sum(nz * np.log(nz)) / np.log(base))


def binary_entropy_nan_at_endpoints(p):
    p = np.asarray(p, dtype=float)
    h = -p * np.log2(p) - (1 - p) * np.log2(1 - p)
    return float(h) if h.ndim == 0 else h


def binary_entropy_one_term(p):
    p = np.asarray(p, dtype=float)
    h = -np.where(p > 0, p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    return float(h) if h.ndim == 0 else h


def joint_entropy_sum_of_marginals(pxy, base=2):
    pxy = np.asarray(pxy, dtype=float)
    total = 0.0
    for marginal in (pxy.sum(axis=1), pxy.sum(axis=0)):
        nz = marginal[marginal > 0]
        total += -np.sum(nz * np.log(nz)) / np.log(base)
    return float(total)


def joint_entropy_natural_log(pxy, base=2):
    pxy = np.asarray(pxy, dtype=float)
    nz = pxy[pxy > 0]
    return float(-np.sum(nz * np.log(nz)))


def conditional_entropy_axes_swapped(pxy, base=2):
    pxy = np.asarray(pxy, dtype=float)
    py = pxy.sum(axis=0, keepdims=True)
    mask = pxy > 0
    cond = pxy[mask] / np.broadcast_to(py, pxy.shape)[mask]
    return float(-np.sum(pxy[mask] * np.log(cond)) / np.log(base))


def conditional_entropy_is_joint(pxy, base=2):
    pxy = np.asarray(pxy, dtype=float)
    nz = pxy[pxy > 0]
    return float(-np.sum(nz * np.log(nz)) / np.log(base))


def conditional_entropy_nan_rows(pxy, base=2):
    pxy = np.asarray(pxy, dtype=float)
    cond = pxy / pxy.sum(axis=1, keepdims=True)
    terms = np.where(pxy > 0, pxy * np.log(np.where(cond > 0, cond, 1.0)), 0.0)
    terms = np.where(np.isnan(cond), np.nan, terms)
    return float(-np.sum(terms) / np.log(base))


def empirical_entropy_uniform_over_distinct(samples, base=2):
    distinct = set(list(samples))
    if not distinct:
        raise ValueError("samples is empty")
    return float(np.log(len(distinct)) / np.log(base))


def empirical_entropy_natural_log(samples, base=2):
    from collections import Counter

    counts = np.array(list(Counter(list(samples)).values()), dtype=float)
    if counts.size == 0:
        raise ValueError("samples is empty")
    p = counts / counts.sum()
    return float(-np.sum(p * np.log(p)))


def softmax_no_max_shift(logits, temperature=1.0):
    if temperature <= 0:
        raise ValueError("temperature must be > 0")
    e = np.exp(np.asarray(logits, dtype=float) / temperature)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_whole_array(logits, temperature=1.0):
    if temperature <= 0:
        raise ValueError("temperature must be > 0")
    z = np.asarray(logits, dtype=float) / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


def softmax_times_temperature(logits, temperature=1.0):
    if temperature <= 0:
        raise ValueError("temperature must be > 0")
    z = np.asarray(logits, dtype=float) * temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_no_temperature_check(logits, temperature=1.0):
    z = np.asarray(logits, dtype=float) / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


MISTAKES = [
    Mistake(
        "surprisal",
        "natural log instead of log2",
        "np.log is the natural log (nats); bits need log base 2: divide by np.log(base).",
        surprisal_natural_log,
    ),
    Mistake(
        "surprisal",
        "sign flipped",
        "Surprisal is -log p: rare events (small p) must get LARGE positive values.",
        surprisal_sign_flipped,
    ),
    Mistake(
        "entropy",
        "natural log instead of log2",
        "np.log gives nats; for entropy in base b divide by np.log(base) (or use np.log2 for "
        "bits and honour the base argument).",
        entropy_natural_log,
    ),
    Mistake(
        "entropy",
        "no 0 log 0 handling",
        "0 * log(0) is nan in floating point, but by convention 0 log 0 = 0: "
        "drop the zero entries (p[p > 0]) before taking logs.",
        entropy_no_zero_handling,
    ),
    Mistake(
        "entropy",
        "no input validation",
        "The contract asks for ValueError when p is not 1-D, is empty, has a negative entry or "
        "does not sum to 1: check these before computing.",
        entropy_no_validation,
    ),
    Mistake(
        "entropy",
        "exact test that the sum equals 1",
        "Floating-point sums are rarely exactly 1 (sum([0.1] * 10) != 1.0): compare with a "
        "tolerance, e.g. abs(p.sum() - 1) <= 1e-6.",
        entropy_exact_sum_test,
    ),
    Mistake(
        "binary_entropy",
        "nan at p = 0 or p = 1",
        "0 * log2(0) is nan in floating point; use the convention 0 log 0 = 0 (np.where, or "
        "mask the endpoints).",
        binary_entropy_nan_at_endpoints,
    ),
    Mistake(
        "binary_entropy",
        "second term missing",
        "H_b(p) has two terms: -p log2 p - (1 - p) log2 (1 - p).",
        binary_entropy_one_term,
    ),
    Mistake(
        "joint_entropy",
        "sum of the marginal entropies",
        "H(X, Y) = H(X) + H(Y) only when X and Y are independent; use the joint table itself: "
        "-sum p(x, y) log p(x, y).",
        joint_entropy_sum_of_marginals,
    ),
    Mistake(
        "joint_entropy",
        "natural log instead of log2",
        "np.log gives nats; divide by np.log(base).",
        joint_entropy_natural_log,
    ),
    Mistake(
        "conditional_entropy",
        "H(X | Y) instead of H(Y | X)",
        "Rows index X: condition on the row sums p(x) = pxy.sum(axis=1), not the column sums.",
        conditional_entropy_axes_swapped,
    ),
    Mistake(
        "conditional_entropy",
        "joint entropy instead of conditional",
        "H(Y | X) = H(X, Y) - H(X): the uncertainty left in Y once X is known.",
        conditional_entropy_is_joint,
    ),
    Mistake(
        "conditional_entropy",
        "nan for rows with p(x) = 0",
        "A row with p(x) = 0 gives 0 / 0 when you form p(y | x); such rows contribute 0, so "
        "skip them.",
        conditional_entropy_nan_rows,
    ),
    Mistake(
        "empirical_entropy",
        "log of the number of distinct symbols",
        "log2(#distinct symbols) is the entropy of the UNIFORM distribution over them; the "
        "plug-in estimate uses the observed frequencies count(s) / N.",
        empirical_entropy_uniform_over_distinct,
    ),
    Mistake(
        "empirical_entropy",
        "natural log instead of log2",
        "np.log gives nats; divide by np.log(base).",
        empirical_entropy_natural_log,
    ),
    Mistake(
        "softmax",
        "overflow: no max subtraction",
        "exp(1e4) overflows to inf and inf / inf is nan. Subtract the row maximum before "
        "exponentiating: softmax(z) = softmax(z - max(z)).",
        softmax_no_max_shift,
    ),
    Mistake(
        "softmax",
        "normalised over the whole array",
        "Each row (the last axis) is its own distribution: use axis=-1 and keepdims=True in "
        "max and sum.",
        softmax_whole_array,
    ),
    Mistake(
        "softmax",
        "multiplied by the temperature",
        "Temperature divides the logits: softmax(logits / T). T > 1 flattens, T < 1 sharpens.",
        softmax_times_temperature,
    ),
    Mistake(
        "softmax",
        "temperature not validated",
        "The contract asks for ValueError when temperature <= 0.",
        softmax_no_temperature_check,
    ),
]


# -- correct answers written unlike the reference -----------------------------------------------


def surprisal_math_log(p, base=2):
    if np.ndim(p) == 0:
        return math.inf if p == 0 else -math.log(p, base)
    return np.array(
        [math.inf if x == 0 else -math.log(x, base) for x in np.ravel(p)], dtype=float
    ).reshape(np.shape(p))


def entropy_loop(p, base=2):
    p = np.array(p, dtype=float)
    if p.ndim != 1:
        raise ValueError("p must be 1-D")
    if len(p) == 0:
        raise ValueError("p must not be empty")
    if (p < 0).any():
        raise ValueError("p has a negative entry")
    if not np.isclose(p.sum(), 1.0, atol=1e-6, rtol=0):
        raise ValueError("p does not sum to 1")
    h = 0.0
    for pi in p:
        if pi > 0:
            h -= pi * math.log(pi, base)
    return h


def entropy_scipy(p, base=2):
    import scipy.stats

    arr = np.asarray(p, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("p must be a non-empty 1-D vector")
    if arr.min() < 0 or abs(arr.sum() - 1) > 1e-6:
        raise ValueError("p must be non-negative and sum to 1")
    return float(scipy.stats.entropy(arr, base=base))


def binary_entropy_xlogy(p):
    from scipy.special import xlogy

    p = np.asarray(p, dtype=float)
    h = -(xlogy(p, p) + xlogy(1 - p, 1 - p)) / np.log(2)
    return h.item() if h.ndim == 0 else h


def joint_entropy_loops(pxy, base=2):
    h = 0.0
    for row in np.asarray(pxy, dtype=float):
        for v in row:
            if v > 0:
                h += v * math.log(1 / v, base)
    return h


def conditional_entropy_chain_rule(pxy, base=2):
    pxy = np.asarray(pxy, dtype=float)

    def H(v):
        v = v[v > 0]
        return -np.sum(v * np.log2(v)) / np.log2(base)

    return float(H(pxy.ravel()) - H(pxy.sum(axis=1)))


def empirical_entropy_dict(samples, base=2):
    counts = {}
    for s in samples:
        counts[s] = counts.get(s, 0) + 1
    n = sum(counts.values())
    if n == 0:
        raise ValueError("no samples")
    return sum(c / n * math.log(n / c, base) for c in counts.values())


def softmax_logsumexp(logits, temperature=1.0):
    from scipy.special import logsumexp

    if temperature <= 0:
        raise ValueError("temperature must be positive")
    z = np.asarray(logits, dtype=float) / temperature
    return np.exp(z - logsumexp(z, axis=-1, keepdims=True))


ALTERNATIVES = {
    "surprisal": [surprisal_math_log],
    "entropy": [entropy_loop, entropy_scipy],
    "binary_entropy": [binary_entropy_xlogy],
    "joint_entropy": [joint_entropy_loops],
    "conditional_entropy": [conditional_entropy_chain_rule],
    "empirical_entropy": [empirical_entropy_dict],
    "softmax": [softmax_logsumexp],
}

"""Wrong answers written for measuring diagnosis, independently of ``autograder/answers``.

Each is one classic misconception, written the way a student would (not derived from the
reference), with the name the feedback should give it. ``tests/autograder/test_diagnosis.py``
grades them all and holds the share named (and named right) to the issue's bar. None of
these functions is in the ``MISTAKES`` of ``autograder/answers``: they test that diagnosis
generalises.
"""

from __future__ import annotations

import math

import numpy as np
import torch

# (exercise, accepted names ("|"-separated words one of which the name contains), function)
SET: list[tuple[str, str, object]] = []


def mistake(exercise: str, expect: str):
    def register(fn):
        SET.append((exercise, expect, fn))
        return fn

    return register


def _check_probs(p):
    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0 or np.any(p < 0) or not np.isclose(p.sum(), 1.0):
        raise ValueError("p must be a probability vector")
    return p


# -- 01-entropy ---------------------------------------------------------------------------------


@mistake("surprisal", "sign flipped")
def surprisal_plus_log(p, base=2):
    with np.errstate(divide="ignore"):
        out = np.log(np.asarray(p, dtype=float)) / math.log(base)
    return float(out) if out.ndim == 0 else out


@mistake("binary_entropy", "natural log where bits are asked")
def binary_entropy_ln(p):
    p = np.asarray(p, dtype=float)
    with np.errstate(all="ignore"):
        a = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1)), 0.0)
        b = np.where(p < 1, -(1 - p) * np.log(np.where(p < 1, 1 - p, 1)), 0.0)
    h = a + b
    return float(h) if h.ndim == 0 else h


@mistake("conditional_entropy", "natural log")
def conditional_entropy_ln(pxy, base=2):
    pxy = np.asarray(pxy, dtype=float)
    px = pxy.sum(axis=1, keepdims=True)
    mask = pxy > 0
    ratio = np.where(mask, pxy / np.where(px > 0, px, 1), 1.0)
    return float(-np.sum(np.where(mask, pxy * np.log(ratio), 0.0)))


@mistake("conditional_entropy", "rows and columns swapped|H(X | Y) instead of H(Y | X)")
def conditional_entropy_columns(pxy, base=2):
    pxy = np.asarray(pxy, dtype=float)
    py = pxy.sum(axis=0, keepdims=True)
    mask = pxy > 0
    ratio = np.where(mask, pxy / np.where(py > 0, py, 1), 1.0)
    return float(-np.sum(np.where(mask, pxy * np.log(ratio), 0.0)) / math.log(base))


@mistake("joint_entropy", "0 · log 0")
def joint_entropy_nan(pxy, base=2):
    pxy = np.asarray(pxy, dtype=float)
    with np.errstate(all="ignore"):
        return float(-np.sum(pxy * np.log(pxy)) / math.log(base))


@mistake("empirical_entropy", "base")
def empirical_entropy_bits_always(samples, base=2):
    from collections import Counter

    counts = np.array(list(Counter(samples).values()), dtype=float)
    if counts.size == 0:
        raise ValueError("samples is empty")
    p = counts / counts.sum()
    return float(-np.sum(p * np.log2(p)))


@mistake("entropy", "sign flipped")
def entropy_positive_sum(p, base=2):
    p = _check_probs(p)
    nz = p[p > 0]
    return float(np.sum(nz * np.log(nz)) / math.log(base))


@mistake("softmax", "wrong axis|whole array")
def softmax_axis0(logits, temperature=1.0):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    z = np.asarray(logits, dtype=float) / temperature
    if z.ndim == 1:
        e = np.exp(z - z.max())
        return e / e.sum()
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


# -- 03-cross-entropy ---------------------------------------------------------------------------


@mistake("cross_entropy", "natural log|base ignored")
def cross_entropy_ln(p, q, base=2):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("shape mismatch")
    if np.any((q == 0) & (p > 0)):
        return math.inf
    m = p > 0
    return float(-np.sum(p[m] * np.log(q[m])))


@mistake("nll", "a sum where a mean is asked|sum instead of mean")
def nll_total(probs, targets, base=math.e):
    probs = np.asarray(probs, dtype=float)
    targets = np.asarray(targets)
    picked = probs[np.arange(len(targets)), targets]
    with np.errstate(divide="ignore"):
        return float(-np.sum(np.log(picked)) / math.log(base))


@mistake("softmax_cross_entropy_grad", "sign flipped")
def grad_target_minus_softmax(logits, targets):
    z = np.asarray(logits, dtype=float)
    z = z - z.max(axis=1, keepdims=True)
    s = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    onehot = np.zeros_like(s)
    onehot[np.arange(len(targets)), targets] = 1
    return (onehot - s) / len(targets)


@mistake("fit_categorical", "gradient ascent")
def fit_categorical_ascent(samples, num_classes, steps=500, lr=1.0):
    counts = np.bincount(np.asarray(samples), minlength=num_classes)
    p_hat = counts / counts.sum()
    logits = np.zeros(num_classes)
    for _ in range(steps):
        q = np.exp(logits - logits.max())
        q /= q.sum()
        logits += lr * (q - p_hat)
    q = np.exp(logits - logits.max())
    return q / q.sum()


@mistake("fit_categorical", "off by one in `steps`")
def fit_categorical_extra_step(samples, num_classes, steps=500, lr=1.0):
    counts = np.bincount(np.asarray(samples), minlength=num_classes)
    p_hat = counts / counts.sum()
    logits = np.zeros(num_classes)
    for _ in range(steps + 1):
        q = np.exp(logits - logits.max())
        q /= q.sum()
        logits -= lr * (q - p_hat)
    q = np.exp(logits - logits.max())
    return q / q.sum()


@mistake("fit_logistic_regression", "gradient ascent")
def fit_logistic_ascent(X, y, steps=1000, lr=0.1):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        s = 1 / (1 + np.exp(-(X @ w + b)))
        w += lr * X.T @ (s - y) / len(y)
        b += lr * np.mean(s - y)
    return w, b


@mistake("empirical_distribution", "a sum where a mean is asked|counts instead of frequencies")
def empirical_counts_loop(labels, num_classes):
    out = np.zeros(num_classes)
    for label in labels:
        out[label] += 1
    return out


# -- 04-kl-divergence ---------------------------------------------------------------------------


@mistake("kl_divergence", "natural log|base ignored")
def kl_ln(p, q, base=2):
    p, q = _check_probs(p), _check_probs(q)
    if p.shape != q.shape:
        raise ValueError("shape mismatch")
    if np.any((q == 0) & (p > 0)):
        return math.inf
    m = p > 0
    return float(np.sum(p[m] * np.log(p[m] / q[m])))


@mistake("js_divergence", "natural log")
def js_ln(p, q, base=2):
    p, q = _check_probs(p), _check_probs(q)
    if p.shape != q.shape:
        raise ValueError("shape mismatch")
    m = (p + q) / 2

    def kl(a, b):
        k = a > 0
        return np.sum(a[k] * np.log(a[k] / b[k]))

    return float((kl(p, m) + kl(q, m)) / 2)


@mistake("kl_gaussian", "σ² used as the standard deviation")
def kl_gaussian_variance_squared(mu_p, sigma_p, mu_q, sigma_q):
    vp, vq = np.asarray(sigma_p, float) ** 4, np.asarray(sigma_q, float) ** 4
    mu_p, mu_q = np.asarray(mu_p, float), np.asarray(mu_q, float)
    out = 0.5 * np.log(vq / vp) + (vp + (mu_p - mu_q) ** 2) / (2 * vq) - 0.5
    return float(out) if out.ndim == 0 else out


@mistake("kl_gaussian", "p and q arguments swapped|arguments swapped")
def kl_gaussian_reverse(mu_p, sigma_p, mu_q, sigma_q):
    mu_p, mu_q = np.asarray(mu_p, float), np.asarray(mu_q, float)
    sp, sq = np.asarray(sigma_p, float), np.asarray(sigma_q, float)
    out = np.log(sp / sq) + (sq**2 + (mu_q - mu_p) ** 2) / (2 * sp**2) - 0.5
    return float(out) if out.ndim == 0 else out


@mistake("kl_gaussian", "σ used as a variance")
def kl_gaussian_sigma_as_variance(mu_p, sigma_p, mu_q, sigma_q):
    vp, vq = np.asarray(sigma_p, float), np.asarray(sigma_q, float)
    mu_p, mu_q = np.asarray(mu_p, float), np.asarray(mu_q, float)
    out = 0.5 * np.log(vq / vp) + (vp + (mu_p - mu_q) ** 2) / (2 * vq) - 0.5
    return float(out) if out.ndim == 0 else out


# -- 05-mutual-information ----------------------------------------------------------------------


@mistake("pmi", "natural log")
def pmi_ln(pxy, base=2):
    pxy = np.asarray(pxy, dtype=float)
    px, py = pxy.sum(axis=1, keepdims=True), pxy.sum(axis=0, keepdims=True)
    with np.errstate(all="ignore"):
        out = np.log(pxy / (px * py))
    return np.where(pxy > 0, out, -np.inf)


@mistake("plugin_mi", "natural log")
def plugin_mi_ln(x, y, base=2):
    from collections import Counter

    x, y = list(x), list(y)
    if len(x) != len(y) or not x:
        raise ValueError("x and y must be non-empty and of equal length")
    n = len(x)
    pxy, px, py = Counter(zip(x, y, strict=True)), Counter(x), Counter(y)
    return sum(c / n * math.log((c / n) / (px[a] / n * py[b] / n)) for (a, b), c in pxy.items())


@mistake("mutual_information", "sign flipped")
def mi_negated(pxy, base=2):
    pxy = np.asarray(pxy, dtype=float)
    px, py = pxy.sum(axis=1, keepdims=True), pxy.sum(axis=0, keepdims=True)
    m = pxy > 0
    return float(np.sum(pxy[m] * np.log((px * py)[m] / pxy[m])) / math.log(base))


@mistake("cooccurrence_matrix", "off by one in `window`|window off by one")
def cooccurrence_short_window(tokens, vocab, window=2):
    index = {w: i for i, w in enumerate(vocab)}
    out = np.zeros((len(vocab), len(vocab)), dtype=np.int64)
    for i, w in enumerate(tokens):
        if w not in index:
            continue
        for j in range(max(0, i - window + 1), min(len(tokens), i + window)):
            if j != i and tokens[j] in index:
                out[index[w], index[tokens[j]]] += 1
    return out


# -- 06-perplexity ------------------------------------------------------------------------------


@mistake("perplexity", "reciprocal")
def perplexity_no_minus(log_probs):
    lp = np.asarray(log_probs, dtype=float)
    if lp.size == 0:
        raise ValueError("log_probs is empty")
    return float(np.exp(np.mean(lp)))


@mistake("bits_per_byte", "sign flipped")
def bits_per_byte_negative(total_nll_nats, num_bytes):
    return -total_nll_nats / (num_bytes * math.log(2))


@mistake("perplexity_to_bits_per_byte", "natural log|nats instead of bits")
def ppl_to_bpb_nats(ppl, num_tokens, num_bytes):
    return num_tokens * math.log(ppl) / num_bytes


@mistake("ngram_counts", "off by one in `n`")
def ngram_counts_n_plus_one(tokens, n):
    from collections import Counter

    return Counter(tuple(tokens[i : i + n + 1]) for i in range(len(tokens) - n))


# -- 07-llm-losses ------------------------------------------------------------------------------


@mistake("log_softmax", "wrong axis|wrong dimension")
def log_softmax_dim0(logits):
    m = logits.max(dim=0, keepdim=True).values
    return logits - m - torch.log(torch.exp(logits - m).sum(dim=0, keepdim=True))


@mistake("log_softmax", "log base 2 where nats")
def log_softmax_bits(logits):
    m = logits.max(dim=-1, keepdim=True).values
    z = logits - m
    return (z - torch.log(torch.exp(z).sum(dim=-1, keepdim=True))) / math.log(2)


@mistake("distillation_loss", "T² factor is missing|T² missing")
def distillation_no_t_squared(student_logits, teacher_logits, temperature):
    log_s = torch.log_softmax(student_logits / temperature, dim=-1)
    log_t = torch.log_softmax(teacher_logits / temperature, dim=-1)
    return (log_t.exp() * (log_t - log_s)).sum() / student_logits.shape[0]


@mistake("dpo_loss", "chosen and rejected")
def dpo_swapped(
    policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1
):
    z = beta * (
        (policy_rejected_logps - ref_rejected_logps) - (policy_chosen_logps - ref_chosen_logps)
    )
    return -torch.nn.functional.logsigmoid(z).mean()


@mistake("dpo_loss", "a sum where a mean is asked")
def dpo_summed(
    policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1
):
    z = beta * (
        (policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps)
    )
    return -torch.nn.functional.logsigmoid(z).sum()


@mistake("code_length_bits", "natural log|nats instead of bits")
def code_length_nats(logits, tokens):
    logp = torch.log_softmax(logits[:-1], dim=-1)
    return float(-logp[torch.arange(len(tokens) - 1), tokens[1:]].sum())


@mistake("kl_penalty", "sign flipped")
def kl_penalty_negated(logp_policy, logp_ref, estimator="k1"):
    log_r = logp_ref - logp_policy
    if estimator == "k1":
        return log_r
    if estimator == "k2":
        return -(log_r**2) / 2
    if estimator == "k3":
        return -(torch.exp(log_r) - 1 - log_r)
    raise ValueError(f"unknown estimator {estimator!r}")

"""Known mistakes and alternative correct answers for 04-kl-divergence.

See :mod:`autograder.answers` for the rules.
"""

from __future__ import annotations

import math

import numpy as np

from autograder.answers import Mistake

# ---------------------------------------------------------------------------------------------
# Mistakes
# ---------------------------------------------------------------------------------------------


def kl_swapped(p, q, base=2):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("shape mismatch")
    p, q = q, p  # computes D(q || p)
    support = p > 0
    if np.any(q[support] == 0):
        return math.inf
    return float(np.sum(p[support] * np.log(p[support] / q[support])) / math.log(base))


def kl_drops_missing_support(p, q, base=2):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("shape mismatch")
    both = (p > 0) & (q > 0)  # silently skips q_i = 0 < p_i, which should give inf
    return float(np.sum(p[both] * np.log(p[both] / q[both])) / math.log(base))


def kl_nats(p, q, base=2):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("shape mismatch")
    support = p > 0
    if np.any(q[support] == 0):
        return math.inf
    return float(np.sum(p[support] * np.log(p[support] / q[support])))  # base ignored


def js_without_mixture(p, q, base=2):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("shape mismatch")
    total = 0.0
    for a, b in ((p, q), (q, p)):  # 0.5 KL(p||q) + 0.5 KL(q||p): the symmetrised KL
        support = a > 0
        if np.any(b[support] == 0):
            return math.inf
        total += 0.5 * np.sum(a[support] * np.log(a[support] / b[support]))
    return float(total / math.log(base))


def js_distance(p, q, base=2):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("shape mismatch")
    m = (p + q) / 2
    total = 0.0
    for a in (p, q):
        support = a > 0
        total += 0.5 * np.sum(a[support] * np.log(a[support] / m[support]))
    return math.sqrt(max(total / math.log(base), 0.0))  # scipy's jensenshannon: the sqrt


def kl_gaussian_variance_confused(mu_p, sigma_p, mu_q, sigma_q):
    mu_p, sigma_p, mu_q, sigma_q = (np.asarray(v, float) for v in (mu_p, sigma_p, mu_q, sigma_q))
    # sigma used where sigma**2 belongs
    kl = np.log(sigma_q / sigma_p) + (sigma_p + (mu_p - mu_q) ** 2) / (2 * sigma_q) - 0.5
    return float(kl) if kl.ndim == 0 else kl


def kl_gaussian_swapped(mu_p, sigma_p, mu_q, sigma_q):
    mu_p, sigma_p, mu_q, sigma_q = (np.asarray(v, float) for v in (mu_p, sigma_p, mu_q, sigma_q))
    kl = np.log(sigma_p / sigma_q) + (sigma_q**2 + (mu_p - mu_q) ** 2) / (2 * sigma_p**2) - 0.5
    return float(kl) if kl.ndim == 0 else kl


def kl_estimators_k1_sign(log_p, log_q):
    log_r = np.asarray(log_p, dtype=float) - np.asarray(log_q, dtype=float)
    return log_r, 0.5 * log_r**2, np.expm1(log_r) - log_r  # k1 = +log r


def kl_estimators_k2_no_half(log_p, log_q):
    log_r = np.asarray(log_p, dtype=float) - np.asarray(log_q, dtype=float)
    return -log_r, log_r**2, np.expm1(log_r) - log_r


def kl_estimators_k3_inverted_ratio(log_p, log_q):
    log_r = np.asarray(log_p, dtype=float) - np.asarray(log_q, dtype=float)
    return -log_r, 0.5 * log_r**2, np.expm1(-log_r) + log_r  # uses 1/r = q/p


def forward_kl_fit_mode(x, p):
    x = np.asarray(x, dtype=float)
    p = np.asarray(p, dtype=float)
    mode = x[np.argmax(p)]  # the peak instead of the mean
    return float(mode), float(np.sqrt(np.sum((x - mode) ** 2 * p) / np.sum(p)))


def forward_kl_fit_unnormalised(x, p):
    x = np.asarray(x, dtype=float)
    p = np.asarray(p, dtype=float)
    dx = x[1] - x[0]
    mu = np.sum(x * p) * dx  # p never divided by its Riemann sum
    return float(mu), float(np.sqrt(np.sum((x - mu) ** 2 * p) * dx))


def reverse_kl_fit_moments(x, p, mu0, sigma0):
    x = np.asarray(x, dtype=float)
    p = np.asarray(p, dtype=float)
    w = p / p.sum()
    mu = np.sum(w * x)  # the forward-KL (moment-matching) answer
    return float(mu), float(np.sqrt(np.sum(w * (x - mu) ** 2)))


MISTAKES = [
    Mistake(
        "kl_divergence",
        "arguments swapped",
        "D(p || q) weights the log-ratio log(p/q) by p, the first argument; KL is not "
        "symmetric, so D(q || p) is a different number.",
        kl_swapped,
    ),
    Mistake(
        "kl_divergence",
        "q = 0 terms skipped",
        "If q_i = 0 where p_i > 0, the model calls possible data impossible and the divergence "
        "is infinite: return inf instead of leaving those terms out.",
        kl_drops_missing_support,
    ),
    Mistake(
        "kl_divergence",
        "base ignored (always nats)",
        "np.log is the natural log; divide by log(base) to get bits when base=2.",
        kl_nats,
    ),
    Mistake(
        "js_divergence",
        "symmetrised KL instead of Jensen–Shannon",
        "Jensen–Shannon compares p and q with their mixture M = (p + q) / 2: "
        "0.5 KL(p || M) + 0.5 KL(q || M). Averaging KL(p || q) and KL(q || p) is a different "
        "quantity and can be infinite.",
        js_without_mixture,
    ),
    Mistake(
        "js_divergence",
        "square root taken (JS distance)",
        "scipy.spatial.distance.jensenshannon returns the square root of the divergence (a "
        "metric); the exercise asks for the divergence itself, without the square root.",
        js_distance,
    ),
    Mistake(
        "kl_gaussian",
        "standard deviation used as variance",
        "The arguments are standard deviations: the formula needs sigma_p**2 and sigma_q**2 in "
        "the fraction, and log(sigma_q / sigma_p) outside it.",
        kl_gaussian_variance_confused,
    ),
    Mistake(
        "kl_gaussian",
        "arguments swapped",
        "This computes KL(q || p). For KL(p || q) the fraction is "
        "(sigma_p**2 + (mu_p - mu_q)**2) / (2 sigma_q**2), the log term log(sigma_q / sigma_p).",
        kl_gaussian_swapped,
    ),
    Mistake(
        "kl_estimators",
        "k1 sign flipped",
        "With r = p/q and samples from q, KL(q || p) = E_q[log(q/p)] = E_q[-log r]: k1 is "
        "minus log r.",
        kl_estimators_k1_sign,
    ),
    Mistake(
        "kl_estimators",
        "k2 without the 1/2",
        "k2 = (log r)**2 / 2: the factor 1/2 makes it match KL to second order as p -> q.",
        kl_estimators_k2_no_half,
    ),
    Mistake(
        "kl_estimators",
        "k3 with q/p instead of p/q",
        "k3 = (r - 1) - log r with r = p/q = exp(log_p - log_q); using q/p gives an estimator "
        "of KL(p || q) that is biased under samples from q.",
        kl_estimators_k3_inverted_ratio,
    ),
    Mistake(
        "forward_kl_fit",
        "mode instead of mean",
        "Minimising KL(p || q) over Gaussians matches moments: mu is the MEAN of p (sum of "
        "x p dx over the normalised p), not the location of its peak.",
        forward_kl_fit_mode,
    ),
    Mistake(
        "forward_kl_fit",
        "target not normalised",
        "Divide p by its Riemann sum (sum of p times dx) before taking moments; otherwise mu "
        "and sigma scale with the height of p.",
        forward_kl_fit_unnormalised,
    ),
    Mistake(
        "reverse_kl_fit",
        "forward fit (moment matching) returned",
        "Moment matching minimises the FORWARD KL(p || q). The reverse KL(q || p) has no closed "
        "form: run gradient descent on sum q log(q/p) dx from (mu0, sigma0); on a bimodal p it "
        "settles on one mode.",
        reverse_kl_fit_moments,
    ),
]

# ---------------------------------------------------------------------------------------------
# Alternatives (correct, written unlike the reference)
# ---------------------------------------------------------------------------------------------


def kl_divergence_loop(p, q, base=2):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(f"p and q have different shapes {p.shape} and {q.shape}")
    if p.ndim != 1 or p.size == 0:
        raise ValueError("p and q must be non-empty 1-D arrays")
    for name, v in (("p", p), ("q", q)):
        if np.any(v < 0):
            raise ValueError(f"{name} has a negative entry")
        if abs(v.sum() - 1) > 1e-6:
            raise ValueError(f"{name} does not sum to 1")
    total = 0.0
    for pi, qi in zip(p, q):
        if pi == 0:
            continue
        if qi == 0:
            return math.inf
        total += pi * math.log(pi / qi)
    return total / math.log(base)


def kl_divergence_cross_minus_entropy(p, q, base=2):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("p and q must have the same shape")
    if p.ndim != 1 or p.size == 0:
        raise ValueError("p and q must be non-empty 1-D arrays")
    if np.any(p < 0) or np.any(q < 0):
        raise ValueError("negative probability")
    if abs(p.sum() - 1) > 1e-6 or abs(q.sum() - 1) > 1e-6:
        raise ValueError("p and q must sum to 1")
    mask = p > 0
    if np.any(q[mask] == 0):
        return float("inf")
    # D(p || q) = H(p, q) - H(p), with np.log2 and a change of base
    cross = -np.sum(p[mask] * np.log2(q[mask]))
    entropy = -np.sum(p[mask] * np.log2(p[mask]))
    return float((cross - entropy) / np.log2(base))


def js_divergence_entropies(p, q, base=2):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("p and q must have the same shape")
    if p.ndim != 1 or p.size == 0:
        raise ValueError("p and q must be non-empty 1-D arrays")
    if np.any(p < 0) or np.any(q < 0):
        raise ValueError("negative probability")
    if abs(p.sum() - 1) > 1e-6 or abs(q.sum() - 1) > 1e-6:
        raise ValueError("p and q must sum to 1")
    entropies = []
    for v in (p, q, (p + q) / 2):
        nz = v[v > 0]
        entropies.append(-np.sum(nz * np.log(nz)))
    h_p, h_q, h_m = entropies
    return float((h_m - 0.5 * h_p - 0.5 * h_q) / math.log(base))  # H(M) - mean entropy


def kl_gaussian_variances(mu_p, sigma_p, mu_q, sigma_q):
    var_p = np.square(np.asarray(sigma_p, dtype=float))
    var_q = np.square(np.asarray(sigma_q, dtype=float))
    if np.any(np.asarray(sigma_p) <= 0) or np.any(np.asarray(sigma_q) <= 0):
        raise ValueError("standard deviations must be positive")
    diff2 = np.square(np.asarray(mu_p, dtype=float) - np.asarray(mu_q, dtype=float))
    kl = 0.5 * (np.log(var_q / var_p) + (var_p + diff2) / var_q - 1.0)
    return kl.item() if np.ndim(kl) == 0 else kl


def kl_estimators_ratio(log_p, log_q):
    log_p = np.asarray(log_p, dtype=float)
    log_q = np.asarray(log_q, dtype=float)
    if log_p.shape != log_q.shape:
        raise ValueError("log_p and log_q must have the same shape")
    with np.errstate(over="ignore"):
        r = np.exp(log_p - log_q)
    k1 = log_q - log_p
    k2 = k1**2 / 2
    k3 = (r - 1) + k1  # (r - 1) - log r, with log r = -k1 (also right for r = 0)
    return k1, k2, k3


def forward_kl_fit_average(x, p):
    x = np.asarray(x, dtype=float)
    p = np.asarray(p, dtype=float)
    if x.ndim != 1 or x.size < 2 or p.shape != x.shape:
        raise ValueError("x and p must be 1-D grids of the same length >= 2")
    steps = np.diff(x)
    if np.any(steps <= 0) or np.ptp(steps) > 1e-6 * steps[0]:
        raise ValueError("x must be increasing and evenly spaced")
    if np.any(p < 0) or p.sum() <= 0:
        raise ValueError("p must be non-negative and not all zero")
    # the grid step cancels: the Riemann-sum moments are p-weighted averages
    mu = np.average(x, weights=p)
    second = np.average(x**2, weights=p)
    return float(mu), float(math.sqrt(max(second - mu**2, 0.0)))


def reverse_kl_fit_gradient_descent(x, p, mu0, sigma0):
    x = np.asarray(x, dtype=float)
    p = np.asarray(p, dtype=float)
    if x.ndim != 1 or x.size < 2 or p.shape != x.shape:
        raise ValueError("x and p must be 1-D grids of the same length >= 2")
    steps = np.diff(x)
    if np.any(steps <= 0) or np.ptp(steps) > 1e-6 * steps[0]:
        raise ValueError("x must be increasing and evenly spaced")
    if np.any(p <= 0) or not np.all(np.isfinite(p)):
        raise ValueError("p must be positive")
    if sigma0 <= 0:
        raise ValueError("sigma0 must be positive")
    dx = x[1] - x[0]
    log_target = np.log(p / (p.sum() * dx))

    def kl(theta):
        mu, sigma = theta
        if sigma <= 0:
            return math.inf
        log_q = -0.5 * ((x - mu) / sigma) ** 2 - math.log(sigma * math.sqrt(2 * math.pi))
        return float(np.sum(np.exp(log_q) * (log_q - log_target)) * dx)

    # Plain gradient descent on (mu, sigma) with central-difference gradients and a step size
    # that doubles after every accepted step and halves until the KL decreases.
    theta = np.array([float(mu0), float(sigma0)])
    value, lr = kl(theta), 0.1
    for _ in range(20000):
        h = 1e-6 * theta[1]
        grad = np.array(
            [
                (kl(theta + e) - kl(theta - e)) / (2 * h)
                for e in (np.array([h, 0.0]), np.array([0.0, h]))
            ]
        )
        while lr > 1e-14:
            step = lr * grad
            step *= min(1.0, 0.5 * theta[1] / max(np.max(np.abs(step)), 1e-300))
            candidate = theta - step
            new_value = kl(candidate)
            if new_value < value - 1e-4 * float(grad @ step):
                break
            lr /= 2
        else:
            break
        theta, value = candidate, new_value
        if np.max(np.abs(step)) < 1e-11 * theta[1]:
            break
        lr *= 2
    return float(theta[0]), float(theta[1])


ALTERNATIVES = {
    "kl_divergence": [kl_divergence_loop, kl_divergence_cross_minus_entropy],
    "js_divergence": [js_divergence_entropies],
    "kl_gaussian": [kl_gaussian_variances],
    "kl_estimators": [kl_estimators_ratio],
    "forward_kl_fit": [forward_kl_fit_average],
    "reverse_kl_fit": [reverse_kl_fit_gradient_descent],
}

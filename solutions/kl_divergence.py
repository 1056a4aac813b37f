"""Notebook 04-kl-divergence: KL, JS, Gaussian KL, estimators k1/k2/k3, forward vs reverse fits.

Each function is self-contained (it uses only ``math`` and ``numpy``) because its source is
also the solution cell of ``source/04-kl-divergence/04-kl-divergence.ipynb``.
"""

from __future__ import annotations

import math

import numpy as np


def kl_divergence(p, q, base=2):
    r"""Kullback–Leibler divergence :math:`D(p \,\|\, q)`.

    Parameters
    ----------
    p : array-like of shape (n,)
        Probability vector (the distribution the data come from).
    q : array-like of shape (n,)
        Probability vector (the model).
    base : float, default 2
        Base of the logarithm: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        :math:`D(p \,\|\, q) \ge 0`; ``inf`` if :math:`q_i = 0 < p_i` for some :math:`i`.

    Raises
    ------
    ValueError
        If the shapes of `p` and `q` differ, or if either is not 1-D, is empty, has a negative
        entry or does not sum to 1 within 1e-6.

    Notes
    -----
    .. math:: D(p \,\|\, q) = \sum_{i : p_i > 0} p_i \log \frac{p_i}{q_i}
              = H(p, q) - H(p),

    the extra bits paid per symbol for coding data from :math:`p` with a code built for
    :math:`q`. Terms with :math:`p_i = 0` contribute 0 (:math:`0 \log 0 = 0`).

    Examples
    --------
    >>> bool(np.isclose(kl_divergence([0.5, 0.5], [0.25, 0.75]), 1 - 0.5 * math.log2(3)))
    True
    >>> kl_divergence([1.0, 0.0], [0.5, 0.5])
    1.0
    >>> kl_divergence([0.5, 0.5], [1.0, 0.0])
    inf
    >>> kl_divergence([0.2, 0.8], [0.2, 0.8])
    0.0
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
    ps, qs = p[support], q[support]
    return float(np.sum(ps * (np.log(ps) - np.log(qs))) / math.log(base))


def js_divergence(p, q, base=2):
    r"""Jensen–Shannon divergence of two distributions.

    Parameters
    ----------
    p, q : array-like of shape (n,)
        Probability vectors.
    base : float, default 2
        Base of the logarithm: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        :math:`\mathrm{JS}(p, q)`, symmetric, always finite, between 0 and
        :math:`\log_{\mathrm{base}} 2` (1 bit).

    Notes
    -----
    With the mixture :math:`m = (p + q) / 2`,

    .. math:: \mathrm{JS}(p, q) = \tfrac12 D(p \,\|\, m) + \tfrac12 D(q \,\|\, m)
              = H(m) - \tfrac12 H(p) - \tfrac12 H(q).

    :math:`m_i \ge p_i / 2`, so :math:`m_i > 0` wherever :math:`p_i > 0` and no term is
    infinite. ``scipy.spatial.distance.jensenshannon`` returns the square root of this
    divergence (a metric), not the divergence itself.

    Examples
    --------
    >>> js_divergence([1.0, 0.0], [0.0, 1.0])
    1.0
    >>> js_divergence([0.3, 0.7], [0.3, 0.7])
    0.0
    >>> bool(np.isclose(js_divergence([1.0, 0.0], [0.5, 0.5]), 1.5 - 0.75 * math.log2(3)))
    True
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

    m = (p + q) / 2
    total = 0.0
    for v in (p, q):
        support = v > 0
        total += 0.5 * np.sum(v[support] * (np.log(v[support]) - np.log(m[support])))
    return float(total / math.log(base))


def kl_gaussian(mu_p, sigma_p, mu_q, sigma_q):
    r"""KL divergence between two univariate Gaussians, in nats.

    Parameters
    ----------
    mu_p, sigma_p : float or array-like
        Mean and standard deviation of :math:`p = \mathcal N(\mu_p, \sigma_p^2)`.
    mu_q, sigma_q : float or array-like
        Mean and standard deviation of :math:`q = \mathcal N(\mu_q, \sigma_q^2)`.
        All four broadcast against each other.

    Returns
    -------
    float or ndarray
        :math:`D(p \,\|\, q)` in nats: a float when all inputs are scalars, otherwise a
        float64 array of the broadcast shape.

    Notes
    -----
    .. math:: D(\mathcal N(\mu_p, \sigma_p^2) \,\|\, \mathcal N(\mu_q, \sigma_q^2))
              = \log\frac{\sigma_q}{\sigma_p}
              + \frac{\sigma_p^2 + (\mu_p - \mu_q)^2}{2 \sigma_q^2} - \frac12 .

    The arguments are standard deviations, not variances; the divergence is not symmetric.

    Examples
    --------
    >>> kl_gaussian(0.0, 1.0, 0.0, 1.0)
    0.0
    >>> kl_gaussian(1.0, 1.0, 0.0, 1.0)
    0.5
    >>> bool(np.isclose(kl_gaussian(0.0, 1.0, 0.0, 2.0), math.log(2) - 0.375))
    True
    >>> print(kl_gaussian([0.0, 2.0], 1.0, 0.0, 1.0))
    [0. 2.]
    """
    mu_p, sigma_p, mu_q, sigma_q = (
        np.asarray(v, dtype=float) for v in (mu_p, sigma_p, mu_q, sigma_q)
    )
    for name, sigma in (("sigma_p", sigma_p), ("sigma_q", sigma_q)):
        if not np.all(sigma > 0):
            raise ValueError(f"{name} must be positive (got {sigma.min()})")
    try:
        np.broadcast_shapes(mu_p.shape, sigma_p.shape, mu_q.shape, sigma_q.shape)
    except ValueError as err:
        raise ValueError(f"the parameters do not broadcast together: {err}") from None

    kl = np.log(sigma_q / sigma_p) + (sigma_p**2 + (mu_p - mu_q) ** 2) / (2 * sigma_q**2) - 0.5
    return float(kl) if kl.ndim == 0 else kl


def kl_estimators(log_p, log_q):
    r"""Per-sample Monte-Carlo estimators k1, k2, k3 of :math:`D(q \,\|\, p)`.

    Parameters
    ----------
    log_p : array-like of shape (n,)
        :math:`\log p(x_i)` at samples :math:`x_i \sim q`.
    log_q : array-like of shape (n,)
        :math:`\log q(x_i)` at the same samples.

    Returns
    -------
    k1, k2, k3 : ndarray of shape (n,), dtype float64
        With :math:`r = p(x) / q(x)`: :math:`k_1 = -\log r`,
        :math:`k_2 = \frac12 (\log r)^2`, :math:`k_3 = (r - 1) - \log r`.

    Notes
    -----
    :math:`\mathbb E_q[k_1] = D(q \,\|\, p)` exactly, but single samples can be negative and
    the variance is high. :math:`k_3` adds :math:`r - 1`, whose expectation under :math:`q`
    is 0, so it is unbiased too, and :math:`k_3 \ge 0` for every sample because
    :math:`\log r \le r - 1`. :math:`k_2 \ge 0` is biased: its expectation agrees with
    :math:`D(q \,\|\, p)` only to second order as :math:`p \to q` (Schulman, "Approximating
    KL divergence", 2020).

    Examples
    --------
    >>> k1, k2, k3 = kl_estimators([math.log(0.5)], [math.log(0.25)])
    >>> bool(np.isclose(k1[0], -math.log(2))), bool(np.isclose(k2[0], math.log(2) ** 2 / 2))
    (True, True)
    >>> bool(np.isclose(k3[0], 1 - math.log(2)))
    True
    >>> print(*kl_estimators([0.0, -1.0], [0.0, -1.0]))
    [0. 0.] [0. 0.] [0. 0.]
    """
    log_p = np.asarray(log_p, dtype=float)
    log_q = np.asarray(log_q, dtype=float)
    if log_p.shape != log_q.shape:
        raise ValueError(
            f"log_p and log_q must have the same shape (got {log_p.shape} and {log_q.shape})"
        )
    log_r = log_p - log_q
    k1 = -log_r + 0.0  # + 0.0: no -0.0 where r = 1
    k2 = 0.5 * log_r**2
    with np.errstate(over="ignore"):
        k3 = np.expm1(log_r) - log_r
    return k1, k2, k3


def forward_kl_fit(x, p):
    r"""Gaussian :math:`q` minimising the forward KL :math:`D(p \,\|\, q)` on a grid.

    Parameters
    ----------
    x : array-like of shape (n,)
        Evenly spaced, increasing grid, n >= 2.
    p : array-like of shape (n,)
        Target density values on the grid (non-negative, not all 0, need not be normalised).

    Returns
    -------
    mu : float
        Mean of the best Gaussian.
    sigma : float
        Its standard deviation.

    Notes
    -----
    Normalise :math:`\tilde p_i = p_i / \sum_j p_j \Delta x`. With the Gaussian density
    :math:`q_i = \mathcal N(x_i; \mu, \sigma^2)` on the grid,

    .. math:: \sum_i \tilde p_i \log\frac{\tilde p_i}{q_i}\,\Delta x
              = \text{const} + \log \sigma
              + \sum_i \tilde p_i \frac{(x_i - \mu)^2}{2\sigma^2}\,\Delta x ,

    which is minimised by the moments of :math:`\tilde p`:
    :math:`\mu = \sum_i x_i \tilde p_i \Delta x` and
    :math:`\sigma^2 = \sum_i (x_i - \mu)^2 \tilde p_i \Delta x` (moment matching). The fit
    covers all of :math:`p`'s mass: for two separated modes it sits between them.

    Examples
    --------
    >>> x = np.linspace(-20.0, 20.0, 4001)
    >>> mu, sigma = forward_kl_fit(x, np.exp(-((x - 1.0) ** 2) / 8))  # N(1, 2**2), unnormalised
    >>> round(mu, 6), round(sigma, 6)
    (1.0, 2.0)

    Two unit-variance modes at -3 and 3: :math:`\mu = 0`, :math:`\sigma^2 = 1 + 9 = 10`.

    >>> p = np.exp(-((x + 3) ** 2) / 2) + np.exp(-((x - 3) ** 2) / 2)
    >>> mu, sigma = forward_kl_fit(x, p)
    >>> round(mu, 6) == 0.0, bool(np.isclose(sigma, math.sqrt(10)))
    (True, True)
    """
    x = np.asarray(x, dtype=float)
    p = np.asarray(p, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be a 1-D grid of at least 2 points (got shape {x.shape})")
    dx = x[1] - x[0]
    if not (dx > 0 and np.allclose(np.diff(x), dx, rtol=1e-6, atol=0)):
        raise ValueError("x must be increasing and evenly spaced")
    if p.shape != x.shape:
        raise ValueError(f"p must have the shape of x (got {p.shape} and {x.shape})")
    if np.any(p < 0) or not np.sum(p) > 0:
        raise ValueError("p must be non-negative and not all zero")

    p = p / (np.sum(p) * dx)  # density: sum(p) * dx == 1
    mu = np.sum(x * p) * dx
    sigma = math.sqrt(np.sum((x - mu) ** 2 * p) * dx)
    return float(mu), sigma


def reverse_kl_fit(x, p, mu0, sigma0):
    r"""Gaussian :math:`q` at a local minimum of the reverse KL :math:`D(q \,\|\, p)` on a grid.

    Parameters
    ----------
    x : array-like of shape (n,)
        Evenly spaced, increasing grid, n >= 2.
    p : array-like of shape (n,)
        Target density values on the grid, positive everywhere (need not be normalised).
    mu0 : float
        Starting mean.
    sigma0 : float
        Starting standard deviation, > 0.

    Returns
    -------
    mu : float
        Mean at the local minimum reached from ``(mu0, sigma0)``.
    sigma : float
        Standard deviation there.

    Notes
    -----
    With :math:`\tilde p = p / \sum_j p_j \Delta x` and the Gaussian density
    :math:`q_i = \mathcal N(x_i; \mu, \sigma^2)` on the grid (not renormalised), minimise

    .. math:: J(\mu, \sigma) = \sum_i q_i \log\frac{q_i}{\tilde p_i}\,\Delta x .

    With :math:`z_i = (x_i - \mu)/\sigma`, :math:`s = \log\sigma` and
    :math:`\partial q_i / \partial\mu = q_i z_i / \sigma`,
    :math:`\partial q_i / \partial s = q_i (z_i^2 - 1)`,

    .. math:: \frac{\partial J}{\partial \theta}
              = \sum_i \frac{\partial q_i}{\partial \theta}
                \Big(\log\frac{q_i}{\tilde p_i} + 1\Big)\Delta x .

    Any descent method that stays in the basin of the start will do, for example gradient
    descent on :math:`(\mu, s)` with a step that is halved until :math:`J` decreases.
    Because :math:`q \log(q/p)` punishes mass where :math:`p` is small, a fit started near
    one mode of a multimodal :math:`p` locks onto it (reverse KL is mode-seeking); a start
    between the modes can end at a wide local minimum that straddles them.

    Examples
    --------
    A Gaussian target is fitted exactly:

    >>> x = np.linspace(-20.0, 20.0, 4001)
    >>> mu, sigma = reverse_kl_fit(x, np.exp(-((x - 1.0) ** 2) / 8), mu0=0.0, sigma0=1.0)
    >>> round(mu, 6), round(sigma, 6)
    (1.0, 2.0)

    Two well separated modes: the fit picks the one it starts next to.

    >>> p = np.exp(-((x + 5) ** 2) / 2) + np.exp(-((x - 5) ** 2) / 2)
    >>> mu, sigma = reverse_kl_fit(x, p, mu0=4.0, sigma0=2.0)
    >>> round(mu, 3), round(sigma, 3)
    (5.0, 1.0)
    """
    x = np.asarray(x, dtype=float)
    p = np.asarray(p, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be a 1-D grid of at least 2 points (got shape {x.shape})")
    dx = x[1] - x[0]
    if not (dx > 0 and np.allclose(np.diff(x), dx, rtol=1e-6, atol=0)):
        raise ValueError("x must be increasing and evenly spaced")
    if p.shape != x.shape:
        raise ValueError(f"p must have the shape of x (got {p.shape} and {x.shape})")
    if not np.all((p > 0) & np.isfinite(p)):
        raise ValueError("p must be positive and finite at every grid point")
    if not sigma0 > 0:
        raise ValueError(f"sigma0 must be positive (got {sigma0})")

    log_p = np.log(p) - math.log(np.sum(p) * dx)  # log of the normalised target, (n,)

    def objective(mu, s):
        """J and its gradient with respect to (mu, s = log sigma)."""
        z = (x - mu) / math.exp(s)  # (n,)
        log_q = -0.5 * z**2 - s - 0.5 * math.log(2 * math.pi)
        q = np.exp(log_q)
        log_ratio = log_q - log_p
        h = q * (log_ratio + 1.0) * dx
        return np.sum(q * log_ratio) * dx, np.sum(h * z) / math.exp(s), np.sum(h * (z**2 - 1))

    # Descent on (mu, s) along the natural gradient (the gradient scaled by the inverse Fisher
    # information of the Gaussian, so that one step is exact for a Gaussian target); steps are
    # capped at one sigma in mu and 0.5 in s to stay in the starting basin, and halved until
    # J decreases enough (Armijo).
    mu, s = float(mu0), math.log(sigma0)
    kl, g_mu, g_s = objective(mu, s)
    for _ in range(1000):
        sigma = math.exp(s)
        step_mu, step_s = -(sigma**2) * g_mu, -0.5 * g_s  # natural-gradient direction
        if abs(step_mu) <= 1e-9 * sigma and abs(step_s) <= 1e-9:
            break  # converged: the gradient is down to rounding noise
        scale = min(1.0, sigma / max(abs(step_mu), 1e-300), 0.5 / max(abs(step_s), 1e-300))
        step_mu, step_s = scale * step_mu, scale * step_s
        slope = g_mu * step_mu + g_s * step_s  # < 0: a descent direction
        t = 1.0
        while t > 1e-9:
            new = objective(mu + t * step_mu, s + t * step_s)
            if new[0] < kl + 1e-4 * t * slope:
                break
            t /= 2
        else:
            break  # no decrease left at machine precision: converged
        mu, s = mu + t * step_mu, s + t * step_s
        kl, g_mu, g_s = new
    return float(mu), math.exp(s)

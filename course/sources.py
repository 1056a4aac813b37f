"""Synthetic sources whose entropy (rate) is known exactly, for checking estimates against truth.

>>> from course.sources import iid_source, markov_source
>>> iid_source([0.5, 0.5], 8, seed=0).shape
(8,)
"""

from __future__ import annotations

import numpy as np


def iid_source(p, n: int, seed: int = 0) -> np.ndarray:
    """``n`` i.i.d. symbols (ints ``0..len(p)-1``) drawn from the probability vector ``p``."""
    p = np.asarray(p, dtype=float)
    rng = np.random.default_rng(seed)
    return rng.choice(len(p), size=n, p=p)


def markov_source(transition, n: int, seed: int = 0, start: int | None = None) -> np.ndarray:
    """``n`` symbols of a Markov chain with row-stochastic ``transition[i, j] = P(j | i)``.

    The chain starts in its stationary distribution unless ``start`` is given.
    """
    P = np.asarray(transition, dtype=float)
    rng = np.random.default_rng(seed)
    k = P.shape[0]
    out = np.empty(n, dtype=int)
    state = rng.choice(k, p=stationary_distribution(P)) if start is None else start
    cumulative = np.cumsum(P, axis=1)
    for t, u in enumerate(rng.random(n)):
        out[t] = state
        state = min(int(np.searchsorted(cumulative[state], u, side="right")), k - 1)
    return out


def stationary_distribution(transition) -> np.ndarray:
    """The stationary distribution ``pi = pi P`` of an irreducible chain.

    >>> stationary_distribution([[0.9, 0.1], [0.5, 0.5]]).round(4)
    array([0.8333, 0.1667])
    """
    P = np.asarray(transition, dtype=float)
    k = P.shape[0]
    # Solve pi (P - I) = 0 with sum(pi) = 1 as a least-squares system.
    A = np.vstack([P.T - np.eye(k), np.ones(k)])
    b = np.concatenate([np.zeros(k), [1.0]])
    pi, *_ = np.linalg.lstsq(A, b, rcond=None)
    return pi

"""Hidden-check criteria for 07-llm-losses. Every case is seeded: the same on every run.

The cases hold NumPy arrays (plain data). An adapter turns them into PyTorch tensors that
share their memory (so an in-place change to an input is seen by the mutation check), makes
the differentiable inputs leaves that require grad, calls the student's loss, back-propagates
and returns a :class:`course.adapters.Run`: the value, the gradients and what kind of object
came back (:class:`course.adapters.Torch`). The judge then compares plain data only: values
and gradients against the reference's, within ``rtol=1e-6, atol=1e-9`` for float64 inputs
and ``rtol=1e-4, atol=1e-5`` for float32 inputs (:class:`course.comparisons.TorchValues`).
"""

from __future__ import annotations

import math

import numpy as np

from autograder.checks.core import Case, Criterion, close
from course.adapters import Tensors, Torch
from course.comparisons import PythonFloat, TorchForm, TorchNumber, TorchValues

F32 = np.float32
ECE = close(1e-9, 1e-12)  # expected_calibration_error


def _normal(rng, *shape, scale=1.0, dtype=np.float64) -> np.ndarray:
    return (rng.normal(size=shape) * scale).astype(dtype)


# -- the exercises -------------------------------------------------------------------------------

LOGITS = Torch({"logits": 0}, "input")
LOSS = Torch({"logits": 0}, "loss")


def log_softmax(rng: np.random.Generator) -> list[Criterion]:
    extreme = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4 + 1.0, -1e4], [1e4, 1e4 - 2.0, 5.0]])
    return [
        Criterion(
            "log-softmax along the last dimension (values and gradients)",
            [
                Case((_normal(rng, 5, scale=2),)),
                Case((_normal(rng, 4, 6, scale=3),)),
                Case((_normal(rng, 2, 3, 5),)),
                Case((np.array([[0.0, math.log(3.0)], [2.0, 2.0]]),)),
                Case((_normal(rng, 3, 1),)),
            ],
            TorchValues(),
            weight=2,
            adapt=LOGITS,
        ),
        Criterion(
            "exact for logits up to +-1e4 (no overflow, no -inf, no nan)",
            [Case((extreme,)), Case((np.array([1e4, 1e4 - 3.0]),)), Case((extreme * -1,))],
            TorchValues(),
            adapt=LOGITS,
        ),
        Criterion(
            "float32 logits (float32-sized tolerance), also where exp overflows float32",
            [
                Case((_normal(rng, 3, 7, scale=3, dtype=F32),)),
                Case((np.array([[100.0, 0.0, -100.0], [-200.0, 0.0, 1.0]], dtype=F32),)),
            ],
            TorchValues(),
            adapt=LOGITS,
        ),
        Criterion(
            "returns a tensor of the input's shape that gradients flow through",
            [Case((_normal(rng, 4, 5),)), Case((_normal(rng, 6),))],
            TorchForm(),
            adapt=LOGITS,
        ),
    ]


def _targets(rng, n, c, ignored=0, ignore_index=-100):
    y = rng.integers(0, c, size=n)
    if ignored:
        y[rng.choice(n, size=ignored, replace=False)] = ignore_index
    return y.astype(np.int64)


def cross_entropy_loss(rng: np.random.Generator) -> list[Criterion]:
    extreme = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0], [0.0, -1e4, 1e4]])
    with_zero = _targets(rng, 7, 4)
    with_zero[[1, 4]] = 0
    return [
        Criterion(
            "mean cross-entropy of (N, C) logits and class targets (values and gradients)",
            [
                Case((_normal(rng, n, c, scale=2), _targets(rng, n, c)))
                for n, c in ((1, 2), (5, 3), (8, 10), (3, 50))
            ]
            + [Case((np.zeros((4, 5)), np.array([0, 1, 2, 4])))],
            TorchValues(),
            weight=2,
            adapt=LOSS,
        ),
        Criterion(
            "rows whose target is ignore_index are left out of the sum and of the count",
            [
                Case((_normal(rng, 6, 5, scale=2), _targets(rng, 6, 5, ignored=2))),
                Case((_normal(rng, 9, 4), _targets(rng, 9, 4, ignored=5))),
                Case((_normal(rng, 7, 4, scale=2), with_zero), {"ignore_index": 0}),
                Case(
                    (_normal(rng, 5, 3), _targets(rng, 5, 3, 2, ignore_index=-1)),
                    {"ignore_index": -1},
                ),
            ],
            TorchValues(),
            weight=1.5,
            adapt=LOSS,
        ),
        Criterion(
            "label smoothing: (1 - eps) on the target plus eps / C on every class",
            [
                Case((_normal(rng, 6, 5, scale=2), _targets(rng, 6, 5)), {"label_smoothing": 0.1}),
                Case((_normal(rng, 4, 3, scale=3), _targets(rng, 4, 3)), {"label_smoothing": 0.4}),
                Case((_normal(rng, 3, 8), _targets(rng, 3, 8), -100, 1.0)),
            ],
            TorchValues(),
            weight=1.5,
            adapt=LOSS,
        ),
        Criterion(
            "label smoothing together with ignored rows (both terms over the kept rows only)",
            [
                Case(
                    (_normal(rng, 8, 6, scale=2), _targets(rng, 8, 6, ignored=3)),
                    {"label_smoothing": 0.2},
                ),
                Case(
                    (_normal(rng, 7, 4, scale=2), with_zero),
                    {"ignore_index": 0, "label_smoothing": 0.3},
                ),
            ],
            TorchValues(),
            adapt=LOSS,
        ),
        Criterion(
            "exact for logits up to +-1e4 (no overflow, no nan)",
            [
                Case((extreme, np.array([0, 2, 1]))),
                Case((extreme, np.array([2, 0, -100])), {"label_smoothing": 0.05}),
            ],
            TorchValues(),
            adapt=LOSS,
        ),
        Criterion(
            "float32 logits (float32-sized tolerance)",
            [
                Case((_normal(rng, 6, 7, scale=2, dtype=F32), _targets(rng, 6, 7, ignored=1))),
                Case(
                    (_normal(rng, 5, 4, scale=3, dtype=F32), _targets(rng, 5, 4)),
                    {"label_smoothing": 0.1},
                ),
            ],
            TorchValues(),
            adapt=LOSS,
        ),
        Criterion(
            "returns a 0-dim tensor that gradients flow through to the logits",
            [
                Case((_normal(rng, 4, 3), _targets(rng, 4, 3))),
                Case(
                    (_normal(rng, 5, 6), _targets(rng, 5, 6, ignored=2)), {"label_smoothing": 0.1}
                ),
            ],
            TorchForm(),
            adapt=LOSS,
        ),
    ]


def _padded(rng, lengths, t, v, pad_id, left=False):
    """Token ids (B, T) drawn from the ids other than pad_id, padded to T with pad_id."""
    ids = np.array([i for i in range(v) if i != pad_id])
    tokens = np.full((len(lengths), t), pad_id, dtype=np.int64)
    for b, n in enumerate(lengths):
        row = rng.choice(ids, size=n)
        if left:
            tokens[b, t - n :] = row
        else:
            tokens[b, :n] = row
    return tokens


def next_token_loss(rng: np.random.Generator) -> list[Criterion]:
    return [
        Criterion(
            "tokens[:, 1:] predicted from logits[:, :-1]: one mean (values and gradients)",
            [
                Case((_normal(rng, b, t, v, scale=2), _padded(rng, [t] * b, t, v, 0), 0))
                for b, t, v in ((1, 5, 4), (3, 6, 7), (2, 2, 5), (4, 9, 12))
            ],
            TorchValues(),
            weight=2,
            adapt=LOSS,
        ),
        Criterion(
            "targets equal to pad_id are skipped: one mean over all real targets of the batch",
            [
                Case((_normal(rng, 3, 7, 6, scale=2), _padded(rng, [7, 3, 5], 7, 6, 0), 0)),
                Case((_normal(rng, 2, 8, 5), _padded(rng, [2, 8], 8, 5, 4), 4)),
                Case(
                    (_normal(rng, 3, 6, 9, scale=2), _padded(rng, [4, 6, 2], 6, 9, 7, left=True), 7)
                ),
            ],
            TorchValues(),
            weight=2,
            adapt=LOSS,
        ),
        Criterion(
            "float32 logits (float32-sized tolerance)",
            [
                Case(
                    (_normal(rng, 3, 6, 8, scale=2, dtype=F32), _padded(rng, [6, 4, 5], 6, 8, 0), 0)
                )
            ],
            TorchValues(),
            adapt=LOSS,
        ),
        Criterion(
            "returns a 0-dim tensor that gradients flow through to the logits",
            [Case((_normal(rng, 2, 5, 4), _padded(rng, [5, 3], 5, 4, 0), 0))],
            TorchForm(),
            adapt=LOSS,
        ),
    ]


STUDENT = Torch({"student_logits": 0}, "loss")


def distillation_loss(rng: np.random.Generator) -> list[Criterion]:
    confident = _normal(rng, 3, 5, scale=2)
    confident[[0, 0, 1, 2], [1, 3, 0, 4]] = -1e4  # softmax gives exactly 0 there
    return [
        Criterion(
            "T = 1: mean over rows of KL(softmax(teacher) || softmax(student)) (values, gradients)",
            [
                Case((_normal(rng, n, c, scale=2), _normal(rng, n, c, scale=2), 1.0))
                for n, c in ((1, 3), (4, 5), (6, 10))
            ],
            TorchValues(),
            adapt=STUDENT,
        ),
        Criterion(
            "temperature T: both softened by T, the KL scaled by T²",
            [
                Case((_normal(rng, 4, 6, scale=3), _normal(rng, 4, 6, scale=3), t))
                for t in (2.0, 4.0, 0.5)
            ]
            + [Case((_normal(rng, 5, 3), _normal(rng, 5, 3, scale=4), 3))],
            TorchValues(),
            weight=2,
            adapt=STUDENT,
        ),
        Criterion(
            "teacher probabilities that underflow to 0 contribute 0 (0 log 0 = 0)",
            [
                Case((_normal(rng, 3, 5), confident, 1.0)),
                Case((_normal(rng, 3, 5, scale=2), confident, 2.0)),
            ],
            TorchValues(),
            adapt=STUDENT,
        ),
        Criterion(
            "float32 logits (float32-sized tolerance)",
            [
                Case(
                    (
                        _normal(rng, 5, 6, scale=2, dtype=F32),
                        _normal(rng, 5, 6, scale=2, dtype=F32),
                        2.0,
                    )
                )
            ],
            TorchValues(),
            adapt=STUDENT,
        ),
        Criterion(
            "returns a 0-dim tensor that gradients flow through to the student's logits",
            [Case((_normal(rng, 3, 4), _normal(rng, 3, 4), 2.0))],
            TorchForm(),
            adapt=STUDENT,
        ),
    ]


POLICY = Torch({"logp_policy": 0}, "input")


def _logps(rng, *shape, dtype=np.float64):
    return -np.abs(_normal(rng, *shape, scale=2.0, dtype=dtype))


def kl_penalty(rng: np.random.Generator) -> list[Criterion]:
    pairs = [(_logps(rng, 6), _logps(rng, 6)), (_logps(rng, 3, 5), _logps(rng, 3, 5))]
    return [
        Criterion(
            "k1 = logp_policy - logp_ref, elementwise (the default estimator)",
            [Case(pairs[0]), Case(pairs[1], {"estimator": "k1"})],
            TorchValues(),
            adapt=POLICY,
        ),
        Criterion(
            "k2 = (logp_policy - logp_ref)² / 2",
            [Case((*pairs[0], "k2")), Case(pairs[1], {"estimator": "k2"})],
            TorchValues(),
            adapt=POLICY,
        ),
        Criterion(
            "k3 = (r - 1) - log r with r = pi_ref / pi",
            [
                Case((*pairs[0], "k3")),
                Case(pairs[1], {"estimator": "k3"}),
                Case((np.array([-0.5, -3.0, -1e-3]), np.array([-0.5, -1.0, -6.0]), "k3")),
            ],
            TorchValues(),
            weight=1.5,
            adapt=POLICY,
        ),
        Criterion(
            "an unknown estimator name raises ValueError",
            [Case((*pairs[0], "k4")), Case(pairs[1], {"estimator": "kl"})],
            TorchValues(),
            adapt=POLICY,
        ),
        Criterion(
            "float32 log-probs (float32-sized tolerance)",
            [
                Case((_logps(rng, 2, 4, dtype=F32), _logps(rng, 2, 4, dtype=F32), name))
                for name in ("k1", "k2", "k3")
            ],
            TorchValues(),
            adapt=POLICY,
        ),
        Criterion(
            "returns a tensor of the inputs' shape that gradients flow through",
            [Case((_logps(rng, 2, 3), _logps(rng, 2, 3), name)) for name in ("k1", "k2", "k3")],
            TorchForm(),
            weight=0.5,
            adapt=POLICY,
        ),
    ]


PAIRS = Torch({"policy_chosen_logps": 0, "policy_rejected_logps": 1}, "loss")


def _preferences(rng, n, scale=20.0, dtype=np.float64):
    return tuple(-np.abs(_normal(rng, n, scale=scale, dtype=dtype)) for _ in range(4))


def dpo_loss(rng: np.random.Generator) -> list[Criterion]:
    # chosen response 2e4 nats less likely under the policy than under the reference
    chosen, rejected = np.array([-2e4, -3.0]), np.array([-1.0, -3.0])
    ref_chosen, ref_rejected = np.array([-5.0, -3.0]), np.array([-1.0, -3.0])
    return [
        Criterion(
            "mean of -log sigmoid(beta * margin), default beta = 0.1 (values and gradients)",
            [Case(_preferences(rng, n)) for n in (1, 4, 16)],
            TorchValues(),
            weight=2,
            adapt=PAIRS,
        ),
        Criterion(
            "the beta argument (positional or keyword)",
            [
                Case((*_preferences(rng, 5), 0.5)),
                Case(_preferences(rng, 6, scale=5.0), {"beta": 2.0}),
            ],
            TorchValues(),
            adapt=PAIRS,
        ),
        Criterion(
            "stable for large margins of either sign (no inf, no nan)",
            [
                Case((chosen, rejected, ref_chosen, ref_rejected), {"beta": 1.0}),
                Case((chosen, rejected, ref_chosen, ref_rejected)),
                Case((rejected, chosen, ref_rejected, ref_chosen), {"beta": 1.0}),
            ],
            TorchValues(),
            adapt=PAIRS,
        ),
        Criterion(
            "float32 log-probs (float32-sized tolerance)",
            [Case(_preferences(rng, 8, dtype=F32))],
            TorchValues(),
            adapt=PAIRS,
        ),
        Criterion(
            "returns a 0-dim tensor; gradients reach both policy log-probs",
            [Case(_preferences(rng, 3))],
            TorchForm(),
            adapt=PAIRS,
        ),
    ]


BITS = Torch({}, "number")
BITS_FROM_MODEL = Torch({"logits": 0}, "number")


def code_length_bits(rng: np.random.Generator) -> list[Criterion]:
    return [
        Criterion(
            "total bits of tokens[1:], each predicted by the row before (a number)",
            [
                Case((_normal(rng, t, v, scale=3), rng.integers(0, v, size=t)))
                for t, v in ((2, 3), (6, 5), (20, 8), (12, 40))
            ],
            TorchNumber(),
            weight=2,
            adapt=BITS,
        ),
        Criterion(
            "a uniform model spends log2 V bits per predicted token; one token costs 0 bits",
            [
                Case((np.zeros((5, 8)), np.array([1, 2, 3, 4, 5]))),
                Case((np.zeros((4, 10)), np.array([9, 0, 9, 0]))),
                Case((_normal(rng, 1, 6), np.array([3]))),
            ],
            TorchNumber(),
            adapt=BITS,
        ),
        Criterion(
            "float32 logits that require grad, straight out of a model (float32 tolerance)",
            [Case((_normal(rng, 15, 7, scale=2, dtype=F32), rng.integers(0, 7, size=15)))],
            TorchNumber(),
            adapt=BITS_FROM_MODEL,
        ),
    ]


PROBS = Torch({}, "input")


def _probs_and_top_p(rng, *shape, margin=1e-3, dtype=np.float64):
    """Probability vectors (Dirichlet) and a top_p in (0, 1) at least ``margin`` away from
    every cumulative sum of every vector, taken from the most to the least probable."""
    while True:
        probs = rng.dirichlet(np.full(shape[-1], 0.6), size=shape[:-1]).astype(dtype)
        top_p = float(np.round(rng.uniform(0.2, 0.95), 3))
        cumulative = np.cumsum(-np.sort(-probs.astype(np.float64), axis=-1), axis=-1)
        if np.abs(cumulative - top_p).min() >= margin:
            return probs, top_p


def top_p_filter(rng: np.random.Generator) -> list[Criterion]:
    ties = np.array([0.2, 0.3, 0.2, 0.3])  # sorted: 0.3 (index 1), 0.3 (3), 0.2 (0), 0.2 (2)
    return [
        Criterion(
            "keeps the smallest set of most probable tokens reaching top_p, renormalised",
            [Case(_probs_and_top_p(rng, v)) for v in (5, 8, 30)]
            + [Case((np.array([0.1, 0.5, 0.4]), 0.6)), Case((np.array([0.05, 0.6, 0.35]), 0.3))],
            TorchValues(grads=False),
            weight=2,
            adapt=PROBS,
        ),
        Criterion(
            "every vector along the last dimension, any leading shape",
            [Case(_probs_and_top_p(rng, 4, 6)), Case(_probs_and_top_p(rng, 2, 3, 5))],
            TorchValues(grads=False),
            adapt=PROBS,
        ),
        Criterion(
            "equal probabilities: the lower index comes first",
            [
                Case((ties, 0.25)),
                Case((ties, 0.75)),
                Case((np.full(4, 0.25), 0.6)),
                Case((np.array([[0.5, 0.25, 0.25], [0.25, 0.25, 0.5]]), 0.7)),
            ],
            TorchValues(grads=False),
            adapt=PROBS,
        ),
        Criterion(
            "top_p = 1 keeps every token; a small top_p keeps the most probable token only",
            [
                Case((np.array([0.5, 0.2, 0.2, 0.1]), 1.0)),
                Case((np.array([[0.0, 0.7, 0.3], [0.25, 0.25, 0.5]]), 1.0)),
                Case((np.array([0.1, 0.2, 0.6, 0.1]), 0.05)),
            ],
            TorchValues(grads=False),
            adapt=PROBS,
        ),
        Criterion(
            "ValueError unless 0 < top_p <= 1",
            [Case((np.array([0.5, 0.5]), p)) for p in (0.0, 1.5, -0.2)],
            TorchValues(grads=False),
            weight=0.5,
            adapt=PROBS,
        ),
        Criterion(
            "float32 probabilities (float32-sized tolerance)",
            [Case(_probs_and_top_p(rng, 3, 7, margin=1e-2, dtype=F32))],
            TorchValues(grads=False),
            adapt=PROBS,
        ),
        Criterion(
            "returns a tensor of the input's shape and dtype",
            [
                Case(_probs_and_top_p(rng, 2, 5)),
                Case(_probs_and_top_p(rng, 6, margin=1e-2, dtype=F32)),
            ],
            TorchForm(),
            weight=0.5,
            adapt=PROBS,
        ),
    ]


def _calibration(rng, n, n_bins=10):
    """Confidences at least 1e-6 away from every inner bin edge, and outcomes drawn with a
    probability that is not the confidence (an overconfident model)."""
    confidences = rng.uniform(0.0, 1.0, size=n)
    near = np.abs(confidences * n_bins - np.round(confidences * n_bins)) < 1e-5 * n_bins
    confidences[near] += 3e-5
    correct = rng.random(n) < confidences**2
    return confidences, correct


def expected_calibration_error(rng: np.random.Generator) -> list[Criterion]:
    edges = np.array([0.0, 1.0, 1.0, 0.35, 0.95, 0.05])
    return [
        Criterion(
            "sum over the non-empty bins of (n_b / N) |accuracy_b - confidence_b|, 10 bins",
            [Case(_calibration(rng, n)) for n in (1, 7, 60, 500)]
            + [Case((np.array([0.9, 0.9, 0.6, 0.6]), np.array([1, 0, 1, 1])))],
            ECE,
            weight=2,
        ),
        Criterion(
            "the n_bins argument (positional or keyword)",
            [
                Case((*_calibration(rng, 80, 5), 5)),
                Case(_calibration(rng, 40, 15), {"n_bins": 15}),
                Case(_calibration(rng, 30, 1), {"n_bins": 1}),
            ],
            ECE,
        ),
        Criterion(
            "a confidence of exactly 1 falls in the last bin, 0 in the first",
            [
                Case((edges, np.array([0, 1, 0, 1, 1, 0]))),
                Case((np.array([1.0, 1.0, 1.0]), np.array([1, 1, 0]))),
                Case((np.array([0.0, 0.0, 0.55]), np.array([1, 0, 1])), {"n_bins": 4}),
            ],
            ECE,
        ),
        Criterion(
            "correct as booleans or 0/1, in lists, NumPy arrays or tensors",
            [
                Case(([0.95, 0.62, 0.71, 0.33], [True, False, True, True])),
                Case((np.array([0.82, 0.47, 0.91]), np.array([1.0, 0.0, 0.0]))),
                Case((np.array([0.82, 0.47, 0.91]), np.array([1, 0, 0]))),
            ],
            ECE,
        ),
        Criterion(
            "confidences and correct as PyTorch tensors",
            [Case(_calibration(rng, 25)), Case((np.array([0.66, 0.12]), np.array([1, 0])))],
            ECE,
            adapt=Tensors(),
        ),
        Criterion(
            "ValueError when there are no samples or the lengths differ",
            [
                Case((np.array([]), np.array([], dtype=bool))),
                Case((np.array([0.9, 0.8]), np.array([True]))),
                Case(([0.5], [1, 0, 1])),
            ],
            ECE,
            weight=0.5,
        ),
        Criterion(
            "returns a Python float",
            [Case(_calibration(rng, 20)), Case(_calibration(rng, 9))],
            PythonFloat(1e-9, 1e-12),
            weight=0.5,
            adapt=Tensors(),
        ),
    ]


CHECKS = {
    "log_softmax": log_softmax,
    "cross_entropy_loss": cross_entropy_loss,
    "next_token_loss": next_token_loss,
    "distillation_loss": distillation_loss,
    "kl_penalty": kl_penalty,
    "dpo_loss": dpo_loss,
    "code_length_bits": code_length_bits,
    "top_p_filter": top_p_filter,
    "expected_calibration_error": expected_calibration_error,
}


# -- public cases -----------------------------------------------------------------------------


def public_cases(rng: np.random.Generator) -> dict[str, dict[str, list[Case]]]:
    """The self-check's hand-picked public cases (``autograder/public_cases.py``)."""
    return {
        "log_softmax": {
            "up to +-1e4": [
                Case((np.array([[9e3, 0.0, -9e3], [-9e3, -9e3 + 2.0, -9e3]]),)),
                Case((np.array([9e3, 9e3 - 1.0, 3.0]),)),
            ],
        },
        "cross_entropy_loss": {
            "up to +-1e4": [
                Case((np.array([[9e3, -9e3, 0.0], [0.0, 9e3, -9e3]]), np.array([1, 1]))),
                Case(
                    (np.array([[-9e3, 0.0, 9e3], [9e3, 0.0, -9e3]]), np.array([0, -100])),
                    {"label_smoothing": 0.1},
                ),
            ],
        },
        "dpo_loss": {
            "large margins": [
                Case(
                    (
                        np.array([-1.5e4, -2.0]),
                        np.array([-2.0, -2.0]),
                        np.array([-4.0, -2.0]),
                        np.array([-2.0, -2.0]),
                    ),
                    {"beta": 1.0},
                ),
                Case(
                    (
                        np.array([-2.0, -7.0]),
                        np.array([-1.5e4, -7.0]),
                        np.array([-2.0, -7.0]),
                        np.array([-4.0, -7.0]),
                    ),
                    {"beta": 1.0},
                ),
            ],
        },
        "code_length_bits": {
            "a uniform model": [
                Case((np.zeros((4, 6)), np.array([5, 0, 2, 1]))),
                Case((rng.normal(size=(1, 9)), np.array([4]))),
            ],
        },
        "top_p_filter": {
            "equal probabilities": [
                Case((np.array([0.3, 0.2, 0.3, 0.2]), 0.2)),
                Case((np.array([0.1, 0.3, 0.3, 0.3]), 0.5)),
            ],
            "top_p = 1": [
                Case((np.array([0.4, 0.1, 0.3, 0.2]), 1.0)),
                Case((np.array([0.15, 0.7, 0.15]), 0.1)),
            ],
            "ValueError": [Case((np.array([0.25, 0.75]), 0.0)), Case((np.array([0.5, 0.5]), 2.0))],
        },
        "expected_calibration_error": {
            "exactly 1": [
                Case((np.array([1.0, 1.0, 0.0, 0.45]), np.array([1, 0, 0, 1]))),
                Case((np.array([0.0, 0.0, 1.0, 0.62]), np.array([1, 1, 0, 1])), {"n_bins": 5}),
            ],
            "booleans or 0/1": [
                Case(([0.85, 0.55, 0.25], [True, True, False])),
                Case((np.array([0.72, 0.18]), np.array([0, 1]))),
            ],
            "ValueError": [Case((np.array([0.3]), np.array([1, 1]))), Case(([], []))],
        },
    }

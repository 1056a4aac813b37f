"""Hidden-check criteria for 07-llm-losses. Every case is seeded: the same on every run.

The cases hold NumPy arrays (plain data). An adapter turns them into PyTorch tensors that
share their memory (so an in-place change to an input is seen by the mutation check), makes
the differentiable inputs leaves that require grad, calls the student's loss, back-propagates
and returns a :class:`Run`: the value, the gradients and what kind of object came back. The
judge then compares plain data only: values and gradients against the reference's, within
``rtol=1e-6, atol=1e-9`` for float64 inputs and ``rtol=1e-4, atol=1e-5`` for float32 inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import torch

from autograder.checks.core import Case, Compare, Criterion, Outcome, as_array, close
from course.harness import python_float

F32 = np.float32
TIGHT = (1e-6, 1e-9)  # float64 inputs
LOOSE = (1e-4, 1e-5)  # float32 inputs


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng(sum(name.encode()) * 7919)


def _normal(rng, *shape, scale=1.0, dtype=np.float64) -> np.ndarray:
    return (rng.normal(size=shape) * scale).astype(dtype)


# -- running a loss: tensors in, plain data out -----------------------------------------------


class Run(NamedTuple):
    """What one call of a PyTorch function gave back, as plain data."""

    value: Any  # a float (0-dim result), a float64 array, or None
    grads: tuple  # ((input name, float64 array), ...); () when nothing was back-propagated
    kind: str  # "tensor", "number", or the type name of whatever came back
    requires_grad: bool
    problem: str  # "" when the returned object has the contract's form, else what is wrong

    def __repr__(self) -> str:
        if self.value is None:
            return "None" if self.kind == "NoneType" else f"a {self.kind}"
        shown = repr(self.value) if isinstance(self.value, float) else _array_text(self.value)
        if self.kind != "tensor":
            return shown
        return f"tensor({shown}{', requires_grad=True' if self.requires_grad else ''})"


def _array_text(value: np.ndarray) -> str:
    return np.array2string(value, precision=6, threshold=12, edgeitems=3, separator=", ")


def _plain(out) -> tuple[Any, str]:
    """A float or float64 array from a tensor / number, and what kind of object it was."""
    if out is None:
        return None, "NoneType"
    if isinstance(out, torch.Tensor):
        kind = "tensor"
    elif isinstance(out, (int, float, np.number, np.ndarray)) and not isinstance(out, bool):
        kind = "number"
    else:
        return None, type(out).__name__
    try:
        array = as_array(out)
    except (TypeError, ValueError, RuntimeError):
        return None, type(out).__name__
    return (float(array) if array.ndim == 0 else array), kind


def _weights(shape: tuple, dtype) -> torch.Tensor:
    """Fixed weights w: for a tensor-valued output, the gradients checked are those of
    sum(w * out), which depend on every entry of the output."""
    return torch.from_numpy(np.random.default_rng(2024).normal(size=shape)).to(dtype)


def _backward(out: torch.Tensor, inputs: Sequence[torch.Tensor], weighted: bool):
    target = (out * _weights(tuple(out.shape), out.dtype)).sum() if weighted else out.sum()
    return torch.autograd.grad(target, list(inputs), allow_unused=True)


def _run(out, inputs: dict[str, torch.Tensor], shape: tuple | None, dtype=None) -> Run:
    """Summarise ``out``; ``shape`` is the contract's output shape (None: a number).

    With no differentiable ``inputs`` (e.g. ``top_p_filter``), no gradient is asked for, and
    the result must keep ``dtype``, the first input's."""
    value, kind = _plain(out)
    requires_grad = isinstance(out, torch.Tensor) and out.requires_grad
    noun = "loss" if shape == () else "result"
    if kind == "NoneType":
        return Run(None, (), kind, False, "it returned None (is a `return` missing?)")
    if shape is None:  # a number is asked for, e.g. code_length_bits
        return Run(value, (), kind, requires_grad, "")
    if kind != "tensor":
        problem = (
            f"it returned a {type(out).__name__}, not a torch tensor: keep the {noun} a tensor "
            "(no .item(), float(...) or .numpy()), so that gradients can flow back through it"
        )
        return Run(value, (), kind, False, problem)
    if tuple(out.shape) != shape:
        problem = (
            f"expected a 0-dim tensor (shape ()), got shape {tuple(out.shape)} (a missing mean?)"
            if shape == ()
            else f"expected a tensor of shape {shape} (the input's), got shape {tuple(out.shape)}"
        )
        return Run(value, (), kind, requires_grad, problem)
    if not inputs:  # nothing differentiable: the form is a tensor of the input's dtype
        problem = (
            ""
            if dtype is None or out.dtype == dtype
            else (f"expected a tensor of dtype {dtype} (the input's), got dtype {out.dtype}")
        )
        return Run(value, (), kind, requires_grad, problem)
    if not requires_grad:
        problem = (
            f"the {noun} does not require grad: no gradient can flow back to "
            f"{' and '.join(inputs)} (did .item(), .detach(), .numpy() or torch.tensor(...) "
            "cut the graph?)"
        )
        return Run(value, (), kind, False, problem)
    try:
        grads = _backward(out, list(inputs.values()), weighted=shape != ())
    except RuntimeError as error:
        text = str(error).strip().splitlines()[0][:160] if str(error).strip() else ""
        return Run(value, (), kind, True, f"back-propagating through the {noun} failed: {text}")
    missing = [name for name, g in zip(inputs, grads, strict=True) if g is None]
    if missing:
        return Run(value, (), kind, True, f"no gradient reaches {' or '.join(missing)}")
    plain = tuple((name, as_array(g)) for name, g in zip(inputs, grads, strict=True))
    return Run(value, plain, kind, True, "")


def torch_adapter(
    differentiable: dict[str, int], shape: Callable[[tuple], tuple | None]
) -> Callable:
    """An adapter calling the graded function on tensors made from the case's arrays.

    ``differentiable`` maps an input's name to its position: those inputs require grad.
    ``shape(args)`` gives the output shape the contract promises (None for a number).
    """

    def adapt(fn: Callable, partners: dict) -> Callable:
        def run(*args, **kwargs):
            tensors = [torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in args]
            inputs = {name: tensors[i].requires_grad_(True) for name, i in differentiable.items()}
            dtype = tensors[0].dtype if isinstance(tensors[0], torch.Tensor) else None
            return _run(fn(*tensors, **kwargs), inputs, shape(args), dtype)

        return run

    return adapt


def _loss_shape(args) -> tuple:
    return ()


def _input_shape(args) -> tuple:
    return tuple(args[0].shape)


def _number(args) -> None:
    return None


# -- comparisons -------------------------------------------------------------------------------


def _tolerance(case: Case) -> tuple[float, float]:
    arrays = [a for a in case.args if isinstance(a, np.ndarray)]
    return LOOSE if any(a.dtype == F32 for a in arrays) else TIGHT


def _differ(got, expected, rtol: float, atol: float, what: str) -> str | None:
    g, e = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if g.size != e.size:
        wanted = "a single number" if e.size == 1 else f"{e.size} numbers"
        return f"{what}: expected {wanted}, got {g.size} numbers"
    g = g.reshape(e.shape)
    if np.isnan(g).any() and not np.isnan(e).any():
        return f"{what} contains nan (inf - inf or 0 * inf somewhere? exp overflowing?)"
    if np.isinf(g).any() and not np.isinf(e).any():
        return (
            f"{what} contains inf (exp overflowing, or log of a probability that underflowed to 0?)"
        )
    if np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True):
        return None
    if e.ndim == 0:
        return f"{what} differs: expected {float(e)!r}, got {float(g)!r}"
    with np.errstate(all="ignore"):
        gap = np.where(np.isfinite(g) & np.isfinite(e), np.abs(g - e), np.inf)
        gap = np.where(g == e, 0.0, gap)
    at = np.unravel_index(int(np.argmax(gap)), gap.shape)
    index = tuple(int(i) for i in at)
    return (
        f"{what} differs (first at index {index}: expected {float(e[at])!r}, got {float(g[at])!r})"
    )


def same_values(grads: bool = True) -> Compare:
    """The value (and, when both sides have them, the gradients) equal within tolerance.

    Whether the result is a differentiable tensor of the right shape is judged separately
    (:func:`right_form`), so a loss returned with ``.item()`` loses that criterion only.
    """

    def compare(got: Outcome, expected: Outcome, case: Case) -> str | None:
        g, e = got.value, expected.value
        if not isinstance(g, Run) or not isinstance(e, Run):
            return "the result could not be read"
        if g.value is None:
            return g.problem or f"it returned a {g.kind}, not a number or a tensor"
        if e.value is None:
            return "expected no value here"
        rtol, atol = _tolerance(case)
        reason = _differ(g.value, e.value, rtol, atol, "the value")
        if reason or not (grads and g.grads and e.grads):
            return reason
        for (name, got_grad), (_, expected_grad) in zip(g.grads, e.grads, strict=True):
            reason = _differ(got_grad, expected_grad, rtol, atol, f"the gradient w.r.t. {name}")
            if reason:
                return f"the value is right, but {reason}"
        return None

    return compare


def right_form(got: Outcome, expected: Outcome, case: Case) -> str | None:
    """A tensor of the contract's shape that requires grad, with gradients reaching the inputs."""
    g, e = got.value, expected.value
    if not isinstance(g, Run) or not isinstance(e, Run):
        return "the result could not be read"
    if g.problem == e.problem:
        return None
    return g.problem or "the result has another form than expected"


def same_number(got: Outcome, expected: Outcome, case: Case) -> str | None:
    """A single number (float, NumPy scalar or 0-dim tensor) equal within tolerance."""
    g, e = got.value, expected.value
    if not isinstance(g, Run) or not isinstance(e, Run):
        return "the result could not be read"
    if g.value is None:
        return g.problem or f"it returned a {g.kind}, not a number"
    if np.ndim(g.value) != 0:
        return f"expected a single number, got an array of shape {np.shape(g.value)}"
    rtol, atol = _tolerance(case)
    return _differ(g.value, e.value, rtol, atol, "the number of bits")


# -- the exercises -------------------------------------------------------------------------------

LOGITS = torch_adapter({"logits": 0}, _input_shape)
LOSS = torch_adapter({"logits": 0}, _loss_shape)


def log_softmax():
    rng = _rng("log_softmax")
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
            same_values(),
            weight=2,
            adapt=LOGITS,
        ),
        Criterion(
            "exact for logits up to +-1e4 (no overflow, no -inf, no nan)",
            [Case((extreme,)), Case((np.array([1e4, 1e4 - 3.0]),)), Case((extreme * -1,))],
            same_values(),
            adapt=LOGITS,
        ),
        Criterion(
            "float32 logits (float32-sized tolerance), also where exp overflows float32",
            [
                Case((_normal(rng, 3, 7, scale=3, dtype=F32),)),
                Case((np.array([[100.0, 0.0, -100.0], [-200.0, 0.0, 1.0]], dtype=F32),)),
            ],
            same_values(),
            adapt=LOGITS,
        ),
        Criterion(
            "returns a tensor of the input's shape that gradients flow through",
            [Case((_normal(rng, 4, 5),)), Case((_normal(rng, 6),))],
            right_form,
            adapt=LOGITS,
        ),
    ]


def _targets(rng, n, c, ignored=0, ignore_index=-100):
    y = rng.integers(0, c, size=n)
    if ignored:
        y[rng.choice(n, size=ignored, replace=False)] = ignore_index
    return y.astype(np.int64)


def cross_entropy_loss():
    rng = _rng("cross_entropy_loss")
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
            same_values(),
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
            same_values(),
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
            same_values(),
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
            same_values(),
            adapt=LOSS,
        ),
        Criterion(
            "exact for logits up to +-1e4 (no overflow, no nan)",
            [
                Case((extreme, np.array([0, 2, 1]))),
                Case((extreme, np.array([2, 0, -100])), {"label_smoothing": 0.05}),
            ],
            same_values(),
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
            same_values(),
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
            right_form,
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


def next_token_loss():
    rng = _rng("next_token_loss")
    return [
        Criterion(
            "tokens[:, 1:] predicted from logits[:, :-1]: one mean (values and gradients)",
            [
                Case((_normal(rng, b, t, v, scale=2), _padded(rng, [t] * b, t, v, 0), 0))
                for b, t, v in ((1, 5, 4), (3, 6, 7), (2, 2, 5), (4, 9, 12))
            ],
            same_values(),
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
            same_values(),
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
            same_values(),
            adapt=LOSS,
        ),
        Criterion(
            "returns a 0-dim tensor that gradients flow through to the logits",
            [Case((_normal(rng, 2, 5, 4), _padded(rng, [5, 3], 5, 4, 0), 0))],
            right_form,
            adapt=LOSS,
        ),
    ]


STUDENT = torch_adapter({"student_logits": 0}, _loss_shape)


def distillation_loss():
    rng = _rng("distillation_loss")
    confident = _normal(rng, 3, 5, scale=2)
    confident[[0, 0, 1, 2], [1, 3, 0, 4]] = -1e4  # softmax gives exactly 0 there
    return [
        Criterion(
            "T = 1: mean over rows of KL(softmax(teacher) || softmax(student)) (values, gradients)",
            [
                Case((_normal(rng, n, c, scale=2), _normal(rng, n, c, scale=2), 1.0))
                for n, c in ((1, 3), (4, 5), (6, 10))
            ],
            same_values(),
            adapt=STUDENT,
        ),
        Criterion(
            "temperature T: both softened by T, the KL scaled by T²",
            [
                Case((_normal(rng, 4, 6, scale=3), _normal(rng, 4, 6, scale=3), t))
                for t in (2.0, 4.0, 0.5)
            ]
            + [Case((_normal(rng, 5, 3), _normal(rng, 5, 3, scale=4), 3))],
            same_values(),
            weight=2,
            adapt=STUDENT,
        ),
        Criterion(
            "teacher probabilities that underflow to 0 contribute 0 (0 log 0 = 0)",
            [
                Case((_normal(rng, 3, 5), confident, 1.0)),
                Case((_normal(rng, 3, 5, scale=2), confident, 2.0)),
            ],
            same_values(),
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
            same_values(),
            adapt=STUDENT,
        ),
        Criterion(
            "returns a 0-dim tensor that gradients flow through to the student's logits",
            [Case((_normal(rng, 3, 4), _normal(rng, 3, 4), 2.0))],
            right_form,
            adapt=STUDENT,
        ),
    ]


POLICY = torch_adapter({"logp_policy": 0}, _input_shape)


def _logps(rng, *shape, dtype=np.float64):
    return -np.abs(_normal(rng, *shape, scale=2.0, dtype=dtype))


def kl_penalty():
    rng = _rng("kl_penalty")
    pairs = [(_logps(rng, 6), _logps(rng, 6)), (_logps(rng, 3, 5), _logps(rng, 3, 5))]
    return [
        Criterion(
            "k1 = logp_policy - logp_ref, elementwise (the default estimator)",
            [Case(pairs[0]), Case(pairs[1], {"estimator": "k1"})],
            same_values(),
            adapt=POLICY,
        ),
        Criterion(
            "k2 = (logp_policy - logp_ref)² / 2",
            [Case((*pairs[0], "k2")), Case(pairs[1], {"estimator": "k2"})],
            same_values(),
            adapt=POLICY,
        ),
        Criterion(
            "k3 = (r - 1) - log r with r = pi_ref / pi",
            [
                Case((*pairs[0], "k3")),
                Case(pairs[1], {"estimator": "k3"}),
                Case((np.array([-0.5, -3.0, -1e-3]), np.array([-0.5, -1.0, -6.0]), "k3")),
            ],
            same_values(),
            weight=1.5,
            adapt=POLICY,
        ),
        Criterion(
            "an unknown estimator name raises ValueError",
            [Case((*pairs[0], "k4")), Case(pairs[1], {"estimator": "kl"})],
            same_values(),
            adapt=POLICY,
        ),
        Criterion(
            "float32 log-probs (float32-sized tolerance)",
            [
                Case((_logps(rng, 2, 4, dtype=F32), _logps(rng, 2, 4, dtype=F32), name))
                for name in ("k1", "k2", "k3")
            ],
            same_values(),
            adapt=POLICY,
        ),
        Criterion(
            "returns a tensor of the inputs' shape that gradients flow through",
            [Case((_logps(rng, 2, 3), _logps(rng, 2, 3), name)) for name in ("k1", "k2", "k3")],
            right_form,
            weight=0.5,
            adapt=POLICY,
        ),
    ]


PAIRS = torch_adapter({"policy_chosen_logps": 0, "policy_rejected_logps": 1}, _loss_shape)


def _preferences(rng, n, scale=20.0, dtype=np.float64):
    return tuple(-np.abs(_normal(rng, n, scale=scale, dtype=dtype)) for _ in range(4))


def dpo_loss():
    rng = _rng("dpo_loss")
    # chosen response 2e4 nats less likely under the policy than under the reference
    chosen, rejected = np.array([-2e4, -3.0]), np.array([-1.0, -3.0])
    ref_chosen, ref_rejected = np.array([-5.0, -3.0]), np.array([-1.0, -3.0])
    return [
        Criterion(
            "mean of -log sigmoid(beta * margin), default beta = 0.1 (values and gradients)",
            [Case(_preferences(rng, n)) for n in (1, 4, 16)],
            same_values(),
            weight=2,
            adapt=PAIRS,
        ),
        Criterion(
            "the beta argument (positional or keyword)",
            [
                Case((*_preferences(rng, 5), 0.5)),
                Case(_preferences(rng, 6, scale=5.0), {"beta": 2.0}),
            ],
            same_values(),
            adapt=PAIRS,
        ),
        Criterion(
            "stable for large margins of either sign (no inf, no nan)",
            [
                Case((chosen, rejected, ref_chosen, ref_rejected), {"beta": 1.0}),
                Case((chosen, rejected, ref_chosen, ref_rejected)),
                Case((rejected, chosen, ref_rejected, ref_chosen), {"beta": 1.0}),
            ],
            same_values(),
            adapt=PAIRS,
        ),
        Criterion(
            "float32 log-probs (float32-sized tolerance)",
            [Case(_preferences(rng, 8, dtype=F32))],
            same_values(),
            adapt=PAIRS,
        ),
        Criterion(
            "returns a 0-dim tensor; gradients reach both policy log-probs",
            [Case(_preferences(rng, 3))],
            right_form,
            adapt=PAIRS,
        ),
    ]


BITS = torch_adapter({}, _number)
BITS_FROM_MODEL = torch_adapter({"logits": 0}, _number)


def code_length_bits():
    rng = _rng("code_length_bits")
    return [
        Criterion(
            "total bits of tokens[1:], each predicted by the row before (a number)",
            [
                Case((_normal(rng, t, v, scale=3), rng.integers(0, v, size=t)))
                for t, v in ((2, 3), (6, 5), (20, 8), (12, 40))
            ],
            same_number,
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
            same_number,
            adapt=BITS,
        ),
        Criterion(
            "float32 logits that require grad, straight out of a model (float32 tolerance)",
            [Case((_normal(rng, 15, 7, scale=2, dtype=F32), rng.integers(0, 7, size=15)))],
            same_number,
            adapt=BITS_FROM_MODEL,
        ),
    ]


PROBS = torch_adapter({}, _input_shape)


def _probs_and_top_p(rng, *shape, margin=1e-3, dtype=np.float64):
    """Probability vectors (Dirichlet) and a top_p in (0, 1) at least ``margin`` away from
    every cumulative sum of every vector, taken from the most to the least probable."""
    while True:
        probs = rng.dirichlet(np.full(shape[-1], 0.6), size=shape[:-1]).astype(dtype)
        top_p = float(np.round(rng.uniform(0.2, 0.95), 3))
        cumulative = np.cumsum(-np.sort(-probs.astype(np.float64), axis=-1), axis=-1)
        if np.abs(cumulative - top_p).min() >= margin:
            return probs, top_p


def top_p_filter():
    rng = _rng("top_p_filter")
    ties = np.array([0.2, 0.3, 0.2, 0.3])  # sorted: 0.3 (index 1), 0.3 (3), 0.2 (0), 0.2 (2)
    return [
        Criterion(
            "keeps the smallest set of most probable tokens reaching top_p, renormalised",
            [Case(_probs_and_top_p(rng, v)) for v in (5, 8, 30)]
            + [Case((np.array([0.1, 0.5, 0.4]), 0.6)), Case((np.array([0.05, 0.6, 0.35]), 0.3))],
            same_values(grads=False),
            weight=2,
            adapt=PROBS,
        ),
        Criterion(
            "every vector along the last dimension, any leading shape",
            [Case(_probs_and_top_p(rng, 4, 6)), Case(_probs_and_top_p(rng, 2, 3, 5))],
            same_values(grads=False),
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
            same_values(grads=False),
            adapt=PROBS,
        ),
        Criterion(
            "top_p = 1 keeps every token; a small top_p keeps the most probable token only",
            [
                Case((np.array([0.5, 0.2, 0.2, 0.1]), 1.0)),
                Case((np.array([[0.0, 0.7, 0.3], [0.25, 0.25, 0.5]]), 1.0)),
                Case((np.array([0.1, 0.2, 0.6, 0.1]), 0.05)),
            ],
            same_values(grads=False),
            adapt=PROBS,
        ),
        Criterion(
            "ValueError unless 0 < top_p <= 1",
            [Case((np.array([0.5, 0.5]), p)) for p in (0.0, 1.5, -0.2)],
            same_values(grads=False),
            weight=0.5,
            adapt=PROBS,
        ),
        Criterion(
            "float32 probabilities (float32-sized tolerance)",
            [Case(_probs_and_top_p(rng, 3, 7, margin=1e-2, dtype=F32))],
            same_values(grads=False),
            adapt=PROBS,
        ),
        Criterion(
            "returns a tensor of the input's shape and dtype",
            [
                Case(_probs_and_top_p(rng, 2, 5)),
                Case(_probs_and_top_p(rng, 6, margin=1e-2, dtype=F32)),
            ],
            right_form,
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


def expected_calibration_error():
    rng = _rng("expected_calibration_error")
    edges = np.array([0.0, 1.0, 1.0, 0.35, 0.95, 0.05])
    return [
        Criterion(
            "sum over the non-empty bins of (n_b / N) |accuracy_b - confidence_b|, 10 bins",
            [Case(_calibration(rng, n)) for n in (1, 7, 60, 500)]
            + [Case((np.array([0.9, 0.9, 0.6, 0.6]), np.array([1, 0, 1, 1])))],
            _ece_number,
            weight=2,
        ),
        Criterion(
            "the n_bins argument (positional or keyword)",
            [
                Case((*_calibration(rng, 80, 5), 5)),
                Case(_calibration(rng, 40, 15), {"n_bins": 15}),
                Case(_calibration(rng, 30, 1), {"n_bins": 1}),
            ],
            _ece_number,
        ),
        Criterion(
            "a confidence of exactly 1 falls in the last bin, 0 in the first",
            [
                Case((edges, np.array([0, 1, 0, 1, 1, 0]))),
                Case((np.array([1.0, 1.0, 1.0]), np.array([1, 1, 0]))),
                Case((np.array([0.0, 0.0, 0.55]), np.array([1, 0, 1])), {"n_bins": 4}),
            ],
            _ece_number,
        ),
        Criterion(
            "correct as booleans or 0/1, in lists, NumPy arrays or tensors",
            [
                Case(([0.95, 0.62, 0.71, 0.33], [True, False, True, True])),
                Case((np.array([0.82, 0.47, 0.91]), np.array([1.0, 0.0, 0.0]))),
                Case((np.array([0.82, 0.47, 0.91]), np.array([1, 0, 0]))),
            ],
            _ece_number,
        ),
        Criterion(
            "confidences and correct as PyTorch tensors",
            [Case(_calibration(rng, 25)), Case((np.array([0.66, 0.12]), np.array([1, 0])))],
            _ece_number,
            adapt=_as_tensors,
        ),
        Criterion(
            "ValueError when there are no samples or the lengths differ",
            [
                Case((np.array([]), np.array([], dtype=bool))),
                Case((np.array([0.9, 0.8]), np.array([True]))),
                Case(([0.5], [1, 0, 1])),
            ],
            _ece_number,
            weight=0.5,
        ),
        Criterion(
            "returns a Python float",
            [Case(_calibration(rng, 20)), Case(_calibration(rng, 9))],
            python_float(close(1e-9, 1e-12)),
            weight=0.5,
            adapt=_as_tensors,
        ),
    ]


_ece_number = close(1e-9, 1e-12)


def _as_tensors(fn: Callable, partners: dict) -> Callable:
    """Call ``fn`` with every NumPy array of the case turned into a PyTorch tensor."""

    def run(*args, **kwargs):
        return fn(
            *(torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in args), **kwargs
        )

    return run


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

"""Tests for solutions/llm_losses.py (notebook 07) and its known answers.

The reference is compared, in value and gradient, with PyTorch's own
``torch.nn.functional`` (cross_entropy, kl_div, log_softmax, logsigmoid), with
``torch.distributions`` and with closed forms, in float64 on random shapes and on extreme
logits, and in float32 with float32-sized tolerances. The known mistakes must be wrong
somewhere on typical inputs; the alternatives must agree everywhere, gradients included.
"""

import ast
import inspect
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import stats
from torch.testing import assert_close

from autograder.answers import Mistake
from autograder.answers import llm_losses as answers
from autograder.checks import grade_function
from solutions import llm_losses as sol

EXERCISES = [
    "log_softmax",
    "cross_entropy_loss",
    "next_token_loss",
    "distillation_loss",
    "kl_penalty",
    "dpo_loss",
    "code_length_bits",
    "top_p_filter",
    "expected_calibration_error",
]
F64 = torch.float64
TIGHT = {"rtol": 1e-10, "atol": 1e-12}  # float64 against PyTorch's own implementation


def randn(gen, *shape, scale=1.0, dtype=F64):
    """Seeded standard normal tensor times scale."""
    return torch.randn(*shape, generator=gen, dtype=dtype) * scale


def leaf(x):
    """A fresh copy of x that requires grad."""
    return x.detach().clone().requires_grad_(True)


def value_and_grads(fn, *inputs, **kwargs):
    """fn's output and the gradients of its sum w.r.t. every floating input."""
    inputs = [leaf(x) if torch.is_tensor(x) and x.is_floating_point() else x for x in inputs]
    out = fn(*inputs, **kwargs)
    floats = [x for x in inputs if torch.is_tensor(x) and x.is_floating_point()]
    grads = torch.autograd.grad(out.sum(), floats, allow_unused=True)
    return out.detach(), grads


# ---------------------------------------------------------------------------------------
# log_softmax
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(7,), (4, 5), (2, 3, 6), (1, 1)])
def test_log_softmax_matches_pytorch_value_and_gradient(shape):
    """Do the values and the gradients equal F.log_softmax's along the last dim?"""
    gen = torch.Generator().manual_seed(len(shape))
    logits, weights = randn(gen, *shape, scale=5), randn(gen, *shape)
    x1, x2 = leaf(logits), leaf(logits)
    out = sol.log_softmax(x1)
    assert_close(out, F.log_softmax(x2, dim=-1), **TIGHT)
    (g1,) = torch.autograd.grad((out * weights).sum(), x1)
    (g2,) = torch.autograd.grad((F.log_softmax(x2, dim=-1) * weights).sum(), x2)
    assert_close(g1, g2, **TIGHT)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_log_softmax_exact_for_extreme_logits(dtype):
    """Are logits of +-1e4 handled exactly, without inf or nan?"""
    logits = torch.tensor([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4], [1e4, 1e4, 0.0]], dtype=dtype)
    out = sol.log_softmax(logits)
    ln2 = math.log(2)
    expected = torch.tensor(
        [[0.0, -1e4, -2e4], [-math.log(3)] * 3, [-ln2, -ln2, -1e4 - ln2]], dtype=dtype
    )
    assert out.dtype == dtype and torch.isfinite(out).all()
    ulp = 1e4 * torch.finfo(dtype).eps  # the spacing of floats near 1e4
    assert_close(out, expected, rtol=0, atol=ulp)
    assert_close(out, F.log_softmax(logits, dim=-1), rtol=0, atol=ulp)


def test_log_softmax_float32_and_masked_logits():
    """Do float32 inputs stay float32, and does a -inf (masked) logit give -inf?"""
    gen = torch.Generator().manual_seed(0)
    logits = randn(gen, 8, 11, scale=10, dtype=torch.float32)
    out = sol.log_softmax(logits)
    assert out.dtype == torch.float32
    assert_close(out, F.log_softmax(logits, dim=-1), rtol=1e-5, atol=1e-5)
    masked = torch.tensor([0.0, -math.inf, 1.0], dtype=F64)
    assert_close(sol.log_softmax(masked), F.log_softmax(masked, dim=-1), **TIGHT)


def test_log_softmax_keeps_input():
    """Is the input tensor left unchanged?"""
    logits = torch.tensor([[1.0, 2.0, 3.0]])
    sol.log_softmax(logits)
    assert logits.tolist() == [[1.0, 2.0, 3.0]]


@pytest.mark.parametrize("bad", [torch.tensor([1, 2, 3]), torch.tensor(1.0), [1.0, 2.0]])
def test_log_softmax_rejects_invalid_input(bad):
    """Are integer tensors, 0-dim tensors and lists ValueErrors?"""
    with pytest.raises(ValueError, match="logits"):
        sol.log_softmax(bad)


# ---------------------------------------------------------------------------------------
# cross_entropy_loss
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("ignore_index", [-100, 2])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cross_entropy_loss_matches_pytorch(label_smoothing, ignore_index, seed):
    """Do value and gradient equal F.cross_entropy with ignore_index and label_smoothing?"""
    gen = torch.Generator().manual_seed(seed)
    n, c = (
        int(torch.randint(1, 12, (1,), generator=gen)),
        int(torch.randint(2, 9, (1,), generator=gen)),
    )
    logits = randn(gen, n, c, scale=4)
    targets = torch.randint(0, c, (n,), generator=gen)
    targets[torch.rand(n, generator=gen) < 0.3] = ignore_index
    if (targets == ignore_index).all():
        targets[0] = (ignore_index + 1) % c
    kwargs = {"ignore_index": ignore_index, "label_smoothing": label_smoothing}
    value, (grad,) = value_and_grads(sol.cross_entropy_loss, logits, targets, **kwargs)
    expected, (expected_grad,) = value_and_grads(F.cross_entropy, logits, targets, **kwargs)
    assert value.shape == () and value.dtype == F64
    assert_close(value, expected, **TIGHT)
    assert_close(grad, expected_grad, **TIGHT)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_cross_entropy_loss_extreme_logits(label_smoothing, dtype):
    """Are logits of +-1e4 exact (loss 0 when right, 2e4 when confidently wrong)?"""
    logits = torch.tensor([[1e4, -1e4], [1e4, -1e4], [0.0, 0.0]], dtype=dtype)
    targets = torch.tensor([0, 1, -100])
    value, (grad,) = value_and_grads(
        sol.cross_entropy_loss, logits, targets, label_smoothing=label_smoothing
    )
    expected, (expected_grad,) = value_and_grads(
        F.cross_entropy, logits, targets, label_smoothing=label_smoothing
    )
    tol = TIGHT if dtype == F64 else {"rtol": 1e-6, "atol": 1e-6}
    assert value.dtype == dtype and torch.isfinite(value) and torch.isfinite(grad).all()
    assert_close(value, expected, **tol)
    assert_close(grad, expected_grad, **tol)
    if label_smoothing == 0:
        assert value.item() == 1e4  # (0 + 2e4) / 2


def test_cross_entropy_loss_all_ignored_is_nan_like_pytorch():
    """When every target is ignored, is the loss nan with a zero gradient, as in PyTorch?"""
    logits = torch.zeros(3, 4, dtype=F64)
    targets = torch.full((3,), -100)
    for eps in [0.0, 0.3]:
        value, (grad,) = value_and_grads(
            sol.cross_entropy_loss, logits, targets, label_smoothing=eps
        )
        assert torch.isnan(value) and torch.isnan(F.cross_entropy(logits, targets))
        assert_close(grad, torch.zeros_like(logits))


def test_cross_entropy_loss_masked_logits_and_int32_targets():
    """Is a -inf logit outside the target harmless, and are int32 targets accepted?"""
    logits = torch.tensor([[0.0, -math.inf, 1.0], [2.0, 0.5, -1.0]], dtype=F64)
    targets = torch.tensor([2, 0], dtype=torch.int32)
    expected = F.cross_entropy(logits, targets.long())
    assert_close(sol.cross_entropy_loss(logits, targets), expected, **TIGHT)


def test_cross_entropy_loss_float32():
    """Does a float32 input give a float32 loss within float32 tolerances?"""
    gen = torch.Generator().manual_seed(5)
    logits = randn(gen, 16, 10, scale=3, dtype=torch.float32)
    targets = torch.randint(0, 10, (16,), generator=gen)
    value, (grad,) = value_and_grads(sol.cross_entropy_loss, logits, targets, label_smoothing=0.1)
    expected, (expected_grad,) = value_and_grads(
        F.cross_entropy, logits, targets, label_smoothing=0.1
    )
    assert value.dtype == torch.float32
    assert_close(value, expected, rtol=1e-5, atol=1e-6)
    assert_close(grad, expected_grad, rtol=1e-5, atol=1e-6)


def test_cross_entropy_loss_uniform_closed_form_and_keeps_input():
    """Is uniform prediction ln C for any smoothing, with the inputs unchanged?"""
    logits, targets = torch.zeros(5, 7, dtype=F64), torch.tensor([0, 6, 3, -100, 2])
    for eps in [0.0, 0.4, 1.0]:
        loss = sol.cross_entropy_loss(logits, targets, label_smoothing=eps)
        assert_close(loss.item(), math.log(7))
    assert targets.tolist() == [0, 6, 3, -100, 2] and (logits == 0).all()


@pytest.mark.parametrize(
    ("logits", "targets", "kwargs", "match"),
    [
        (torch.zeros(4), torch.tensor([0]), {}, r"\(N, C\)"),
        (torch.zeros(2, 3), torch.tensor([0, 1, 2]), {}, r"\(N,\)"),
        (torch.zeros(2, 3), torch.tensor([0.0, 1.0]), {}, "integer"),
        (torch.zeros(2, 3), torch.tensor([0, 3]), {}, "in \\[0, 3\\)"),
        (torch.zeros(2, 3), torch.tensor([0, -1]), {}, "in \\[0, 3\\)"),
        (torch.zeros(2, 3), torch.tensor([0, 1]), {"label_smoothing": 1.5}, "label_smoothing"),
        (torch.zeros(2, 3), torch.tensor([0, 1]), {"label_smoothing": -0.1}, "label_smoothing"),
    ],
)
def test_cross_entropy_loss_rejects_invalid_input(logits, targets, kwargs, match):
    """Are wrong shapes, float or out-of-range targets and bad smoothing ValueErrors?"""
    with pytest.raises(ValueError, match=match):
        sol.cross_entropy_loss(logits, targets, **kwargs)


# ---------------------------------------------------------------------------------------
# next_token_loss
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_next_token_loss_matches_shifted_pytorch_cross_entropy(seed):
    """Is it F.cross_entropy of logits[:, :-1] vs tokens[:, 1:], pads ignored, value and grad?"""
    gen = torch.Generator().manual_seed(seed)
    b, t, v = (int(s) for s in torch.randint(1, 9, (3,), generator=gen) + 1)
    logits = randn(gen, b, t, v, scale=3)
    tokens = torch.randint(0, v, (b, t), generator=gen)
    pad_id = int(torch.randint(0, v, (1,), generator=gen))
    for row in range(b):  # right padding of random length
        tokens[row, int(torch.randint(1, t + 1, (1,), generator=gen)) :] = pad_id
    tokens[:, 1] = (pad_id + 1) % v  # at least one real target

    def reference(lg, tk):
        return F.cross_entropy(
            lg[:, :-1].reshape(-1, v), tk[:, 1:].reshape(-1), ignore_index=pad_id
        )

    value, (grad,) = value_and_grads(sol.next_token_loss, logits, tokens, pad_id)
    expected, (expected_grad,) = value_and_grads(reference, logits, tokens)
    assert value.shape == () and value.dtype == F64
    assert_close(value, expected, **TIGHT)
    assert_close(grad, expected_grad, **TIGHT)
    assert (grad[:, -1] == 0).all()  # the last position predicts nothing


def test_next_token_loss_is_one_mean_over_the_batch():
    """With a uniform model, is the loss ln V, and does a batch mean over tokens not sequences?"""
    v = 5
    tokens = torch.tensor([[1, 2, 3, 4], [1, 2, 0, 0]])  # 3 targets + 1 target, pad 0
    logits = torch.zeros(2, 4, v, dtype=F64)
    assert_close(sol.next_token_loss(logits, tokens, 0).item(), math.log(v))
    logits[1, 0, 2] = 10.0  # the second sequence's only target becomes almost free
    per_token = [math.log(v)] * 3 + [-F.log_softmax(logits[1, 0], dim=-1)[2].item()]
    assert_close(sol.next_token_loss(logits, tokens, 0).item(), sum(per_token) / 4)


def test_next_token_loss_padding_only_in_the_inputs_counts():
    """Does a pad token at position 0 (an input, never a target) leave the loss alone?"""
    gen = torch.Generator().manual_seed(7)
    logits = randn(gen, 1, 4, 6)
    with_pad = sol.next_token_loss(logits, torch.tensor([[0, 3, 4, 5]]), pad_id=0)
    without = sol.next_token_loss(logits, torch.tensor([[1, 3, 4, 5]]), pad_id=0)
    assert_close(with_pad, without, **TIGHT)


def test_next_token_loss_no_target_is_nan():
    """Is the loss nan when every target is padding or T = 1?"""
    assert torch.isnan(sol.next_token_loss(torch.zeros(2, 3, 4), torch.zeros(2, 3).long(), 0))
    assert torch.isnan(sol.next_token_loss(torch.zeros(2, 1, 4), torch.ones(2, 1).long(), 0))


def test_next_token_loss_float32_and_keeps_input():
    """Does float32 stay float32 (float32 tolerances), with the inputs unchanged?"""
    gen = torch.Generator().manual_seed(8)
    logits = randn(gen, 3, 6, 9, scale=2, dtype=torch.float32)
    tokens = torch.randint(1, 9, (3, 6), generator=gen)
    before = logits.clone(), tokens.clone()
    value = sol.next_token_loss(logits, tokens, pad_id=0)
    expected = F.cross_entropy(logits[:, :-1].reshape(-1, 9), tokens[:, 1:].reshape(-1))
    assert value.dtype == torch.float32
    assert_close(value, expected, rtol=1e-5, atol=1e-6)
    assert torch.equal(logits, before[0]) and torch.equal(tokens, before[1])


@pytest.mark.parametrize(
    ("logits", "tokens", "match"),
    [
        (torch.zeros(2, 3), torch.zeros(2, 3).long(), r"\(B, T, V\)"),
        (torch.zeros(2, 3, 4), torch.zeros(2, 4).long(), r"\(B, T\)"),
        (torch.zeros(2, 3, 4), torch.zeros(2, 3), "integer"),
        (torch.zeros(1, 3, 4), torch.tensor([[1, 2, 4]]), "token ids"),
    ],
)
def test_next_token_loss_rejects_invalid_input(logits, tokens, match):
    """Are wrong shapes, float tokens and out-of-range targets ValueErrors?"""
    with pytest.raises(ValueError, match=match):
        sol.next_token_loss(logits, tokens, pad_id=-1)


# ---------------------------------------------------------------------------------------
# distillation_loss
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0, 4.0])
def test_distillation_loss_matches_pytorch_kl_div(temperature):
    """Is it T^2 * F.kl_div(log q, p, 'batchmean'), in value and student gradient?"""
    gen = torch.Generator().manual_seed(int(temperature * 10))
    student, teacher = randn(gen, 6, 9, scale=3), randn(gen, 6, 9, scale=3)

    def reference(s, t):
        log_q = F.log_softmax(s / temperature, dim=-1)
        p = F.softmax(t / temperature, dim=-1)
        return temperature**2 * F.kl_div(log_q, p, reduction="batchmean")

    value, grads = value_and_grads(sol.distillation_loss, student, teacher, temperature)
    expected, expected_grads = value_and_grads(reference, student, teacher)
    assert value.shape == () and value.dtype == F64
    assert_close(value, expected, **TIGHT)
    assert_close(grads[0], expected_grads[0], **TIGHT)


def test_distillation_loss_matches_scipy_kl():
    """Is it T^2 times the mean over rows of scipy's KL(teacher || student)?"""
    gen = torch.Generator().manual_seed(3)
    student, teacher, temperature = randn(gen, 5, 4), randn(gen, 5, 4), 3.0
    p = torch.softmax(teacher / temperature, dim=-1).numpy()
    q = torch.softmax(student / temperature, dim=-1).numpy()
    expected = temperature**2 * np.mean([stats.entropy(p[i], q[i]) for i in range(5)])
    value = sol.distillation_loss(student, teacher, temperature).item()
    assert_close(value, expected, rtol=1e-10, atol=1e-12)


def test_distillation_loss_zero_iff_same_distribution():
    """Is the loss 0 with zero gradient when the student equals the teacher?"""
    gen = torch.Generator().manual_seed(4)
    logits = randn(gen, 3, 5)
    value, grads = value_and_grads(sol.distillation_loss, logits, logits + 7.0, 2.0)
    assert_close(value.item(), 0.0, atol=1e-14, rtol=0)
    assert_close(grads[0], torch.zeros_like(logits), atol=1e-14, rtol=0)


def test_distillation_loss_extreme_and_masked_teacher_logits():
    """Are +-1e4 logits finite and a -inf teacher logit (probability 0) harmless?"""
    student = torch.tensor([[1e4, -1e4, 0.0], [0.0, 1.0, 2.0]], dtype=F64)
    teacher = torch.tensor([[-1e4, 1e4, 0.0], [0.0, -math.inf, 2.0]], dtype=F64)

    def reference(s, t):
        return 4.0 * F.kl_div(F.log_softmax(s / 2, -1), F.softmax(t / 2, -1), reduction="batchmean")

    value, grads = value_and_grads(sol.distillation_loss, student, teacher, 2.0)
    expected, expected_grads = value_and_grads(reference, student, teacher)
    assert torch.isfinite(value) and torch.isfinite(grads[0]).all()
    assert_close(value, expected, **TIGHT)
    assert_close(grads[0], expected_grads[0], **TIGHT)


def test_distillation_loss_float32_and_keeps_input():
    """Does float32 stay float32 (float32 tolerances), with the logits unchanged?"""
    gen = torch.Generator().manual_seed(5)
    student = randn(gen, 4, 7, dtype=torch.float32)
    teacher = randn(gen, 4, 7, dtype=torch.float32)
    before = student.clone()
    value = sol.distillation_loss(student, teacher, 2.0)
    expected = 4 * F.kl_div(
        F.log_softmax(student / 2, -1), F.softmax(teacher / 2, -1), reduction="batchmean"
    )
    assert value.dtype == torch.float32
    assert_close(value, expected, rtol=1e-5, atol=1e-6)
    assert torch.equal(student, before)


@pytest.mark.parametrize(
    ("student", "teacher", "temperature", "match"),
    [
        (torch.zeros(2, 3), torch.zeros(2, 4), 1.0, "shape"),
        (torch.zeros(3), torch.zeros(3), 1.0, "shape"),
        (torch.zeros(2, 3), torch.zeros(2, 3), 0.0, "temperature"),
        (torch.zeros(2, 3), torch.zeros(2, 3), -1.0, "temperature"),
    ],
)
def test_distillation_loss_rejects_invalid_input(student, teacher, temperature, match):
    """Are mismatched shapes and a non-positive temperature ValueErrors?"""
    with pytest.raises(ValueError, match=match):
        sol.distillation_loss(student, teacher, temperature)


# ---------------------------------------------------------------------------------------
# kl_penalty
# ---------------------------------------------------------------------------------------


def test_kl_penalty_formulas():
    """Are k1, k2, k3 the stated functions of log r = logp_ref - logp_policy?"""
    gen = torch.Generator().manual_seed(0)
    lp, lr = -randn(gen, 20).abs() * 3, -randn(gen, 20).abs() * 3
    log_r = (lr - lp).numpy()
    assert_close(sol.kl_penalty(lp, lr).numpy(), -log_r, **TIGHT)
    assert_close(sol.kl_penalty(lp, lr, "k2").numpy(), log_r**2 / 2, **TIGHT)
    assert_close(sol.kl_penalty(lp, lr, "k3").numpy(), np.exp(log_r) - 1 - log_r, **TIGHT)


@pytest.mark.parametrize("estimator", ["k1", "k3"])
def test_kl_penalty_unbiased_estimators_average_to_kl(estimator):
    """Is the exact policy-weighted mean of k1 and k3 KL(pi || pi_ref) (torch.distributions)?"""
    gen = torch.Generator().manual_seed(1)
    policy = torch.softmax(randn(gen, 10), dim=0)
    ref = torch.softmax(randn(gen, 10), dim=0)
    estimates = sol.kl_penalty(policy.log(), ref.log(), estimator)
    kl = torch.distributions.kl_divergence(
        torch.distributions.Categorical(probs=policy), torch.distributions.Categorical(probs=ref)
    )
    assert_close((policy * estimates).sum(), kl, **TIGHT)


def test_kl_penalty_k3_nonnegative_and_accurate_near_zero():
    """Is k3 >= 0, and accurate to 1e-19 (unlike exp(d) - 1 - d) when log r = d is tiny?"""
    d = torch.tensor([1e-9, -1e-7, 1e-5, -3e-4], dtype=F64)
    k3 = sol.kl_penalty(torch.zeros_like(d), d, "k3")  # log r = d
    taylor = d**2 / 2 + d**3 / 6 + d**4 / 24 + d**5 / 120
    assert_close(k3, taylor, rtol=0, atol=1e-19)
    gen = torch.Generator().manual_seed(2)
    assert (sol.kl_penalty(randn(gen, 100, scale=5), randn(gen, 100, scale=5), "k3") >= 0).all()


def test_kl_penalty_gradients_shapes_and_dtypes():
    """Are the gradients analytic (k1: 1, k2: log ratio, k3: 1 - r), shapes broadcast?"""
    gen = torch.Generator().manual_seed(3)
    lp, lr = randn(gen, 4, 5), randn(gen, 4, 5)
    ratio = (lr - lp).exp()
    for estimator, expected in [("k1", torch.ones(4, 5)), ("k2", lp - lr), ("k3", 1 - ratio)]:
        _, (grad, _) = value_and_grads(sol.kl_penalty, lp, lr, estimator)
        assert_close(grad, expected.to(F64), **TIGHT)
    out = sol.kl_penalty(lp.float(), lr[0].float(), "k3")
    assert out.shape == (4, 5) and out.dtype == torch.float32


@pytest.mark.parametrize("estimator", ["k4", "K1", "kl", ""])
def test_kl_penalty_rejects_unknown_estimator(estimator):
    """Does an unknown estimator raise a ValueError naming it and the valid ones?"""
    with pytest.raises(ValueError, match=f"'{estimator}'.*'k1', 'k2' or 'k3'"):
        sol.kl_penalty(torch.zeros(2), torch.zeros(2), estimator)


# ---------------------------------------------------------------------------------------
# dpo_loss
# ---------------------------------------------------------------------------------------


def dpo_reference(pc, pr, rc, rr, beta=0.1):
    """The DPO paper's loss with PyTorch's logsigmoid."""
    return -F.logsigmoid(beta * ((pc - rc) - (pr - rr))).mean()


@pytest.mark.parametrize("beta", [0.1, 0.5, 2.0])
def test_dpo_loss_matches_logsigmoid(beta):
    """Do value and the four gradients equal those of -logsigmoid(beta * margin).mean()?"""
    gen = torch.Generator().manual_seed(int(beta * 10))
    inputs = [-randn(gen, 16).abs() * 50 for _ in range(4)]
    value, grads = value_and_grads(sol.dpo_loss, *inputs, beta=beta)
    expected, expected_grads = value_and_grads(dpo_reference, *inputs, beta=beta)
    assert value.shape == () and value.dtype == F64
    assert_close(value, expected, **TIGHT)
    for g, e in zip(grads, expected_grads, strict=True):
        assert_close(g, e, **TIGHT)


def test_dpo_loss_stable_for_huge_margins():
    """Are margins of +-1e4 finite: about 0 when right, beta * 1e4 when wrong?"""
    pc = torch.tensor([0.0, -1e4], dtype=F64)
    pr = torch.tensor([-1e4, 0.0], dtype=F64)
    zero = torch.zeros(2, dtype=F64)
    value, grads = value_and_grads(sol.dpo_loss, pc, pr, zero, zero, beta=1.0)
    assert_close(value.item(), 1e4 / 2)  # (0 + 1e4) / 2
    assert all(torch.isfinite(g).all() for g in grads)
    assert_close(grads[0], torch.tensor([0.0, -0.5], dtype=F64))
    expected, expected_grads = value_and_grads(dpo_reference, pc, pr, zero, zero, beta=1.0)
    assert_close(value, expected, **TIGHT)
    for g, e in zip(grads, expected_grads, strict=True):
        assert_close(g, e, **TIGHT)


def test_dpo_loss_at_the_reference_is_log_2_with_half_gradient():
    """With policy == reference, is the loss ln 2 and d/d(chosen) = -beta / (2N)?"""
    x = torch.full((4,), -3.0, dtype=F64)
    value, grads = value_and_grads(sol.dpo_loss, x, x, x, x, beta=0.2)
    assert_close(value.item(), math.log(2))
    assert_close(grads[0], torch.full((4,), -0.2 / 8, dtype=F64))


def test_dpo_loss_float32():
    """Does float32 stay float32 (float32 tolerances)?"""
    gen = torch.Generator().manual_seed(9)
    inputs = [-randn(gen, 8, dtype=torch.float32).abs() * 20 for _ in range(4)]
    value = sol.dpo_loss(*inputs)
    assert value.dtype == torch.float32
    assert_close(value, dpo_reference(*inputs), rtol=1e-5, atol=1e-6)


def test_dpo_loss_rejects_mismatched_shapes():
    """Is a shape mismatch between the four inputs a ValueError?"""
    with pytest.raises(ValueError, match="same shape"):
        sol.dpo_loss(torch.zeros(3), torch.zeros(3), torch.zeros(2), torch.zeros(3))


# ---------------------------------------------------------------------------------------
# code_length_bits
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_code_length_bits_matches_summed_cross_entropy(seed):
    """Is it the summed F.cross_entropy of the shifted sequence divided by ln 2?"""
    gen = torch.Generator().manual_seed(seed)
    t, v = (
        int(torch.randint(2, 30, (1,), generator=gen)),
        int(torch.randint(2, 20, (1,), generator=gen)),
    )
    logits, tokens = randn(gen, t, v, scale=3), torch.randint(0, v, (t,), generator=gen)
    expected = F.cross_entropy(logits[:-1], tokens[1:], reduction="sum").item() / math.log(2)
    result = sol.code_length_bits(logits, tokens)
    assert type(result) is float
    assert_close(result, expected, **TIGHT)


def test_code_length_bits_matches_numpy_loop():
    """Is it sum over t >= 1 of -log2 softmax(logits[t-1])[tokens[t]], computed in NumPy?"""
    gen = torch.Generator().manual_seed(4)
    logits, tokens = randn(gen, 12, 6, scale=2), torch.randint(0, 6, (12,), generator=gen)
    z = logits.numpy()
    expected = 0.0
    for t in range(1, 12):
        p = np.exp(z[t - 1] - z[t - 1].max())
        expected -= math.log2(p[tokens[t]] / p.sum())
    assert_close(sol.code_length_bits(logits, tokens), expected, **TIGHT)


def test_code_length_bits_closed_forms():
    """Is a uniform model (T - 1) log2 V bits, and a sequence of 0 or 1 token 0 bits?"""
    tokens = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6])
    assert_close(sol.code_length_bits(torch.zeros(8, 10, dtype=F64), tokens), 7 * math.log2(10))
    assert sol.code_length_bits(torch.zeros(1, 10), torch.tensor([3])) == 0.0
    assert sol.code_length_bits(torch.zeros(0, 10), torch.tensor([], dtype=torch.long)) == 0.0


def test_code_length_bits_float32_and_grad_input():
    """Does a float32 input that requires grad give a float within float32 tolerance?"""
    gen = torch.Generator().manual_seed(6)
    logits = randn(gen, 20, 8, dtype=torch.float32).requires_grad_(True)
    tokens = torch.randint(0, 8, (20,), generator=gen)
    expected = F.cross_entropy(logits[:-1].double(), tokens[1:], reduction="sum").item()
    assert_close(sol.code_length_bits(logits, tokens), expected / math.log(2), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize(
    ("logits", "tokens", "match"),
    [
        (torch.zeros(3), torch.tensor([0, 1, 2]), r"\(T, V\)"),
        (torch.zeros(3, 4), torch.tensor([0, 1]), r"\(T,\)"),
        (torch.zeros(2, 4), torch.tensor([0.0, 1.0]), "integer"),
        (torch.zeros(2, 4), torch.tensor([0, 4]), "token ids"),
    ],
)
def test_code_length_bits_rejects_invalid_input(logits, tokens, match):
    """Are wrong shapes, float tokens and out-of-range ids ValueErrors?"""
    with pytest.raises(ValueError, match=match):
        sol.code_length_bits(logits, tokens)


# ---------------------------------------------------------------------------------------
# Known mistakes and alternatives
# ---------------------------------------------------------------------------------------

_gen = torch.Generator().manual_seed(2024)
_logits = randn(_gen, 6, 5, scale=3)
_targets = torch.tensor([0, 4, -100, 2, 2, 1])
_seq_logits = randn(_gen, 3, 5, 7, scale=2)
_seq_tokens = torch.tensor([[1, 2, 3, 0, 0], [4, 5, 6, 1, 2], [0, 3, 3, 3, 0]])
_lp, _lr = -randn(_gen, 4, 6).abs() * 2, -randn(_gen, 4, 6).abs() * 2
_logps = [-randn(_gen, 8).abs() * 30 for _ in range(4)]
_huge = [torch.tensor([0.0, -1e4], dtype=F64), torch.tensor([-1e4, 0.0], dtype=F64)]
_huge += [torch.zeros(2, dtype=F64)] * 2
_extreme = torch.tensor([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]], dtype=F64)

CASES = {
    "log_softmax": [
        ((_logits,), {}),
        ((randn(_gen, 2, 3, 4),), {}),
        ((_extreme,), {}),
        ((randn(_gen, 4, 5, dtype=torch.float32),), {}),
    ],
    "cross_entropy_loss": [
        ((_logits, _targets), {}),
        ((_logits, _targets), {"label_smoothing": 0.1}),
        ((_logits, torch.tensor([0, 4, 2, 3, 2, 1])), {"ignore_index": 2, "label_smoothing": 0.3}),
        ((_extreme, torch.tensor([1, 0])), {"label_smoothing": 0.05}),
        ((_logits.float(), _targets), {"label_smoothing": 0.2}),
    ],
    "next_token_loss": [
        ((_seq_logits, _seq_tokens, 0), {}),
        ((_seq_logits, _seq_tokens, 3), {}),
        ((_seq_logits, _seq_tokens, -1), {}),
        ((_seq_logits.float(), _seq_tokens, 0), {}),
    ],
    "distillation_loss": [
        ((_logits, randn(_gen, 6, 5, scale=3), 2.0), {}),
        ((_logits, randn(_gen, 6, 5), 1.0), {}),
        ((_extreme, _extreme.flip(1), 0.5), {}),
        ((_logits.float(), randn(_gen, 6, 5, dtype=torch.float32), 3.0), {}),
    ],
    "kl_penalty": [
        ((_lp, _lr), {}),
        ((_lp, _lr, "k2"), {}),
        ((_lp, _lr), {"estimator": "k3"}),
        ((_lp.float(), _lr.float(), "k3"), {}),
    ],
    "dpo_loss": [
        (tuple(_logps), {}),
        (tuple(_logps), {"beta": 0.5}),
        (tuple(_huge), {"beta": 1.0}),
        (tuple(x.float() for x in _logps), {}),
    ],
    "code_length_bits": [
        ((_logits, torch.tensor([0, 4, 1, 2, 2, 1])), {}),
        ((_seq_logits[0], torch.tensor([1, 6, 0, 0, 2])), {}),
        ((torch.zeros(4, 8, dtype=F64), torch.tensor([1, 2, 3, 4])), {}),
        ((_logits.float(), torch.tensor([3, 3, 3, 0, 1, 2])), {}),
    ],
}
_probs = torch.softmax(randn(torch.Generator().manual_seed(5), 3, 6, scale=2), dim=-1)
_ties = torch.tensor([0.2, 0.3, 0.2, 0.3], dtype=F64)
_conf = torch.tensor([0.0, 0.05, 0.12, 0.33, 0.35, 0.71, 0.74, 0.78, 0.93, 1.0, 1.0], dtype=F64)
_hits = torch.tensor([1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0])
CASES["top_p_filter"] = [
    ((torch.tensor([0.1, 0.5, 0.4], dtype=F64), 0.6), {}),
    ((torch.tensor([0.7, 0.1, 0.1, 0.1], dtype=F64), 0.5), {}),
    ((_ties, 0.25), {}),
    ((_probs, 0.55), {}),
    ((_probs.float(), 0.8), {}),
    ((_probs, 1.0), {}),
]
CASES["expected_calibration_error"] = [
    (([0.9, 0.9, 0.6, 0.6], [1, 0, 1, 1]), {}),
    ((_conf, _hits), {}),
    ((_conf.numpy(), _hits.numpy().astype(bool)), {"n_bins": 5}),
    ((_conf.float(), _hits, 3), {}),
]

ERROR_CASES = {
    "log_softmax": [((torch.tensor([1, 2]),), {}), ((torch.tensor(1.0),), {})],
    "cross_entropy_loss": [
        ((torch.zeros(3), torch.tensor([0])), {}),
        ((torch.zeros(2, 3), torch.tensor([0])), {}),
        ((torch.zeros(2, 3), torch.tensor([0.0, 1.0])), {}),
        ((torch.zeros(2, 3), torch.tensor([0, 3])), {}),
        ((torch.zeros(2, 3), torch.tensor([0, 1])), {"label_smoothing": 2.0}),
    ],
    "next_token_loss": [
        ((torch.zeros(2, 3), torch.zeros(2, 3).long(), 0), {}),
        ((torch.zeros(2, 3, 4), torch.zeros(3, 2).long(), 0), {}),
        ((torch.zeros(2, 3, 4), torch.zeros(2, 3), 0), {}),
        ((torch.zeros(1, 3, 4), torch.tensor([[1, 2, 7]]), 0), {}),
    ],
    "distillation_loss": [
        ((torch.zeros(2, 3), torch.zeros(3, 2), 1.0), {}),
        ((torch.zeros(3), torch.zeros(3), 1.0), {}),
        ((torch.zeros(2, 3), torch.zeros(2, 3), 0.0), {}),
    ],
    "kl_penalty": [((torch.zeros(2), torch.zeros(2), "k5"), {})],
    "dpo_loss": [((torch.zeros(2), torch.zeros(3), torch.zeros(2), torch.zeros(2)), {})],
    "code_length_bits": [
        ((torch.zeros(3), torch.tensor([0, 1, 2])), {}),
        ((torch.zeros(3, 2), torch.tensor([0, 1])), {}),
        ((torch.zeros(2, 2), torch.tensor([0.0, 1.0])), {}),
        ((torch.zeros(2, 2), torch.tensor([0, 2])), {}),
    ],
    "top_p_filter": [((_ties, 0.0), {}), ((_ties, 1.5), {}), ((_ties, -0.1), {})],
    "expected_calibration_error": [(([], []), {}), (([0.5, 0.6], [1]), {})],
}
NO_GRADIENTS = {"top_p_filter", "expected_calibration_error"}  # not in their contracts


# ---------------------------------------------------------------------------------------
# top_p_filter: against the definition, checked property by property
# ---------------------------------------------------------------------------------------


def nucleus_properties_hold(probs, top_p, out):
    """Does ``out`` satisfy the definition, checked without sorting the same way?

    The kept set reaches top_p; no dropped token is more probable than a kept one; without
    its least probable token it would not reach top_p; kept values are proportional to
    probs and sum to 1."""
    tol = 1e-5 if torch.float32 in (probs.dtype, out.dtype) else 1e-12
    p, q = probs.double().reshape(-1, probs.shape[-1]), out.double().reshape(-1, probs.shape[-1])
    for row, kept in zip(p, q, strict=True):
        mask = kept > 0
        if abs(kept.sum().item() - 1.0) > tol:
            return False
        if row[mask].sum() < top_p - tol or (top_p == 1 and (row[~mask] > 0).any()):
            return False
        if (~mask).any() and row[~mask].max() > row[mask].min():
            return False
        if top_p < 1 and row[mask].sum() - row[mask].min() >= top_p + tol:
            return False
        if not torch.allclose(kept[mask], row[mask] / row[mask].sum(), rtol=max(tol, 1e-9)):
            return False
    return True


def test_top_p_filter_hand_worked_examples():
    """Do hand-worked nuclei come out right (crossing token kept, order restored, ties)?"""
    p = torch.tensor([0.1, 0.5, 0.4], dtype=F64)
    assert_close(sol.top_p_filter(p, 0.6), torch.tensor([0.0, 5 / 9, 4 / 9], dtype=F64))
    assert_close(sol.top_p_filter(p, 0.5), torch.tensor([0.0, 1.0, 0.0], dtype=F64))
    assert_close(sol.top_p_filter(p, 0.3), torch.tensor([0.0, 1.0, 0.0], dtype=F64))
    assert_close(sol.top_p_filter(p, 0.95), p)
    ties = torch.tensor([0.2, 0.3, 0.2, 0.3], dtype=F64)
    assert_close(sol.top_p_filter(ties, 0.25), torch.tensor([0.0, 1.0, 0.0, 0.0], dtype=F64))
    assert_close(sol.top_p_filter(ties, 0.7), torch.tensor([2, 3, 0, 3], dtype=F64) / 8)
    assert_close(
        sol.top_p_filter(torch.full((4,), 0.25, dtype=F64), 0.6),
        torch.tensor([1, 1, 1, 0], dtype=F64) / 3,
    )


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("dtype", [F64, torch.float32])
def test_top_p_filter_satisfies_the_definition(seed, dtype):
    """On random batches and top_p values, does the result satisfy every property?"""
    gen = torch.Generator().manual_seed(seed)
    probs = torch.softmax(randn(gen, 4, 9, scale=2, dtype=dtype), dim=-1)
    for top_p in (0.13, 0.5, 0.77, 0.9, 0.999, 1.0):
        out = sol.top_p_filter(probs, top_p)
        assert out.shape == probs.shape and out.dtype == dtype
        assert nucleus_properties_hold(probs, top_p, out)


def test_top_p_filter_new_tensor_input_unchanged_and_errors():
    """Is the input left alone, the result a new tensor, and a bad top_p rejected?"""
    probs = torch.tensor([[0.6, 0.3, 0.1]], dtype=F64)
    before = probs.clone()
    for top_p in (0.5, 1.0):
        out = sol.top_p_filter(probs, top_p)
        assert out is not probs and out.data_ptr() != probs.data_ptr()
    assert probs.equal(before)
    for bad in (0.0, -0.5, 1.0001):
        with pytest.raises(ValueError, match="top_p"):
            sol.top_p_filter(probs, bad)


SAME_VALUES_HERE = {"ties broken towards the higher index"}


def test_top_p_filter_property_check_catches_the_mistakes():
    """Would the property check itself reject the classic mistakes (it can fail)?"""
    probs = torch.tensor([[0.1, 0.5, 0.4], [0.7, 0.1, 0.2]], dtype=F64)
    for mistake in answers.MISTAKES:
        # ties need equal probabilities
        if mistake.exercise == "top_p_filter" and mistake.name not in SAME_VALUES_HERE:
            out = mistake.fn(probs.clone(), 0.6)
            assert not nucleus_properties_hold(probs, 0.6, out), mistake.name


def test_top_p_filter_in_place_answer_loses_points():
    """Does an answer that zeroes and renormalises the caller's tensor lose points, with the
    grader saying why? (The generic input-modified verdict, not a named mistake.)"""

    def top_p_in_place(probs, top_p):
        if not 0 < top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
        sorted_probs, order = torch.sort(probs, dim=-1, descending=True, stable=True)
        keep_sorted = sorted_probs.cumsum(dim=-1) - sorted_probs < top_p
        keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        probs[~keep] = 0.0  # changes the caller's tensor
        probs /= probs.sum(dim=-1, keepdim=True)
        return probs

    result = grade_function("top_p_filter", top_p_in_place)
    assert result.points < result.max_points
    assert "modified its input" in result.report()


# ---------------------------------------------------------------------------------------
# expected_calibration_error: a hand-worked example and NumPy's histogram
# ---------------------------------------------------------------------------------------


def ece_by_histogram(confidences, correct, n_bins):
    """ECE from np.histogram's equal-width bins (the last one closed: [1 - 1/n, 1])."""
    conf, right = np.asarray(confidences, dtype=float), np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    counts, _ = np.histogram(conf, bins=edges)
    hits, _ = np.histogram(conf, bins=edges, weights=right)
    mass, _ = np.histogram(conf, bins=edges, weights=conf)
    full = counts > 0
    return float(np.sum(counts[full] / conf.size * np.abs(hits[full] - mass[full]) / counts[full]))


def test_expected_calibration_error_hand_worked():
    """Bins by hand, 10 bins: bin 9 holds 0.95, 0.95, 1.0, 1.0 (2 of 4 right: accuracy 0.5,
    mean confidence 0.975), bin 6 holds 0.62 (right), bin 1 holds 0.15 (wrong)."""
    conf, right = [0.95, 0.95, 0.62, 0.15, 1.0, 1.0], [1, 0, 1, 0, 1, 0]
    expected = 4 / 6 * abs(0.5 - 0.975) + 1 / 6 * abs(1 - 0.62) + 1 / 6 * abs(0 - 0.15)
    assert expected == pytest.approx(2.43 / 6, abs=1e-15)
    assert sol.expected_calibration_error(conf, right) == pytest.approx(expected, abs=1e-15)
    assert sol.expected_calibration_error([1.0, 0.0], [True, False]) == 0.0  # 1.0: last bin
    assert sol.expected_calibration_error([0.7] * 10, [1] * 7 + [0] * 3) == pytest.approx(
        0.0, abs=1e-15
    )
    assert sol.expected_calibration_error([0.3, 0.8], [1, 1], n_bins=1) == pytest.approx(0.45)


@pytest.mark.parametrize("n_bins", [1, 5, 10, 15])
@pytest.mark.parametrize("seed", range(3))
def test_expected_calibration_error_matches_numpy_histogram(n_bins, seed):
    """Does the reference agree with np.histogram's bins away from the inner edges?"""
    rng = np.random.default_rng(seed)
    conf = rng.uniform(0, 1, size=300)
    conf = np.concatenate([conf, [0.0, 1.0, 1.0]])  # the outer edges, where both agree
    inner = np.abs(conf * n_bins - np.round(conf * n_bins)) < 1e-6
    conf[inner & (conf > 0) & (conf < 1)] += 1e-5
    correct = rng.random(conf.size) < conf**1.5
    correct[-1] = False  # a wrong answer at confidence 1 (a right one adds 0 to any bin)
    got = sol.expected_calibration_error(torch.from_numpy(conf), torch.from_numpy(correct), n_bins)
    assert isinstance(got, float)
    assert got == pytest.approx(ece_by_histogram(conf, correct, n_bins), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("confidences", "correct"), [([], []), ([0.5, 0.6], [1]), (np.zeros(3), np.ones(4))]
)
def test_expected_calibration_error_rejects_empty_and_mismatched(confidences, correct):
    """Are no samples and unequal lengths ValueErrors?"""
    with pytest.raises(ValueError):
        sol.expected_calibration_error(confidences, correct)


def close(a, b):
    """Do two outputs agree within the grading tolerance (float32-sized for float32)?"""
    a = a.detach() if torch.is_tensor(a) else torch.tensor(a, dtype=F64)
    b = b.detach() if torch.is_tensor(b) else torch.tensor(b, dtype=F64)
    if a.shape != b.shape:
        return False
    loose = torch.float32 in (a.dtype, b.dtype)
    tol = {"rtol": 1e-4, "atol": 1e-5} if loose else {"rtol": 1e-6, "atol": 1e-9}
    return bool(torch.allclose(a.to(F64), b.to(F64), equal_nan=True, **tol))


def call(fn, args, kwargs):
    """fn's output (detached) and the gradients of its sum w.r.t. the graded inputs."""
    if exercise_of(fn) in NO_GRADIENTS:
        return fn(*[x.clone() if torch.is_tensor(x) else x for x in args], **kwargs), None
    args = [leaf(x) if torch.is_tensor(x) and x.is_floating_point() else x for x in args]
    out = fn(*args, **kwargs)
    floats = [x for x in args if torch.is_tensor(x) and x.is_floating_point()]
    if exercise_of(fn) == "distillation_loss":
        floats = floats[:1]  # differentiable w.r.t. the student only
    if not torch.is_tensor(out) or not out.requires_grad:
        return out, None
    grads = torch.autograd.grad(out.sum(), floats, allow_unused=True)
    return out.detach(), [
        torch.zeros_like(x) if g is None else g for x, g in zip(floats, grads, strict=True)
    ]


def exercise_of(fn):
    """The exercise a reference, mistake or alternative function answers."""
    if fn.__module__ == sol.__name__:
        return fn.__name__
    for mistake in answers.MISTAKES:
        if mistake.fn is fn:
            return mistake.exercise
    return next(e for e, fns in answers.ALTERNATIVES.items() if fn in fns)


ALTERNATIVE_PARAMS = [
    pytest.param(exercise, fn, id=f"{exercise}-{fn.__name__}")
    for exercise, fns in answers.ALTERNATIVES.items()
    for fn in fns
]


@pytest.mark.parametrize(("exercise", "fn"), ALTERNATIVE_PARAMS)
def test_alternative_agrees_with_reference(exercise, fn):
    """Does every correct alternative give the reference's value, gradients and ValueErrors?"""
    reference = getattr(sol, exercise)
    for args, kwargs in CASES[exercise]:
        expected, expected_grads = call(reference, args, kwargs)
        result, grads = call(fn, args, kwargs)
        assert close(result, expected), (args, kwargs)
        if torch.is_tensor(expected):
            assert result.dtype == expected.dtype
        else:
            assert isinstance(result, float)
        if expected_grads is not None:
            assert all(close(g, e) for g, e in zip(grads, expected_grads, strict=True))
    for args, kwargs in ERROR_CASES[exercise]:
        with pytest.raises(ValueError):
            reference(*args, **kwargs)
        with pytest.raises(ValueError):
            fn(*args, **kwargs)


@pytest.mark.parametrize(("exercise", "fn"), ALTERNATIVE_PARAMS)
def test_alternative_agrees_with_reference_on_random_inputs(exercise, fn):
    """Do the alternatives agree with the reference on seeded random shapes?"""
    gen = torch.Generator().manual_seed(len(fn.__name__))
    reference = getattr(sol, exercise)
    for _ in range(4):
        n, c = (int(s) for s in torch.randint(2, 8, (2,), generator=gen))
        logits = randn(gen, n, c, scale=4)
        targets = torch.randint(0, c, (n,), generator=gen)
        args = {
            "log_softmax": (logits,),
            "cross_entropy_loss": (logits, torch.where(targets == 1, -100, targets), -100, 0.15),
            "next_token_loss": (randn(gen, 2, n, c), torch.randint(0, c, (2, n), generator=gen), 0),
            "distillation_loss": (logits, randn(gen, n, c, scale=2), float(n) / 3),
            "kl_penalty": (-logits.abs(), -randn(gen, n, c).abs(), ["k1", "k2", "k3"][n % 3]),
            "dpo_loss": tuple(randn(gen, n, scale=20) for _ in range(4)) + (0.3,),
            "code_length_bits": (logits, targets),
            "top_p_filter": (torch.softmax(logits, dim=-1), 0.6 if n % 2 else 1.0),
            "expected_calibration_error": (
                torch.rand(10 * n, generator=gen, dtype=F64),
                torch.rand(10 * n, generator=gen) < 0.7,
                c,
            ),
        }[exercise]
        expected, expected_grads = call(reference, args, {})
        result, grads = call(fn, args, {})
        assert close(result, expected)
        if expected_grads is not None:
            assert all(close(g, e) for g, e in zip(grads, expected_grads, strict=True))


@pytest.mark.parametrize("mistake", answers.MISTAKES, ids=lambda m: f"{m.exercise}-{m.name}")
def test_mistake_differs_from_reference(mistake):
    """Is every known mistake wrong on at least one typical input?"""
    reference = getattr(sol, mistake.exercise)
    for args, kwargs in CASES[mistake.exercise]:
        copies = [x.clone() if torch.is_tensor(x) else x for x in args]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = mistake.fn(*copies, **kwargs)
        except Exception:  # a crash on valid input is wrong too
            return
        if any(torch.is_tensor(x) and not x.equal(c) for x, c in zip(args, copies, strict=True)):
            return  # it modified its input
        if not close(result, reference(*args, **kwargs)):
            return
    pytest.fail(f"{mistake.fn.__name__} agrees with the reference on every typical input")


def test_examples_cover_every_exercise_with_teaching_hints():
    """Does every exercise have an alternative and every mistake a name and a short hint?"""
    assert set(answers.ALTERNATIVES) == set(EXERCISES)
    for mistake in answers.MISTAKES:
        assert isinstance(mistake, Mistake) and mistake.exercise in EXERCISES
        assert mistake.name and len(mistake.name) <= 70
        assert 20 <= len(mistake.hint) <= 320 and mistake.hint.count(". ") <= 1
    names = [(m.exercise, m.name) for m in answers.MISTAKES]
    assert len(names) == len(set(names))


ALL_EXAMPLES = [m.fn for m in answers.MISTAKES] + [
    fn for fns in answers.ALTERNATIVES.values() for fn in fns
]


@pytest.mark.parametrize("fn", ALL_EXAMPLES, ids=lambda fn: fn.__name__)
def test_example_has_the_exercise_signature(fn):
    """Does every example take the exercise's parameters, with its defaults?"""
    expected = inspect.signature(getattr(sol, exercise_of(fn))).parameters
    actual = inspect.signature(fn).parameters
    assert [(p.name, p.default) for p in actual.values()] == [
        (p.name, p.default) for p in expected.values()
    ]


# ---------------------------------------------------------------------------------------
# Module rules: docstring, primitives only (self-containment: tests/test_self_contained.py)
# ---------------------------------------------------------------------------------------

FORBIDDEN = {"cross_entropy", "kl_div", "log_softmax", "nll_loss", "logsigmoid", "softplus"}
FORBIDDEN |= {"binary_cross_entropy", "binary_cross_entropy_with_logits", "softmax", "nn"}


def test_module_docstring_names_the_notebook():
    """Does the module docstring open with the notebook id?"""
    assert "07-llm-losses" in sol.__doc__.splitlines()[0]


def test_solutions_use_primitives_not_pytorch_losses():
    """Does no reference function call a ready-made PyTorch loss or (log-)softmax?"""
    tree = ast.parse(inspect.getsource(sol))
    used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert not used & FORBIDDEN

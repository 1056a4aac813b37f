"""Known mistakes and alternative correct answers for notebook 07-llm-losses.

Every function is self-contained (module-level ``math``, ``numpy as np`` and ``torch`` only,
``torch.nn.functional`` imported inside the body) and has the signature of its exercise.
``tests/solutions/test_llm_losses.py`` checks that each mistake is wrong somewhere on
typical inputs and each alternative agrees with ``solutions.llm_losses`` (values and
gradients) everywhere it is tested.
"""

import math

import numpy as np
import torch

from autograder.answers import Mistake

# ---------------------------------------------------------------------------------------
# Mistakes
# ---------------------------------------------------------------------------------------


def log_softmax_no_max_shift(logits):
    e = torch.exp(logits)  # overflows to inf for logits around 1e3 and more
    return torch.log(e / e.sum(dim=-1, keepdim=True))


def log_softmax_log_of_softmax(logits):
    return torch.log(torch.softmax(logits, dim=-1))  # log(0) = -inf once softmax underflows


def log_softmax_wrong_dim(logits):
    return logits - torch.logsumexp(logits, dim=0, keepdim=True)  # normalises the batch


def cross_entropy_double_softmax(logits, targets, ignore_index=-100, label_smoothing=0.0):
    keep = targets != ignore_index
    probs = torch.softmax(logits[keep], dim=1)  # then treated as logits once more
    logp = probs - torch.logsumexp(probs, dim=1, keepdim=True)
    nll = -logp.gather(1, targets[keep].long().unsqueeze(1)).squeeze(1)
    smooth = -logp.mean(dim=1)
    return ((1 - label_smoothing) * nll + label_smoothing * smooth).mean()


def cross_entropy_mean_over_all_rows(logits, targets, ignore_index=-100, label_smoothing=0.0):
    keep = targets != ignore_index
    logp = logits[keep] - torch.logsumexp(logits[keep], dim=1, keepdim=True)
    nll = -logp.gather(1, targets[keep].long().unsqueeze(1)).squeeze(1)
    smooth = -logp.mean(dim=1)
    return ((1 - label_smoothing) * nll + label_smoothing * smooth).sum() / len(targets)


def cross_entropy_smoothing_over_other_classes(
    logits, targets, ignore_index=-100, label_smoothing=0.0
):
    keep = targets != ignore_index
    logp = logits[keep] - torch.logsumexp(logits[keep], dim=1, keepdim=True)
    num_classes = logits.shape[1]
    q = torch.full_like(logp, label_smoothing / (num_classes - 1))  # eps / (C - 1) off-target
    q.scatter_(1, targets[keep].long().unsqueeze(1), 1 - label_smoothing)
    return -(q * logp).sum(dim=1).mean()


def cross_entropy_smoothing_includes_ignored(
    logits, targets, ignore_index=-100, label_smoothing=0.0
):
    keep = targets != ignore_index
    logp = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    safe = torch.where(keep, targets, torch.zeros_like(targets)).long()
    nll = -logp.gather(1, safe.unsqueeze(1)).squeeze(1)[keep].mean()
    smooth = -logp.mean(dim=1).mean()  # ignored rows left in the smoothing term
    return (1 - label_smoothing) * nll + label_smoothing * smooth


def next_token_no_shift(logits, tokens, pad_id):
    keep = tokens != pad_id  # logits[:, t] scored against tokens[:, t]
    inputs, targets = logits[keep], tokens[keep].long()
    logp = inputs - torch.logsumexp(inputs, dim=1, keepdim=True)
    return -logp.gather(1, targets.unsqueeze(1)).mean()


def next_token_shift_reversed(logits, tokens, pad_id):
    inputs, targets = logits[:, 1:], tokens[:, :-1]  # predicts the previous token
    keep = targets != pad_id
    inputs, targets = inputs[keep], targets[keep].long()
    logp = inputs - torch.logsumexp(inputs, dim=1, keepdim=True)
    return -logp.gather(1, targets.unsqueeze(1)).mean()


def next_token_mean_of_sequence_means(logits, tokens, pad_id):
    inputs, targets = logits[:, :-1], tokens[:, 1:]
    logp = inputs - torch.logsumexp(inputs, dim=-1, keepdim=True)
    nll = -logp.gather(2, targets.long().unsqueeze(2)).squeeze(2)  # (B, T-1)
    keep = (targets != pad_id).to(nll.dtype)
    per_sequence = (nll * keep).sum(dim=1) / keep.sum(dim=1)
    return per_sequence.mean()  # short sequences weigh as much as long ones


def next_token_pads_not_skipped(logits, tokens, pad_id):
    inputs, targets = logits[:, :-1], tokens[:, 1:]  # pad targets left in the mean
    logp = inputs - torch.logsumexp(inputs, dim=-1, keepdim=True)
    return -logp.gather(2, targets.long().unsqueeze(2)).mean()


def distillation_without_t_squared(student_logits, teacher_logits, temperature):
    log_q = torch.log_softmax(student_logits / temperature, dim=1)
    log_p = torch.log_softmax(teacher_logits / temperature, dim=1)
    return (log_p.exp() * (log_p - log_q)).sum() / student_logits.shape[0]


def distillation_reverse_kl(student_logits, teacher_logits, temperature):
    log_q = torch.log_softmax(student_logits / temperature, dim=1)
    log_p = torch.log_softmax(teacher_logits / temperature, dim=1)
    kl = (log_q.exp() * (log_q - log_p)).sum() / student_logits.shape[0]  # KL(student || teacher)
    return temperature**2 * kl


def distillation_mean_over_elements(student_logits, teacher_logits, temperature):
    import torch.nn.functional as F

    log_q = F.log_softmax(student_logits / temperature, dim=1)
    p = F.softmax(teacher_logits / temperature, dim=1)
    return temperature**2 * F.kl_div(log_q, p, reduction="mean")  # divides by N * C


def distillation_teacher_not_softened(student_logits, teacher_logits, temperature):
    log_q = torch.log_softmax(student_logits / temperature, dim=1)
    log_p = torch.log_softmax(teacher_logits, dim=1)  # temperature forgotten here
    kl = (log_p.exp() * (log_p - log_q)).sum() / student_logits.shape[0]
    return temperature**2 * kl


def kl_penalty_k3_with_r_inverted(logp_policy, logp_ref, estimator="k1"):
    d = logp_policy - logp_ref
    if estimator == "k1":
        return d
    if estimator == "k2":
        return 0.5 * d**2
    if estimator == "k3":
        return torch.exp(d) - 1 - d  # uses pi / pi_ref instead of r = pi_ref / pi
    raise ValueError(f"unknown estimator {estimator!r}")


def kl_penalty_k2_without_half(logp_policy, logp_ref, estimator="k1"):
    d = logp_policy - logp_ref
    if estimator == "k1":
        return d
    if estimator == "k2":
        return d**2
    if estimator == "k3":
        return torch.exp(-d) - 1 + d
    raise ValueError(f"unknown estimator {estimator!r}")


def kl_penalty_k1_sign_flipped(logp_policy, logp_ref, estimator="k1"):
    log_r = logp_ref - logp_policy
    if estimator == "k1":
        return log_r  # log r instead of -log r
    if estimator == "k2":
        return 0.5 * log_r**2
    if estimator == "k3":
        return torch.exp(log_r) - 1 - log_r
    raise ValueError(f"unknown estimator {estimator!r}")


def dpo_sign_flipped(
    policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1
):
    import torch.nn.functional as F

    z = beta * (
        (policy_rejected_logps - ref_rejected_logps) - (policy_chosen_logps - ref_chosen_logps)
    )
    return -F.logsigmoid(z).mean()  # rewards the rejected response


def dpo_naive_log_sigmoid(
    policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1
):
    z = beta * (
        (policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps)
    )
    return -torch.log(torch.sigmoid(z)).mean()  # sigmoid underflows to 0: log 0 = -inf


def dpo_without_beta(
    policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1
):
    import torch.nn.functional as F

    z = (policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps)
    return F.softplus(-z).mean()


def code_length_in_nats(logits, tokens):
    logq = torch.log_softmax(logits[:-1], dim=1)
    return -logq.gather(1, tokens[1:].long().unsqueeze(1)).sum().item()  # no / ln 2


def code_length_no_shift(logits, tokens):
    logq = torch.log_softmax(logits, dim=1)  # row t scored against tokens[t]
    return -logq.gather(1, tokens.long().unsqueeze(1)).sum().item() / math.log(2)


def code_length_counts_first_token(logits, tokens):
    logq = torch.log_softmax(logits[:-1], dim=1)
    bits = -logq.gather(1, tokens[1:].long().unsqueeze(1)).sum().item() / math.log(2)
    return bits + math.log2(logits.shape[1])  # the first token is not coded by the model


def top_p_excludes_crossing_token(probs, top_p):
    if not 0 < top_p <= 1:
        raise ValueError("top_p must be in (0, 1]")
    sorted_probs, order = torch.sort(probs, dim=-1, descending=True, stable=True)
    keep_sorted = sorted_probs.cumsum(dim=-1) < top_p  # drops the token that reaches top_p
    keep_sorted[..., 0] = True
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
    kept = torch.where(keep, probs, torch.zeros_like(probs))
    return kept / kept.sum(dim=-1, keepdim=True)


def top_p_not_renormalised(probs, top_p):
    if not 0 < top_p <= 1:
        raise ValueError("top_p must be in (0, 1]")
    sorted_probs, order = torch.sort(probs, dim=-1, descending=True, stable=True)
    keep_sorted = sorted_probs.cumsum(dim=-1) - sorted_probs < top_p
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
    return torch.where(keep, probs, torch.zeros_like(probs))  # no longer sums to 1


def top_p_sorted_ascending(probs, top_p):
    if not 0 < top_p <= 1:
        raise ValueError("top_p must be in (0, 1]")
    sorted_probs, order = torch.sort(probs, dim=-1, stable=True)  # least probable first
    keep_sorted = sorted_probs.cumsum(dim=-1) - sorted_probs < top_p
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
    kept = torch.where(keep, probs, torch.zeros_like(probs))
    return kept / kept.sum(dim=-1, keepdim=True)


def top_p_unsorted_cumsum(probs, top_p):
    if not 0 < top_p <= 1:
        raise ValueError("top_p must be in (0, 1]")
    keep = probs.cumsum(dim=-1) - probs < top_p  # in vocabulary order, not by probability
    kept = torch.where(keep, probs, torch.zeros_like(probs))
    return kept / kept.sum(dim=-1, keepdim=True)


def top_p_order_not_restored(probs, top_p):
    if not 0 < top_p <= 1:
        raise ValueError("top_p must be in (0, 1]")
    sorted_probs, _ = torch.sort(probs, dim=-1, descending=True, stable=True)
    keep_sorted = sorted_probs.cumsum(dim=-1) - sorted_probs < top_p
    kept = torch.where(keep_sorted, sorted_probs, torch.zeros_like(sorted_probs))
    return kept / kept.sum(dim=-1, keepdim=True)  # still in sorted order


def top_p_as_top_k(probs, top_p):
    if not 0 < top_p <= 1:
        raise ValueError("top_p must be in (0, 1]")
    k = max(1, round(top_p * probs.shape[-1]))  # a fraction of the vocabulary, not of the mass
    _, order = torch.sort(probs, dim=-1, descending=True, stable=True)
    keep = torch.zeros_like(probs, dtype=torch.bool).scatter(
        -1, order[..., :k], torch.ones_like(order[..., :k], dtype=torch.bool)
    )
    kept = torch.where(keep, probs, torch.zeros_like(probs))
    return kept / kept.sum(dim=-1, keepdim=True)


def top_p_ties_higher_index_first(probs, top_p):
    if not 0 < top_p <= 1:
        raise ValueError("top_p must be in (0, 1]")
    flipped = probs.flip(-1)  # a stable sort of the reversed vector puts higher indices first
    sorted_probs, order = torch.sort(flipped, dim=-1, descending=True, stable=True)
    keep_sorted = sorted_probs.cumsum(dim=-1) - sorted_probs < top_p
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted).flip(-1)
    kept = torch.where(keep, probs, torch.zeros_like(probs))
    return kept / kept.sum(dim=-1, keepdim=True)


def ece_unweighted_mean(confidences, correct, n_bins=10):
    conf = np.asarray(confidences, dtype=float).reshape(-1)
    right = np.asarray(correct, dtype=float).reshape(-1)
    if conf.size == 0 or conf.size != right.size:
        raise ValueError("need as many outcomes as confidences, at least one")
    bins = np.minimum(np.floor(conf * n_bins).astype(int), n_bins - 1)
    gaps = [abs(right[bins == b].mean() - conf[bins == b].mean()) for b in np.unique(bins)]
    return float(np.mean(gaps))  # every non-empty bin weighs the same


def ece_divided_by_n_bins(confidences, correct, n_bins=10):
    conf = np.asarray(confidences, dtype=float).reshape(-1)
    right = np.asarray(correct, dtype=float).reshape(-1)
    if conf.size == 0 or conf.size != right.size:
        raise ValueError("need as many outcomes as confidences, at least one")
    bins = np.minimum(np.floor(conf * n_bins).astype(int), n_bins - 1)
    gaps = [abs(right[bins == b].mean() - conf[bins == b].mean()) for b in np.unique(bins)]
    return float(np.sum(gaps) / n_bins)  # a mean over all bins, the empty ones as 0


def ece_digitize_drops_one(confidences, correct, n_bins=10):
    conf = np.asarray(confidences, dtype=float).reshape(-1)
    right = np.asarray(correct, dtype=float).reshape(-1)
    if conf.size == 0 or conf.size != right.size:
        raise ValueError("need as many outcomes as confidences, at least one")
    bins = np.digitize(conf, np.linspace(0, 1, n_bins + 1)) - 1  # 1.0 lands in bin n_bins
    total = 0.0
    for b in range(n_bins):  # ... which no loop visits
        mask = bins == b
        if mask.any():
            total += mask.sum() / conf.size * abs(right[mask].mean() - conf[mask].mean())
    return float(total)


def ece_right_closed_bins(confidences, correct, n_bins=10):
    conf = np.asarray(confidences, dtype=float).reshape(-1)
    right = np.asarray(correct, dtype=float).reshape(-1)
    if conf.size == 0 or conf.size != right.size:
        raise ValueError("need as many outcomes as confidences, at least one")
    bins = np.ceil(conf * n_bins).astype(int) - 1  # (a, b] bins: 0.0 falls in bin -1
    total = 0.0
    for b in range(n_bins):
        mask = bins == b
        if mask.any():
            total += mask.sum() / conf.size * abs(right[mask].mean() - conf[mask].mean())
    return float(total)


def ece_signed_gap(confidences, correct, n_bins=10):
    conf = np.asarray(confidences, dtype=float).reshape(-1)
    right = np.asarray(correct, dtype=float).reshape(-1)
    if conf.size == 0 or conf.size != right.size:
        raise ValueError("need as many outcomes as confidences, at least one")
    bins = np.minimum(np.floor(conf * n_bins).astype(int), n_bins - 1)
    total = 0.0
    for b in np.unique(bins):
        mask = bins == b
        total += mask.sum() / conf.size * (right[mask].mean() - conf[mask].mean())  # no abs
    return float(total)


MISTAKES = [
    Mistake(
        "log_softmax",
        "no max-shift (overflow)",
        "exp(logits) overflows to inf for large logits, giving nan. Subtract the row maximum "
        "before exponentiating (or use torch.logsumexp): log_softmax(z) = z - logsumexp(z).",
        log_softmax_no_max_shift,
    ),
    Mistake(
        "log_softmax",
        "log of softmax (underflow)",
        "softmax underflows to exactly 0 for very negative logits and log(0) = -inf. Compute "
        "z - logsumexp(z) directly, without forming the probabilities.",
        log_softmax_log_of_softmax,
    ),
    Mistake(
        "log_softmax",
        "normalised along the wrong dimension",
        "Normalise along the last dimension (dim=-1, the classes), not across the batch.",
        log_softmax_wrong_dim,
    ),
    Mistake(
        "cross_entropy_loss",
        "softmax applied twice",
        "The inputs are logits: take log_softmax of them directly. Applying softmax first "
        "and then treating the probabilities as logits squashes every loss towards log C.",
        cross_entropy_double_softmax,
    ),
    Mistake(
        "cross_entropy_loss",
        "mean over ignored rows too",
        "Rows whose target equals ignore_index must not count in the denominator either: "
        "divide by the number of non-ignored targets, not by N.",
        cross_entropy_mean_over_all_rows,
    ),
    Mistake(
        "cross_entropy_loss",
        "label smoothing over C - 1 classes",
        "PyTorch spreads eps / C over all C classes, the target included: the target "
        "distribution is (1 - eps) * onehot + eps / C.",
        cross_entropy_smoothing_over_other_classes,
    ),
    Mistake(
        "cross_entropy_loss",
        "ignored rows left in the smoothing term",
        "Drop the ignored rows from the whole loss: the label-smoothing term must also "
        "average over the non-ignored rows only.",
        cross_entropy_smoothing_includes_ignored,
    ),
    Mistake(
        "next_token_loss",
        "no shift",
        "Position t must predict the next token: compare logits[:, :-1] with tokens[:, 1:]. "
        "Without the shift the model is scored on a token it has already seen.",
        next_token_no_shift,
    ),
    Mistake(
        "next_token_loss",
        "shift in the wrong direction",
        "logits[:, t] predicts tokens[:, t + 1]: drop the last position of the logits and the "
        "first of the tokens (logits[:, :-1] with tokens[:, 1:]).",
        next_token_shift_reversed,
    ),
    Mistake(
        "next_token_loss",
        "mean of per-sequence means",
        "Take one mean over all non-pad targets of the batch. Averaging each sequence first "
        "makes a token of a short sequence weigh more than one of a long sequence.",
        next_token_mean_of_sequence_means,
    ),
    Mistake(
        "next_token_loss",
        "padding not skipped",
        "Targets equal to pad_id are not text: leave them out of both the sum and the count.",
        next_token_pads_not_skipped,
    ),
    Mistake(
        "distillation_loss",
        "T² missing",
        "Softening by T shrinks the gradients by about 1 / T²; multiply the KL by "
        "temperature ** 2 (Hinton et al. 2015).",
        distillation_without_t_squared,
    ),
    Mistake(
        "distillation_loss",
        "KL direction swapped",
        "Distillation uses KL(teacher ‖ student) = sum p_teacher * (log p_teacher - "
        "log p_student): the expectation is under the teacher's distribution.",
        distillation_reverse_kl,
    ),
    Mistake(
        "distillation_loss",
        "mean over all elements instead of batchmean",
        "Sum the KL over the classes and average over the N rows only (PyTorch's "
        "reduction='batchmean'); reduction='mean' also divides by C.",
        distillation_mean_over_elements,
    ),
    Mistake(
        "distillation_loss",
        "teacher not softened",
        "Divide both the teacher's and the student's logits by the temperature before the softmax.",
        distillation_teacher_not_softened,
    ),
    Mistake(
        "kl_penalty",
        "k3 with pi / pi_ref instead of r = pi_ref / pi",
        "For k3 the ratio is r = pi_ref / pi = exp(logp_ref - logp_policy); k3 = (r - 1) - "
        "log r. With the ratio inverted it estimates the other KL direction.",
        kl_penalty_k3_with_r_inverted,
    ),
    Mistake(
        "kl_penalty",
        "k2 without the 1/2",
        "k2 is half the squared log-ratio: 0.5 * (logp_policy - logp_ref) ** 2.",
        kl_penalty_k2_without_half,
    ),
    Mistake(
        "kl_penalty",
        "k1 with the sign flipped",
        "k1 = logp_policy - logp_ref (= -log r), whose mean under the policy is "
        "KL(pi ‖ pi_ref) >= 0; the other order estimates -KL.",
        kl_penalty_k1_sign_flipped,
    ),
    Mistake(
        "dpo_loss",
        "chosen and rejected swapped",
        "The margin is (chosen log-ratio) - (rejected log-ratio): the loss must go down when "
        "the policy prefers the chosen response more than the reference does.",
        dpo_sign_flipped,
    ),
    Mistake(
        "dpo_loss",
        "log(sigmoid(z)) computed naively",
        "sigmoid(z) underflows to 0 for very negative margins and log(0) = -inf. Use the "
        "stable form -log sigmoid(z) = log(1 + exp(-z)) = logaddexp(0, -z).",
        dpo_naive_log_sigmoid,
    ),
    Mistake(
        "dpo_loss",
        "beta missing",
        "Scale the difference of log-ratios by beta before the sigmoid: z = beta * margin.",
        dpo_without_beta,
    ),
    Mistake(
        "code_length_bits",
        "nats instead of bits",
        "The natural-log loss is in nats; divide by ln 2 to count bits.",
        code_length_in_nats,
    ),
    Mistake(
        "code_length_bits",
        "logits not shifted",
        "Row t of the logits predicts tokens[t + 1]: score logits[:-1] against tokens[1:].",
        code_length_no_shift,
    ),
    Mistake(
        "code_length_bits",
        "first token counted",
        "The sum runs over t = 1..T-1: the first token has no prediction from the model and "
        "is not part of the code length.",
        code_length_counts_first_token,
    ),
    Mistake(
        "top_p_filter",
        "the token that reaches top_p is dropped",
        "Keep tokens while the mass *before* them is below top_p: the token whose probability "
        "makes the sum reach top_p belongs to the nucleus, else the kept mass is below top_p.",
        top_p_excludes_crossing_token,
    ),
    Mistake(
        "top_p_filter",
        "not renormalised",
        "After zeroing the other tokens, divide the kept probabilities by their sum, so that "
        "each vector is a probability distribution again.",
        top_p_not_renormalised,
    ),
    Mistake(
        "top_p_filter",
        "sorted from the least probable",
        "The nucleus is built from the most probable token down: sort in descending order.",
        top_p_sorted_ascending,
    ),
    Mistake(
        "top_p_filter",
        "cumulative sum in vocabulary order",
        "Sort each vector by probability first: the cumulative sum must run from the most to "
        "the least probable token, not in the order of the token ids.",
        top_p_unsorted_cumsum,
    ),
    Mistake(
        "top_p_filter",
        "sorted order not undone",
        "Token i's probability must stay at index i: put the kept mask (or values) back in the "
        "original order, e.g. with scatter on the indices the sort returned.",
        top_p_order_not_restored,
    ),
    Mistake(
        "top_p_filter",
        "top_p used as a fraction of the vocabulary (top-k)",
        "top_p is a probability mass, not a share of the tokens: keep tokens until their "
        "probabilities add up to top_p, however many that takes.",
        top_p_as_top_k,
    ),
    Mistake(
        "top_p_filter",
        "ties broken towards the higher index",
        "Among equal probabilities, the lower index comes first: a stable descending sort "
        "keeps that order.",
        top_p_ties_higher_index_first,
    ),
    Mistake(
        "expected_calibration_error",
        "unweighted mean over the bins",
        "Weight each bin's gap |accuracy - confidence| by its share of the samples, n_b / N: "
        "a bin with 2 samples must not count as much as one with 2,000.",
        ece_unweighted_mean,
    ),
    Mistake(
        "expected_calibration_error",
        "divided by the number of bins",
        "The ECE is a sum over the non-empty bins weighted by n_b / N, not a mean over the "
        "n_bins bins (empty bins add nothing).",
        ece_divided_by_n_bins,
    ),
    Mistake(
        "expected_calibration_error",
        "a confidence of 1.0 falls outside the bins",
        "floor(1.0 * n_bins) = n_bins is one past the last bin (np.digitize on all the edges "
        "does the same): put it in bin n_bins - 1, as the contract says.",
        ece_digitize_drops_one,
    ),
    Mistake(
        "expected_calibration_error",
        "bins closed on the right",
        "Sample i goes to bin floor(c_i * n_bins) (capped at n_bins - 1), so the bins are "
        "[0, 0.1), [0.1, 0.2), ...: with ceil(c * n_bins) - 1 a confidence of 0 falls outside.",
        ece_right_closed_bins,
    ),
    Mistake(
        "expected_calibration_error",
        "signed gap (no absolute value)",
        "Take |accuracy_b - confidence_b|: with signed gaps, over- and under-confident bins "
        "cancel out.",
        ece_signed_gap,
    ),
]

# ---------------------------------------------------------------------------------------
# Alternatives (correct)
# ---------------------------------------------------------------------------------------


def log_softmax_max_shift(logits):
    """Explicit max-shift: z - m - log(sum(exp(z - m)))."""
    if not isinstance(logits, torch.Tensor) or not torch.is_floating_point(logits):
        raise ValueError("logits must be a floating-point tensor")
    if logits.dim() == 0:
        raise ValueError("logits needs a class dimension")
    m = logits.amax(dim=-1, keepdim=True).detach()  # (..., 1)
    shifted = logits - m  # (..., C), every entry <= 0
    return shifted - torch.log(torch.exp(shifted).sum(dim=-1, keepdim=True))


def log_softmax_logaddexp_reduce(logits):
    """Running log-sum-exp over the classes with torch.logaddexp."""
    if not isinstance(logits, torch.Tensor) or not logits.dtype.is_floating_point:
        raise ValueError("logits must be a floating-point tensor")
    if logits.ndim < 1:
        raise ValueError("logits needs a class dimension")
    lse = logits[..., 0]
    for c in range(1, logits.shape[-1]):
        lse = torch.logaddexp(lse, logits[..., c])
    return logits - lse.unsqueeze(-1)


def cross_entropy_one_hot(logits, targets, ignore_index=-100, label_smoothing=0.0):
    """Smoothed one-hot target distribution times log-probabilities."""
    if logits.dim() != 2 or targets.dim() != 1 or len(targets) != len(logits):
        raise ValueError("expected logits (N, C) and targets (N,)")
    if torch.is_floating_point(targets) or targets.is_complex() or targets.dtype == torch.bool:
        raise ValueError("targets must be integer class indices")
    if label_smoothing < 0 or label_smoothing > 1:
        raise ValueError("label_smoothing must be in [0, 1]")
    n, c = logits.shape
    mask = targets != ignore_index  # (N,)
    z, y = logits[mask], targets[mask].long()  # (M, C), (M,)
    if len(y) and (y.min() < 0 or y.max() >= c):
        raise ValueError("target out of range")
    q = torch.nn.functional.one_hot(y, c).to(z.dtype) * (1 - label_smoothing)
    q = q + label_smoothing / c  # (M, C) smoothed target distribution
    logp = z - torch.logsumexp(z, dim=1, keepdim=True)  # (M, C)
    terms = torch.where(q > 0, q * logp, torch.zeros_like(logp))  # 0 * (-inf) = 0
    return -terms.sum(dim=1).mean()


def cross_entropy_arange_index(logits, targets, ignore_index=-100, label_smoothing=0.0):
    """Max-shift by hand, fancy indexing with arange, sum / count."""
    if logits.ndim != 2:
        raise ValueError("logits must be (N, C)")
    if targets.shape != (logits.shape[0],):
        raise ValueError("targets must be (N,)")
    if targets.is_floating_point() or targets.is_complex() or targets.dtype == torch.bool:
        raise ValueError("targets must be integers")
    if not (0 <= label_smoothing <= 1):
        raise ValueError("label_smoothing must be in [0, 1]")
    valid = targets != ignore_index
    y = targets.long()[valid]
    z = logits[valid]
    if ((y < 0) | (y >= logits.shape[1])).any():
        raise ValueError("target out of range")
    m = z.max(dim=1, keepdim=True).values.detach()
    lse = (m + torch.log(torch.exp(z - m).sum(dim=1, keepdim=True))).squeeze(1)  # (M,)
    nll = lse - z[torch.arange(len(y)), y]  # (M,)
    loss = (
        nll
        if label_smoothing == 0
        else ((1 - label_smoothing) * nll + label_smoothing * (lse - z.mean(dim=1)))
    )
    return loss.sum() / valid.sum()  # 0 / 0 = nan when every target is ignored


def next_token_flatten_and_where(logits, tokens, pad_id):
    """Flatten to (B*(T-1), V), mask the per-token losses, sum / count."""
    if logits.dim() != 3 or tokens.shape != logits.shape[:2]:
        raise ValueError("expected logits (B, T, V) and tokens (B, T)")
    if tokens.is_floating_point() or tokens.is_complex() or tokens.dtype == torch.bool:
        raise ValueError("tokens must be integers")
    b, t, v = logits.shape
    z = logits[:, :-1].reshape(-1, v)  # (B*(T-1), V)
    y = tokens[:, 1:].reshape(-1).long()  # (B*(T-1),)
    mask = y != pad_id
    if ((y[mask] < 0) | (y[mask] >= v)).any():
        raise ValueError("token id out of range")
    safe = torch.where(mask, y, torch.zeros_like(y))
    logp = z - torch.logsumexp(z, dim=-1, keepdim=True)
    nll = -logp.gather(1, safe[:, None])[:, 0]
    nll = torch.where(mask, nll, torch.zeros_like(nll))
    return nll.sum() / mask.sum()


def next_token_loop_over_batch(logits, tokens, pad_id):
    """Sum and count accumulated sequence by sequence."""
    if logits.ndim != 3 or tuple(tokens.shape) != tuple(logits.shape[:2]):
        raise ValueError("expected logits (B, T, V) and tokens (B, T)")
    if tokens.is_floating_point() or tokens.is_complex() or tokens.dtype == torch.bool:
        raise ValueError("tokens must be integers")
    total = logits[:0].sum()  # 0, attached to the graph
    count = 0
    for b in range(logits.shape[0]):
        for t in range(1, logits.shape[1]):
            target = int(tokens[b, t])
            if target == pad_id:
                continue
            if not 0 <= target < logits.shape[2]:
                raise ValueError("token id out of range")
            row = logits[b, t - 1]  # (V,) predicts tokens[b, t]
            total = total + torch.logsumexp(row, dim=0) - row[target]
            count += 1
    return total / count  # 0 / 0 = nan when every target is padding


def distillation_kl_div(student_logits, teacher_logits, temperature):
    """PyTorch's own kl_div with batchmean."""
    import torch.nn.functional as F

    if student_logits.dim() != 2 or teacher_logits.shape != student_logits.shape:
        raise ValueError("student and teacher logits must both be (N, C)")
    if temperature <= 0 or math.isnan(temperature):
        raise ValueError("temperature must be > 0")
    log_q = F.log_softmax(student_logits / temperature, dim=-1)
    p = F.softmax(teacher_logits / temperature, dim=-1)
    return F.kl_div(log_q, p, reduction="batchmean") * temperature**2


def distillation_xlogy(student_logits, teacher_logits, temperature):
    """Cross-entropy minus entropy, with torch.xlogy for 0 log 0 = 0."""
    if student_logits.ndim != 2 or student_logits.shape != teacher_logits.shape:
        raise ValueError("student and teacher logits must both be (N, C)")
    if not temperature > 0:
        raise ValueError("temperature must be > 0")
    t = teacher_logits / temperature
    s = student_logits / temperature
    p = torch.softmax(t, dim=1)
    log_q = s - torch.logsumexp(s, dim=1, keepdim=True)
    neg_entropy = torch.xlogy(p, p).sum(dim=1)  # (N,)
    cross = -(p * log_q).sum(dim=1)  # (N,)
    return temperature * temperature * (neg_entropy + cross).mean()


def kl_penalty_table(logp_policy, logp_ref, estimator="k1"):
    """A dict of the three formulas in terms of log r, k3 with exp."""
    formulas = {
        "k1": lambda log_r: -log_r,
        "k2": lambda log_r: log_r**2 / 2,
        "k3": lambda log_r: torch.exp(log_r) - 1 - log_r,
    }
    if estimator not in formulas:
        raise ValueError(f"estimator must be 'k1', 'k2' or 'k3', not {estimator!r}")
    return formulas[estimator](logp_ref - logp_policy)


def dpo_softplus(
    policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1
):
    """-log sigmoid(z) = softplus(-z)."""
    import torch.nn.functional as F

    xs = (policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps)
    if any(x.shape != xs[0].shape for x in xs):
        raise ValueError("all four inputs must have the same shape")
    pi_logratios = policy_chosen_logps - policy_rejected_logps
    ref_logratios = ref_chosen_logps - ref_rejected_logps
    return F.softplus(-beta * (pi_logratios - ref_logratios)).mean()


def dpo_logsigmoid(
    policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1
):
    """The DPO reference implementation's form, with F.logsigmoid."""
    import torch.nn.functional as F

    shape = policy_chosen_logps.shape
    for x in (policy_rejected_logps, ref_chosen_logps, ref_rejected_logps):
        if x.shape != shape:
            raise ValueError("shape mismatch")
    chosen_rewards = beta * (policy_chosen_logps - ref_chosen_logps)
    rejected_rewards = beta * (policy_rejected_logps - ref_rejected_logps)
    return -F.logsigmoid(chosen_rewards - rejected_rewards).mean()


def code_length_loop(logits, tokens):
    """Token by token: log-sum-exp minus the target logit, in bits, summed with fsum."""
    if logits.ndim != 2 or tokens.ndim != 1 or len(tokens) != len(logits):
        raise ValueError("expected logits (T, V) and tokens (T,)")
    if tokens.is_floating_point() or tokens.is_complex() or tokens.dtype == torch.bool:
        raise ValueError("tokens must be integers")
    if len(tokens) and (tokens.min() < 0 or tokens.max() >= logits.shape[1]):
        raise ValueError("token id out of range")
    with torch.no_grad():
        bits = [
            (torch.logsumexp(logits[t - 1], dim=0) - logits[t - 1, tokens[t]]).item() / math.log(2)
            for t in range(1, len(tokens))
        ]
    return math.fsum(bits)


def code_length_cross_entropy(logits, tokens):
    """Summed F.cross_entropy of the shifted sequence, converted to bits."""
    import torch.nn.functional as F

    if logits.dim() != 2 or tokens.shape != (logits.shape[0],):
        raise ValueError("expected logits (T, V) and tokens (T,)")
    if torch.is_floating_point(tokens) or tokens.is_complex() or tokens.dtype == torch.bool:
        raise ValueError("tokens must be integers")
    if ((tokens < 0) | (tokens >= logits.shape[1])).any():
        raise ValueError("token id out of range")
    if len(tokens) < 2:
        return 0.0
    nats = F.cross_entropy(logits[:-1], tokens[1:].long(), reduction="sum")
    return nats.item() / math.log(2)


def top_p_python_loop(probs, top_p):
    """One vector at a time: order the ids by (-p, id), keep them until top_p is reached."""
    if not 0 < top_p <= 1:
        raise ValueError("top_p must be in (0, 1]")
    rows = probs.reshape(-1, probs.shape[-1])
    out = torch.zeros_like(rows)
    for r in range(rows.shape[0]):
        values = rows[r].tolist()
        total = 0.0
        for i in sorted(range(len(values)), key=lambda i: (-values[i], i)):
            if total >= top_p and top_p < 1:
                break
            out[r, i] = rows[r, i]
            total += values[i]
        out[r] = out[r] / out[r].sum()
    return out.reshape(probs.shape)


def top_p_searchsorted(probs, top_p):
    """Find k, the number of tokens to keep, with searchsorted on the cumulative sums."""
    if not 0 < top_p <= 1:
        raise ValueError("top_p must be in (0, 1]")
    order = torch.argsort(probs, dim=-1, descending=True, stable=True)
    cumulative = probs.gather(-1, order).cumsum(dim=-1)
    if top_p == 1:
        k = torch.full(probs.shape[:-1] + (1,), probs.shape[-1])
    else:
        target = torch.full(probs.shape[:-1] + (1,), top_p, dtype=probs.dtype)
        k = torch.searchsorted(cumulative.contiguous(), target) + 1  # first sum >= top_p
    rank = torch.empty_like(order).scatter_(
        -1, order, torch.arange(probs.shape[-1]).expand_as(order)
    )
    kept = torch.where(rank < k, probs, 0.0)
    return kept / kept.sum(dim=-1, keepdim=True)


def ece_loop(confidences, correct, n_bins=10):
    """A Python loop over the samples, bins in a dict."""
    conf = [float(c) for c in confidences]
    right = [float(r) for r in correct]
    if not conf or len(conf) != len(right):
        raise ValueError("need as many outcomes as confidences, at least one")
    bins = {}
    for c, r in zip(conf, right):
        b = min(math.floor(c * n_bins), n_bins - 1)
        n, hits, mass = bins.get(b, (0, 0.0, 0.0))
        bins[b] = (n + 1, hits + r, mass + c)
    return sum(n / len(conf) * abs(hits / n - mass / n) for n, hits, mass in bins.values())


def ece_bincount(confidences, correct, n_bins=10):
    """NumPy: counts, hits and confidence mass per bin with np.bincount."""
    conf = np.asarray(confidences, dtype=float)
    right = np.asarray(correct, dtype=float)
    if conf.size == 0 or conf.shape != right.shape:
        raise ValueError("need as many outcomes as confidences, at least one")
    bins = np.clip((conf * n_bins).astype(int), 0, n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    hits = np.bincount(bins, weights=right, minlength=n_bins)
    mass = np.bincount(bins, weights=conf, minlength=n_bins)
    full = counts > 0
    gaps = np.abs(hits[full] / counts[full] - mass[full] / counts[full])
    return float(np.sum(counts[full] / conf.size * gaps))


ALTERNATIVES = {
    "log_softmax": [log_softmax_max_shift, log_softmax_logaddexp_reduce],
    "cross_entropy_loss": [cross_entropy_one_hot, cross_entropy_arange_index],
    "next_token_loss": [next_token_flatten_and_where, next_token_loop_over_batch],
    "distillation_loss": [distillation_kl_div, distillation_xlogy],
    "kl_penalty": [kl_penalty_table],
    "dpo_loss": [dpo_softplus, dpo_logsigmoid],
    "code_length_bits": [code_length_loop, code_length_cross_entropy],
    "top_p_filter": [top_p_python_loop, top_p_searchsorted],
    "expected_calibration_error": [ece_loop, ece_bincount],
}

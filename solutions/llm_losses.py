r"""Notebook 07-llm-losses: the losses of language models, top-p sampling, calibration.

Run the doctests with ``pytest --doctest-modules solutions/llm_losses.py``.

The losses used to train and align language models (log-softmax, cross-entropy, next-token,
distillation, KL penalty, DPO, code length), written from PyTorch primitives
(``torch.logsumexp``, ``gather``, ``torch.logaddexp``) rather than the ready-made
``torch.nn.functional`` losses they are tested against; then nucleus (top-p) truncation of a
sampling distribution and the expected calibration error of a model's confidences. Natural
logarithms (nats) unless the name says bits. Shapes: N rows, C classes; B sequences,
T positions, V vocabulary. Every function works in the dtype of its inputs and is
self-contained (its source is pasted into a notebook cell), so no helper is shared between
them.
"""

import math

import torch


def log_softmax(logits):
    r"""Log-softmax along the last dimension, exact for large logits.

    Parameters
    ----------
    logits : torch.Tensor of shape (..., C)
        Unnormalised scores, floating point.

    Returns
    -------
    torch.Tensor of shape (..., C)
        ``log softmax(logits)`` along the last dimension, same dtype; differentiable.

    Notes
    -----
    .. math::

        \log \operatorname{softmax}(z)_i = z_i - \log \sum_j e^{z_j},

    exact (no ``inf``, ``-inf`` or ``nan``) for logits up to :math:`\pm 10^4`.

    Examples
    --------
    >>> [round(v, 12) for v in log_softmax(torch.zeros(4, dtype=torch.float64)).exp().tolist()]
    [0.25, 0.25, 0.25, 0.25]
    >>> log_softmax(torch.tensor([1e4, 0.0, -1e4])).tolist()
    [0.0, -10000.0, -20000.0]
    """
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point() or logits.ndim == 0:
        raise ValueError("logits must be a floating-point torch.Tensor with at least one dimension")
    return logits - torch.logsumexp(logits, dim=-1, keepdim=True)  # (..., C)


def cross_entropy_loss(logits, targets, ignore_index=-100, label_smoothing=0.0):
    r"""Mean cross-entropy of class logits against target indices, as ``F.cross_entropy``.

    Parameters
    ----------
    logits : torch.Tensor of shape (N, C)
        Unnormalised class scores, floating point.
    targets : torch.Tensor of shape (N,)
        Integer class indices in ``[0, C)``, or ``ignore_index``.
    ignore_index : int, default=-100
        Rows whose target equals it take no part in the loss (it may be a valid class).
    label_smoothing : float, default=0.0
        :math:`\varepsilon \in [0, 1]`: the target distribution is ``1 - eps`` on the
        target class plus ``eps / C`` on every class (the target included).

    Returns
    -------
    torch.Tensor of shape ()
        The mean over the non-ignored rows, in the dtype of ``logits``; differentiable.
        ``nan`` (with zero gradient) when every target is ignored, as in PyTorch.

    Notes
    -----
    With :math:`\ell_i = \log \operatorname{softmax}(z_i)` and :math:`K` the set of rows
    whose target :math:`y_i` is not ignored,

    .. math::

        L = \frac{1}{|K|} \sum_{i \in K} \Big[ -(1 - \varepsilon)\, \ell_{i, y_i}
        - \frac{\varepsilon}{C} \sum_{c=1}^{C} \ell_{i, c} \Big],

    the cross-entropy :math:`H(q_i, \operatorname{softmax}(z_i))` with the smoothed target
    :math:`q_i = (1 - \varepsilon)\, \mathrm{onehot}(y_i) + \varepsilon / C`.

    Examples
    --------
    >>> logits = torch.zeros(3, 4, dtype=torch.float64)  # uniform over 4 classes
    >>> round(cross_entropy_loss(logits, torch.tensor([1, -100, 3])).item(), 12)  # ln 4
    1.38629436112
    >>> round(cross_entropy_loss(logits, torch.tensor([1, 2, 3]), label_smoothing=0.5).item(), 12)
    1.38629436112
    """
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (N, C), got {tuple(logits.shape)}")
    if targets.ndim != 1 or targets.shape[0] != logits.shape[0]:
        raise ValueError(
            f"targets must have shape (N,) = ({logits.shape[0]},), got {tuple(targets.shape)}"
        )
    if targets.is_floating_point() or targets.is_complex() or targets.dtype == torch.bool:
        raise ValueError(f"targets must be integer class indices, got dtype {targets.dtype}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing!r}")
    num_classes = logits.shape[1]
    keep = targets != ignore_index  # (N,)
    kept_logits = logits[keep]  # (M, C)
    kept_targets = targets[keep].long()  # (M,)
    if ((kept_targets < 0) | (kept_targets >= num_classes)).any():
        raise ValueError(
            f"targets must be in [0, {num_classes}) or equal ignore_index={ignore_index}"
        )
    logp = kept_logits - torch.logsumexp(kept_logits, dim=1, keepdim=True)  # (M, C)
    nll = -logp.gather(1, kept_targets.unsqueeze(1)).squeeze(1)  # (M,)
    if label_smoothing == 0:
        return nll.mean()  # nan when M == 0, like F.cross_entropy
    uniform = -logp.mean(dim=1)  # (M,) cross-entropy against the uniform distribution
    return ((1.0 - label_smoothing) * nll + label_smoothing * uniform).mean()


def next_token_loss(logits, tokens, pad_id):
    r"""Next-token cross-entropy of a causal language model over a padded batch.

    Parameters
    ----------
    logits : torch.Tensor of shape (B, T, V)
        Model outputs; ``logits[b, t]`` scores the token at position ``t + 1``.
    tokens : torch.Tensor of shape (B, T)
        Integer token ids in ``[0, V)``; padding positions hold ``pad_id``.
    pad_id : int
        Id of the padding token; targets equal to it are skipped.

    Returns
    -------
    torch.Tensor of shape ()
        One mean over all non-pad targets ``tokens[:, 1:]`` of the batch (not a mean of
        per-sequence means), in the dtype of ``logits``; differentiable. ``nan`` if there
        is no such target.

    Notes
    -----
    .. math::

        L = \frac{1}{|K|} \sum_{(b, t) \in K} -\log \operatorname{softmax}(z_{b, t})
        [x_{b, t+1}], \qquad K = \{(b, t) : 0 \le t < T - 1,\ x_{b, t+1} \ne
        \mathrm{pad}\}.

    Position ``t`` only sees tokens up to ``t``, so its logits predict token ``t + 1``:
    inputs and targets are shifted by one. Long sequences weigh more than short ones.

    Examples
    --------
    >>> logits = torch.zeros(1, 4, 5, dtype=torch.float64)  # uniform over 5 tokens
    >>> tokens = torch.tensor([[3, 2, 0, 0]])  # one real target (2), then padding 0
    >>> round(next_token_loss(logits, tokens, pad_id=0).item(), 12) == round(math.log(5), 12)
    True
    """
    if logits.ndim != 3:
        raise ValueError(f"logits must have shape (B, T, V), got {tuple(logits.shape)}")
    if tokens.shape != logits.shape[:2]:
        raise ValueError(
            f"tokens must have shape (B, T) = {tuple(logits.shape[:2])}, got {tuple(tokens.shape)}"
        )
    if tokens.is_floating_point() or tokens.is_complex() or tokens.dtype == torch.bool:
        raise ValueError(f"tokens must be integer token ids, got dtype {tokens.dtype}")
    vocab_size = logits.shape[2]
    inputs = logits[:, :-1, :]  # (B, T-1, V): position t predicts token t + 1
    targets = tokens[:, 1:]  # (B, T-1)
    keep = targets != pad_id  # (B, T-1)
    inputs, targets = inputs[keep], targets[keep].long()  # (M, V), (M,)
    if ((targets < 0) | (targets >= vocab_size)).any():
        raise ValueError(f"token ids must be in [0, {vocab_size}) or equal pad_id={pad_id}")
    logp = inputs - torch.logsumexp(inputs, dim=1, keepdim=True)  # (M, V)
    return -logp.gather(1, targets.unsqueeze(1)).mean()  # nan when M == 0


def distillation_loss(student_logits, teacher_logits, temperature):
    r"""Knowledge-distillation loss: scaled KL from the teacher's to the student's softmax.

    Parameters
    ----------
    student_logits : torch.Tensor of shape (N, C)
        Logits of the model being trained.
    teacher_logits : torch.Tensor of shape (N, C)
        Logits of the teacher.
    temperature : float
        Softmax temperature ``T > 0`` applied to both.

    Returns
    -------
    torch.Tensor of shape ()
        ``T**2 * sum_i KL(softmax(t_i / T) || softmax(s_i / T)) / N``, in the dtype of the
        logits; differentiable with respect to the student.

    Notes
    -----
    With teacher :math:`p_i = \operatorname{softmax}(t_i / T)` and student
    :math:`q_i = \operatorname{softmax}(s_i / T)` (Hinton, Vinyals & Dean 2015),

    .. math::

        L = \frac{T^2}{N} \sum_{i=1}^{N} \sum_{c} p_{ic} \log \frac{p_{ic}}{q_{ic}},

    which is ``T**2 * F.kl_div(log q, p, reduction="batchmean")``. The forward KL is
    mass-covering: the student is pushed to put mass wherever the teacher does. Gradients
    scale like :math:`1 / T^2`, which the factor :math:`T^2` undoes.

    Examples
    --------
    >>> logits = torch.tensor([[1.0, 2.0, 3.0]])
    >>> distillation_loss(logits, logits, temperature=2.0).item()  # same distributions
    0.0
    """
    if student_logits.ndim != 2 or student_logits.shape != teacher_logits.shape:
        raise ValueError(
            "student_logits and teacher_logits must both have shape (N, C), got "
            f"{tuple(student_logits.shape)} and {tuple(teacher_logits.shape)}"
        )
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature!r}")
    s = student_logits / temperature  # (N, C)
    t = teacher_logits / temperature  # (N, C)
    log_q = s - torch.logsumexp(s, dim=1, keepdim=True)  # (N, C) student log-probs
    log_p = t - torch.logsumexp(t, dim=1, keepdim=True)  # (N, C) teacher log-probs
    p = log_p.exp()  # (N, C)
    kl = torch.where(p > 0, p * (log_p - log_q), torch.zeros_like(p))  # (N, C); 0 log 0 = 0
    return temperature**2 * kl.sum() / student_logits.shape[0]


def kl_penalty(logp_policy, logp_ref, estimator="k1"):
    r"""Per-token estimate of :math:`KL(\pi \| \pi_{ref})` from sampled tokens' log-probs.

    Parameters
    ----------
    logp_policy : torch.Tensor of shape (...)
        :math:`\log \pi(x)` of tokens sampled from the policy :math:`\pi`.
    logp_ref : torch.Tensor of shape (...)
        :math:`\log \pi_{ref}(x)` of the same tokens (broadcastable with ``logp_policy``).
    estimator : {"k1", "k2", "k3"}, default="k1"
        Which estimator (Schulman 2020, "Approximating KL divergence").

    Returns
    -------
    torch.Tensor of shape (...)
        The elementwise estimate, same dtype; differentiable.

    Raises
    ------
    ValueError
        If ``estimator`` is not one of "k1", "k2", "k3".

    Notes
    -----
    With :math:`\log r = \log \pi_{ref}(x) - \log \pi(x)` and :math:`x \sim \pi`:

    .. math::

        k_1 = -\log r, \qquad k_2 = \tfrac12 (\log r)^2, \qquad k_3 = (r - 1) - \log r.

    :math:`k_1` is unbiased but can be negative, :math:`k_2` is biased with low variance,
    :math:`k_3` is unbiased (as :math:`E_\pi[r] = 1`) and always :math:`\ge 0`.

    Examples
    --------
    >>> lp, lr = torch.tensor([math.log(0.5)]), torch.tensor([math.log(0.25)])
    >>> round(kl_penalty(lp, lr, "k1").item(), 6)  # log 2
    0.693147
    >>> round(kl_penalty(lp, lr, "k3").item(), 6)  # (1/2 - 1) + log 2
    0.193147
    """
    if estimator not in ("k1", "k2", "k3"):
        raise ValueError(f"unknown estimator {estimator!r}: choose 'k1', 'k2' or 'k3'")
    log_ratio = logp_policy - logp_ref  # (...) log pi / pi_ref = -log r
    if estimator == "k1":
        return log_ratio
    if estimator == "k2":
        return 0.5 * log_ratio**2
    return torch.expm1(-log_ratio) + log_ratio  # (r - 1) - log r


def dpo_loss(
    policy_chosen_logps,
    policy_rejected_logps,
    ref_chosen_logps,
    ref_rejected_logps,
    beta=0.1,
):
    r"""Direct Preference Optimization loss of a batch of preference pairs.

    Parameters
    ----------
    policy_chosen_logps : torch.Tensor of shape (N,)
        Log-probability of each chosen response under the policy (summed over tokens).
    policy_rejected_logps : torch.Tensor of shape (N,)
        Same for the rejected responses.
    ref_chosen_logps : torch.Tensor of shape (N,)
        Log-probability of each chosen response under the frozen reference model.
    ref_rejected_logps : torch.Tensor of shape (N,)
        Same for the rejected responses.
    beta : float, default=0.1
        Strength of the implicit KL regularisation: larger stays closer to the reference.

    Returns
    -------
    torch.Tensor of shape ()
        The mean loss, in the input dtype; differentiable; finite for margins of
        :math:`\pm 10^4`.

    Notes
    -----
    With :math:`z = \beta\,[(\log \pi(y_c) - \log \pi_{ref}(y_c)) - (\log \pi(y_r) -
    \log \pi_{ref}(y_r))]` (Rafailov et al. 2023),

    .. math::

        L = -\frac{1}{N} \sum \log \sigma(z),

    finite, in value and gradient, for margins of either sign up to :math:`\pm 10^4`.

    Examples
    --------
    >>> zero = torch.zeros(3, dtype=torch.float64)  # policy == reference: z = 0
    >>> round(dpo_loss(zero, zero, zero, zero).item(), 12)  # log 2
    0.69314718056
    >>> big = torch.tensor([1e4], dtype=torch.float64)  # chosen far less likely: z = -1000
    >>> dpo_loss(-big, big, zero[:1], zero[:1], beta=0.05).item()  # log(1 + e^1000)
    1000.0
    """
    shapes = {tuple(x.shape) for x in (policy_chosen_logps, policy_rejected_logps)}
    shapes |= {tuple(x.shape) for x in (ref_chosen_logps, ref_rejected_logps)}
    if len(shapes) != 1:
        raise ValueError(f"the four log-probability tensors must have the same shape, got {shapes}")
    chosen = policy_chosen_logps - ref_chosen_logps  # (N,)
    rejected = policy_rejected_logps - ref_rejected_logps  # (N,)
    z = beta * (chosen - rejected)  # (N,)
    return torch.logaddexp(torch.zeros_like(z), -z).mean()  # -log sigmoid(z)


def code_length_bits(logits, tokens):
    r"""Bits an arithmetic coder driven by a causal model spends on a token sequence.

    Parameters
    ----------
    logits : torch.Tensor of shape (T, V)
        Model outputs over ``tokens``; row ``t`` predicts ``tokens[t + 1]`` (the last row is
        not used).
    tokens : torch.Tensor of shape (T,)
        Integer token ids in ``[0, V)``.

    Returns
    -------
    float
        :math:`\sum_{t=1}^{T-1} -\log_2 q(x_t \mid x_{<t})` as a Python float (computed in
        the dtype of ``logits``); ``0.0`` when ``T <= 1``. The first token has no
        prediction and is not counted.

    Notes
    -----
    .. math::

        L = \sum_{t=1}^{T-1} -\log_2 \operatorname{softmax}(z_{t-1})[x_t],

    the model's cross-entropy on the sequence in bits. An arithmetic coder driven by the
    same predictions produces at most :math:`L + 2` bits, so a better language model is a
    better compressor (Delétang et al. 2023).

    Examples
    --------
    >>> logits = torch.zeros(5, 4, dtype=torch.float64)  # uniform: 2 bits per token
    >>> round(code_length_bits(logits, torch.tensor([0, 1, 2, 3, 0])), 9)  # 4 predictions
    8.0
    """
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (T, V), got {tuple(logits.shape)}")
    if tokens.ndim != 1 or tokens.shape[0] != logits.shape[0]:
        raise ValueError(
            f"tokens must have shape (T,) = ({logits.shape[0]},), got {tuple(tokens.shape)}"
        )
    if tokens.is_floating_point() or tokens.is_complex() or tokens.dtype == torch.bool:
        raise ValueError(f"tokens must be integer token ids, got dtype {tokens.dtype}")
    vocab_size = logits.shape[1]
    if ((tokens < 0) | (tokens >= vocab_size)).any():
        raise ValueError(f"token ids must be in [0, {vocab_size})")
    inputs = logits[:-1]  # (T-1, V): row t predicts token t + 1
    targets = tokens[1:].long()  # (T-1,)
    logq = inputs - torch.logsumexp(inputs, dim=1, keepdim=True)  # (T-1, V)
    nats = -logq.gather(1, targets.unsqueeze(1)).sum()  # ()
    return nats.item() / math.log(2)


def top_p_filter(probs, top_p):
    r"""Nucleus (top-p) truncation of probability vectors, renormalised.

    Parameters
    ----------
    probs : torch.Tensor of shape (..., V)
        Probability vectors along the last dimension, floating point.
    top_p : float
        The probability mass to keep, :math:`0 < p \le 1`.

    Returns
    -------
    torch.Tensor of shape (..., V)
        A new tensor, same dtype: in each vector, the smallest set of tokens whose
        probabilities add up to at least ``top_p``, taken from the most to the least probable
        (equal probabilities: lower index first), keeps its probabilities, renormalised to
        sum to 1; every other token gets 0. ``top_p = 1`` keeps every token.

    Raises
    ------
    ValueError
        If ``top_p`` is not in (0, 1].

    Notes
    -----
    With the tokens of one vector ordered :math:`x_{(1)}, x_{(2)}, \dots` from the most to
    the least probable, the kept set is :math:`\{x_{(1)}, \dots, x_{(k)}\}` with the smallest
    :math:`k` such that :math:`\sum_{i \le k} p(x_{(i)}) \ge` ``top_p`` (Holtzman et al.
    2020, "The Curious Case of Neural Text Degeneration").

    Examples
    --------
    >>> [round(v, 4) for v in top_p_filter(torch.tensor([0.1, 0.5, 0.4]), 0.6).tolist()]
    [0.0, 0.5556, 0.4444]
    >>> top_p_filter(torch.tensor([0.25, 0.25, 0.5]), 0.7).tolist()  # tie: lower index first
    [0.3333333432674408, 0.0, 0.6666666865348816]
    """
    if not 0.0 < top_p <= 1.0:
        raise ValueError(f"top_p must be in (0, 1], got {top_p!r}")
    if top_p == 1.0:
        return probs / probs.sum(dim=-1, keepdim=True)  # (..., V) a new tensor
    sorted_probs, order = torch.sort(probs, dim=-1, descending=True, stable=True)  # (..., V)
    mass_before = sorted_probs.cumsum(dim=-1) - sorted_probs  # (..., V) mass of better tokens
    keep_sorted = mass_before < top_p  # (..., V) still short of top_p before this token
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)  # (..., V) unsorted
    kept = torch.where(keep, probs, torch.zeros_like(probs))  # (..., V)
    return kept / kept.sum(dim=-1, keepdim=True)


def expected_calibration_error(confidences, correct, n_bins=10):
    r"""Expected calibration error of confidences against outcomes, over equal-width bins.

    Parameters
    ----------
    confidences : torch.Tensor or array-like of shape (N,)
        The model's confidence in each prediction, in [0, 1].
    correct : torch.Tensor or array-like of shape (N,)
        Whether each prediction was right: booleans or 0/1.
    n_bins : int, default=10
        Number of equal-width bins of [0, 1].

    Returns
    -------
    float
        :math:`\sum_b \frac{n_b}{N}\, |\mathrm{acc}_b - \mathrm{conf}_b|` over the non-empty
        bins, where sample :math:`i` falls in bin
        ``min(floor(confidences[i] * n_bins), n_bins - 1)``, :math:`n_b` is the number of
        samples in bin :math:`b`, :math:`\mathrm{acc}_b` the fraction of them that are
        correct and :math:`\mathrm{conf}_b` their mean confidence.

    Raises
    ------
    ValueError
        If there are no samples, or ``confidences`` and ``correct`` differ in length.

    Notes
    -----
    Naeini, Cooper & Hauskrecht (2015); Guo, Pleiss, Sun & Weinberger (2017). A model is
    calibrated when, among the predictions it makes with confidence :math:`c`, a fraction
    :math:`c` is right; the ECE is 0 for a calibrated model (up to binning and sampling).

    Examples
    --------
    >>> ece = expected_calibration_error([0.9, 0.9, 0.6, 0.6], [1, 0, 1, 1])
    >>> round(ece, 12)  # bins 9 and 6, half the samples each: 0.5 * 0.4 + 0.5 * 0.4
    0.4
    """
    conf = torch.as_tensor(confidences, dtype=torch.float64).detach().reshape(-1)  # (N,)
    right = torch.as_tensor(correct, dtype=torch.float64).detach().reshape(-1)  # (N,)
    if conf.numel() == 0:
        raise ValueError("expected_calibration_error needs at least one sample")
    if conf.numel() != right.numel():
        raise ValueError(
            f"confidences and correct must have the same length, got {conf.numel()} and "
            f"{right.numel()}"
        )
    bins = torch.clamp(torch.floor(conf * n_bins).long(), max=n_bins - 1)  # (N,)
    hits = torch.zeros(n_bins, dtype=torch.float64).index_add_(0, bins, right)  # (n_bins,)
    mass = torch.zeros(n_bins, dtype=torch.float64).index_add_(0, bins, conf)  # (n_bins,)
    # (n_b / N) |acc_b - conf_b| = |hits_b - mass_b| / N; an empty bin adds 0
    return ((hits - mass).abs().sum() / conf.numel()).item()

"""How an answer is compared with the expected one: small objects the grader and the
self-check share.

A comparison is called as ``compare(got, expected, case)`` on two :class:`~course.harness.Outcome`
values and returns None when ``got`` is acceptable, else a short reason, shown to the
student. Each is a frozen dataclass that describes itself as data (:meth:`Comparison.data`,
e.g. ``{"kind": "close", "rtol": 1e-06, "atol": 1e-09, "same_type": True}``, what the
self-check's data files store), and :func:`comparison` builds it back from that form, so
tolerances are written once, in the hidden check. Nothing here is secret.

Where the answer is not unique (a Huffman code, the bits of an arithmetic coder), the
comparison checks the contract's properties instead (:class:`ByContract`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from course.adapters import Run
from course.harness import Case, Described, Outcome, as_array, largest_difference, short

RETURN_MISSING = "it returned None (is a `return` missing?)"


class Comparison(Described):
    """The base of every comparison."""

    KINDS: ClassVar[dict[str, type]] = {}
    WHAT = "comparison"

    def __call__(self, got: Outcome, expected: Outcome, case: Case) -> str | None:
        raise NotImplementedError

    def expected_text(self, expected: Outcome, case: Case) -> str:
        """What a learner is shown as expected (for answers that are not unique, the
        property asked for)."""
        if expected.raised:
            return f"{expected.error} to be raised"
        return self.describe(expected.value, case)

    def describe(self, value: Any, case: Case) -> str:
        return short(value)


comparison = Comparison.build  # the comparison a data form describes, e.g. {"kind": "bool"}


# -- numbers and arrays -----------------------------------------------------------------------


@dataclass(frozen=True)
class Close(Comparison):
    """Numbers or arrays equal within tolerances; inf must match inf (and nan match nan).

    With ``same_type``, a scalar answer must be a scalar and an array answer an array of the
    same shape.
    """

    kind = "close"
    rtol: float = 1e-6
    atol: float = 1e-9
    same_type: bool = True

    def __call__(self, got, expected, case):
        g, e = got.value, expected.value
        if g is None:
            return RETURN_MISSING
        try:
            g_arr = as_array(g)
        except (TypeError, ValueError, RuntimeError):
            return f"the result is not a number or an array of numbers (got {type(g).__name__})"
        e_arr = as_array(e)
        if self.same_type and g_arr.shape != e_arr.shape:
            if e_arr.ndim == 0:
                return f"expected a single number, got an array of shape {g_arr.shape}"
            return f"expected shape {e_arr.shape}, got shape {g_arr.shape}"
        if not self.same_type and g_arr.size != e_arr.size:
            return f"expected {e_arr.size} values, got {g_arr.size}"
        g_arr = g_arr.reshape(e_arr.shape)
        if np.isnan(g_arr).any() and not np.isnan(e_arr).any():
            return "the result contains nan (0 * log 0 or inf - inf somewhere?)"
        if not np.allclose(g_arr, e_arr, rtol=self.rtol, atol=self.atol, equal_nan=True):
            return "the values differ" + largest_difference(g_arr, e_arr)
        return None


def close(rtol: float = 1e-6, atol: float = 1e-9, *, same_type: bool = True) -> Close:
    """:class:`Close`, as the checks write it: ``close()``, ``close(1e-5, 1e-5)``."""
    return Close(rtol, atol, same_type)


@dataclass(frozen=True)
class FloatNumber(Close):
    """A number for numbers in: not a NumPy array, then :class:`Close`."""

    kind = "float"

    def __call__(self, got, expected, case):
        if isinstance(got.value, np.ndarray):
            return "expected a float for numbers in, got a NumPy array (use float(...))"
        return super().__call__(got, expected, case)


@dataclass(frozen=True)
class PythonFloat(Close):
    """A Python float (``np.float64`` is one, a 0-dim tensor or array is not), then
    :class:`Close`."""

    kind = "python_float"

    def __call__(self, got, expected, case):
        if not isinstance(got.value, float):
            kind = type(got.value).__name__
            return f"expected a Python float, got a {kind} (use float(...) or .item())"
        return super().__call__(got, expected, case)


@dataclass(frozen=True)
class Pair(Comparison):
    """A pair (mu, sigma) within tolerances."""

    kind = "pair"
    rtol: float
    atol: float

    def __call__(self, got, expected, case):
        g = got.value
        if g is None:
            return RETURN_MISSING
        if np.ndim(g) != 1 or len(g) != 2:
            return "expected a pair (mu, sigma)"
        return close(self.rtol, self.atol, same_type=False)(got, expected, case)


@dataclass(frozen=True)
class WeightsAndBias(Comparison):
    """A pair ``(w, b)``: ``w`` of shape (d,), ``b`` a single number, both within tolerance."""

    kind = "weights_and_bias"
    rtol: float = 1e-6
    atol: float = 1e-9

    def __call__(self, got, expected, case):
        if got.value is None:
            return RETURN_MISSING
        if not isinstance(got.value, (tuple, list)) or len(got.value) != 2:
            return f"expected a pair (w, b), got {type(got.value).__name__} {got.text()}"
        w, b = got.value
        w_expected, b_expected = expected.value
        reason = close(self.rtol, self.atol)(Outcome(value=w), Outcome(value=w_expected), case)
        if reason is not None:
            return f"w: {reason}"
        try:
            b_size = as_array(b).size
        except (TypeError, ValueError, RuntimeError):
            return f"b is not a number (got {type(b).__name__})"
        if b_size != 1:
            return f"b must be a single number, got {b_size} values"
        bias = close(self.rtol, self.atol, same_type=False)
        reason = bias(Outcome(value=b), Outcome(value=b_expected), case)
        return None if reason is None else f"b: {reason}"


@dataclass(frozen=True)
class Triple(Comparison):
    """Three per-sample arrays (k1, k2, k3), each of the shape of the inputs."""

    kind = "triple"

    def __call__(self, got, expected, case):
        g = got.value
        if g is None:
            return RETURN_MISSING
        if not isinstance(g, (tuple, list)) or len(g) != 3:
            return "expected a tuple of three arrays (k1, k2, k3)"
        shape = np.shape(expected.value[0])
        for i, k in enumerate(g):
            try:
                k_shape = np.shape(np.asarray(k, dtype=float))
            except (TypeError, ValueError):
                return f"k{i + 1} is not an array of numbers"
            if k_shape != shape:
                return (
                    f"k{i + 1} should have one value per sample, shape {shape}, got shape {k_shape}"
                )
        return None

    def describe(self, value, case):
        return f"three arrays of shape {np.shape(value[0])}"


# -- exact answers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SameBool(Comparison):
    """True or False, the expected one."""

    kind = "bool"

    def __call__(self, got, expected, case):
        g = got.value
        if not isinstance(g, (bool, np.bool_)):
            return f"expected True or False, got a {type(g).__name__}"
        if bool(g) != bool(expected.value):
            return f"expected {bool(expected.value)}, got {bool(g)}"
        return None


@dataclass(frozen=True)
class CodeLengths(Comparison):
    """An int array equal to the expected one: one codeword length per ``p_i`` of the case."""

    kind = "int_array"

    def __call__(self, got, expected, case):
        g = got.value
        if g is None:
            return RETURN_MISSING
        try:
            g_arr = np.asarray(g)
        except Exception:  # noqa: BLE001
            return f"the result is not an array (got {type(g).__name__})"
        e_arr = np.asarray(expected.value)
        if g_arr.shape != e_arr.shape:
            return f"expected shape {e_arr.shape}, got shape {g_arr.shape}"
        if g_arr.dtype.kind not in "iu":
            return f"expected an int array, got dtype {g_arr.dtype} (convert with .astype(int))"
        if not np.array_equal(g_arr, e_arr):
            i = int(np.flatnonzero(g_arr != e_arr)[0])
            p = np.asarray(case.args[0], dtype=float)
            return (
                f"the lengths differ, first at index {i}: p = {float(p[i])!r} needs "
                f"{e_arr[i]} bit{'s' if e_arr[i] != 1 else ''}, got {g_arr[i]}"
            )
        return None


@dataclass(frozen=True)
class SameString(Comparison):
    """The expected string of '0' and '1'."""

    kind = "string"

    def __call__(self, got, expected, case):
        g, e = got.value, expected.value
        if not isinstance(g, str):
            return f"expected a string of '0' and '1', got a {type(g).__name__}"
        if g != e:
            if len(g) != len(e):
                return f"expected {len(e)} characters, got {len(g)}"
            i = next(k for k in range(len(e)) if g[k] != e[k])
            return f"the strings differ first at position {i}"
        return None


@dataclass(frozen=True)
class SameSymbols(Comparison):
    """A list (or tuple) of the expected symbols."""

    kind = "symbols"

    def __call__(self, got, expected, case):
        g, e = got.value, expected.value
        if not isinstance(g, (list, tuple)):
            return f"expected a list of symbols, got a {type(g).__name__}"
        if len(g) != len(e):
            return f"expected {len(e)} symbols, got {len(g)}"
        for i, (a, b) in enumerate(zip(g, e, strict=True)):
            if not a == b:
                return f"the symbols differ first at position {i}: expected {b!r}, got {a!r}"
        return None


@dataclass(frozen=True)
class ExactCounts(Comparison):
    """The same counts, exactly, in a (V, V) array (any numeric dtype: the dtype has its own
    criterion); the case's second argument is the vocabulary."""

    kind = "exact_counts"

    def __call__(self, got, expected, case):
        g, e = got.value, np.asarray(expected.value)
        if g is None:
            return RETURN_MISSING
        try:
            g_arr = as_array(g)
        except (TypeError, ValueError, RuntimeError):
            return f"the result is not an array of counts (got {type(g).__name__})"
        if g_arr.shape != e.shape:
            return f"expected a matrix of shape {e.shape} (V x V), got shape {g_arr.shape}"
        if not np.array_equal(g_arr, e):
            i, j = np.argwhere(g_arr != e)[0]
            vocab = list(case.args[1])
            return (
                f"the counts differ (first at [{i}, {j}], the pair ({vocab[i]!r}, {vocab[j]!r}): "
                f"expected {int(e[i, j])}, got {g_arr[i, j]:g})"
            )
        return None


@dataclass(frozen=True)
class IntMatrix(Comparison):
    """A NumPy array of an integer dtype, of shape (V, V) (the counts have their own
    criteria)."""

    kind = "int_matrix"

    def __call__(self, got, expected, case):
        g, e = got.value, np.asarray(expected.value)
        if not isinstance(g, np.ndarray):
            return f"expected a NumPy array of ints, got {type(g).__name__}"
        if not np.issubdtype(g.dtype, np.integer):
            return f"expected an integer dtype (counts are whole numbers), got dtype {g.dtype}"
        if g.shape != e.shape:
            return f"expected a matrix of shape {e.shape} (V x V), got shape {g.shape}"
        return None

    def describe(self, value, case):
        return f"a NumPy int array of shape {np.shape(value)}"


@dataclass(frozen=True)
class Gram(Comparison):
    """Embeddings E of shape (n_words, dim) with E @ E.T equal to the expected one's (the
    Gram matrix is what the contract fixes: it does not depend on the signs of singular
    vectors)."""

    kind = "gram"

    def __call__(self, got, expected, case):
        g, e = got.value, np.asarray(expected.value)
        if g is None:
            return RETURN_MISSING
        try:
            g_arr = as_array(g)
        except (TypeError, ValueError, RuntimeError):
            return f"the result is not an array of numbers (got {type(g).__name__})"
        if g_arr.shape != e.shape:
            return (
                f"expected shape {e.shape} (one row per row of the matrix, dim columns), "
                f"got {g_arr.shape}"
            )
        if not np.isfinite(g_arr).all():
            return "the embeddings contain nan or inf"
        g_gram, e_gram = g_arr @ g_arr.T, e @ e.T
        scale = max(1.0, float(np.abs(e_gram).max()))
        if not np.allclose(g_gram, e_gram, rtol=1e-6, atol=1e-9 * scale):
            i, j = np.unravel_index(int(np.argmax(np.abs(g_gram - e_gram))), e_gram.shape)
            return (
                f"E @ E.T differs from U_d S_d U_d^T (first at [{i}, {j}]: expected "
                f"{e_gram[i, j]:.6g}, got {g_gram[i, j]:.6g})"
            )
        return None


def _nonzero(counts) -> dict:
    return {gram: count for gram, count in counts.items() if count != 0}


@dataclass(frozen=True)
class NgramCounts(Comparison):
    """Mappings with the same n-gram counts; n-grams that do not occur may map to 0."""

    kind = "ngram_counts"

    def __call__(self, got, expected, case):
        value = got.value
        if value is None:
            return RETURN_MISSING
        if not isinstance(value, dict):
            kind = type(value).__name__
            return f"expected a mapping (dict or Counter) from n-gram tuples to counts, got {kind}"
        wanted = _nonzero(expected.value)
        have = _nonzero(value)
        if have.keys() == wanted.keys() and all(have[gram] == wanted[gram] for gram in wanted):
            return None
        n = case.args[1]
        for gram in have:
            if not isinstance(gram, tuple) or len(gram) != n:
                return f"every key must be a tuple of {n} tokens, but one key is {gram!r}"
        missing = [gram for gram in wanted if gram not in have]
        if missing:
            return f"the n-gram {missing[0]!r} (count {wanted[missing[0]]}) is missing"
        extra = [gram for gram in have if gram not in wanted]
        if extra:
            return f"{extra[0]!r} does not occur in the text, but it has count {have[extra[0]]!r}"
        gram = next(gram for gram in wanted if have[gram] != wanted[gram])
        return f"{gram!r} occurs {wanted[gram]} times, but its count is {have[gram]!r}"


# -- PyTorch runs (course.adapters.Torch): values, gradients, form ----------------------------

TIGHT = (1e-6, 1e-9)  # float64 inputs
LOOSE = (1e-4, 1e-5)  # float32 inputs


def _tolerance(case: Case) -> tuple[float, float]:
    arrays = [a for a in case.args if isinstance(a, np.ndarray)]
    return LOOSE if any(a.dtype == np.float32 for a in arrays) else TIGHT


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


UNREADABLE = "the result could not be read"


@dataclass(frozen=True)
class TorchValues(Comparison):
    """The value (and, when both sides have them and ``grads``, the gradients) equal within
    ``rtol=1e-6, atol=1e-9`` for float64 inputs, ``rtol=1e-4, atol=1e-5`` for float32.

    Whether the result is a differentiable tensor of the right shape is judged separately
    (:class:`TorchForm`), so a loss returned with ``.item()`` loses that criterion only.
    """

    kind = "torch_values"
    grads: bool = True

    def __call__(self, got, expected, case):
        g, e = got.value, expected.value
        if not isinstance(g, Run) or not isinstance(e, Run):
            return UNREADABLE
        if g.value is None:
            return g.problem or f"it returned a {g.kind}, not a number or a tensor"
        if e.value is None:
            return "expected no value here"
        rtol, atol = _tolerance(case)
        reason = _differ(g.value, e.value, rtol, atol, "the value")
        if reason or not (self.grads and g.grads and e.grads):
            return reason
        for (name, got_grad), (_, expected_grad) in zip(g.grads, e.grads, strict=True):
            reason = _differ(got_grad, expected_grad, rtol, atol, f"the gradient w.r.t. {name}")
            if reason:
                return f"the value is right, but {reason}"
        return None


@dataclass(frozen=True)
class TorchForm(Comparison):
    """A tensor of the contract's shape that requires grad, with gradients reaching the
    inputs: the same form (the same problem, or none) as expected."""

    kind = "torch_form"

    def __call__(self, got, expected, case):
        g, e = got.value, expected.value
        if not isinstance(g, Run) or not isinstance(e, Run):
            return UNREADABLE
        if g.problem == e.problem:
            return None
        return g.problem or "the result has another form than expected"


@dataclass(frozen=True)
class TorchNumber(Comparison):
    """A single number (float, NumPy scalar or 0-dim tensor) equal within tolerance."""

    kind = "torch_number"

    def __call__(self, got, expected, case):
        g, e = got.value, expected.value
        if not isinstance(g, Run) or not isinstance(e, Run):
            return UNREADABLE
        if g.value is None:
            return g.problem or f"it returned a {g.kind}, not a number"
        if np.ndim(g.value) != 0:
            return f"expected a single number, got an array of shape {np.shape(g.value)}"
        rtol, atol = _tolerance(case)
        return _differ(g.value, e.value, rtol, atol, "the number of bits")


# -- answers that are not unique: properties of the contract -----------------------------------


class ByContract(Comparison):
    """A comparison for answers that are not unique.

    :meth:`flaw` returns None when a value meets the contract's properties, else ``(kind,
    reason)``. Against the expected answer (which has no flaw) the student's value must have
    no flaw and stand in :meth:`relation` to it (e.g. the same expected length). Against a
    known mistake's flawed value (diagnosis), the student's value matches when it has a flaw
    of the same kind.
    """

    def flaw(self, value, case: Case) -> tuple[str, str] | None:
        raise NotImplementedError

    def relation(self, got, expected, case: Case) -> str | None:
        return None

    def __call__(self, got, expected, case):
        theirs = self.flaw(expected.value, case)
        mine = self.flaw(got.value, case)
        if theirs is None:
            if mine is not None:
                return mine[1]
            return self.relation(got.value, expected.value, case)
        if mine is not None and mine[0] == theirs[0]:
            return None
        return f"not the same flaw ({theirs[0]})"


def _is_bits(value) -> bool:
    return isinstance(value, str) and set(value) <= {"0", "1"}


def _expected_length(code: dict, p: np.ndarray) -> float:
    return math.fsum(float(p[i]) * len(w) for i, w in code.items())


@dataclass(frozen=True)
class Huffman(ByContract):
    """Any binary prefix code on exactly the symbols with ``p_i > 0`` (the case's first
    argument) whose expected length equals the expected code's."""

    kind = "huffman"

    def flaw(self, value, case):
        p = np.asarray(case.args[0], dtype=float)
        support = {i for i in range(p.size) if p[i] > 0}
        if not isinstance(value, dict):
            kind = type(value).__name__
            return "not a dict", f"expected a dict {{symbol: codeword}}, got a {kind}"
        if not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in value):
            return "keys", "the keys must be the symbols' indices, as ints"
        keys = set(value)
        if keys != support:
            extra, missing = sorted(keys - support), sorted(support - keys)
            if extra:
                shown = ", ".join(
                    f"{i} (p = {float(p[i])!r})" if 0 <= i < p.size else str(i) for i in extra[:4]
                )
                return "extra keys", f"symbols that never occur must get no codeword: {shown}"
            return "missing keys", f"symbols with p_i > 0 lack a codeword: {missing[:6]}"
        words = list(value.values())
        if not all(isinstance(w, str) for w in words):
            return "not strings", "every codeword must be a string of '0' and '1'"
        if any(w == "" for w in words):
            return "empty codeword", "a codeword is empty ('' cannot be sent or decoded)"
        if not all(set(w) <= {"0", "1"} for w in words):
            return "not bits", "a codeword has a character other than '0' and '1'"
        for a, b in itertools.pairwise(sorted(words)):
            if b.startswith(a):
                return "not prefix-free", f"not prefix-free: {a!r} is a prefix of {b!r}"
        if len(support) == 1 and words != ["0"]:
            return "single symbol", f"a single symbol gets the codeword '0' (got {words[0]!r})"
        return None

    def relation(self, got, expected, case):
        p = np.asarray(case.args[0], dtype=float)
        mine, best = _expected_length(got, p), _expected_length(expected, p)
        if abs(mine - best) > 1e-9:
            lengths = {i: len(w) for i, w in sorted(got.items())}
            shown = f" (your lengths: {lengths})" if len(lengths) <= 12 else ""
            return (
                f"a prefix code, but not an optimal one: its expected length sum p_i len_i is "
                f"{mine:.6f} bits, the optimum is {best:.6f}{shown}"
            )
        return None

    def describe(self, value, case):
        length = _expected_length(value, np.asarray(case.args[0], dtype=float))
        return (
            f"a prefix code on the symbols with p_i > 0 of optimal expected length "
            f"{length:.6g} bits, e.g. {short(value)}"
        )


def ceil_information(symbols, p) -> int:
    """``ceil(-log2 P)`` of ``P = prod p[s]``, exactly (every float is a dyadic rational).

    >>> ceil_information([0, 0, 1], [0.5, 0.25, 0.25])
    4
    """
    numerator, exponent = 1, 0
    for s in symbols:
        a, b = float(p[int(s)]).as_integer_ratio()  # b is a power of two
        numerator *= a
        exponent += b.bit_length() - 1
    # P = numerator / 2**exponent; the answer is the smallest c >= 0 with P * 2**c >= 1.
    c = max(exponent - numerator.bit_length(), 0)
    while (numerator << c) < (1 << exponent):
        c += 1
    while c > 0 and (numerator << (c - 1)) >= (1 << exponent):
        c -= 1
    return c


@dataclass(frozen=True)
class BitsBound(ByContract):
    """A str of '0'/'1' of at most ``ceil(-log2 P) + 2`` bits for the case's message and
    ``p`` (``P`` computed exactly): the bit convention is the student's own."""

    kind = "bits_bound"

    def flaw(self, value, case):
        symbols, p = case.args
        if not isinstance(value, str):
            return "not a string", f"expected a str of '0' and '1', got a {type(value).__name__}"
        if not _is_bits(value):
            return "not bits", "the code has characters other than '0' and '1'"
        bound = ceil_information(symbols, p) + 2
        if len(value) > bound:
            return "too long", (
                f"{len(value)} bits is more than the bound ceil(-log2 P) + 2 = {bound} "
                f"bits for this message (your bits need not match the ones shown as expected: any "
                f"convention within the bound works)"
            )
        return None

    def describe(self, value, case):
        bound = ceil_information(*case.args) + 2
        return f"a str of '0'/'1' of at most {bound} bits, e.g. {short(value)}"


@dataclass(frozen=True)
class DistinctCodes(ByContract):
    """One code per message of the case's set (:class:`course.adapters.Each`), all distinct."""

    kind = "distinct_codes"

    def flaw(self, value, case):
        messages = case.args[0]
        if not isinstance(value, list) or len(value) != len(messages):
            return "not a list", "could not collect one code per message"
        for code in value:
            if not _is_bits(code):
                return "not bits", f"a code is not a str of '0' and '1' (got {code!r:.60})"
        first: dict[str, int] = {}
        for j, code in enumerate(value):
            if code in first:
                i = first[code]
                a, b = messages[i], messages[j]
                where = next(k for k in range(len(a)) if a[k] != b[k])
                shown = code if len(code) <= 40 else code[:30] + f"... ({len(code)} bits)"
                return "collision", (
                    f"messages #{i} and #{j} of this set (both {len(a)} symbols long, first "
                    f"different at position {where}) get the same code {shown!r}, so no decoder "
                    f"can tell them apart"
                )
            first[code] = j
        return None

    def describe(self, value, case):
        return f"{len(case.args[0])} distinct codes, one per message"


@dataclass(frozen=True)
class RoundTripExact(ByContract):
    """The case's message back, exactly, through the student's own encoder
    (:class:`course.adapters.RoundTrip`)."""

    kind = "round_trip"

    def flaw(self, value, case):
        message = list(case.args[0])
        n = len(message)
        if not isinstance(value, (list, tuple, np.ndarray)):
            return "wrong", f"expected a list of {n} symbols, got a {type(value).__name__}"
        got = list(value)
        if len(got) != n:
            return "wrong", f"decoding your own code gave {len(got)} symbols instead of n = {n}"
        for i, (a, b) in enumerate(zip(got, message, strict=True)):
            if not a == b:
                return "wrong", (
                    f"arithmetic_decode(arithmetic_encode(m, p), p, len(m)) must give back m; "
                    f"the {n}-symbol message comes back different from position {i} on "
                    f"(expected {b!r}, got {a!r})"
                )
        return None

    def describe(self, value, case):
        return f"the message back: {short(list(case.args[0]))}"

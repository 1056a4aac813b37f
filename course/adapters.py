"""How a check calls the graded function: small objects the grader and the self-check share.

An adapter turns the graded function (and its partners, e.g. the student's own encoder for
a decoder) into the callable that is actually run on a check's cases: ``adapter(fn,
partners)``. Adapters are how a check exercises several student functions together, or reads
gradients from a PyTorch loss, while every call of student code still happens in the run
step and the judge sees plain data only.

Each adapter is a frozen dataclass that describes itself as data (:meth:`Adapter.data`,
e.g. ``{"kind": "pick", "index": 0}``, what the self-check's data files store), and
:func:`adapter` builds it back from that form. Nothing here is secret.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping as AnyMapping
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from course.harness import Described, as_array, first_line


class Adapter(Described):
    """The base of every adapter: ``adapter(fn, partners)`` is the callable to run."""

    KINDS: ClassVar[dict[str, type]] = {}
    WHAT = "way of calling"

    def __call__(self, fn: Callable, partners: AnyMapping[str, Callable]) -> Callable:
        raise NotImplementedError

    def encode(self, value: Any) -> Any:
        """What the adapted call returned, as plain data to store (see :class:`Torch`)."""
        return value

    def decode(self, value: Any) -> Any:
        """The stored form back (the inverse of :meth:`encode`)."""
        return value


adapter = Adapter.build  # the adapter a data form describes, e.g. adapter({"kind": "call"})


@dataclass(frozen=True)
class Call(Adapter):
    """The graded function itself."""

    kind = "call"

    def __call__(self, fn, partners):
        return fn


CALL = Call()


@dataclass(frozen=True)
class Each(Adapter):
    """Encode every message of a set with the same ``p``: one call, one list of codes."""

    kind = "each"

    def __call__(self, fn, partners):
        def each(messages, p):
            return [fn(m, p) for m in messages]

        return each


@dataclass(frozen=True)
class RoundTrip(Adapter):
    """``fn(encoder(symbols, p), p, len(symbols))`` with the partner encoder."""

    kind = "round_trip"
    partner: str

    def __call__(self, fn, partners):
        encoder = partners[self.partner]

        def round_trip(symbols, p):
            return fn(encoder(symbols, p), p, len(symbols))

        return round_trip


@dataclass(frozen=True)
class Pick(Adapter):
    """Run the graded function and keep element ``index`` of what it returns."""

    kind = "pick"
    index: int

    def __call__(self, fn, partners):
        index = int(self.index)

        def pick(*args, **kwargs):
            return fn(*args, **kwargs)[index]

        return pick


@dataclass(frozen=True)
class PlainMapping(Adapter):
    """A returned mapping (a Counter...) as a plain dict, anything else as it is: the judge
    compares plain data and never calls methods of a returned object."""

    kind = "mapping"

    def __call__(self, fn, partners):
        def mapping(*args, **kwargs):
            value = fn(*args, **kwargs)
            return dict(value) if isinstance(value, AnyMapping) else value

        return mapping


def _tensors(args) -> list:
    import torch

    return [torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in args]


@dataclass(frozen=True)
class Tensors(Adapter):
    """Call ``fn`` with every NumPy array of the case turned into a PyTorch tensor."""

    kind = "tensors"

    def __call__(self, fn, partners):
        def tensors(*args, **kwargs):
            return fn(*_tensors(args), **kwargs)

        return tensors


# -- PyTorch functions: tensors in, values and gradients out as plain data ---------------------


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

    def data(self) -> dict:
        """The stored form: a dict, the gradients as ``[[name, array], ...]``."""
        return {
            "value": self.value,
            "grads": [[name, g] for name, g in self.grads],
            "kind": self.kind,
            "requires_grad": self.requires_grad,
            "problem": self.problem,
        }

    @classmethod
    def from_data(cls, data: dict) -> Run:
        grads = tuple((str(name), g) for name, g in data["grads"])
        return cls(data["value"], grads, data["kind"], bool(data["requires_grad"]), data["problem"])


def _array_text(value) -> str:
    return np.array2string(
        np.asarray(value), precision=6, threshold=12, edgeitems=3, separator=", "
    )


SHAPES = ("loss", "input", "number")  # a 0-dim tensor, a tensor of the input's shape, a number


@dataclass(frozen=True)
class Torch(Adapter):
    """Call ``fn`` on tensors that share memory with the case's arrays (so that an in-place
    change is seen), the ``differentiable`` ones (``{name: position}``) requiring grad;
    back-propagate and return a :class:`Run`.

    ``shape`` is the output the contract promises: ``"loss"`` a 0-dim tensor, ``"input"`` a
    tensor of the first input's shape, ``"number"`` a number (no gradient asked for).
    """

    kind = "torch"
    differentiable: dict
    shape: str

    def __post_init__(self):
        if self.shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}, not {self.shape!r}")

    def data(self) -> dict:
        return {"kind": self.kind, "differentiable": dict(self.differentiable), "shape": self.shape}

    def __call__(self, fn, partners):
        differentiable, shape = dict(self.differentiable), self.shape

        def run(*args, **kwargs):
            import torch

            tensors = _tensors(args)
            inputs = {name: tensors[i].requires_grad_(True) for name, i in differentiable.items()}
            wanted = {"loss": (), "input": tuple(np.shape(args[0])), "number": None}[shape]
            dtype = tensors[0].dtype if isinstance(tensors[0], torch.Tensor) else None
            return _run(fn(*tensors, **kwargs), inputs, wanted, dtype)

        return run

    def encode(self, value):
        return value.data() if isinstance(value, Run) else value

    def decode(self, value):
        return Run.from_data(value) if isinstance(value, dict) else value


def _plain(out) -> tuple[Any, str]:
    """A float or float64 array from a tensor / number, and what kind of object it was."""
    import torch

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


def _run(out, inputs: dict, shape: tuple | None, dtype=None) -> Run:
    """Summarise ``out``; ``shape`` is the contract's output shape (None: a number).

    With no differentiable ``inputs`` (e.g. ``top_p_filter``), no gradient is asked for, and
    the result must keep ``dtype``, the first input's."""
    import torch

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
        if shape == ():
            objective = out.sum()
        else:  # fixed weights, so that the gradients depend on every entry of the output
            weights = np.random.default_rng(2024).normal(size=tuple(out.shape))
            objective = (out * torch.from_numpy(weights).to(out.dtype)).sum()
        grads = torch.autograd.grad(objective, list(inputs.values()), allow_unused=True)
    except RuntimeError as error:
        text = first_line(str(error))[:160]
        return Run(value, (), kind, True, f"back-propagating through the {noun} failed: {text}")
    missing = [name for name, g in zip(inputs, grads, strict=True) if g is None]
    if missing:
        return Run(value, (), kind, True, f"no gradient reaches {' or '.join(missing)}")
    plain = tuple((name, as_array(g)) for name, g in zip(inputs, grads, strict=True))
    return Run(value, plain, kind, True, "")

"""Plain-data encoding of check outcomes, from the student's process to the judge.

What crosses from a process that ran student code must not be able to run code in the judge,
so this is tagged JSON, never pickle. Values keep the types the comparisons rely on (float
vs NumPy scalar, tuple vs list, dict keys that are ints, NumPy arrays with their dtype,
PyTorch tensors as arrays tagged to come back as tensors, named tuples with their fields).
Anything else (a student's own class, a function, an object whose ``__eq__`` always says
yes) arrives as an :class:`Opaque` that equals nothing. Sizes are capped.
"""

from __future__ import annotations

import base64
import collections
import importlib
import json
import math
import re
from typing import Any

import numpy as np

MAX_ELEMENTS = 5_000_000  # per array
MAX_ITEMS = 200_000  # per list, tuple or dict
MAX_DEPTH = 20


class WireError(ValueError):
    """A value that cannot be sent, or a message that is not well-formed."""


class Opaque:
    """Stands for a value that could not be represented; it is equal to nothing."""

    def __init__(self, type_name: str, text: str):
        self.type_name, self.text = type_name, text

    def __eq__(self, other):
        return False

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return f"<{self.type_name}: {self.text}>"


def encode(value: Any, depth: int = 0) -> Any:
    """A JSON-ready form of ``value``."""
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and type(value) is int:
        return value if abs(value) < 2**63 else {"__bigint__": str(value)}
    if type(value) is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.generic):
        return {"__np__": value.dtype.str, "v": encode(value.item(), depth + 1)}
    if isinstance(value, np.ndarray):
        return _encode_array(value, "__ndarray__")
    if _is_tensor(value):
        array = value.detach().cpu()
        dtype = str(array.dtype).removeprefix("torch.")
        return {**_encode_array(array.numpy(), "__tensor__"), "torch_dtype": dtype}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
        _check_len(value)
        return {
            "__namedtuple__": type(value).__name__,
            "module": type(value).__module__,
            "fields": list(value._fields),
            "items": [encode(v, depth + 1) for v in value],
        }
    if isinstance(value, tuple) and type(value) is tuple:
        _check_len(value)
        return {"__tuple__": [encode(v, depth + 1) for v in value]}
    if isinstance(value, list) and type(value) is list:
        _check_len(value)
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, dict) and type(value) in (
        dict,
        collections.Counter,
        collections.defaultdict,
        collections.OrderedDict,
    ):
        _check_len(value)
        return {
            "__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]
        }
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value[:MAX_ELEMENTS]).decode()}
    text = _safe_repr(value)
    return {"__opaque__": type(value).__name__, "text": text}


def decode(data: Any, depth: int = 0) -> Any:
    """The value back from :func:`encode`'s form (strictly: unknown forms are errors)."""
    if depth > MAX_DEPTH:
        raise WireError("message nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v, depth + 1) for v in data]
    if not isinstance(data, dict) or len(data) == 0:
        raise WireError(f"unexpected {type(data).__name__} in message")
    if "__float__" in data:
        return float(data["__float__"])
    if "__bigint__" in data:
        return int(data["__bigint__"])
    if "__np__" in data:
        return np.dtype(_dtype(data["__np__"])).type(decode(data["v"], depth + 1))
    if "__ndarray__" in data:
        return _decode_array(data)
    if "__tensor__" in data:
        import torch

        array = _decode_array(data)
        return torch.from_numpy(np.ascontiguousarray(array)).to(getattr(torch, data["torch_dtype"]))
    if "__namedtuple__" in data:
        fields = [str(f) for f in data["fields"]]
        if not all(f.isidentifier() and not f.startswith("_") for f in fields):
            raise WireError("bad named tuple fields")
        name = str(data["__namedtuple__"])
        kind = _known_named_tuple(str(data.get("module", "")), name, fields)
        if kind is None:
            kind = collections.namedtuple(name if name.isidentifier() else "Record", fields)
        return kind(*[decode(v, depth + 1) for v in data["items"]])
    if "__tuple__" in data:
        return tuple(decode(v, depth + 1) for v in data["__tuple__"])
    if "__dict__" in data:
        out = {}
        for key, value in data["__dict__"]:
            k = decode(key, depth + 1)
            try:
                hash(k)
            except TypeError:
                raise WireError("unhashable dict key") from None
            out[k] = decode(value, depth + 1)
        return out
    if "__bytes__" in data:
        return base64.b64decode(data["__bytes__"])
    if "__opaque__" in data:
        return Opaque(str(data["__opaque__"])[:100], str(data.get("text", ""))[:300])
    raise WireError(f"unknown tag in message: {sorted(data)[:3]}")


def dumps(value: Any) -> str:
    return json.dumps(encode(value), allow_nan=False)


def loads(text: str) -> Any:
    return decode(json.loads(text))


TRUSTED_MODULE = re.compile(r"^(autograder\.checks\.[a-z_]+|course\.adapters)$")


def _known_named_tuple(module: str, name: str, fields: list[str]):
    """A named tuple class of our own check modules or adapters (the comparisons test
    ``isinstance``, e.g. of :class:`course.adapters.Run`), found by name only in those
    modules; anything else is rebuilt as a generic one."""
    if not TRUSTED_MODULE.match(module) or not name.isidentifier():
        return None
    try:
        kind = getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None
    if (
        isinstance(kind, type)
        and issubclass(kind, tuple)
        and list(getattr(kind, "_fields", ())) == fields
    ):
        return kind
    return None


def _encode_array(array: np.ndarray, tag: str) -> dict:
    if array.size > MAX_ELEMENTS:
        raise WireError(f"array of {array.size:,} elements is too large to grade")
    if array.dtype.kind == "O":
        return {"__opaque__": "ndarray[object]", "text": _safe_repr(array)}
    if array.dtype.kind not in "biufcUS":
        return {"__opaque__": f"ndarray[{array.dtype}]", "text": _safe_repr(array)}
    flat = np.ascontiguousarray(array)
    return {
        tag: base64.b64encode(flat.tobytes()).decode(),
        "dtype": flat.dtype.str,
        "shape": list(flat.shape),
    }


def _decode_array(data: dict) -> np.ndarray:
    dtype = np.dtype(_dtype(data["dtype"]))
    shape = tuple(int(n) for n in data["shape"])
    if math.prod(shape) > MAX_ELEMENTS:
        raise WireError("array too large")
    raw = base64.b64decode(data.get("__ndarray__") or data.get("__tensor__") or "")
    if len(raw) != math.prod(shape) * dtype.itemsize:
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _dtype(text: str) -> str:
    dtype = np.dtype(str(text))
    if dtype.kind not in "biufcUS":
        raise WireError(f"dtype {dtype} not allowed")
    return dtype.str


def _check_len(container) -> None:
    if len(container) > MAX_ITEMS:
        raise WireError(f"container of {len(container):,} items is too large to grade")


def _is_tensor(value) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def _safe_repr(value) -> str:
    try:
        return object.__repr__(value)[:200]
    except Exception:  # noqa: BLE001
        return "?"

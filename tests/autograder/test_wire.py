"""Outcomes cross from the student's process to the judge as plain data."""

import collections
import json
import math

import numpy as np
import pytest
import torch

from autograder.wire import MAX_ELEMENTS, Opaque, WireError, dumps, loads


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        2**70,
        1.5,
        math.inf,
        -math.inf,
        "0110",
        [1, 2.0, "x"],
        (1, (2, 3)),
        {0: "0", 1: "10", 2: "11"},
        {("to", "be"): 2},
        np.float64(0.25),
        np.int64(7),
        np.array([[1.0, np.inf], [np.nan, -0.0]]),
        np.array([1, 2, 3], dtype=np.int32),
        np.array(["a", "bc"]),
        b"\x00\x01",
    ],
    ids=repr,
)
def test_round_trip_keeps_value_and_type(value):
    """Does a value come back equal, with the type the comparisons rely on?"""
    back = loads(dumps(value))
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape
        np.testing.assert_array_equal(back, value)
    elif isinstance(value, float) and math.isnan(value):
        assert math.isnan(back)
    else:
        assert back == value


def test_counter_and_named_tuple():
    """Do a Counter (as a dict) and a named tuple (with its fields) come back usable?"""
    counts = collections.Counter({("a",): 2})
    assert loads(dumps(counts)) == {("a",): 2}
    Run = collections.namedtuple("Run", "value grads")
    back = loads(dumps(Run(1.0, (np.zeros(2),))))
    assert back.value == 1.0 and back.grads[0].shape == (2,)


def test_named_tuples_of_our_checks_come_back_as_their_class():
    """Does a check's own named tuple (whose comparisons test isinstance) keep its class,
    while the same name from elsewhere stays a plain named tuple?"""
    from course.adapters import Run

    run = Run(1.5, (("logits", np.ones(3)),), "tensor", True, "")
    back = loads(dumps(run))
    assert type(back) is Run and back.value == 1.5 and back.grads[0][0] == "logits"
    forged = json.loads(dumps(run))
    forged["module"] = "os"
    assert type(loads(json.dumps(forged))) is not Run


def test_tensor_comes_back_as_a_detached_tensor_of_its_dtype():
    """Is a tensor with grad sent as data and rebuilt as a tensor of the same dtype?"""
    x = torch.tensor([1.0, 2.0], dtype=torch.float32, requires_grad=True) * 2
    back = loads(dumps(x))
    assert isinstance(back, torch.Tensor) and back.dtype == torch.float32
    assert torch.equal(back, x.detach())


def test_a_fake_value_arrives_inert():
    """Does an object whose __eq__ always says yes arrive as something equal to nothing?"""

    class Yes(float):
        def __eq__(self, other):
            return True

    class Anything:
        def __eq__(self, other):
            return True

    back = loads(dumps([Yes(1.0), Anything()]))
    assert isinstance(back[1], Opaque) and back[1] != back[1]
    assert type(back[0]) is not Yes  # a float subclass is not a float: opaque too
    assert back[0] != 1.0


def test_huge_values_are_refused():
    """Is a memory bomb returned as a value refused instead of sent?"""
    with pytest.raises(WireError, match="too large"):
        dumps(np.zeros(MAX_ELEMENTS + 1))
    with pytest.raises(WireError, match="too large"):
        dumps(list(range(300_000)))


@pytest.mark.parametrize(
    "message",
    [
        {"__pickle__": "gASV"},
        {"__ndarray__": "AAAA", "dtype": "|O", "shape": [1]},
        {"__ndarray__": "AAAA", "dtype": "<f8", "shape": [1000]},
        {"__namedtuple__": "R", "fields": ["__class__"], "items": [1]},
        {"__dict__": [[[1], 2]]},
    ],
)
def test_malformed_messages_are_refused(message):
    """Is a message a student could forge refused rather than trusted?"""
    with pytest.raises((WireError, TypeError, ValueError)):
        loads(json.dumps(message))

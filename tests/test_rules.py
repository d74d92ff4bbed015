"""The instance rules are written once: a request alone and a column say the same."""

from __future__ import annotations

import math

import pytest

from kvopt import rules
from kvopt.errors import InstanceError
from kvopt.model import Instance, Request

GOOD = {"arrival": 0, "prompt": 2, "output": 3}

BAD = [
    ({"prompt": 0}, "prompt", "must be an integer >= 1, got 0"),
    ({"arrival": -1}, "arrival", "must be an integer >= 0, got -1"),
    ({"output": 2.0}, "output", "must be an integer, got 2.0"),
    ({"prompt": 2**53}, "prompt", "must be an integer <= 2**53 - 1"),
    ({"predicted": 0}, "predicted", "must be an integer >= 1, got 0"),
    ({"output_lo": 1}, "output_hi", "needs both output_lo and output_hi"),
    ({"output_lo": 4, "output_hi": 5}, "output_lo", "must contain the output 3"),
    ({"output_lo": 1, "output_hi": 2}, "output_hi", "must contain the output 3"),
    ({"arrival_time": math.inf}, "arrival_time", "finite number of seconds"),
    ({"arrival_time": -0.5}, "arrival_time", "finite number of seconds"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD)
def test_request_and_instance_columns_break_the_same_rule_alike(change, field, message):
    values = {**GOOD, **change}
    with pytest.raises(InstanceError) as one:
        Request("r", **values)
    columns = {k: [v] for k, v in values.items()}
    with pytest.raises(InstanceError) as col:
        Instance.from_arrays("x", 100, ids=["r"], **columns)
    assert message in one.value.message and one.value.message == col.value.message
    assert one.value.field == col.value.field == field
    assert one.value.request == "r"
    # "both or neither" is a rule of whole columns: an instance names no single request
    assert col.value.request == ("r" if "needs both" not in message else None)


def test_scalar_rules():
    assert rules.id_problem("r1") is None and "non-empty" in rules.id_problem("")
    assert rules.int_problem(True, 0) is not None and rules.int_problem(5, 1) is None
    assert rules.fit_problem(3, 3, 6) is None and "never run" in rules.fit_problem(3, 4, 6)
    assert rules.interval_problem(1, 4, 3) is None
    assert rules.time_problem(0.0) is None and rules.time_problem(float("nan")) is not None


def test_instance_rejects_a_request_that_cannot_fit_like_the_rule_says():
    with pytest.raises(InstanceError) as e:
        Instance.from_arrays("x", 5, ids=["a"], arrival=[0], prompt=[3], output=[3])
    assert e.value.message == rules.fit_problem(3, 3, 5) and e.value.request == "a"

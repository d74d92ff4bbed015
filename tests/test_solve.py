"""The front door computes and checks each thing once per solve."""

from __future__ import annotations

import importlib

import pytest

import kvopt
import kvopt.solvers.common as common
import kvopt.solvers.horizon as horizon
import kvopt.solvers.lp_bound as lp_bound

front = importlib.import_module("kvopt.solve")  # the module (kvopt.solve is the function)

INST = kvopt.Instance.from_arrays(
    "five", 12, arrival=[0, 0, 1, 2, 2], prompt=[4, 2, 3, 5, 1], output=[3, 4, 2, 2, 5]
)


def counting(monkeypatch, module, name, calls):
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)


@pytest.mark.parametrize("solver", ["milp", "cpsat"])
def test_the_schedule_is_verified_once(monkeypatch, solver):
    calls: list[str] = []
    counting(monkeypatch, front, "verify", calls)
    counting(monkeypatch, common, "verify", calls)
    res = kvopt.solve(INST, solver, time_limit=20, stop_at_bound=False, primal=0)
    assert res.metadata["schedule_from"] in ("solver", "warm start")
    assert calls == ["verify"] and res.status == "optimal"


@pytest.mark.parametrize("cheap", [True, False])
def test_windows_and_the_other_requests_bounds_are_computed_once(monkeypatch, cheap):
    """``LB_{-i}`` once whether or not the owner-capacity program is cheap; the windows
    once, and a second time only if the LP tightened ``LB_{-i}``."""
    if not cheap:
        monkeypatch.setattr(common, "owner_dp_seconds", lambda inst: 1e9)
    calls: list[str] = []
    for module in (common, horizon):
        counting(monkeypatch, module, "others_lower_bounds", calls)
    counting(monkeypatch, common, "start_windows", calls)
    lp_calls: list = []
    real = lp_bound.others_lp_bounds

    def lp(*args, **kwargs):
        out = real(*args, **kwargs)
        lp_calls.append(out)
        return out

    monkeypatch.setattr(lp_bound, "others_lp_bounds", lp)
    prepared = common.prepare(INST, None, time_limit=20)
    assert calls.count("others_lower_bounds") == 1
    assert 1 <= calls.count("start_windows") <= 2 and len(lp_calls) == 1
    no_lp = common.prepare(INST, None, time_limit=20, lp_windows=False)
    assert calls.count("start_windows") in (2, 3)  # one more for the run without the LP
    assert (prepared.windows.latest <= no_lp.windows.latest).all()

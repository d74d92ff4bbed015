"""The fluid-guided policies (cc, wait, nested-wait): feasible, verified, and doing
what their rules say."""

from __future__ import annotations

import numpy as np
import pytest

import kvopt
from kvopt.generators import generate
from kvopt.model import Instance
from kvopt.policies import PolicyError, make_policy

MIXED = {"types": "1:4,2:12-20", "memory": 60, "load": 0.9}
ONE = {"types": "1:8", "memory": 30, "load": 0.9}


@pytest.mark.parametrize("name", ["cc", "wait", "nested-wait"])
@pytest.mark.parametrize("params", [ONE, MIXED], ids=["one-type", "mixed"])
def test_schedules_are_verified(name, params):
    inst = generate("stochastic", seed=4, n=150, **params)
    res = kvopt.simulate(inst, make_policy(name))
    report = kvopt.verify(inst, res.schedule, allow_eviction=name == "nested-wait")
    assert report.objective == res.objective
    if name != "nested-wait":
        assert res.evictions == 0


def test_cc_beats_the_greedy_policies_at_heavy_load():
    inst = generate("stochastic", seed=1, n=300, **ONE)
    opt = kvopt.solve(inst, "identical-stream").objective
    cc = kvopt.simulate(inst, make_policy("cc")).objective
    mcsf = kvopt.simulate(inst, make_policy("mcsf")).objective
    fcfs = kvopt.simulate(inst, make_policy("fcfs")).objective
    assert opt <= cc
    assert 3 * (cc - opt) < mcsf - opt <= fcfs - opt


def test_cc_with_scenarios_and_without_known_rates():
    inst = generate("stochastic", seed=2, n=120, types="1:8", memory=30, load=0.8)
    voted = kvopt.simulate(inst, make_policy("cc", scenarios=3)).objective
    bare = inst.replace(metadata={})  # no recorded process: rates estimated online
    estimated = kvopt.simulate(bare, make_policy("cc")).objective
    opt = kvopt.solve(inst, "identical-stream").objective
    assert opt <= voted and opt <= estimated


def test_wait_starts_groups_at_the_threshold_or_after_patience():
    # arrivals 0, 10, 20, 30 (one type), lots of memory: threshold 2 pairs them up
    inst = Instance.from_arrays(
        "w", 100, arrival=[0, 10, 20, 30, 200], prompt=[1] * 5, output=[3] * 5
    )
    starts = kvopt.simulate(inst, make_policy("wait", threshold=2, patience=50)).schedule.start
    assert list(np.asarray(starts)) == [10, 10, 30, 30, 250]


def test_nested_wait_plans_by_segments_and_does_not_peek():
    inst = generate("stochastic", seed=3, n=100, **MIXED)
    policy = make_policy("nested-wait")
    kvopt.simulate(inst, policy)
    assert policy.segments == [4, 20]  # the types' upper outputs, not the true lengths
    assert not policy.clairvoyant


# The instances on which nested-wait stalled (found 2026-12-02 by the simulator's idle
# guard): a request whose prompt plus plan does not fit beside the buffer never passed
# the admission test, so FCFS waited behind it forever once nothing ran.
STALLED = [
    Instance.from_arrays("one", 6, arrival=[3], prompt=[5], output=[1]),
    generate("blocking-thin", seed=0, memory=25),
]


@pytest.mark.parametrize("oversize", ["alone", "waive"])
@pytest.mark.parametrize("inst", STALLED, ids=["one-request-M6", "blocking-thin-M25"])
def test_nested_wait_makes_progress_where_it_stalled(inst, oversize):
    res = kvopt.simulate(inst, make_policy("nested-wait", oversize=oversize))
    report = kvopt.verify(inst, res.schedule, allow_eviction=True)
    assert report.feasible and report.objective == res.objective
    assert (report.completion > inst.arrival).all()


def test_nested_wait_oversize_rules():
    # M = 11, buffer 3 tokens; plans start at the first segment end, 1. r0 (s=1) starts
    # at 0; r1 (s=8) plans 8 + 1 + 3 > 11: it does not fit beside the buffer.
    inst = Instance.from_arrays("ov", 11, arrival=[0, 0], prompt=[1, 8], output=[4, 1])
    starts = {}
    for rule in ("alone", "waive"):
        policy = make_policy("nested-wait", threshold=1, buffer=0.25, oversize=rule)
        starts[rule] = kvopt.simulate(inst, policy).report.start.tolist()
    assert starts["alone"] == [0, 4]  # r1 waits until nothing runs (r0 ends at 4)
    assert starts["waive"] == [0, 0]  # round 1 holds 2 + 9 = 11 <= M without the buffer


@pytest.mark.parametrize(
    "name, params",
    [
        ("nested-wait", {"oversize": "never"}),
        ("cc", {"rounding": "up"}),
        ("cc", {"window": -1}),
        ("wait", {"threshold": 0}),
        ("nested-wait", {"buffer": 1.0}),
    ],
)
def test_bad_parameters(name, params):
    with pytest.raises(PolicyError):
        make_policy(name, **params)

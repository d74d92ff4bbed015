"""Start windows and the earliest-fit warm start (``proofs/start_windows.md``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kvopt
from kvopt.model import Instance
from kvopt.solvers.heuristic import earliest_fit, place, total_latency
from kvopt.solvers.horizon import (
    budget_latest,
    no_idle_latest,
    others_lower_bounds,
    plain_windows,
    start_windows,
)
from tests.helpers.exhaustive import exhaustive_optimum


@st.composite
def instances(draw, max_n=5):
    n = draw(st.integers(1, max_n))
    s = draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
    o = draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
    a = draw(st.lists(st.integers(0, 8), min_size=n, max_size=n))
    m = max(si + oi for si, oi in zip(s, o, strict=True)) + draw(st.integers(0, 10))
    return Instance.from_arrays("h", m, arrival=a, prompt=s, output=o)


@settings(max_examples=60, deadline=None)
@given(instances(max_n=8))
def test_earliest_fit_schedules_are_feasible(inst):
    start = earliest_fit(inst)
    report = kvopt.verify(inst, kvopt.Schedule.from_starts(inst, start), allow_eviction=False)
    assert report.objective == total_latency(inst, start)
    assert (start >= inst.arrival).all()


def test_place_follows_the_order_and_fills_holes():
    inst = Instance.from_arrays("p", 10, arrival=[0, 0, 0], prompt=[5, 5, 1], output=[3, 2, 1])
    # request 0 first (rounds 1-3, 6..8 tokens), request 1 must wait until 3, request 2
    # (2 tokens) fits next to request 0 at time 0
    assert place(inst, [0, 1, 2]).tolist() == [0, 3, 0]


@settings(max_examples=40, deadline=None)
@given(instances(max_n=5))
def test_windows_contain_an_exhaustive_optimum(inst):
    """Numerical check of proofs/start_windows.md on random tiny instances."""
    value, start = exhaustive_optimum(inst)
    ub = total_latency(inst, earliest_fit(inst))
    win = start_windows(inst, ub)
    assert ub >= value
    assert (win.earliest <= start).all()
    # both limits hold for *every* optimal schedule, so for the one the search returns
    assert (start <= budget_latest(inst, ub)).all()
    assert (start <= no_idle_latest(inst)).all()
    assert (start <= win.latest).all()


def test_budget_limit_uses_bounds_without_the_request():
    inst = Instance.from_arrays("b", 10, arrival=[0, 0], prompt=[4, 4], output=[3, 3])
    lb = others_lower_bounds(inst)
    assert lb.tolist() == [3, 3]
    # UB 9 (serial): latest start 0 - 3 + 9 - 3 = 3
    assert budget_latest(inst, 9).tolist() == [3, 3]


def test_upper_bound_below_optimum_is_rejected():
    inst = Instance.from_arrays("b", 10, arrival=[0, 0], prompt=[4, 4], output=[3, 3])
    with pytest.raises(ValueError, match="below the optimum"):
        start_windows(inst, 2)


def test_plain_windows_use_the_safe_common_horizon():
    inst = Instance.from_arrays("b", 10, arrival=[0, 2], prompt=[4, 4], output=[3, 5])
    win = plain_windows(inst)
    assert win.latest.tolist() == [2 + 8 - 3, 2 + 8 - 5]
    assert win.horizon == 10 and win.size() == 8 + 4


def test_windows_shrink_with_a_better_upper_bound():
    rng = np.random.default_rng(0)
    inst = Instance.from_arrays(
        "w",
        30,
        arrival=np.zeros(10, int),
        prompt=rng.integers(1, 11, 10),
        output=rng.integers(1, 11, 10),
    )
    ub = total_latency(inst, earliest_fit(inst))
    assert start_windows(inst, ub).size() < start_windows(inst).size()


def test_others_lower_bounds_match_their_definition():
    from kvopt.solvers.horizon import others_lower_bounds
    from kvopt.trivial_bounds import trivial_lower_bound

    rng = np.random.default_rng(4)
    for _ in range(30):
        n = int(rng.integers(2, 12))
        m = int(rng.integers(5, 40))
        s = rng.integers(1, 4, n)
        o = np.array([int(rng.integers(1, m - x + 1)) for x in s])
        inst = Instance.from_arrays("r", m, arrival=rng.integers(0, 9, n), prompt=s, output=o)
        idx = np.arange(n)
        want = [trivial_lower_bound(inst.subset(idx[idx != i])) for i in range(n)]
        assert others_lower_bounds(inst).tolist() == want

"""The owner lemma and the owner-capacity bound (proofs/owner_bounds.md)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvopt import Instance
from kvopt.owner import (
    capacity,
    capacity_at,
    completion_bounds,
    other_prompt_min,
    owned_capacity,
    owner_capacity_bound,
)
from kvopt.trivial_bounds import area_bound, trivial_lower_bound
from tests.helpers.exhaustive import exhaustive_optimum
from tests.helpers.strategies import brute_force_memory, feasible_cases, random_small_instance


def _owners(inst: Instance, start: np.ndarray):
    """Per busy round t: (t, memory, owner, distance), owner = first to complete."""
    end = start + inst.output
    mem = np.zeros(int(end.max()) + 1, dtype=np.int64)
    for i in range(inst.n):
        for t in range(int(start[i]) + 1, int(end[i]) + 1):
            mem[t] += int(inst.prompt[i]) + t - int(start[i])
    for t in range(1, mem.size):
        running = [i for i in range(inst.n) if start[i] < t <= end[i]]
        if running:
            owner = min(running, key=lambda i: (end[i], i))
            yield t, int(mem[t]), owner, int(end[owner]) - t


@settings(max_examples=300, deadline=None)
@given(feasible_cases())
def test_owner_lemma_round_by_round(case):
    inst, sched = case
    start = sched.starts(inst)
    sigma = other_prompt_min(inst)
    for _t, mem, i, d in _owners(inst, start):
        p = int(inst.prompt[i] + inst.output[i])
        assert 0 <= d < inst.output[i]
        assert mem <= int(capacity(p, int(sigma[i]), inst.memory, np.array([d]))[0])


@settings(max_examples=300, deadline=None)
@given(feasible_cases())
def test_completion_bounds_hold_for_every_feasible_schedule(case):
    inst, sched = case
    assert brute_force_memory(inst, sched).max() <= inst.memory
    done = np.sort(sched.starts(inst) + inst.output)
    beta = completion_bounds(inst)
    assert (np.diff(beta) >= 0).all()
    assert (done >= beta).all(), (done.tolist(), beta.tolist())


@pytest.mark.parametrize("zero", [True, False])
def test_never_above_proven_optima_and_often_above_the_area_bound(zero):
    rng = np.random.default_rng(11 if zero else 12)
    stronger = 0
    for _ in range(40):
        inst = random_small_instance(rng, int(rng.integers(2, 6)), zero)
        opt, _ = exhaustive_optimum(inst)
        bound = owner_capacity_bound(inst)
        assert trivial_lower_bound(inst) <= max(bound, trivial_lower_bound(inst)) <= opt
        assert area_bound(inst) <= bound <= opt
        stronger += bound > trivial_lower_bound(inst)
    assert stronger >= 10  # the bound sees idle memory the area bound cannot


def test_by_hand_two_requests_that_cannot_share():
    # M = 6, two requests s = 2, o = 2 (p = 4): 4 + 2 + 1 > 6, so a round never holds two.
    # cap(d) = 4 - d: G(1) = 4, G(2) = 7 = w. The first completion needs x = 2 rounds
    # (C_(1) >= 2), the second 4 rounds of owners (C_(2) >= 4): total >= 6 = OPT, while
    # the area bound gives ceil(7/6) -> 2 and ceil(14/6) = 3: 5.
    inst = Instance.from_arrays("h", 6, arrival=[0, 0], prompt=[2, 2], output=[2, 2])
    assert owned_capacity(inst, 0).tolist() == [0, 4, 7]
    assert completion_bounds(inst).tolist() == [2, 4]
    assert area_bound(inst) == 5 and owner_capacity_bound(inst) == 6


def test_arrival_of_the_set_counts():
    # the example above shifted to arrive at 5: the owned rounds lie after round 5, so
    # beta = [7, 9] and the bound is 7 + 9 - 10 = 6 = OPT (a + o alone gives 7 + 7 - 10)
    inst = Instance.from_arrays("h", 6, arrival=[5, 5], prompt=[2, 2], output=[2, 2])
    assert completion_bounds(inst).tolist() == [7, 9]
    assert owner_capacity_bound(inst) == 6


def test_capacity_is_non_increasing():
    for p, sigma, m in [(5, 1, 12), (9, 2, 12), (3, 3, 40)]:
        cap = capacity(p, sigma, m, np.arange(p))
        assert (np.diff(cap) <= 0).all() and (cap >= p - np.arange(p)).all()


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 6), st.integers(0, 3))
def test_a_short_horizon_never_makes_the_bound_unsafe(n, extra):
    rng = np.random.default_rng(n * 7 + extra)
    inst = random_small_instance(rng, n, zero=False)
    opt, start = exhaustive_optimum(inst)
    makespan = int((start + inst.output).max()) - int(inst.arrival.min())
    assert (completion_bounds(inst, makespan + extra) == completion_bounds(inst)).all()
    assert owner_capacity_bound(inst, makespan + extra) <= opt


def test_capacity_of_one_round_is_the_element_wise_capacity():
    rng = np.random.default_rng(3)
    for _ in range(200):
        m = int(rng.integers(5, 60))
        sig, p = int(rng.integers(1, m)), int(rng.integers(2, m + 1))
        d = np.arange(0, p)
        assert [capacity_at(p, sig, m, int(x)) for x in d] == capacity(p, sig, m, d).tolist()

"""The primal search (kvopt.solvers.primal) and the fast earliest-fit placement."""

from __future__ import annotations

import time

import numpy as np
import pytest

import kvopt
from kvopt import Instance, Schedule
from kvopt.errors import KvoptError
from kvopt.solvers.common import prepare
from kvopt.solvers.heuristic import earliest_fit, natural_orders, place, total_latency
from kvopt.solvers.primal import best_schedule
from kvopt.solvers.primal.ils import iterated_local_search, perturb, relocate_descent
from kvopt.solvers.primal.lns import choose_free, lns_step
from kvopt.solvers.primal.orders import OrderState
from kvopt.solvers.primal.seeds import all_seeds, policy_seeds
from tests.helpers.exhaustive import exhaustive_optimum
from tests.test_solvers_exact import _random


def _feasible(inst: Instance, start: np.ndarray) -> int:
    report = kvopt.verify(inst, Schedule.from_starts(inst, start), allow_eviction=False)
    assert report.objective == total_latency(inst, start)
    return report.objective


def _slow_place(inst: Instance, order) -> np.ndarray:
    """Earliest fit by trying every start in turn (the definition, no jumps)."""
    a, s, o, m = inst.arrival, inst.prompt, inst.output, inst.memory
    used = np.zeros(int(a.max() + o.sum() + o.max()) + 2, dtype=np.int64)
    start = np.zeros(inst.n, dtype=np.int64)
    for i in order:
        need = s[i] + np.arange(1, o[i] + 1)
        k = int(a[i])
        while (used[k + 1 : k + o[i] + 1] + need > m).any():
            k += 1
        used[k + 1 : k + o[i] + 1] += need
        start[i] = k
    return start


@pytest.mark.parametrize("seed", range(6))
def test_place_is_earliest_fit(seed):
    inst = _random(12, seed, memory=25, spread=8 * (seed % 2))
    rng = np.random.default_rng(seed)
    for _ in range(5):
        order = rng.permutation(inst.n)
        start = place(inst, order)
        assert (start == _slow_place(inst, order)).all()
        _feasible(inst, start)


def test_order_state_evaluates_suffixes_exactly():
    inst = _random(14, 3, memory=28, spread=5)
    rng = np.random.default_rng(0)
    state = OrderState(inst, rng.permutation(inst.n))
    assert state.value == total_latency(inst, place(inst, state.order))
    for _ in range(60):
        p, q = sorted(rng.choice(inst.n, size=2, replace=False).tolist())
        trial = list(state.order)
        trial[p], trial[q] = trial[q], trial[p]
        true = total_latency(inst, place(inst, trial))
        assert state.evaluate(trial, p, 10**9) == true
        assert state.evaluate(trial, p, 10**9, q) == true
        cut = state.value
        got = state.evaluate(trial, p, cut, q)
        assert got == (true if true < cut else None)
        if rng.random() < 0.3:
            state.commit(trial, p)
            assert (state.starts() == place(inst, trial)).all()


def test_policy_seeds_are_verified_non_preemptive_schedules():
    inst = kvopt.generate("paper1-synthetic", seed=2, n=25, arrivals="poisson")
    noisy = kvopt.generate("paper1-synthetic", seed=2, n=25, arrivals="poisson", noise=0.5)
    for instance in (inst, noisy):
        seeds = policy_seeds(instance)
        names = {s.source.split()[1] for s in seeds}
        assert {"mcsf", "sorted-f", "fcfs", "vllm"} <= names  # evicting ones included
        for s in seeds:
            assert s.start is not None, s.note
            assert _feasible(instance, s.start) == s.objective
    # the oracle: with predictions removed the seeds do not depend on them
    assert [s.objective for s in policy_seeds(inst)] == [s.objective for s in seeds]


@pytest.mark.parametrize("seed", range(4))
def test_best_schedule_never_worse_than_seeds_or_earliest_fit(seed):
    inst = kvopt.generate("paper1-synthetic", seed=seed, n=10 + 2 * seed, arrivals="poisson")
    res = best_schedule(inst, time_limit=1.5, seed=seed)
    assert _feasible(inst, res.start) == res.objective
    assert res.objective <= min(s.objective for s in all_seeds(inst))
    assert res.objective <= total_latency(inst, earliest_fit(inst, time_budget=10))
    assert res.best_policy is not None and res.objective <= res.best_policy[1]
    assert [x.objective for x in res.log] == sorted((x.objective for x in res.log), reverse=True)
    assert res.log[-1].objective == res.objective


@pytest.mark.parametrize("seed", range(5))
def test_best_schedule_finds_proven_optima(seed):
    inst = _random(6, seed, memory=20, spread=4 * (seed % 2))
    optimum, _ = exhaustive_optimum(inst)
    res = best_schedule(inst, time_limit=5, seed=seed)
    assert res.objective == optimum
    _feasible(inst, res.start)


def test_best_schedule_respects_its_budget():
    inst = kvopt.generate("paper1-synthetic", seed=1, n=60)
    began = time.perf_counter()
    res = best_schedule(inst, time_limit=0.5)
    assert time.perf_counter() - began < 1.5
    _feasible(inst, res.start)


def test_best_schedule_is_deterministic_for_a_seed():
    inst = kvopt.generate("paper1-synthetic", seed=5, n=14, arrivals="poisson")
    runs = [
        best_schedule(inst, time_limit=60, seed=3, ils_iterations=5, lns_steps=3) for _ in range(2)
    ]
    assert (runs[0].start == runs[1].start).all()
    assert [x.objective for x in runs[0].log] == [x.objective for x in runs[1].log]


@pytest.mark.parametrize("seed", range(4))
def test_lns_step_keeps_feasibility_and_never_worsens(seed):
    inst = kvopt.generate("paper1-synthetic", seed=seed, n=10, arrivals="poisson")
    start = place(inst, natural_orders(inst)[3])  # FCFS: room to improve
    value = total_latency(inst, start)
    rng = np.random.default_rng(seed)
    for size in (3, 5, 10):
        free = choose_free(inst, start, size, rng)
        res = lns_step(inst, start, free, time_limit=2, deterministic_time=0.5, seed=seed)
        if res.start is not None:
            new = _feasible(inst, res.start)
            assert new < value
            fixed = np.setdiff1d(np.arange(inst.n), free)
            assert (res.start[fixed] == start[fixed]).all()
            start, value = res.start, new


def test_local_search_improves_and_stays_feasible():
    inst = kvopt.generate("paper1-synthetic", seed=7, n=20)
    order = natural_orders(inst)[3]
    state = OrderState(inst, order)
    before = state.value
    relocate_descent(state, deadline=time.perf_counter() + 5)
    assert state.value <= before
    assert state.value == _feasible(inst, state.starts())
    rng = np.random.default_rng(0)
    for _ in range(20):
        trial, changed = perturb(state.order, rng)
        assert sorted(trial) == list(range(inst.n))
        outside = [p for p in range(inst.n) if p not in changed]
        assert [trial[p] for p in outside] == [state.order[p] for p in outside]
    descended = state.value
    best_order, best = iterated_local_search(
        state, deadline=time.perf_counter() + 5, rng=rng, max_iterations=5
    )
    assert best <= descended
    assert best == _feasible(inst, place(inst, best_order))


def test_infeasible_initial_is_rejected():
    inst = _random(5, 1)
    with pytest.raises(KvoptError, match="initial schedule is not feasible"):
        best_schedule(inst, time_limit=1, initial=np.zeros(inst.n, dtype=np.int64) - 1)


def test_prepare_warm_start_never_worse_than_the_best_policy():
    inst = kvopt.generate("paper1-synthetic", seed=1, n=20, arrivals="poisson")
    best_policy = min(s.objective for s in policy_seeds(inst))
    for budget in (0.0, 0.5):
        prepared = prepare(inst, None, lp_windows=False, primal_budget=budget)
        assert prepared.upper_bound <= best_policy
        assert _feasible(inst, prepared.start) == prepared.upper_bound
    res = kvopt.solve(inst, "cpsat", time_limit=2, lp_windows=False)
    assert res.objective <= best_policy
    kvopt.verify(inst, res.schedule, allow_eviction=False)

"""The exact identical-stream optimum against the exhaustive search, both exact solvers,
the semi-online algorithm and the verifier."""

from __future__ import annotations

import numpy as np
import pytest

import kvopt
from kvopt.generators import generate
from kvopt.model import Instance
from kvopt.solvers.semi_online import dp as semi_online
from kvopt.solvers.semi_online import stream as ist
from tests.helpers.exhaustive import exhaustive_optimum


def stream(arrival, s: int, o: int, M: int) -> Instance:
    n = len(arrival)
    return Instance.from_arrays(
        "stream", M, arrival=arrival, prompt=np.full(n, s), output=np.full(n, o)
    )


def small_cases(count: int, n_max: int, seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        s, o = int(rng.integers(1, 4)), int(rng.integers(1, 5))
        M = s + o + int(rng.integers(0, 7))
        n = int(rng.integers(2, n_max + 1))
        yield stream(np.sort(rng.integers(0, 2 * o + 2, size=n)), s, o, M)


def test_matches_exhaustive_search():
    for inst in small_cases(60, 6, 1):
        res = kvopt.solve(inst, "identical-stream")
        assert res.objective == exhaustive_optimum(inst)[0], inst
        kvopt.verify(inst, res.schedule, allow_eviction=False)


def test_matches_milp_and_cpsat():
    for inst in small_cases(8, 9, 2):
        best = kvopt.solve(inst, "identical-stream").objective
        for name in ("milp", "cpsat"):
            res = kvopt.solve(inst, name, time_limit=30)
            assert res.status == "optimal" and res.objective == best, (name, inst)


def test_all_at_time_zero_is_the_semi_online_optimum():
    for n, s, o, M in [(7, 1, 2, 10), (40, 2, 5, 23), (60, 1, 3, 20), (25, 3, 6, 40)]:
        assert ist.optimal_total_latency([0] * n, s, o, M) == (
            semi_online.optimal_total_latency(n, s, o, M)
        )


def test_a_common_late_arrival_shifts_the_semi_online_schedule():
    got = ist.optimal_total_latency([5] * 30, 2, 5, 23)
    assert got == semi_online.optimal_total_latency(30, 2, 5, 23)


def test_stochastic_stream_schedule_is_verified_and_fifo():
    inst = generate("stochastic", seed=3, n=400, load=0.95)
    res = kvopt.solve(inst, "identical-stream")
    report = kvopt.verify(inst, res.schedule, allow_eviction=False)
    assert report.objective == res.objective
    starts = res.schedule.start  # FIFO: starts non-decreasing in arrival order
    order = np.argsort(inst.arrival, kind="stable")
    assert (np.diff(np.asarray(starts)[order]) >= 0).all()
    # MC-SF's schedule is an upper bound
    from kvopt.policies import make_policy

    assert kvopt.simulate(inst, make_policy("mcsf")).objective >= res.objective


def test_idle_gaps_are_skipped_exactly():
    # far-apart bursts: each burst is a semi-online problem of its own
    a = [0] * 9 + [1000] * 9 + [5000] * 9
    one = semi_online.optimal_total_latency(9, 1, 3, 12)
    assert ist.optimal_total_latency(a, 1, 3, 12) == 3 * one


def test_pareto_keeps_undominated_states_only():
    sid = np.array([0, 0, 0, 1, 1, 0])
    Q = np.array([2, 1, 3, 0, 0, 1])
    g = np.array([5, 7, 4, 9, 9, 6])
    keep = sorted(ist._pareto(sid, Q, g).tolist())
    # staircase 0: (Q=1,g=6) kills (1,7); (2,5) and (3,4) stay; staircase 1: one of two
    assert keep in ([0, 2, 3, 5], [0, 2, 4, 5])


def test_refuses_other_instances_and_limits():
    inst = Instance.from_arrays("x", 10, arrival=[0, 1], prompt=[1, 2], output=[2, 2])
    with pytest.raises(ist.StreamError, match="same prompt and output"):
        kvopt.solve(inst, "identical-stream")
    with pytest.raises(ist.StreamError, match="exceeded its limits"):
        ist.optimal_counts(np.zeros(50, dtype=int), 2, 5, 23, max_states=3)
    with pytest.raises(ist.StreamError, match="never fits"):
        ist.optimal_counts([0], 5, 6, 10)

"""The verifier: hand-computed cases and property tests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvopt import Instance, Request, Schedule, ScheduleError, verify
from tests.helpers.strategies import brute_force_memory, feasible_cases


@pytest.fixture
def inst() -> Instance:
    # M = 10; a: s=3, o=2; b: s=2, o=4 (arrives at 1); c: s=1, o=1 (arrives at 0)
    return Instance("t", 10, [Request("a", 0, 3, 2), Request("b", 1, 2, 4), Request("c", 0, 1, 1)])


def kinds(report_or_error) -> list[str]:
    return [v.kind for v in report_or_error.violations]


def test_feasible_by_hand(inst):
    # a in rounds 1-2 holds 4,5; b (start 1) rounds 2-5 holds 3,4,5,6; c (start 2) round 3 holds 2
    r = verify(inst, Schedule([("a", 0, 2), ("b", 1, 5), ("c", 2, 3)]))
    assert r.feasible
    assert r.memory_profile.tolist() == [4, 8, 6, 5, 6]
    assert r.memory_at([2, 3]).tolist() == [8, 6]
    assert r.objective == (2 - 0) + (5 - 1) + (3 - 0) == 9
    assert r.mean_latency == 3
    assert r.makespan == 5
    assert r.peak_memory == 8
    assert r.mean_memory == pytest.approx(29 / 5)
    assert r.completion.tolist() == [2, 5, 3]
    assert r.ttft.tolist() == [1, 1, 3]
    assert (r.evicted_runs, r.wasted_rounds) == (0, 0)


def test_over_memory_by_one_token_names_round_and_amount():
    inst = Instance("t", 7, [Request("a", 0, 3, 2), Request("b", 0, 2, 2)])
    # round 1: 4 + 3 = 7 (ok); round 2: 5 + 4 = 9 > 7
    with pytest.raises(ScheduleError) as e:
        verify(inst, Schedule([("a", 0, 2), ("b", 0, 2)]))
    (v,) = e.value.violations
    assert (v.kind, v.round, v.amount) == ("memory", 2, 2)
    assert "round 2" in str(e.value) and "over by 2" in str(e.value)
    inst8 = inst.replace(memory=8)
    (v,) = verify(inst8, Schedule([("a", 0, 2), ("b", 0, 2)]), strict=False).violations
    assert (v.round, v.amount) == (2, 1)
    assert verify(inst.replace(memory=9), Schedule([("a", 0, 2), ("b", 0, 2)])).feasible


def test_first_overflow_inside_a_long_stretch():
    # one request alone never overflows; two long ones overflow in the middle of a stretch
    inst = Instance("t", 20, [Request("a", 0, 1, 15), Request("b", 0, 1, 15)])
    r = verify(inst, Schedule([("a", 0, 15), ("b", 0, 15)]), strict=False)
    # memory in round t is 2 (1 + t) > 20  <=>  t >= 10
    (v,) = r.violations
    assert (v.round, v.amount) == (10, 2)
    assert "through round 15" in v.message


def test_start_before_arrival(inst):
    with pytest.raises(ScheduleError) as e:
        verify(inst, Schedule([("a", 0, 2), ("b", 0, 4), ("c", 2, 3)]))
    assert kinds(e.value) == ["early-start"]
    assert e.value.violations[0].request == "b"


def test_missing_request(inst):
    r = verify(inst, Schedule([("a", 0, 2), ("b", 1, 5)]), strict=False)
    assert kinds(r) == ["missing"] and r.violations[0].request == "c"
    assert r.objective is None


def test_wrong_run_length(inst):
    # (with M = 12: the longer run of a raises round 3 to 6 + 4 + 2 = 12)
    r = verify(
        inst.replace(memory=12), Schedule([("a", 0, 3), ("b", 1, 5), ("c", 2, 3)]), strict=False
    )
    assert kinds(r) == ["run-too-long", "incomplete"]
    r = verify(inst, Schedule([("a", 0, 1), ("b", 1, 5), ("c", 2, 3)]), strict=False)
    assert kinds(r) == ["incomplete"]
    r = verify(inst, Schedule([("a", 0, 2), ("b", 1, 5), ("c", 3, 3)]), strict=False)
    assert kinds(r) == ["empty-run", "incomplete"]


def test_unknown_request(inst):
    r = verify(inst, Schedule([("a", 0, 2), ("b", 1, 5), ("c", 2, 3), ("zz", 0, 1)]), strict=False)
    assert kinds(r) == ["unknown-request"] and r.violations[0].request == "zz"


def test_overlapping_runs(inst):
    r = verify(inst, Schedule([("a", 0, 1), ("a", 0, 2), ("b", 1, 5), ("c", 2, 3)]), strict=False)
    assert "overlap" in kinds(r)


def test_eviction_then_complete_run(inst):
    # b runs 2 rounds (1..3), is evicted, restarts at 5 and completes at 9
    sched = Schedule([("a", 0, 2), ("b", 1, 3), ("b", 5, 9), ("c", 2, 3)])
    r = verify(inst, sched)
    assert r.feasible
    assert (r.evicted_runs, r.wasted_rounds) == (1, 2)
    assert r.completion.tolist() == [2, 9, 3]
    assert r.first_start.tolist() == [0, 1, 2]
    assert r.start.tolist() == [0, 5, 2]
    # the evicted run held memory: round 2 = a 5 + b 3
    assert r.memory_profile.tolist()[:3] == [4, 8, 6]
    r2 = verify(inst, sched, allow_eviction=False, strict=False)
    assert kinds(r2) == ["eviction"]


def test_complete_run_must_be_last(inst):
    r = verify(inst, Schedule([("a", 0, 2), ("b", 1, 5), ("b", 5, 6), ("c", 2, 3)]), strict=False)
    assert kinds(r) == ["complete-not-last"]
    r = verify(inst, Schedule([("a", 0, 2), ("b", 1, 5), ("b", 5, 9), ("c", 2, 3)]), strict=False)
    assert kinds(r) == ["multiple-complete"]


def test_empty_instance_and_schedule():
    r = verify(Instance("e", 5, []), Schedule())
    assert r.feasible and r.objective == 0 and r.makespan == 0


# ---------------------------------------------------------------------------------------
# property tests: random feasible schedules verify; single perturbations are caught


@settings(max_examples=150, deadline=None)
@given(feasible_cases())
def test_random_feasible_schedules_verify(case):
    inst, sched = case
    r = verify(inst, sched, allow_eviction=False)
    assert r.memory_profile.tolist() == brute_force_memory(inst, sched).tolist()
    assert r.peak_memory == r.memory_profile.max()
    ends = {rid: e for rid, _, e in sched}
    assert r.objective == sum(ends[i] - inst[i].arrival for i in inst.ids)


@settings(max_examples=150, deadline=None)
@given(feasible_cases(), st.data())
def test_any_single_perturbation_is_caught(case, data):
    inst, sched = case
    runs = list(sched)
    k = data.draw(st.integers(0, len(runs) - 1))
    rid, s, e = runs[k]
    i = inst.index(rid)
    mode = data.draw(
        st.sampled_from(["early", "shorter", "longer", "drop", "shrink-memory", "duplicate"])
    )
    target = inst
    if mode == "early":
        if inst.arrival[i] == 0:
            return
        shift = data.draw(st.integers(1, int(inst.arrival[i]) + int(s - inst.arrival[i])))
        if s - shift >= inst.arrival[i]:
            return
        runs[k] = (rid, s - shift, e - shift)
        expected = "early-start"
    elif mode == "shorter":
        runs[k] = (rid, s, e - 1)
        expected = "incomplete" if e - 1 > s else "empty-run"
    elif mode == "longer":
        runs[k] = (rid, s, e + 1)
        expected = "run-too-long"
    elif mode == "drop":
        del runs[k]
        expected = "missing"
    elif mode == "duplicate":
        runs.append((rid, e, e + int(inst.output[i])))
        expected = "multiple-complete"
    else:
        peak = int(brute_force_memory(inst, sched).max())
        if peak <= int(inst.peak.max()):
            return  # lowering M below the peak would make the instance itself invalid
        target = inst.replace(memory=peak - 1)
        expected = "memory"
    r = verify(target, Schedule(runs), strict=False)
    assert not r.feasible
    assert expected in [v.kind for v in r.violations]
    with pytest.raises(ScheduleError):
        verify(target, Schedule(runs))


def test_memory_check_matches_brute_force_on_random_overloads():
    rng = np.random.default_rng(1)
    for _ in range(200):
        n = int(rng.integers(1, 7))
        M = int(rng.integers(5, 25))
        s = rng.integers(1, M // 2 + 1, n)
        o = np.minimum(rng.integers(1, M, n), M - s)
        inst = Instance.from_arrays("r", M, arrival=np.zeros(n, int), prompt=s, output=o)
        starts = rng.integers(0, 5, n)
        sched = Schedule.from_starts(inst, starts)
        mem = brute_force_memory(inst, sched)
        r = verify(inst, sched, strict=False)
        over = np.flatnonzero(mem > M)
        mem_v = [v for v in r.violations if v.kind == "memory"]
        assert bool(over.size) == bool(mem_v)
        if over.size:
            assert mem_v[0].round == over[0] + 1
            assert mem_v[0].amount == mem[over[0]] - M


def test_many_violations_are_listed_up_to_a_cap_then_counted():
    from kvopt.verify import MAX_LISTED

    inst = Instance.from_arrays("many", 10, arrival=[0] * 60, prompt=[1] * 60, output=[1] * 60)
    r = verify(inst, Schedule(), strict=False)
    assert [v.kind for v in r.violations] == ["missing"] * (MAX_LISTED + 1)
    assert r.violations[-1].message == f"... and {60 - MAX_LISTED} more requests of this kind"

"""The cheap lower bounds of kvopt.bounds (proofs/trivial_bounds.md)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kvopt import Instance, Request, Schedule, verify
from kvopt.trivial_bounds import area_bound, output_bound, trivial_lower_bound, work
from tests.helpers.strategies import brute_force_memory, feasible_cases


def test_area_bound_by_hand():
    # two requests s=1, o=3 (w = 3 + 6 = 9 each) and M = 10: the first completion is at
    # least ceil(9/10) = 1 but also >= a + o = 3; the second at least ceil(18/10) = 2 -> 3.
    inst = Instance("h", 10, [Request("a", 0, 1, 3), Request("b", 0, 1, 3)])
    assert work(inst).tolist() == [9, 9]
    assert output_bound(inst) == 6 and area_bound(inst) == 6
    # with M = 5, W_2 = 18 -> C_(2) >= 4: bound 3 + 4 = 7 (the optimum runs them apart: 3 + 6)
    tight = inst.replace(memory=5)
    assert area_bound(tight) == 7 and trivial_lower_bound(tight) == 7
    sched = Schedule.from_starts(tight, [0, 3])
    assert verify(tight, sched).objective == 9 >= 7


@settings(max_examples=200, deadline=None)
@given(feasible_cases(), st.data())
def test_bounds_never_exceed_a_feasible_schedule(case, data):
    inst, sched = case
    runs = list(sched)
    # optionally add an evicted run before a request's complete run, if memory allows
    if data.draw(st.booleans()):
        k = data.draw(st.integers(0, len(runs) - 1))
        rid, s, e = runs[k]
        i = inst.index(rid)
        if inst.output[i] > 1 and s - inst.arrival[i] >= 1:
            shift = data.draw(st.integers(1, int(s - inst.arrival[i])))
            length = min(shift, int(inst.output[i]) - 1)
            trial = Schedule([*runs, (rid, s - shift, s - shift + length)])
            if brute_force_memory(inst, trial).max() <= inst.memory:
                runs.append((rid, s - shift, s - shift + length))
    report = verify(inst, Schedule(runs))
    assert output_bound(inst) <= area_bound(inst) <= report.objective

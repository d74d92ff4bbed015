"""The window bound of proofs/semi_online_fixed_q.md: for fixed q the DP is polynomial."""

from __future__ import annotations

from math import comb

import numpy as np

import kvopt
from kvopt.model import Instance
from kvopt.schedule import Schedule
from kvopt.solvers.semi_online import dp as so
from tests.helpers.semi_online_reference import _fits
from tests.test_semi_online_periodic import GRID_PARAMETERS


def most_in_a_window(s: int, o: int, M: int) -> int:
    """Exhaustive: the most requests started in o - 1 consecutive times of any feasible
    schedule (depth-first over the windows of the reference, window[j] started j
    rounds ago)."""
    q = M // (s + o)
    start = (0,) * o
    seen, stack, best = {start}, [start], 0
    while stack:
        w = stack.pop()
        best = max(best, sum(w[: o - 1]))
        for x in range(q + 1):
            w2 = (x,) + w[:-1]
            if w2 not in seen and _fits(w2, s, o, M):
                seen.add(w2)
                stack.append(w2)
    return best


def test_window_bound_holds_on_every_feasible_window():
    """s <= 2, 3 <= o <= 8, every M in [s + o, 4 (s + o)): the exhaustive maximum never
    exceeds N*, and N* <= 4q + 2."""
    checked = 0
    for s in range(1, 3):
        for o in range(3, 9):
            c = s + o
            for M in range(c, 4 * c):
                bound = so.window_bound(s, o, M)
                assert bound <= 4 * (M // c) + 2
                assert most_in_a_window(s, o, M) <= bound, (s, o, M)
                checked += 1
    assert checked > 250


LARGER = [(1, 30, 61), (1, 12, 47), (1, 16, 41), (1, 32, 94), (2, 20, 66), (3, 12, 60)]


def test_staircases_respect_the_group_and_count_bounds():
    """Every reachable staircase has at most N* <= 4q + 2 groups, and
    K <= C(N* + o - 1, o - 1), on the grid and on larger o."""
    for s, o, M in GRID_PARAMETERS + LARGER:
        order: list = []
        nxt = so.enumerate_staircases(s, o, M, so.MAX_STATES, staircases=order)
        bound = so.window_bound(s, o, M)
        assert len(order) == nxt.shape[0]
        assert max(len(g) for g in order) <= bound, (s, o, M)
        assert nxt.shape[0] <= comb(bound + o - 1, o - 1), (s, o, M)


def test_staircase_is_a_function_of_the_window():
    """Over every reachable pair (window of the last o - 1 counts, staircase), each
    window has one staircase (step 2 of the proof)."""
    for s, o, M in [(1, 3, 20), (2, 6, 40), (2, 5, 23), (1, 8, 30), (3, 6, 40)]:
        c, q = s + o, M // (s + o)
        start = ((0,) * (o - 1), ())
        seen, stack = {start}, [start]
        staircase_of: dict = {}
        while stack:
            window, groups = stack.pop()
            assert staircase_of.setdefault(window, groups) == groups, (s, o, M, window)
            for x in range(so.start_cap(groups, c, q) + 1):
                nxt = ((x,) + window[:-1], so.move(groups, x, s, o, M, None))
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        order: list = []
        so.enumerate_staircases(s, o, M, so.MAX_STATES, staircases=order)
        assert set(staircase_of.values()) == set(order)


def test_two_q_plus_one_is_not_a_window_bound():
    """q = 1, yet four requests start within o - 1 = 29 times: the measured 2q + 1 of
    small o is not a bound; N* = 6 is."""
    s, o, M = 1, 30, 61
    starts = np.array([0, 8, 27, 28])
    assert M // (s + o) == 1 and starts[-1] - starts[0] <= o - 2
    inst = Instance.from_arrays(
        "window", M, arrival=np.zeros(4, int), prompt=np.full(4, s), output=np.full(4, o)
    )
    kvopt.verify(inst, Schedule.from_starts(inst, starts))
    assert 4 > 2 * (M // (s + o)) + 1 and 4 <= so.window_bound(s, o, M) == 6

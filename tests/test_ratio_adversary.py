import math

import numpy as np
import pytest

from kvopt import Instance, Schedule, verify
from kvopt.errors import KvoptError
from kvopt.ratio.adversary import (
    LongShortAdversary,
    adaptive_rows,
    blocking_thin_opt,
    fit_exponent,
    long_short_opt,
    play,
    static_rows,
)
from tests.helpers.ratio_toy import brute_solve, one_at_a_time


def sequential(inst):
    """An online test policy: one request at a time, in arrival order, never idle."""
    s = one_at_a_time(inst)
    return int(verify(inst, s).objective), s


def patient(wait):
    """An online policy that idles until time ``wait`` before starting anything."""

    def run(inst):
        order = np.lexsort((np.arange(inst.n), inst.arrival))
        t, starts = wait, np.zeros(inst.n, dtype=np.int64)
        for i in order:
            starts[i] = t = max(t, int(inst.arrival[i]))
            t += int(inst.output[i])
        s = Schedule.from_starts(inst, starts)
        return int(verify(inst, s).objective), s

    return run


def blocking_thin(memory, b=None, m=None):
    b = math.isqrt(memory - 1) + 1 if b is None else b
    m = memory // 3 if m is None else m
    return Instance.from_arrays(
        f"bt{memory}",
        memory,
        arrival=[0] * (b + m),
        prompt=[memory - 2] * b + [1] * m,
        output=[1] * b + [2] * m,
    )


def test_adaptive_adversary_forces_sqrt_growth():
    sizes = [16, 64, 256, 1024]
    rows = adaptive_rows(sequential, sizes)
    for r in rows:
        k = math.isqrt(r.size)
        assert r.n == k + 1 and r.detail == {"tau": 0, "shorts": k}
        assert r.alg == r.size + k * r.size + k * (k - 1) // 2  # shorts wait for the long one
    expo = fit_exponent(sizes, [r.ratio for r in rows])
    assert 0.45 < expo < 0.55
    assert rows[-1].ratio / math.sqrt(1024) == pytest.approx(2 / 3, abs=0.05)


def test_adversary_releases_nothing_for_a_policy_that_waits_too_long():
    adv = LongShortAdversary(4)  # k = 2, patience 8
    inst, alg, _ = play(adv, patient(9))
    assert inst.n == 1 and alg == 9 + 4
    inst, _, sched = play(adv, patient(3))
    assert inst.n == 3 and list(inst.arrival) == [0, 4, 4]
    assert verify(inst, sched).first_start[0] == 3


def test_non_online_policy_is_rejected():
    def peeks(inst):  # starts the long request later once it knows shorts exist
        return patient(0 if inst.n == 1 else 2)(inst)

    with pytest.raises(KvoptError, match="not online"):
        play(LongShortAdversary(9), peeks)


@pytest.mark.parametrize("q,tau", [(2, 0), (3, 1), (4, 0), (4, 2), (5, 3)])
def test_long_short_opt_matches_exhaustive_search(q, tau):
    k = math.isqrt(q)
    inst = Instance.from_arrays(
        "ls", 2 * q, arrival=[0] + [tau + 1] * k, prompt=[q] * (k + 1), output=[q] + [1] * k
    )
    opt, sched = long_short_opt(inst)
    verify(inst, sched, allow_eviction=False)
    assert opt == brute_solve(inst, "brute").objective


@pytest.mark.parametrize(
    "memory,b,m", [(5, None, None), (6, 2, 2), (6, 2, 1), (9, 1, 3), (8, 2, 2)]
)
def test_blocking_thin_opt_matches_exhaustive_search(memory, b, m):
    inst = blocking_thin(memory, b, m)
    opt, sched = blocking_thin_opt(inst)
    verify(inst, sched, allow_eviction=False)
    assert opt == brute_solve(inst, "brute").objective


def blockers_first(inst):
    """What FCFS/SF/MC-SF do here: blockers one per round, then every thin request."""
    blockers = inst.output == 1
    starts = np.where(blockers, np.cumsum(blockers) - 1, blockers.sum())
    s = Schedule.from_starts(inst, starts)
    return int(verify(inst, s, allow_eviction=False).objective), s


def test_blocking_thin_ratio_grows_like_sqrt_m():
    sizes = [64, 256, 1024, 4096]
    rows = static_rows(blockers_first, [(m, blocking_thin(m)) for m in sizes])
    for r in rows:
        b, m = math.isqrt(r.size - 1) + 1, r.size // 3
        assert r.alg == b * (b + 1) // 2 + m * (b + 2)
        assert r.opt == 2 * m + b * (b + 1) // 2 + 2 * b
    assert 0.4 < fit_exponent(sizes, [r.ratio for r in rows]) < 0.6


def test_closed_forms_reject_other_instances():
    other = Instance.from_arrays("x", 10, arrival=[0, 0], prompt=[1, 1], output=[2, 3])
    with pytest.raises(KvoptError):
        blocking_thin_opt(other)
    with pytest.raises(KvoptError):
        long_short_opt(other)
    with pytest.raises(KvoptError):
        fit_exponent([4, 4], [1.0, 2.0])
    with pytest.raises(KvoptError):
        LongShortAdversary(0)

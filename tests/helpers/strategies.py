"""Shared test helpers: a brute-force memory profile and random feasible schedules."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from kvopt import Instance, Request, Schedule


def brute_force_memory(inst: Instance, sched: Schedule) -> np.ndarray:
    T = int(sched.end.max())
    mem = np.zeros(T + 1, dtype=np.int64)
    for rid, s, e in sched:
        p = inst.prompt[inst.index(rid)]
        for t in range(s + 1, e + 1):
            mem[t] += p + t - s
    return mem[1:]


@st.composite
def feasible_cases(draw):
    """A random instance and a feasible schedule built by a first-fit list rule."""
    n = draw(st.integers(1, 8))
    M = draw(st.integers(4, 30))
    reqs = []
    for i in range(n):
        s = draw(st.integers(1, M - 1))
        o = draw(st.integers(1, M - s))
        reqs.append(Request(f"q{i}", draw(st.integers(0, 6)), s, o))
    inst = Instance("p", M, reqs)
    order = draw(st.permutations(range(n)))
    runs: list[tuple[str, int, int]] = []
    for i in order:
        k = int(inst.arrival[i]) + draw(st.integers(0, 3))
        while True:
            trial = Schedule([*runs, (inst.ids[i], k, k + int(inst.output[i]))])
            if brute_force_memory(inst, trial).max() <= M:
                break
            k += 1
        runs.append((inst.ids[i], k, k + int(inst.output[i])))
    return inst, Schedule(runs)


def random_small_instance(rng: np.random.Generator, n: int, zero: bool) -> Instance:
    """A random instance small enough for the exhaustive search: M in [6, 15], s in
    [1, 3], o in [1, M - s], all at time 0 (``zero``) or arriving in [0, 4]."""
    m = int(rng.integers(6, 16))
    s = rng.integers(1, 4, n)
    o = np.array([int(rng.integers(1, m - x + 1)) for x in s])
    a = np.zeros(n, dtype=np.int64) if zero else rng.integers(0, 5, n)
    return Instance.from_arrays("r", m, arrival=a, prompt=s, output=o)

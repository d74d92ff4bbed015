"""Earliest-fit list schedules: the warm start and the upper bound of the exact solvers.

A *list schedule* takes the requests in a given order and starts each at the earliest
time ``k >= a_i`` at which its whole run fits under the memory left by the requests
already placed (earlier holes are filled: "earliest fit"). Every schedule it builds is
feasible and non-preemptive. :func:`earliest_fit` tries four natural orders (shortest
output first, earliest arrival-plus-output first, least memory-area first, first come
first served) and then
improves the best order by moving one request to another place in the order while
that lowers the total latency (first improvement, within a time budget).
"""

from __future__ import annotations

import time

import numpy as np

from kvopt.bounds import work
from kvopt.model import Instance


def place(instance: Instance, order: np.ndarray | list[int]) -> np.ndarray:
    """Start times of the earliest-fit list schedule that places requests in ``order``.

    Parameters
    ----------
    instance
        The instance (every request fits alone: ``s_i + o_i <= M``).
    order
        A permutation of ``range(instance.n)``.

    Returns
    -------
    numpy.ndarray
        ``start[i]`` for every request, in instance order.
    """
    a, s, o, m = instance.arrival, instance.prompt, instance.output, instance.memory
    horizon = int(a.max() + o.sum()) + 1 if instance.n else 1
    used = np.zeros(horizon + int(o.max() if instance.n else 0), dtype=np.int64)
    start = np.zeros(instance.n, dtype=np.int64)
    for i in order:
        need = s[i] + np.arange(1, o[i] + 1)  # tokens held in rounds k+1 .. k+o_i
        k = int(a[i])
        while (used[k : k + o[i]] + need > m).any():
            k += 1
        used[k : k + o[i]] += need
        start[i] = k
    return start


def total_latency(instance: Instance, start: np.ndarray) -> int:
    """``sum_i (start_i + o_i - a_i)``."""
    return int((start + instance.output - instance.arrival).sum())


def _orders(instance: Instance) -> list[np.ndarray]:
    a, s, o = instance.arrival, instance.prompt, instance.output
    return [
        np.lexsort((a, s, o)),  # shortest output first
        np.lexsort((s, o, a + o)),  # earliest possible completion first
        np.lexsort((a, o, work(instance))),  # least memory area first
        np.lexsort((o, s, a)),  # first come, first served
    ]


def earliest_fit(
    instance: Instance, *, improve: bool = True, time_budget: float = 1.0
) -> np.ndarray:
    """The best earliest-fit list schedule found by a few orders and local moves.

    Parameters
    ----------
    instance
        The instance.
    improve
        Move single requests in the best order while that lowers the total latency.
    time_budget
        Seconds the improvement may take at most.

    Returns
    -------
    numpy.ndarray
        Start time of every request, in instance order (a feasible schedule).
    """
    if instance.n == 0:
        return np.zeros(0, dtype=np.int64)
    best_order, best_start, best = None, None, None
    for order in _orders(instance):
        st = place(instance, order)
        val = total_latency(instance, st)
        if best is None or val < best:
            best_order, best_start, best = order, st, val
    if not improve:
        return best_start
    deadline = time.perf_counter() + time_budget
    order = list(best_order)
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for p in range(len(order)):
            for q in range(len(order)):
                if q == p:
                    continue
                trial = order[:p] + order[p + 1 :]
                trial.insert(q, order[p])
                st = place(instance, trial)
                val = total_latency(instance, st)
                if val < best:
                    order, best_start, best, improved = trial, st, val, True
                    break
            if time.perf_counter() >= deadline:
                break
    return best_start

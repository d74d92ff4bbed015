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

from kvopt.model import Instance
from kvopt.trivial_bounds import work


def earliest_start(used: list[int], k: int, prompt: int, output: int, memory: int) -> int:
    """Earliest start ``>= k`` at which a run fits under the memory ``used`` per round.

    ``used[t]`` is the memory already held in round ``t``. A run started at ``k`` holds
    ``prompt + j`` tokens in round ``k + j`` (``j = 1..output``), so it fits iff
    ``used[k + j] + j <= memory - prompt`` for every ``j``. When round ``t = k + j`` does not
    fit, no start ``k' < min(t, used[t] + t - (memory - prompt))`` can fit either (round
    ``t`` would still be over), so the scan jumps there instead of trying ``k + 1``.
    ``used`` must be long enough for the answer's rounds (callers size it by a safe
    horizon).
    """
    cap = memory - prompt
    while True:
        nxt = k
        for j in range(output, 0, -1):
            t = k + j
            u = used[t]
            if u + j > cap:
                v = u + t - cap
                nxt = t if v > t else v
                break
        if nxt == k:
            return k
        k = nxt


def occupy(used: list[int], k: int, prompt: int, output: int) -> None:
    """Add the run started at ``k`` (``prompt + j`` tokens in round ``k + j``) to ``used``."""
    for j in range(1, output + 1):
        used[k + j] += prompt + j


def memory_rounds(instance: Instance) -> int:
    """Length of a per-round memory list that holds every earliest-fit schedule.

    Earliest fit never starts a request after ``max a + sum o`` (by then every request
    placed before it has completed), so its rounds end by ``max a + sum o + max o``.
    """
    if instance.n == 0:
        return 1
    o = instance.output
    return int(instance.arrival.max() + o.sum() + o.max()) + 2


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
    a, s, o = instance.arrival.tolist(), instance.prompt.tolist(), instance.output.tolist()
    m = instance.memory
    used = [0] * memory_rounds(instance)
    start = [0] * instance.n
    for i in np.asarray(order, dtype=np.int64).tolist():
        k = earliest_start(used, a[i], s[i], o[i], m)
        occupy(used, k, s[i], o[i])
        start[i] = k
    return np.array(start, dtype=np.int64)


def total_latency(instance: Instance, start: np.ndarray) -> int:
    """``sum_i (start_i + o_i - a_i)``."""
    return int((start + instance.output - instance.arrival).sum())


def natural_orders(instance: Instance) -> list[np.ndarray]:
    """The four orders :func:`earliest_fit` starts from (see the module docstring)."""
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
    for order in natural_orders(instance):
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
                if time.perf_counter() >= deadline:  # one placement is O(n o): check often
                    return best_start
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

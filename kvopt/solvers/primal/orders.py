"""Earliest-fit schedules of request orders, re-evaluated from the first changed position.

A move of the local search (relocating or swapping requests in the order) leaves the
positions before the first changed one untouched, and so their starts and the memory they
hold. :class:`OrderState` keeps, for the current order, the memory held before each
position (a snapshot per position) and the latency of every prefix; a trial order is then
placed from its first changed position only, and abandoned as soon as the latency placed
so far plus ``sum o_i`` of the requests still to place (each latency is at least its
output) reaches a cut-off.
"""

from __future__ import annotations

import numpy as np

from kvopt.model import Instance
from kvopt.solvers.heuristic import earliest_start, memory_rounds, occupy


class OrderState:
    """An order, its earliest-fit starts and what re-placing a suffix needs.

    Parameters
    ----------
    instance
        The instance.
    order
        A permutation of ``range(instance.n)``.

    Attributes
    ----------
    order
        The current order (a list of request positions).
    value
        Total latency of its earliest-fit schedule.
    evaluations
        Number of trial orders evaluated so far.
    """

    def __init__(self, instance: Instance, order: np.ndarray | list[int]) -> None:
        self.a = instance.arrival.tolist()
        self.s = instance.prompt.tolist()
        self.o = instance.output.tolist()
        self.m = instance.memory
        self.n = instance.n
        self.rounds = memory_rounds(instance)
        self.evaluations = 0
        self.order: list[int] = []
        self.snap: list[list[int]] = []
        self.prefix: list[int] = []
        self.pos_start: list[int] = []
        self.rest: list[int] = []
        self.start_of: list[int] = []
        self.value = 0
        self.reset(order)

    def reset(self, order: np.ndarray | list[int]) -> None:
        """Make ``order`` current and place it from scratch."""
        self.order = [int(i) for i in order]
        self.snap = [[0] * self.rounds]
        self.prefix = [0]
        self.pos_start = []
        self._extend(0)

    def _extend(self, p: int) -> None:
        """Place positions ``p..n-1`` of the current order from snapshot ``p``."""
        del self.snap[p + 1 :], self.prefix[p + 1 :], self.pos_start[p:]
        used = list(self.snap[p])
        total = self.prefix[p]
        a, s, o, m = self.a, self.s, self.o, self.m
        for i in self.order[p:]:
            k = earliest_start(used, a[i], s[i], o[i], m)
            occupy(used, k, s[i], o[i])
            total += k + o[i] - a[i]
            self.pos_start.append(k)
            self.prefix.append(total)
            self.snap.append(list(used))
        self.value = total
        rest = [0] * (self.n + 1)
        for q in range(self.n - 1, -1, -1):
            rest[q] = rest[q + 1] + o[self.order[q]]
        self.rest = rest
        self.start_of = [0] * self.n
        for i, k in zip(self.order, self.pos_start, strict=True):
            self.start_of[i] = k

    def evaluate(
        self, trial: list[int], p: int, cutoff: int, last: int | None = None
    ) -> int | None:
        """Total latency of ``trial`` (equal to the current order before ``p``).

        Returns ``None`` once it is certain to be ``>= cutoff``. If ``trial`` also equals
        the current order after position ``last`` and every request of positions
        ``p..last`` gets its current start, the memory and so the rest of the schedule
        are the current ones: the value is the current value, known without placing the
        rest.
        """
        self.evaluations += 1
        used = list(self.snap[p])
        total = self.prefix[p]
        rest = self.rest[p]  # the same set of requests for any trial from p
        a, s, o, m = self.a, self.s, self.o, self.m
        current = self.start_of
        same = last is not None
        for r in range(p, self.n):
            i = trial[r]
            k = earliest_start(used, a[i], s[i], o[i], m)
            if same:
                same = k == current[i]
                if same and r == last:
                    return self.value if self.value < cutoff else None
            occupy(used, k, s[i], o[i])
            total += k - a[i]
            if total + rest >= cutoff:
                return None
        return total + rest

    def commit(self, trial: list[int], p: int) -> None:
        """Make ``trial`` (equal to the current order before ``p``) current."""
        self.order = list(trial)
        self._extend(p)

    def starts(self) -> np.ndarray:
        """Start of every request of the current order, in instance order."""
        out = np.zeros(self.n, dtype=np.int64)
        out[np.asarray(self.order, dtype=np.int64)] = self.pos_start
        return out

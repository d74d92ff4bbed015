"""An exhaustive state-space search for the minimum total latency (tests only, n <= 7).

Written independently of the solvers and of their proofs: it walks the rounds one by
one and, at each round boundary, tries *every* subset of the arrived, waiting requests
to start, keeping only subsets whose round fits in memory. The value of a state
(time, waiting requests, running requests with their progress) is memoised; once every
request has arrived the value no longer depends on the time, so the time is capped at
the last arrival in the key. The only choice never expanded is "start nothing while
nothing runs and every request has arrived": it leads back to the same state at a cost
of one round per waiting request, so it can never be part of a minimum.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from kvopt.model import Instance


def exhaustive_optimum(instance: Instance) -> tuple[int, np.ndarray]:
    """Minimum total latency and an optimal start time per request (instance order)."""
    n = instance.n
    if n > 10 or int(instance.arrival.max(initial=0) + instance.output.sum()) > 500:
        raise ValueError("exhaustive search is for tiny instances (n <= 10, short horizon)")
    a = [int(x) for x in instance.arrival]
    s = [int(x) for x in instance.prompt]
    o = [int(x) for x in instance.output]
    m = int(instance.memory)
    last = max(a) if n else 0
    choice: dict = {}

    @cache
    def value(t: int, waiting: int, running: tuple) -> float:
        key = (t, waiting, running)
        if not waiting and not running:
            return 0
        avail = [i for i in range(n) if waiting >> i & 1 and a[i] <= t]
        if not running and not avail:  # jump to the next arrival
            nxt = min(a[i] for i in range(n) if waiting >> i & 1)
            choice[key] = ("jump", nxt)
            return value(nxt, waiting, running)
        held = sum(s[i] + d + 1 for i, d in running)  # running requests grow by one token
        best, best_sub = math.inf, None  # a dead end: the running requests outgrow M
        for mask in range(1 << len(avail)):
            sub = [avail[b] for b in range(len(avail)) if mask >> b & 1]
            if not sub and not running and t >= last:
                continue  # returns to the same state at a positive cost
            if held + sum(s[i] + 1 for i in sub) > m:
                continue
            cost = len(avail) - len(sub)  # requests that wait through round t+1
            nxt_run = tuple(
                sorted((i, d + 1) for i, d in (*running, *((i, 0) for i in sub)) if d + 1 < o[i])
            )
            nxt_wait = waiting & ~sum(1 << i for i in sub)
            v = cost + value(min(t + 1, last), nxt_wait, nxt_run)
            if v < best:
                best, best_sub = v, sub
        choice[key] = ("start", best_sub)
        return best

    extra = value(min(0, last), (1 << n) - 1, ())
    # replay the choices, with the real time (the key caps it at the last arrival)
    start = np.full(n, -1, dtype=np.int64)
    t, waiting, running = 0, (1 << n) - 1, ()
    while waiting or running:
        kind, arg = choice[(min(t, last), waiting, running)]
        if kind == "jump":
            t = arg
            continue
        for i in arg:
            start[i] = t
        running = tuple(
            sorted((i, d + 1) for i, d in (*running, *((i, 0) for i in arg)) if d + 1 < o[i])
        )
        waiting &= ~sum(1 << i for i in arg)
        t += 1
    return int(sum(o) + extra), start

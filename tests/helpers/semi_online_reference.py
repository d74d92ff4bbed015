"""Exhaustive reference for the semi-online problem (tests only).

Identical requests (prompt ``s``, output ``o``), all ``n`` at time 0, memory ``M``.
A state is ``(window, remaining)``: ``window[j]`` is the number of requests started
``j`` rounds before the current time (``j = 0 .. o-1``) and ``remaining`` the number
not yet started. Deciding ``x`` starts at the current time costs ``remaining - x``
(the objective ``sum_k k * x_k`` equals ``sum_t (requests not started by time t)``).
A move is allowed only if the runs then in progress fit in memory in every later
round when nothing else starts (starting more never lowers memory, so a state that
fails this test can never be completed). Dijkstra over these states gives the optimum.
Its state space is exponential in ``o``: it is a judge for small cases, not a solver.
"""

from __future__ import annotations

import heapq


def _fits(window: tuple[int, ...], s: int, o: int, M: int) -> bool:
    """Whether the runs of ``window`` (started 0..o-1 rounds ago) fit in every later round."""
    # window[j] started j rounds before now (time t); in round t + r (r = 1..o) it has
    # age j + r and is still running if j + r <= o.
    for r in range(1, o + 1):
        mem = 0
        for j in range(0, o - r + 1):
            mem += window[j] * (s + j + r)
        if mem > M:
            return False
    return True


def reference_starts(n: int, s: int, o: int, M: int) -> list[int]:
    """Optimal sorted start times by exhaustive shortest path (exponential in ``o``)."""
    if s + o > M:
        raise ValueError("a request never fits")
    start = ((0,) * o, n)
    dist = {start: 0}
    parent: dict = {start: None}
    heap = [(0, start)]
    while heap:
        d, state = heapq.heappop(heap)
        if d > dist[state]:
            continue
        window, rem = state
        if rem == 0:
            # reconstruct
            counts = []
            st = state
            while parent[st] is not None:
                prev, x = parent[st]
                counts.append(x)
                st = prev
            counts.reverse()
            starts = []
            for k, x in enumerate(counts):
                starts += [k] * x
            return starts
        shifted = window[:-1]
        for x in range(rem, -1, -1):
            w = (x,) + shifted
            if not _fits(w, s, o, M):
                continue
            nxt = (w, rem - x)
            nd = d + rem - x
            if nd < dist.get(nxt, 1 << 60):
                dist[nxt] = nd
                parent[nxt] = (state, x)
                heapq.heappush(heap, (nd, nxt))
    raise AssertionError("unreachable: one request at a time is always feasible")


def reference_objective(n: int, s: int, o: int, M: int) -> int:
    """Minimum of ``sum_k k * x_k`` (total latency is this plus ``n * o``)."""
    return sum(reference_starts(n, s, o, M))


def certificate_grid() -> list[tuple[int, int, int]]:
    """The non-prompt-dominated ``(s, o, M)`` with ``s <= 4``, ``o <= 6`` and
    ``M <= s + o + 15``: the grid on which certificates are checked against the DP."""
    from kvopt.solvers.semi_online import dp

    return sorted(
        (s, o, M)
        for s in range(1, 5)
        for o in range(1, 7)
        for M in range(s + o, s + o + 16)
        if not dp.is_prompt_dominated(s, o, M)
    )

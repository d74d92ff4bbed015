"""The staircase states of the semi-online DP and the primitives every algorithm on them shares.

A *staircase* is the tuple of open memory budgets ``(age, budget)`` of the last
``o - 1`` start groups, with dominated budgets removed (Lemmas 3 and 4 of
``proofs/semi_online_optimality.md``). This leaf module holds the moves between
staircases, their enumeration into a move table, the layered DP over it and the error
types; the exact algorithm (:mod:`~kvopt.solvers.semi_online.dp`), its periodic
certificates (:mod:`~kvopt.solvers.semi_online.periodic`) and the identical-stream
planner (:mod:`~kvopt.solvers.semi_online.stream`) build on it, so none of them imports
another's private names.
"""

from __future__ import annotations

import time
from array import array

import numpy as np

from kvopt.errors import KvoptError
from kvopt.solvers.semi_online import quotient

#: Default cap on the states the exact search expands before it refuses.
MAX_STATES = 2_000_000


class SemiOnlineError(KvoptError):
    """The instance is outside the class the semi-online algorithm solves exactly."""


def check_parameters(n: int, s: int, o: int, M: int) -> None:
    for name, v, lo in (("n", n, 0), ("s", s, 1), ("o", o, 1), ("M", M, 1)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
            raise SemiOnlineError(f"{name} must be an integer >= {lo}, got {v!r}")
    if s + o > M:
        raise SemiOnlineError(f"a request never fits: s + o = {s + o} > M = {M}")


class SearchLimit(Exception):
    def __init__(self, bound: int, expanded: int) -> None:
        self.bound, self.expanded = bound, expanded


Staircase = tuple[tuple[int, int], ...]


def start_cap(groups: Staircase, c: int, q: int) -> int:
    """Most requests that may start at the next time from this staircase."""
    cap = q
    for age, budget in groups:
        cap = min(cap, budget // (c - age - 1))
    return cap


def move(groups: Staircase, x: int, s: int, o: int, M: int, r: int | None) -> Staircase:
    """The staircase after starting ``x`` at the next time (Lemmas 3 and 4).

    Groups are aged and charged, expired ones dropped, the new group added, and every
    group whose constraint is implied by a newer kept group's deleted: ``(a, B)`` goes
    when a newer ``(a', B')`` has ``B + (a - a') ceil((B + 1) / (c - a - 1)) >= B'``
    (in particular when ``B >= B'``). With ``r`` (requests still waiting after the
    move) groups whose budget no future can exhaust are deleted too; without it the
    staircase does not depend on ``r``.
    """
    c = s + o
    moved = [(age + 1, budget - (c - age - 1) * x) for age, budget in groups if age + 2 <= o - 1]
    if x and o >= 2:
        moved.append((0, M - c * x))
    moved.sort()  # newest (smallest age) first
    kept: list[tuple[int, int]] = []
    for age, budget in moved:
        # fewest starts that could exceed this budget, each charged at most c - age - 1
        least = -(-(budget + 1) // (c - age - 1))
        if any(budget + (age - a2) * least >= b2 for a2, b2 in kept):
            continue
        if r is not None and budget >= r * (c - age - 1):
            continue
        kept.append((age, budget))
    kept.reverse()
    return tuple(kept)


def enumerate_staircases(
    s: int,
    o: int,
    M: int,
    max_states: int,
    deadline: float | None = None,
    staircases: list[Staircase] | None = None,
) -> np.ndarray:
    """Every staircase reachable from the empty one, as a move table.

    Returns ``nxt`` with ``nxt[i, x]`` the index of the staircase reached from
    staircase ``i`` by starting ``x`` requests (``-1`` where ``x`` is not allowed);
    staircase 0 is the empty one. Staircases here never use the ``r``-dependent
    deletion, so the table does not depend on ``n``. Stops (``SearchLimit``) past
    ``max_states`` staircases or ``4 max_states`` table cells. If ``staircases`` is
    given, the staircases themselves are appended to it, in index order.
    """
    c = s + o
    q = M // c
    index: dict[Staircase, int] = {(): 0}
    order: list[Staircase] = [()]
    cells = array("q")  # row i holds nxt[i, 0..q]
    i = 0
    while i < len(order):
        if deadline is not None and i % 4096 == 0 and time.perf_counter() > deadline:
            raise SearchLimit(0, len(order))
        groups = order[i]
        row = [-1] * (q + 1)
        for x in range(start_cap(groups, c, q) + 1):
            nxt = move(groups, x, s, o, M, None)
            j = index.get(nxt)
            if j is None:
                if len(order) >= max_states or (len(order) + 1) * (q + 1) > 4 * max_states:
                    raise SearchLimit(0, len(order))
                j = index[nxt] = len(order)
                order.append(nxt)
            row[x] = j
        cells.extend(row)
        i += 1
    if staircases is not None:
        staircases.extend(order)
    return np.frombuffer(cells, dtype=np.int64).reshape(len(order), q + 1).copy()


def minimised(nxt: np.ndarray, deadline: float | None) -> np.ndarray:
    """:func:`kvopt.solvers.semi_online.quotient.minimise`, stopping with ``SearchLimit``."""
    try:
        return quotient.minimise(nxt, deadline)
    except TimeoutError:
        raise SearchLimit(0, nxt.shape[0]) from None


def choice_dtype(q: int) -> type:
    """The smallest unsigned integer type that holds a move ``x <= q``."""
    return np.uint8 if q < 2**8 else np.uint16 if q < 2**16 else np.uint32


def dp_layers(nxt: np.ndarray, r_max: int, deadline: float | None):
    """Yield ``(r, V(., r), best)`` for ``r = 1 .. r_max``: the layers of the DP.

    ``V(i, r) = min( min_{x >= 1} (r - x) + V(nxt[i, x], r - x),  r + V(nxt[i, 0], r) )``
    with ``V(., 0) = 0``; ``best[i]`` is a minimising move (among ties the smallest
    ``x >= 1``; ``x = 0`` only if strictly better than every ``x >= 1``). Moves with
    ``x >= 1`` go to a lower layer; the ``x = 0`` move stays in layer ``r`` but ages
    every group, so it reaches the empty staircase in at most ``o - 1`` steps: the
    layer is solved by increasing depth in that chain, and the empty staircase never
    waits (that would repeat itself at cost ``r > 0``). ``O(K (q + o))`` per layer for
    ``K`` staircases, vectorised over them. The arrays yielded are fresh per layer.
    """
    K, width = nxt.shape
    q = width - 1
    wait = nxt[:, 0]
    depth = np.full(K, -1, dtype=np.int64)
    depth[0] = 0
    while (depth < 0).any():
        todo = (depth < 0) & (depth[wait] >= 0)
        if not todo.any():
            raise AssertionError("a staircase never empties by waiting")
        depth[todo] = depth[wait[todo]] + 1
    levels = [np.flatnonzero(depth == d) for d in range(1, int(depth.max()) + 1)]
    allowed = [np.flatnonzero(nxt[:, x] >= 0) for x in range(width)]
    targets = [nxt[allowed[x], x] for x in range(width)]
    ring = np.zeros((width, K), dtype=np.int64)  # ring[r % width] = V(., r)
    dtype = choice_dtype(q)
    big = np.iinfo(np.int64).max // 4
    for r in range(1, r_max + 1):
        if deadline is not None and time.perf_counter() > deadline:
            raise SearchLimit(0, r * K)
        value = np.full(K, big, dtype=np.int64)
        best = np.zeros(K, dtype=dtype)
        for x in range(1, min(q, r) + 1):
            idx = allowed[x]
            cand = ring[(r - x) % width][targets[x]] + (r - x)
            better = cand < value[idx]
            value[idx[better]] = cand[better]
            best[idx[better]] = x
        for lv in levels:
            cand = value[wait[lv]] + r
            better = cand < value[lv]
            value[lv[better]] = cand[better]
            best[lv[better]] = 0
        ring[r % width] = value
        yield r, value, best


def walk(nxt: np.ndarray, choice: np.ndarray, i: int, r: int) -> list[int]:
    """The start counts of the DP's choices from staircase ``i`` with ``r`` waiting."""
    counts = []
    while r > 0:
        x = int(choice[r, i])
        counts.append(x)
        i = int(nxt[i, x])
        r -= x
    return counts

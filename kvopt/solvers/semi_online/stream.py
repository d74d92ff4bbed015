"""Exact hindsight optimum for a stream of identical requests with known arrival times.

The class: ``n`` requests with the same prompt ``s`` and output ``o`` arriving at
arbitrary known round boundaries ``a_1 <= ... <= a_n``, one worker with ``M`` tokens,
no eviction. This extends the staircase algorithm of :mod:`kvopt.solvers.semi_online.dp` (all
requests at time 0) to arrivals over time. ``proofs/identical_stream.md`` proves it:

* **FIFO** (Lemma 1): some optimal schedule starts the requests in arrival order, so a
  schedule is a vector of start counts ``x_t`` with ``N(t) <= A(t)`` (started by
  ``t`` at most arrived by ``t``), and total latency is
  ``sum_t (Q_t - x_t) + n o`` with ``Q_t = A(t) - N(t - 1)`` the queue at ``t``.
* **State** (Lemma 2): after deciding time ``t``, the pair (staircase, queue) is
  sufficient, the staircase being the reduced open groups of
  :mod:`kvopt.solvers.semi_online.dp` (``proofs/semi_online_optimality.md``, Lemmas 3-4).
* **Dominance** (Lemma 3): among states with the same staircase at the same time, one
  with a queue no longer *and* a cost so far no larger makes the other useless; only
  the Pareto front (queue, cost) of each staircase is kept. States whose cost so far
  reaches the best complete schedule's are dropped.
* **Skips**: when every state has an empty queue and the next arrival is at least
  ``o - 1`` rounds away, all staircases have expired by then and the layer collapses
  to the empty staircase at the cheapest cost (Lemma 4).

The forward dynamic program runs layer by layer (one layer per round boundary with
something to decide), vectorised over the states of a layer; the staircase move table
is built lazily, only for staircases that occur. Memory is the parents of all layers
(for the schedule): ``O(sum of layer sizes)``. Limits: ``max_states`` states in one
layer, ``max_total`` over all layers, ``time_limit``; past them :class:`StreamError`.
Measured reach: ``benchmarks/README.md`` ("Identical streams").

Public API: :func:`optimal_counts`, :func:`optimal_starts`,
:func:`optimal_total_latency`, :func:`stream_parameters` and the backend :func:`solve`
registered as ``"identical-stream"`` in :data:`kvopt.solve.SOLVERS`.
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

import numpy as np

from kvopt.errors import KvoptError
from kvopt.model import Instance
from kvopt.result import Result
from kvopt.schedule import Schedule
from kvopt.solvers.semi_online.staircase import choice_dtype, move, start_cap

#: Default cap on the states of one layer.
MAX_STATES = 2_000_000

#: Default cap on the states stored over all layers (the parents kept for the schedule).
MAX_TOTAL = 150_000_000


class StreamError(KvoptError):
    """The instance is outside the class, or the exact search exceeds its limits."""


class StreamParameters(NamedTuple):
    """An identical-stream instance: common prompt, output, memory and the arrivals."""

    prompt: int
    output: int
    memory: int
    arrival: np.ndarray


def stream_parameters(instance: Instance) -> StreamParameters:
    """``(s, o, M, arrivals)`` of an instance whose requests share prompt and output.

    Raises
    ------
    StreamError
        Naming the first request whose prompt or output differs, or an empty instance.
    """
    if instance.n == 0:
        raise StreamError("identical-stream: the instance has no requests")
    for field, col in (("prompt", instance.prompt), ("output", instance.output)):
        if int(col.min()) != int(col.max()):
            j = int(np.flatnonzero(col != col[0])[0])
            raise StreamError(
                f"identical-stream solves only requests with the same prompt and output; "
                f"request {instance.ids[0]!r} has {field} {int(col[0])}, request "
                f"{instance.ids[j]!r} has {int(col[j])}"
            )
    return StreamParameters(
        int(instance.prompt[0]), int(instance.output[0]), int(instance.memory), instance.arrival
    )


class _MoveTable:
    """The staircase move table of :mod:`kvopt.solvers.semi_online.dp`, grown on demand.

    ``row(ids)`` returns ``nxt[ids, x]`` (the staircase reached by starting ``x``,
    ``-1`` if not allowed) for ``x = 0 .. q``, computing rows never seen before.
    """

    def __init__(self, s: int, o: int, M: int) -> None:
        self.s, self.o, self.M = s, o, M
        self.c, self.q = s + o, M // (s + o)
        self.index: dict[tuple, int] = {(): 0}
        self.order: list[tuple] = [()]
        self.nxt = np.full((64, self.q + 1), -2, dtype=np.int64)  # -2: not computed yet

    def _id(self, groups: tuple) -> int:
        j = self.index.get(groups)
        if j is None:
            j = self.index[groups] = len(self.order)
            self.order.append(groups)
        return j

    def _fill(self, i: int) -> None:
        groups = self.order[i]
        row = [-1] * (self.q + 1)
        for x in range(start_cap(groups, self.c, self.q) + 1):
            row[x] = self._id(move(groups, x, self.s, self.o, self.M, None))
        if len(self.order) > self.nxt.shape[0]:
            grow = np.full((2 * len(self.order), self.q + 1), -2, dtype=np.int64)
            grow[: self.nxt.shape[0]] = self.nxt
            self.nxt = grow
        self.nxt[i] = row

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """``nxt[ids]``, computing missing rows (staircases with index ``< K``)."""
        missing = np.unique(ids[self.nxt[ids, 0] == -2])
        for i in missing.tolist():
            self._fill(i)
        return self.nxt[ids]

    @property
    def size(self) -> int:
        """Staircases seen so far."""
        return len(self.order)


def _pareto(sid: np.ndarray, Q: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Indices of the states no other state of the same staircase dominates.

    ``(sid, Q, g)`` dominates ``(sid, Q', g')`` when ``Q <= Q'`` and ``g <= g'``
    (``proofs/identical_stream.md``, Lemma 3); one of equal states is kept.
    """
    order = np.lexsort((g, Q, sid))
    s, gg = sid[order], g[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = s[1:] != s[:-1]
    grp = np.cumsum(first) - 1
    span = int(gg.max() - gg.min()) + 1 if gg.size else 1
    shifted = gg - grp * span  # later staircases far below: the running min restarts
    run = np.minimum.accumulate(shifted)
    keep = first.copy()
    keep[1:] |= shifted[1:] < run[:-1]
    return order[keep]


class _Layers:
    """Parents of every layer, for walking back the optimal start counts."""

    def __init__(self) -> None:
        self.time: list[int] = []
        self.parent: list[np.ndarray] = []
        self.move: list[np.ndarray] = []
        self.total = 0

    def add(self, t: int, parent: np.ndarray, move: np.ndarray) -> None:
        self.time.append(t)
        self.parent.append(parent.astype(np.int32))
        self.move.append(move.astype(choice_dtype(int(move.max(initial=0)))))
        self.total += parent.size

    def counts(self, layer: int, index: int) -> dict[int, int]:
        """Start counts ``{t: x}`` of the path ending at state ``index`` of ``layer``."""
        out: dict[int, int] = {}
        while layer >= 0:
            x = int(self.move[layer][index])
            if x:
                out[self.time[layer]] = x
            index = int(self.parent[layer][index])
            layer -= 1
        return out


def _step(table: _MoveTable, sid, Q, g, best: int):
    """All moves from one layer: the next layer's (sid, Q, g, parent, x), pruned."""
    rows = table.rows(sid)
    width = rows.shape[1]
    xs = np.arange(width)
    ok = (rows >= 0) & (xs[None, :] <= Q[:, None])
    par, x = np.nonzero(ok)
    nsid = rows[par, x]
    nQ = Q[par] - x
    ng = g[par] + nQ
    live = ng < best
    par, x, nsid, nQ, ng = par[live], x[live], nsid[live], nQ[live], ng[live]
    keep = _pareto(nsid, nQ, ng)
    return nsid[keep], nQ[keep], ng[keep], par[keep], x[keep]


def _search(
    times: np.ndarray,
    per: np.ndarray,
    table: _MoveTable,
    limits: dict,
    start: tuple[int, int, int] = (0, 0, 0),
) -> tuple[dict, int, dict]:
    """The forward DP; returns ``({t: x}, optimal sum of waiting, statistics)``.

    ``per[j]`` requests arrive at ``times[j]`` (increasing); the search starts at time
    ``start[0]`` (at most ``times[0]``) in staircase ``start[1]`` of ``table`` with
    ``start[2]`` requests already waiting. ``origin[j]`` is the position of current
    state ``j`` in the last stored layer (complete schedules are taken out of a layer
    after it is stored).
    """
    layers = _Layers()
    t, sid0, q0 = start
    sid = np.array([sid0], dtype=np.int64)
    Q = np.array([q0], dtype=np.int64)
    g = np.zeros(1, dtype=np.int64)
    origin = np.zeros(1, dtype=np.int64)
    best, best_at = np.iinfo(np.int64).max, None
    k, widest = 0, 1
    deadline = limits["deadline"]
    while sid.size:
        if k < times.size and times[k] == t:
            Q = Q + int(per[k])
            k += 1
        sid, Q, g, par, x = _step(table, sid, Q, g, best)
        layers.add(t, origin[par], x)
        origin = np.arange(sid.size)
        widest = max(widest, sid.size)
        if sid.size > limits["max_states"] or layers.total > limits["max_total"]:
            raise _Limit(f"{sid.size} states in one layer, {layers.total} in all")
        if deadline is not None and time.perf_counter() > deadline:
            raise _Limit(f"time limit reached at round {t}")
        if k == times.size:  # all arrived: a state with an empty queue is complete
            done = Q == 0
            if done.any():
                j = int(np.flatnonzero(done)[np.argmin(g[done])])
                if g[j] < best:
                    best, best_at = int(g[j]), (len(layers.time) - 1, j)
            keep = ~done & (g < best)
            sid, Q, g, origin = sid[keep], Q[keep], g[keep], origin[keep]
            t += 1
        elif int(times[k]) - t >= table.o and not Q.any():  # all staircases expire first (Lemma 4)
            j = int(np.argmin(g))
            layers.add(t + 1, origin[j : j + 1], np.zeros(1, dtype=np.int64))
            sid, Q, g = np.zeros(1, np.int64), np.zeros(1, np.int64), g[j : j + 1].copy()
            origin = np.zeros(1, dtype=np.int64)
            t = int(times[k])
        else:
            t += 1
    if best_at is None:
        raise AssertionError("unreachable: starting one request at a time is feasible")
    stats = {"staircases": table.size, "widest_layer": int(widest), "states": layers.total}
    return layers.counts(*best_at), best, stats


class _Limit(Exception):
    pass


def _checked(arrival, s: int, o: int, M: int) -> np.ndarray:
    for name, v, lo in (("s", s, 1), ("o", o, 1), ("M", M, 1)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
            raise StreamError(f"{name} must be an integer >= {lo}, got {v!r}")
    if s + o > M:
        raise StreamError(f"a request never fits: s + o = {s + o} > M = {M}")
    a = np.asarray(arrival, dtype=np.int64)
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise StreamError("arrivals must be a list of integers >= 0")
    return a


def optimal_counts(
    arrival,
    s: int,
    o: int,
    M: int,
    *,
    max_states: int = MAX_STATES,
    max_total: int = MAX_TOTAL,
    time_limit: float | None = None,
    info: dict | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Optimal start groups of an identical stream: ``sizes[g]`` start at ``times[g]``.

    Parameters
    ----------
    arrival
        Arrival round of every request (any order).
    s, o, M
        Common prompt and output, and the memory (``s + o <= M``).
    max_states, max_total
        Refuse past this many states in one layer / over all layers.
    time_limit
        Seconds after which the search refuses (``None``: no limit).
    info
        If given, filled with ``"staircases"`` (seen), ``"widest_layer"`` and
        ``"states"`` (stored over all layers).

    Returns
    -------
    times, sizes : numpy.ndarray
        int64; ``times`` strictly increasing. Started in arrival order (FIFO), these
        minimise total latency.

    Raises
    ------
    StreamError
        On invalid parameters, or when the search exceeds its limits.
    """
    a = _checked(arrival, s, o, M)
    if a.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    limits = {"max_states": max_states, "max_total": max_total, "deadline": deadline}
    times, per = np.unique(a, return_counts=True)
    try:
        counts, _, stats = _search(times, per, _MoveTable(s, o, M), limits, (int(times[0]), 0, 0))
    except _Limit as stop:
        raise StreamError(
            f"identical-stream: the exact search for n={a.size}, s={s}, o={o}, M={M} "
            f"exceeded its limits ({stop}; max_states={max_states}, max_total={max_total}, "
            f"time_limit={time_limit})"
        ) from None
    if info is not None:
        info.update(stats)
    times = np.array(sorted(counts), dtype=np.int64)
    return times, np.array([counts[k] for k in times.tolist()], dtype=np.int64)


def optimal_starts(arrival, s: int, o: int, M: int, **kwargs: Any) -> np.ndarray:
    """Optimal start time of each request, in the order of ``arrival`` (FIFO).

    Ties in arrival are broken by position. Arguments as :func:`optimal_counts`.
    """
    a = _checked(arrival, s, o, M)
    times, sizes = optimal_counts(a, s, o, M, **kwargs)
    starts = np.empty(a.size, dtype=np.int64)
    starts[np.argsort(a, kind="stable")] = np.repeat(times, sizes)
    return starts


def optimal_total_latency(arrival, s: int, o: int, M: int, **kwargs: Any) -> int:
    """The minimum total latency ``sum_i (start_i + o - a_i)``."""
    a = _checked(arrival, s, o, M)
    starts = optimal_starts(a, s, o, M, **kwargs)
    return int((starts - a).sum()) + a.size * o


def solve(
    instance: Instance,
    *,
    time_limit: float | None = None,
    threads: int = 1,
    gap: float = 0.0,
    initial: Schedule | None = None,
    log: bool = False,
    seed: int = 0,
    max_states: int = MAX_STATES,
    max_total: int = MAX_TOTAL,
    **options: Any,
) -> Result:
    """Backend ``"identical-stream"``: the proven optimum of an identical stream.

    Parameters
    ----------
    instance
        Requests with one prompt and one output, any arrivals; no eviction.
    time_limit
        Seconds after which the search refuses (``None``: no limit).
    threads, gap, initial, seed
        Accepted for the common backend signature and ignored (exact, sequential).
    log
        Print the parameters, the search statistics and the objective.
    max_states, max_total
        As in :func:`optimal_counts`.
    **options
        Must be empty.

    Returns
    -------
    Result
        Status ``"optimal"``, ``lower_bound`` equal to the objective, the schedule, and
        the search statistics in ``metadata``.
    """
    if options:
        raise StreamError(f"identical-stream: unknown option(s) {sorted(options)}")
    t0 = time.perf_counter()
    s, o, M, a = stream_parameters(instance)
    info: dict = {}
    starts = optimal_starts(
        a, s, o, M, max_states=max_states, max_total=max_total, time_limit=time_limit, info=info
    )
    objective = int((starts - a).sum()) + instance.n * o
    if log:
        print(f"identical-stream: n={instance.n} s={s} o={o} M={M} {info} objective={objective}")
    return Result(
        instance=instance.name,
        solver="identical-stream",
        status="optimal",
        objective=objective,
        lower_bound=float(objective),
        runtime=time.perf_counter() - t0,
        schedule=Schedule.from_indices(instance, np.arange(instance.n), starts),
        metadata={**info, "n": instance.n, "prompt": s, "output": o, "memory": M},
    )


class StreamPlanner:
    """Exact plans from a running state, for policies (:mod:`kvopt.policies.compensated`).

    Holds one lazily grown staircase table for ``(s, o, M)``. A policy tracks the
    staircase of its own past starts with :meth:`after` and asks :meth:`first_start`
    for the first decision of an optimal schedule of the deterministic problem "these
    requests wait now, these arrive later".
    """

    def __init__(self, s: int, o: int, M: int) -> None:
        _checked([], s, o, M)
        self.table = _MoveTable(s, o, M)
        self.limits = {"max_states": MAX_STATES, "max_total": MAX_TOTAL, "deadline": None}

    def cap(self, sid: int) -> int:
        """Most requests that may start now from staircase ``sid``."""
        row = self.table.rows(np.array([sid]))[0]
        return int(np.flatnonzero(row >= 0).max())

    def after(self, sid: int, x: int) -> int:
        """The staircase after starting ``x`` requests (``x <= cap(sid)``)."""
        return int(self.table.rows(np.array([sid]))[0, x])

    def first_start(self, sid: int, waiting: int, times, counts) -> int:
        """Starts now in an optimal plan: ``waiting`` now, ``counts[j]`` at ``times[j] > 0``."""
        times = np.asarray(times, dtype=np.int64)
        counts = np.asarray(counts, dtype=np.int64)
        keep = counts > 0
        plan, _, _ = _search(times[keep], counts[keep], self.table, self.limits, (0, sid, waiting))
        return int(plan.get(0, 0))

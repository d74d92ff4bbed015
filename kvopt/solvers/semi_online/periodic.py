"""Periodic certificates: the semi-online optimum for every ``n`` from one finite DP.

For identical requests whose staircases are few enough to enumerate
(:mod:`kvopt.solvers.semi_online.dp`), the layered DP costs ``O(n K (q + o))`` for ``n``
requests. This module replaces the part of it that grows with ``n`` by a
*certificate*, checked with exact integer arithmetic, that the DP's value function
``V(sigma, r)`` continues periodically beyond a computed horizon ``R``:

    V(sigma, r + P) = V(sigma, r) + ell * r + delta[sigma]    for every r >= R0,

with a period ``P`` (requests), a slope ``ell`` and one integer ``delta`` per
staircase. The function ``phi`` equal to ``V`` up to ``R`` and continued by this rule
is proven (``proofs/semi_online_periodic.md``) to be the exact value function for
every ``r`` when two finite checks pass:

1. ``P - ell * x + delta[nxt[sigma, x]] - delta[sigma] >= 0`` for every staircase
   ``sigma`` and allowed move ``x`` (the continued ``phi`` satisfies every Bellman
   inequality, so it is a lower bound), and
2. in each residue class of ``r`` modulo ``P`` every staircase has a move that is
   optimal in the last period before ``R`` *and* has equality in 1 (so the bound is
   attained, by the schedule that follows those moves).

Then ``Z*(n) = phi(empty, n)`` costs O(1) for every ``n`` and an optimal schedule
O(output) after one DP to ``R``. The period and the slope are *found* from the DP's
values (the observation of ``models/semi_online.md``); nothing found is trusted
unless the checks pass. When they fail (or the limits are reached), :func:`certify`
returns ``None`` and :mod:`kvopt.solvers.semi_online.dp` falls back to the plain DP. A
certificate exists for every ``(s, o, M)`` (Theorem 5 of the proof:
the value function is eventually periodic, :mod:`kvopt.solvers.semi_online.asymptotics`),
so only the finite horizons and memory limits can make the search fail; every
certificate that is returned is proven.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np

from kvopt.solvers.semi_online.quotient import minimise
from kvopt.solvers.semi_online.staircase import (
    MAX_STATES,
    SearchLimit,
    SemiOnlineError,
    check_parameters,
    choice_dtype,
    dp_layers,
    enumerate_staircases,
    walk,
)

#: Horizons tried, in order, by :func:`certify` (each one capped by the limits).
HORIZONS = (64, 128, 256, 512, 1024, 2048, 4096, 8192)

#: Most cells (staircases x layers) of value rows kept for the period search.
MAX_WINDOW_CELLS = 32_000_000

#: Certificates kept in memory, by ``(s, o, M)``.
CACHE_SIZE = 4

_CACHE: OrderedDict[tuple[int, int, int], PeriodicCertificate | None] = OrderedDict()


@dataclass(frozen=True)
class PeriodicCertificate:
    """A checked periodic continuation of the staircase DP (see the module docstring).

    Attributes
    ----------
    period
        ``P``: requests per period.
    slope
        ``ell``: ``V(sigma, r + P) - V(sigma, r) - delta[sigma] = ell * r`` past ``start``.
    start
        ``R0``: the rule holds (in the DP's values) from ``r = R0`` on.
    horizon
        ``R``: the DP was run for ``r <= R``.
    nxt
        Move table of the staircases
        (:func:`kvopt.solvers.semi_online.staircase.enumerate_staircases`).
    choice
        The DP's optimal move for every ``r <= R`` and staircase.
    empty_values
        ``V(empty, r) = Z*(r)`` for ``r <= R``.
    delta
        ``delta[sigma]`` for every staircase.
    eventual
        ``eventual[sigma, r % P]``: an optimal move for every ``r > R`` (check 2).
    staircases
        ``K``, the staircases enumerated; more than the rows of ``nxt`` when the
        certificate was found on the minimal automaton
        (:mod:`kvopt.solvers.semi_online.quotient`), 0 if not recorded.
    """

    period: int
    slope: int
    start: int
    horizon: int
    nxt: np.ndarray
    choice: np.ndarray
    empty_values: np.ndarray
    delta: np.ndarray
    eventual: np.ndarray
    staircases: int = 0

    def describe(self) -> dict:
        """``algorithm``, ``staircases``, ``states``, ``period``, ``slope``, ``start``,
        ``horizon`` (``states``: rows of the move table the DP ran over)."""
        return {
            "algorithm": "periodic",
            "staircases": self.staircases or int(self.nxt.shape[0]),
            "states": int(self.nxt.shape[0]),
            "period": self.period,
            "slope": self.slope,
            "start": self.start,
            "horizon": self.horizon,
        }

    def value(self, n: int) -> int:
        """``Z*(n)``, the optimal sum of starts of ``n`` requests, in O(1)."""
        R, P = self.horizon, self.period
        if n <= R:
            return int(self.empty_values[n])
        base = R - ((R - n) % P)  # in (R - P, R], congruent to n modulo P
        m = (n - base) // P
        ell, d = self.slope, int(self.delta[0])
        return int(self.empty_values[base]) + m * ell * base + ell * P * m * (m - 1) // 2 + m * d

    def values(self, n_max: int) -> np.ndarray:
        """``Z*(n)`` for every ``n = 0 .. n_max`` (int64; :meth:`value` vectorised).

        Raises
        ------
        OverflowError
            If ``Z*(n_max)`` might not fit in int64 (use :meth:`value`, exact).
        """
        R, P, ell = self.horizon, self.period, self.slope
        d = int(self.delta[0])
        if (abs(ell) + 1) * (n_max + 1) ** 2 + abs(d) * (n_max + 1) >= 2**62:
            raise OverflowError(f"Z*(n) for n up to {n_max} may not fit in int64")
        n = np.arange(n_max + 1, dtype=np.int64)
        out = self.empty_values[np.minimum(n, R)].copy()
        far = n > R
        base = R - ((R - n[far]) % P)
        m = (n[far] - base) // P
        out[far] = self.empty_values[base] + m * ell * base + ell * P * m * (m - 1) // 2 + m * d
        return out

    def groups(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """An optimal schedule for ``n`` requests as start groups ``(times, sizes)``.

        Follows the eventual moves while more than ``R`` requests wait, repeating a
        cycle of them arithmetically once one closes (the moves depend only on the
        staircase and ``r mod P`` there), then the DP's choices. O(number of groups
        + K P) time, whatever the schedule's length. The schedule's sum of starts is
        compared with :meth:`value` (a mismatch would be a bug and raises).
        """

        R, P, nxt, eventual = self.horizon, self.period, self.nxt, self.eventual
        times: list[np.ndarray] = []
        sizes: list[np.ndarray] = []
        t0 = 0  # time of head[0]
        head: list[int] = []

        def flush() -> None:
            nonlocal t0, head
            x = np.asarray(head, dtype=np.int64)
            nz = np.flatnonzero(x)
            times.append(t0 + nz)
            sizes.append(x[nz])
            t0 += x.size
            head = []

        i, r = 0, n
        seen: dict[tuple[int, int], tuple[int, int]] = {}
        skipped = False
        while r > R:
            key = (i, r % P)
            if not skipped and key in seen:
                skipped = True
                at, r_then = seen[key]
                per_cycle = r_then - r
                reps = (r - R - 1) // per_cycle
                if reps > 0:
                    cycle = np.asarray(head[at:], dtype=np.int64)
                    flush()
                    nz = np.flatnonzero(cycle)
                    offsets = t0 + cycle.size * np.arange(reps, dtype=np.int64)
                    times.append(np.add.outer(offsets, nz).ravel())
                    sizes.append(np.tile(cycle[nz], reps))
                    t0 += reps * cycle.size
                    r -= reps * per_cycle
                continue
            seen[key] = (len(head), r)
            x = int(eventual[i, r % P])
            head.append(x)
            i = int(nxt[i, x])
            r -= x
        head.extend(walk(nxt, self.choice, i, r))
        flush()
        out_t, out_s = np.concatenate(times), np.concatenate(sizes)
        total = int(np.dot(out_t.astype(object), out_s.astype(object))) if out_t.size else 0
        if int(out_s.sum()) != n or total != self.value(n):
            raise AssertionError(
                f"periodic certificate: the walk for n={n} starts {int(out_s.sum())} "
                f"requests with sum of starts {total}, the certificate says {self.value(n)}"
            )
        return out_t, out_s


def cached(s: int, o: int, M: int) -> PeriodicCertificate | None:
    """The cached result of :func:`certify` for ``(s, o, M)`` (``None`` if none was
    found, or if it was never computed: see :func:`is_cached`)."""
    key = (s, o, M)
    if key not in _CACHE:
        return None
    _CACHE.move_to_end(key)
    return _CACHE[key]


def is_cached(s: int, o: int, M: int) -> bool:
    """Whether :func:`certify` ran for ``(s, o, M)`` and its result is still cached."""
    return (s, o, M) in _CACHE


def _smallest_period(seq: np.ndarray, max_period: int) -> int | None:
    """Smallest ``p`` with ``seq[j + p] == seq[j]`` on the second half of ``seq``."""
    tail = seq[seq.size // 2 :]
    for p in range(1, min(max_period, tail.size // 2) + 1):
        if np.array_equal(tail[p:], tail[:-p]):
            return p
    return None


def _try_period(
    nxt: np.ndarray, rows: list[np.ndarray], first: int, R: int, P: int, q: int
) -> tuple[int, int, np.ndarray, np.ndarray] | None:
    """Checks (a)-(d) of Theorem 3 for period ``P`` on the kept rows ``V(., first .. R)``.

    ``rows[j]`` is ``V(., first + j)``. Finds the slope ``ell`` and the smallest ``R0``
    from which rule (a) holds on the kept rows (one row of ``K`` values at a time),
    then checks (b), (c) and (d). Returns ``(ell, R0, delta, eventual)`` or ``None``.
    """
    K = nxt.shape[0]

    def step(j: int) -> np.ndarray:  # V(., r + P) - V(., r) for r = first + j, in int64
        return rows[j + P].astype(np.int64) - rows[j]

    last = len(rows) - 1 - P  # the last j with r + P <= R
    if last < 1:
        return None
    later = step(last)
    earlier = step(last - 1)
    ell = int(later[0] - earlier[0])
    j0 = last
    while j0 > 0:
        if not np.all(later - earlier == ell):
            break
        j0 -= 1
        later = earlier
        if j0 > 0:
            earlier = step(j0 - 1)
    R0 = first + j0
    if R - P - R0 < P + q:  # (b)
        return None
    delta = later - ell * R0  # V(., R0 + P) - V(., R0) - ell R0; later == step(j0)
    # (c): every Bellman inequality of the continuation.
    slack_step = np.full((K, q + 1), np.iinfo(np.int64).max, dtype=np.int64)
    for x in range(q + 1):
        ok = nxt[:, x] >= 0
        slack_step[ok, x] = P - ell * x + delta[nxt[ok, x]] - delta[ok]
    if (slack_step < 0).any():
        return None
    # (d): an optimal move with equality in every residue class, from the last period
    # (r in (R - P, R]; r - q >= R0 there by (b)).
    eventual = np.full((K, P), -1, dtype=np.int64)
    for r in range(R - P + 1, R + 1):
        here = rows[r - first].astype(np.int64)
        found = np.full(K, -1, dtype=np.int64)
        for x in range(q, -1, -1):
            ok = np.flatnonzero((nxt[:, x] >= 0) & (slack_step[:, x] == 0) & (found < 0))
            if ok.size == 0:
                continue
            below = rows[r - x - first]
            tight = (r - x) + below[nxt[ok, x]].astype(np.int64) == here[ok]
            found[ok[tight]] = x
        if (found < 0).any():
            return None
        eventual[:, r % P] = found
    return ell, R0, delta, eventual


def _limits_bind(K: int, horizons: tuple[int, ...], max_table: int) -> bool:
    """Whether the memory limits cut the search short for ``K`` staircases."""
    return K * (horizons[-1] + 1) > max_table or MAX_WINDOW_CELLS // K < horizons[-1] // 2


def _search(
    nxt: np.ndarray,
    horizons: tuple[int, ...],
    max_table: int,
    deadline: float | None,
    o: int,
) -> tuple[PeriodicCertificate | None, bool]:
    """The certificate search of :func:`certify` on one move table.

    Returns the certificate found (or ``None``) and whether the search ran to its
    end (``False`` when the deadline stopped it).
    """
    K, width = nxt.shape
    q = width - 1
    usable = [R for R in horizons if K * (R + 1) <= max_table]
    if not usable:
        return None, True
    R_max = usable[-1]
    keep = max(2, min(R_max // 2, MAX_WINDOW_CELLS // K))
    # V(sigma, r) <= o r^2 (wait until empty, then one request every o times), so the
    # kept rows fit in int32 when o R^2 (plus the move costs) stays below 2^30.
    row_type = np.int32 if o * (R_max + 1) ** 2 < 2**30 else np.int64
    rows: list[np.ndarray] = [np.zeros(K, dtype=row_type)]
    first = 0  # the layer rows[0] holds
    dtype = choice_dtype(q)
    choice = np.zeros((R_max + 1, K), dtype=dtype)
    empty = np.zeros(R_max + 1, dtype=np.int64)
    found = None
    complete = True
    try:
        for r, value, best in dp_layers(nxt, R_max, deadline):
            choice[r] = best
            empty[r] = value[0]
            rows.append(value.astype(row_type))
            if len(rows) > keep:
                rows.pop(0)
                first += 1
            if r not in usable:
                continue
            d2 = np.diff(empty[: r + 1], 2)
            p0 = _smallest_period(d2, max_period=len(rows) // 3)
            if p0 is None:
                continue
            for P in range(p0, len(rows) // 3 + 1, p0):
                got = _try_period(nxt, rows, first, r, P, q)
                if got is not None:
                    ell, R0, delta, eventual = got
                    found = PeriodicCertificate(
                        P, ell, R0, r, nxt, choice[: r + 1].copy(), empty[: r + 1].copy(),
                        delta, eventual,
                    )  # fmt: skip
                    break
            if found is not None:
                break
            if deadline is not None and time.perf_counter() > deadline:
                complete = False
                break
    except SearchLimit:
        found, complete = None, False
    return found, complete


def certify(
    s: int,
    o: int,
    M: int,
    nxt: np.ndarray | None = None,
    *,
    horizons: tuple[int, ...] = HORIZONS,
    max_table: int = 200_000_000,
    deadline: float | None = None,
) -> PeriodicCertificate | None:
    """A checked periodic certificate for ``(s, o, M)``, or ``None`` if none was found.

    Runs the layered DP once, up to the largest horizon the limits allow, and at each
    horizon ``R`` of ``horizons`` looks for a period (multiples of the period of the
    second differences of ``Z*``) whose continuation passes both checks. Results are
    cached for the last :data:`CACHE_SIZE` parameter sets: a certificate always, a
    failure only when the search ran to the end with the default ``horizons`` (not
    when the deadline stopped it), so that a later call may still find one. When no
    certificate passes and the memory limits were binding (the choice table or the
    kept value rows cut the horizons), the search is repeated once on the minimal
    automaton of the staircases (:func:`kvopt.solvers.semi_online.quotient.minimise`), whose
    values are the same and whose rows are fewer.

    Parameters
    ----------
    s, o, M
        The identical requests' prompt, output and the memory (for the cache key).
    nxt
        Their staircase move table (default: enumerated here, up to
        :data:`kvopt.solvers.semi_online.staircase.MAX_STATES` staircases, else
        :class:`~kvopt.solvers.semi_online.staircase.SemiOnlineError`).
    horizons
        The horizons ``R`` tried, increasing.
    max_table
        Most cells of the choice table (``K (R + 1)`` bytes).
    deadline
        ``time.perf_counter()`` value after which the search gives up (``None``).
    """
    key = (s, o, M)
    if key in _CACHE:
        return cached(s, o, M)

    if nxt is None:
        check_parameters(1, s, o, M)
        try:
            nxt = enumerate_staircases(s, o, M, MAX_STATES)
        except SearchLimit as stop:
            raise SemiOnlineError(
                f"semi-online: more than {stop.expanded} staircases for s={s}, o={o}, M={M}"
            ) from None
    K = nxt.shape[0]
    found, complete = _search(nxt, horizons, max_table, deadline, o)
    if found is None and complete and _limits_bind(K, horizons, max_table):
        # the limits, not a failed check, may have stopped the search: retry on the
        # minimal automaton (proofs/semi_online_quotient.md), which has the same values
        try:
            small = minimise(nxt, deadline)
        except TimeoutError:
            small, complete = nxt, False
        if small.shape[0] < K:
            found, complete = _search(small, horizons, max_table, deadline, o)
    if found is not None:
        found = replace(found, staircases=K)
    if found is None and (not complete or tuple(horizons) != HORIZONS):
        return None
    _CACHE[key] = found
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return found

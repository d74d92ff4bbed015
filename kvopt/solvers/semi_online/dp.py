"""Exact schedules for the semi-online problem with identical requests.

The class this module solves exactly: ``n`` requests with the same prompt ``s`` and
output ``o``, all arriving at the same time (shifted to 0), one worker with ``M``
tokens of KV cache, no eviction. A schedule is then a vector of *start counts*
``x_k`` (how many requests start at time ``k``), and the problem is

    min  sum_k k x_k     s.t.  sum_k x_k = n,
         sum_{k = t-o}^{t-1} (s + t - k) x_k <= M   for every round t.

Total latency is ``sum_k k x_k + n o``. The paper P1 (v1/v2) claims a polynomial-time
exact algorithm for a semi-online model; its text is not available to us and this
module is our own **reconstruction** (``proofs/semi_online_optimality.md``). What is
proven, and no more:

* ``n <= floor(M / (s + o))``: everything starts at 0 (:func:`optimal_counts`, O(1)).
* *Prompt-dominated* instances, ``floor(M / (s + 1)) == floor(M / (s + o)) = L``: at
  most ``L`` requests can ever run together and ``L`` always fit, so the optimum runs
  ``L`` back-to-back lanes; closed form, O(1) for the objective and O(n) for the
  schedule (``proofs/semi_online_prompt_dominated.md``).
* Every other instance: an exact shortest path over *staircase states* (the open
  memory budgets of the last ``o - 1`` start groups, with dominated budgets removed).
  By default all ``K`` reachable staircases are enumerated once and a layered DP over
  ``(staircase, r)`` runs in ``O(n K (q + o))`` time, vectorised over staircases:
  linear in ``n`` for fixed ``(s, o, M)``. When ``K`` is too large an A* search over
  the same states is tried instead (for ``n <= ASTAR_MAX_N``). At most
  ``N* <= 4q + 2`` requests start in any ``o - 1`` consecutive times
  (:func:`window_bound`, ``proofs/semi_online_fixed_q.md``), so ``K`` is at most
  ``C(N* + o - 1, o - 1)``: polynomial in ``o`` for every fixed ``q``, whatever
  ``s`` and ``M`` are, but exponential in ``o`` when ``q`` grows with ``o``. We did
  **not** find an algorithm polynomial in ``n`` and ``o`` for that general case.
  When the DP's choice table does not fit, it runs on the minimal automaton of the
  staircases (:mod:`kvopt.solvers.semi_online.quotient`). Past ``max_states`` the
  algorithm refuses.
* For large ``n`` (``n > PERIODIC_MIN_N``) a *periodic certificate*
  (:mod:`kvopt.solvers.semi_online.periodic`, ``proofs/semi_online_periodic.md``) removes the
  factor ``n``: the DP runs once to a horizon ``R`` (64 or 128 in every case measured), a
  period of its value function is read off and checked for all ``r`` with exact
  integers, and then ``Z*(n)`` is a formula and an optimal schedule a walk that
  repeats a cycle. A certificate is only used when its checks pass; otherwise the
  plain DP runs.

Public API: :func:`optimal_groups`, :func:`optimal_counts`, :func:`optimal_starts`,
:func:`optimal_total_latency`, :func:`optimal_sums` (every ``n`` up to a bound at
once), :func:`greedy_counts` (the "start as many as stay feasible forever" rule,
which is not optimal: ``proofs/greedy_not_optimal.md``),
:func:`window_bound`, :func:`identical_parameters`, and the backend :func:`solve`
registered as ``"semi-online"`` in :data:`kvopt.solve.SOLVERS`.
"""

from __future__ import annotations

import heapq
import time
from typing import Any, NamedTuple

import numpy as np

from kvopt.model import Instance
from kvopt.result import Result
from kvopt.schedule import Schedule
from kvopt.solvers.semi_online import periodic
from kvopt.solvers.semi_online.staircase import (
    MAX_STATES,
    SearchLimit,
    SemiOnlineError,
    check_parameters,
    choice_dtype,
    dp_layers,
    enumerate_staircases,
    minimised,
    move,
    start_cap,
    walk,
)

#: Largest ``n`` for which ``search="auto"`` falls back to A* when the DP is too big.
ASTAR_MAX_N = 10_000

#: Largest choice table (cells, one byte each) the layered DP may allocate.
MAX_TABLE = 200_000_000

#: ``search="auto"`` tries a periodic certificate (:mod:`kvopt.solvers.semi_online.periodic`)
#: for larger ``n`` than this, and the plain layered DP below it or if none is found.
PERIODIC_MIN_N = 2048

#: Name of the method used, reported in ``Result.metadata["method"]``.
METHODS = ("all-at-once", "prompt-dominated", "staircase")


class IdenticalParameters(NamedTuple):
    """The four numbers an identical-request instance is made of.

    Attributes
    ----------
    n
        Number of requests.
    prompt
        Common prompt size ``s``.
    output
        Common output length ``o``.
    memory
        KV-cache capacity ``M``.
    arrival
        Common arrival time (starts are shifted by it).
    """

    n: int
    prompt: int
    output: int
    memory: int
    arrival: int = 0


def identical_parameters(instance: Instance) -> IdenticalParameters:
    """``(n, s, o, M, a)`` of an identical-request instance.

    Raises
    ------
    SemiOnlineError
        Naming every reason the instance is outside the class: arrivals, prompts or
        outputs that differ, or no requests.
    """
    if instance.n == 0:
        raise SemiOnlineError("semi-online: the instance has no requests")
    reasons = []
    for field, col in (
        ("arrival", instance.arrival),
        ("prompt", instance.prompt),
        ("output", instance.output),
    ):
        lo, hi = int(col.min()), int(col.max())
        if lo != hi:
            first = int(np.flatnonzero(col != col[0])[0])
            reasons.append(
                f"{field}s differ (request {instance.ids[0]!r} has {int(col[0])}, "
                f"request {instance.ids[first]!r} has {int(col[first])})"
            )
    if reasons:
        raise SemiOnlineError(
            "semi-online solves only identical requests (same arrival, prompt and "
            "output); here " + "; ".join(reasons)
        )
    return IdenticalParameters(
        instance.n,
        int(instance.prompt[0]),
        int(instance.output[0]),
        int(instance.memory),
        int(instance.arrival[0]),
    )


def is_prompt_dominated(s: int, o: int, M: int) -> bool:
    """Whether ``floor(M / (s + 1)) == floor(M / (s + o))`` (memory is a pure slot count)."""
    return M // (s + 1) == M // (s + o)


def method_for(n: int, s: int, o: int, M: int) -> str:
    """Which of :data:`METHODS` :func:`optimal_counts` uses for these parameters."""
    check_parameters(n, s, o, M)
    if n <= M // (s + o):
        return "all-at-once"
    if is_prompt_dominated(s, o, M):
        return "prompt-dominated"
    return "staircase"


def _lane_groups(n: int, o: int, L: int) -> tuple[np.ndarray, np.ndarray]:
    """``L`` starts at times 0, o, 2o, ... until ``n`` have started (sparse groups)."""
    m, r = divmod(n, L)
    times = o * np.arange(m + (r > 0), dtype=np.int64)
    sizes = np.full(times.size, L, dtype=np.int64)
    if r:
        sizes[-1] = r
    return times, sizes


def _start_caps(s: int, o: int, M: int) -> list[int]:
    """``f[j]``: at most this many requests start in ``j <= o`` consecutive times.

    The earliest of them completes at a round in which all of them still run, the
    earliest at its peak ``s + o`` and each at least ``s + o - j + 1``
    (``proofs/semi_online_optimality.md``, Lemma 4).
    """
    return [0] + [M // (s + o - j + 1) for j in range(1, o + 1)]


def window_bound(s: int, o: int, M: int) -> int:
    """``N*``: most requests that can start in any ``o - 1`` consecutive times.

    ``floor(M / (c - alpha)) + floor(M / (c - beta))`` with ``c = s + o``,
    ``alpha = ceil((o - 3) / 2)``, ``beta = floor((o - 3) / 2)`` (``q`` for
    ``o <= 2``); at most ``4 q + 2``. Every staircase therefore has at most ``N*``
    groups and ``K <= C(N* + o - 1, o - 1)``, a polynomial in ``o`` for fixed ``q``
    (``proofs/semi_online_fixed_q.md``).
    """
    c = s + o
    if o <= 2:
        return M // c
    return M // (c - (o - 2) // 2) + M // (c - (o - 3) // 2)


def _cost_bounds(n: int, s: int, o: int, M: int) -> np.ndarray:
    """``h[r]``: a lower bound on the cost still to pay with ``r`` requests waiting.

    ``F(j) = floor(j / o) f[o] + f[j mod o]`` bounds the starts in any ``j``
    consecutive times, so after ``j`` more times at least ``r - F(j)`` still wait:
    ``h[r] = sum_{j >= 1} max(0, r - F(j))``. Ignoring the open groups of the state
    only relaxes the problem, so ``h`` is admissible for A*.
    """
    f = _start_caps(s, o, M)
    W = f[o]
    # F(j) for j = 1 .. J, where J is the first j with F(j) >= n
    J = o * (n // W + 1)
    j = np.arange(1, J + 1)
    F = (j // o) * W + np.asarray(f, dtype=np.int64)[j % o]
    F = np.minimum(F, n)
    # h[r] = sum_{j: F(j) < r} (r - F(j)); F is non-decreasing
    cnt = np.bincount(F, minlength=n + 1)[: n + 1]  # how many j have F(j) == v
    below = np.concatenate(([0], np.cumsum(cnt)[:-1]))  # j with F(j) < r
    below_sum = np.concatenate(([0], np.cumsum(cnt * np.arange(n + 1))[:-1]))
    r = np.arange(n + 1)
    return r * below - below_sum


def _staircase_search(
    n: int, s: int, o: int, M: int, max_states: int, deadline: float | None
) -> tuple[list[int], int]:
    """A* over staircase states; returns the start counts and the states expanded.

    A state after deciding the starts of time ``t`` is ``(groups, r)``: ``r`` requests
    not started yet and ``groups`` the non-dominated *open* start groups, each as
    ``(age, budget)`` with ``age = t - k`` for a group started at ``k`` and ``budget``
    the memory its completion round still has free for requests started after ``t``
    (``proofs/semi_online_optimality.md``, Lemmas 1-3). Starting ``x`` at ``t + 1``
    costs ``r - x`` (requests still waiting), and the objective is the path's cost.
    """
    c = s + o
    q = M // c
    h = _cost_bounds(n, s, o, M).tolist()
    start = ((), n)
    best = {start: 0}
    parent: dict[tuple, tuple | None] = {start: None}
    heap = [(h[n], 0, start)]
    expanded = 0
    while heap:
        f, d, state = heapq.heappop(heap)
        if d > best[state]:
            continue
        groups, r = state
        if r == 0:
            counts = []
            while parent[state] is not None:
                state, x = parent[state]
                counts.append(x)
            return counts[::-1], expanded
        expanded += 1
        if expanded > max_states or (
            deadline is not None and expanded % 4096 == 0 and time.perf_counter() > deadline
        ):
            raise SearchLimit(f, expanded)
        for x in range(min(r, start_cap(groups, c, q)), -1, -1):
            r2 = r - x
            nxt = (move(groups, x, s, o, M, r2), r2)
            nd = d + r2
            if nd < best.get(nxt, nd + 1):
                best[nxt] = nd
                parent[nxt] = (state, x)
                heapq.heappush(heap, (nd + h[r2], nd, nxt))
    raise AssertionError("unreachable: one request at a time is always feasible")


def _staircase_dp(
    n: int, nxt: np.ndarray, deadline: float | None, *, choices: bool = True
) -> tuple[list[int], np.ndarray]:
    """Exact layered DP over ``(staircase, r)`` for ``r = 1 .. n`` (:func:`dp_layers`).

    Returns the optimal start counts for ``n`` (empty without ``choices``, which
    then keeps no choice table) and ``V(empty, r)`` for ``r = 0 .. n``, i.e. the
    optimal sum of starts of every instance with ``r <= n`` requests. Time
    ``O(n K (q + o))``.
    """
    K, width = nxt.shape
    q = width - 1
    dtype = choice_dtype(q)
    choice = np.zeros((n + 1 if choices else 1, K), dtype=dtype)
    empty_values = np.zeros(n + 1, dtype=np.int64)
    for r, value, best in dp_layers(nxt, n, deadline):
        if choices:
            choice[r] = best
        empty_values[r] = value[0]
    return (walk(nxt, choice, 0, n) if choices else []), empty_values


def _certified_groups(
    cert: periodic.PeriodicCertificate, n: int, info: dict
) -> tuple[np.ndarray, np.ndarray]:
    """The schedule of a checked certificate, with its description put in ``info``."""
    info.update(cert.describe())
    return cert.groups(n)


def optimal_groups(
    n: int,
    s: int,
    o: int,
    M: int,
    *,
    max_states: int = MAX_STATES,
    time_limit: float | None = None,
    search: str = "auto",
    info: dict | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """An optimal schedule as start *groups*: ``sizes[g]`` requests start at ``times[g]``.

    Parameters
    ----------
    n, s, o, M
        Requests, prompt, output and memory (``s + o <= M``).
    max_states
        The exact search refuses after expanding this many states.
    time_limit
        Seconds after which the exact search refuses (``None``: no limit).
    search
        How the third case is solved: ``"dp"`` (layered DP over all reachable
        staircases, ``O(n K (q + o))``), ``"astar"`` (A* over (staircase, r)),
        ``"periodic"`` (a checked periodic certificate,
        :mod:`kvopt.solvers.semi_online.periodic`; refuses if none is found), or ``"auto"``:
        when the ``K`` staircases number at most ``max_states``, a periodic
        certificate if ``n > PERIODIC_MIN_N`` and one is found, else the DP
        (if its choice table, ``K (n + 1)`` bytes, exceeds :data:`MAX_TABLE`, on
        the minimal automaton of the staircases,
        :func:`kvopt.solvers.semi_online.quotient.minimise`, and refusing if that is still
        too large); with more staircases A* if ``n <= ASTAR_MAX_N``, else refuse.
    info
        If given, filled with ``"algorithm"`` (``"all-at-once"``,
        ``"prompt-dominated"``, ``"dp"``, ``"astar"`` or ``"periodic"``) and, for the
        staircase algorithms, ``"staircases"`` (K, when enumerated), ``"states"``
        (rows of the move table the DP ran over: K, or fewer after minimisation)
        and the certificate's ``"period"``, ``"slope"``, ``"horizon"``.

    Returns
    -------
    times, sizes : numpy.ndarray
        int64 arrays; ``times`` strictly increasing, ``sizes`` positive, summing to
        ``n``; the schedule minimises ``sum_g times[g] * sizes[g]``.

    Raises
    ------
    SemiOnlineError
        On invalid parameters, or when the exact search exceeds its limits (the
        message gives the proven lower bound reached).
    """
    method = method_for(n, s, o, M)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    info = {} if info is None else info
    info["algorithm"] = method
    if method == "all-at-once":
        return np.zeros(1, dtype=np.int64), np.array([n], dtype=np.int64)
    if method == "prompt-dominated":
        return _lane_groups(n, o, M // (s + o))
    if search not in ("auto", "dp", "astar", "periodic"):
        raise SemiOnlineError(f"search must be 'auto', 'dp', 'astar' or 'periodic', got {search!r}")
    if M // (s + o) >= max_states:
        raise SemiOnlineError(
            f"semi-online: up to {M // (s + o)} requests may start at one time (n={n}, "
            f"s={s}, o={o}, M={M}), more moves per state than max_states={max_states}"
        )
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    try:
        counts = None
        if search == "periodic":
            nxt = enumerate_staircases(s, o, M, max_states, deadline)
            cert = periodic.certify(s, o, M, nxt, max_table=MAX_TABLE, deadline=deadline)
            if cert is None:
                raise SemiOnlineError(
                    f"semi-online: no periodic certificate found for s={s}, o={o}, M={M} "
                    "within the horizons and limits (use search='auto' or 'dp')"
                )
            return _certified_groups(cert, n, info)
        if search == "auto" and n > PERIODIC_MIN_N:
            cert = periodic.cached(s, o, M)  # skips the enumeration when cached
            if cert is not None:
                return _certified_groups(cert, n, info)
        if search in ("auto", "dp"):
            try:
                nxt = enumerate_staircases(s, o, M, max_states, deadline)
            except SearchLimit:
                if search == "dp":
                    raise
                nxt = None
            if nxt is not None and search == "auto" and n > PERIODIC_MIN_N:
                # certify answers from its cache (a cached failure included) at once
                cert = periodic.certify(s, o, M, nxt, max_table=MAX_TABLE, deadline=deadline)
                if cert is not None:
                    return _certified_groups(cert, n, info)
            if nxt is not None:
                K = int(nxt.shape[0])
                if search == "auto" and K * (n + 1) > MAX_TABLE:
                    nxt = minimised(nxt, deadline)  # same values, fewer rows
                if search == "auto" and nxt.shape[0] * (n + 1) > MAX_TABLE:
                    raise SemiOnlineError(
                        f"semi-online: the layered DP for n={n}, s={s}, o={o}, M={M} needs "
                        f"a choice table of {nxt.shape[0]} states ({K} staircases before "
                        f"minimisation) x {n + 1} layers, "
                        f"more than MAX_TABLE = {MAX_TABLE} cells (pass search='dp' to "
                        "allocate it anyway)"
                    )
                counts, _ = _staircase_dp(n, nxt, deadline)
                info.update(algorithm="dp", staircases=K, states=int(nxt.shape[0]))
        if counts is None:
            if search == "auto" and n > ASTAR_MAX_N:
                raise SemiOnlineError(
                    f"semi-online: more than max_states={max_states} staircases for s={s}, "
                    f"o={o}, M={M}, and n={n} is too large for the A* fallback "
                    f"(ASTAR_MAX_N = {ASTAR_MAX_N}); the exact algorithms are exponential "
                    "in o in the worst case"
                )
            counts, _ = _staircase_search(n, s, o, M, max_states, deadline)
            info["algorithm"] = "astar"
    except SearchLimit as stop:
        raise SemiOnlineError(
            f"semi-online: the exact staircase search ({search}) for n={n}, s={s}, o={o}, "
            f"M={M} stopped after {stop.expanded} states (limit max_states={max_states}, "
            f"time_limit={time_limit}); proven lower bound on sum of starts: {stop.bound}. "
            "This instance is neither 'all at once' nor prompt-dominated, and the "
            "exact search is exponential in o in the worst case"
        ) from None
    x = np.array(counts, dtype=np.int64)
    times = np.flatnonzero(x).astype(np.int64)
    return times, x[times]


def optimal_counts(n: int, s: int, o: int, M: int, **kwargs: Any) -> np.ndarray:
    """Optimal start counts ``x_k`` (``x[k]`` requests start at time ``k``), dense.

    The array is as long as the last start time plus one (use
    :func:`optimal_groups` for long horizons). Arguments as :func:`optimal_groups`;
    empty for ``n = 0``, otherwise its last entry is positive.
    """
    times, sizes = optimal_groups(n, s, o, M, **kwargs)
    x = np.zeros(int(times[-1]) + 1 if times.size else 0, dtype=np.int64)
    x[times] = sizes
    return x


def counts_to_starts(counts: np.ndarray) -> np.ndarray:
    """Sorted start times from start counts."""
    counts = np.asarray(counts, dtype=np.int64)
    return np.repeat(np.arange(counts.size, dtype=np.int64), counts)


def optimal_starts(n: int, s: int, o: int, M: int, **kwargs: Any) -> np.ndarray:
    """Sorted optimal start times (arguments as :func:`optimal_groups`)."""
    times, sizes = optimal_groups(n, s, o, M, **kwargs)
    return np.repeat(times, sizes)


def optimal_total_latency(n: int, s: int, o: int, M: int, **kwargs: Any) -> int:
    """The minimum total latency ``sum_k k x_k + n o``."""
    times, sizes = optimal_groups(n, s, o, M, **kwargs)
    return int(np.dot(times, sizes)) + n * o


def optimal_sums(n_max: int, s: int, o: int, M: int, *, max_states: int = MAX_STATES) -> np.ndarray:
    """``Z*(n)``, the optimal sum of starts, for every ``n = 0 .. n_max`` in one pass.

    Uses the closed form on prompt-dominated parameters; otherwise, for
    ``n_max > PERIODIC_MIN_N``, a periodic certificate when one is found
    (:mod:`kvopt.solvers.semi_online.periodic`, O(1) per ``n``), else one run of the layered
    DP without its choice table (``V(empty, r)`` for all ``r``), so memory is
    ``O(K q)``. Total latency is ``Z*(n) + n o``.
    """
    method_for(n_max, s, o, M)  # validates
    if is_prompt_dominated(s, o, M):
        L = M // (s + o)
        m, r = np.divmod(np.arange(n_max + 1, dtype=np.int64), L)
        return o * (L * m * (m - 1) // 2 + r * m)
    try:
        nxt = enumerate_staircases(s, o, M, max_states)
    except SearchLimit as stop:
        raise SemiOnlineError(
            f"semi-online: more than {stop.expanded} staircases for s={s}, o={o}, M={M} "
            f"(max_states={max_states})"
        ) from None
    if n_max > PERIODIC_MIN_N:
        cert = periodic.certify(s, o, M, nxt, max_table=MAX_TABLE)
        if cert is not None:
            return cert.values(n_max)
    return _staircase_dp(n_max, nxt, None, choices=False)[1]


def greedy_counts(n: int, s: int, o: int, M: int) -> np.ndarray:
    """The greedy rule: at each time start as many as stay feasible if nothing else starts.

    This is what MC-SF does on identical requests at time 0. It is *not* optimal
    (``proofs/greedy_not_optimal.md``); it is here to measure the gap. O(K o^2) for
    ``K`` start times.
    """
    check_parameters(n, s, o, M)
    window = np.zeros(o, dtype=np.int64)  # window[j]: started j rounds ago
    age_mem = s + np.arange(o + 1, dtype=np.int64)  # memory at age a
    out: list[int] = []
    left = n
    while left:
        shifted = np.concatenate(([0], window[:-1]))
        # memory in round t + r (r = 1..o) of the runs already started, and per new run
        free = np.empty(o, dtype=np.int64)
        for r in range(1, o + 1):
            ages = np.arange(o) + r
            alive = ages <= o
            held = int(np.dot(shifted[alive], age_mem[ages[alive]]))
            free[r - 1] = (M - held) // (s + r)
        x = int(min(left, free.min()))
        shifted[0] = x
        window = shifted
        out.append(x)
        left -= x
    return np.array(out, dtype=np.int64)


def objective_of_counts(counts: np.ndarray) -> int:
    """``sum_k k x_k`` for start counts ``x``."""
    counts = np.asarray(counts, dtype=np.int64)
    return int(np.dot(np.arange(counts.size, dtype=np.int64), counts))


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
    search: str = "auto",
    **options: Any,
) -> Result:
    """Backend ``"semi-online"``: the proven optimum of an identical-request instance.

    Parameters
    ----------
    instance
        Identical requests (same arrival, prompt and output), no eviction.
    time_limit
        Seconds after which the exact staircase search refuses (``None``: no limit).
    threads, gap, initial, seed
        Accepted for the common backend signature and ignored (the algorithm is exact,
        sequential and deterministic).
    log
        Print the parameters, the method used and the objective.
    max_states, search
        As in :func:`optimal_groups`.
    **options
        Must be empty (any other option is an error).

    Returns
    -------
    Result
        Status ``"optimal"``, ``lower_bound`` equal to the objective, the schedule, and
        ``metadata["method"]`` (one of :data:`METHODS`).

    Raises
    ------
    SemiOnlineError
        If the instance is not identical requests with a common arrival, if an
        option is unknown, or if the exact search exceeds ``max_states`` /
        ``time_limit``.
    """
    if options:
        raise SemiOnlineError(f"semi-online: unknown option(s) {sorted(options)}")
    t0 = time.perf_counter()
    n, s, o, M, a = identical_parameters(instance)
    method = method_for(n, s, o, M)
    info: dict = {}
    times, sizes = optimal_groups(
        n, s, o, M, max_states=max_states, time_limit=time_limit, search=search, info=info
    )
    starts = np.repeat(times, sizes) + a
    schedule = Schedule.from_indices(instance, np.arange(n), starts)
    objective = int(np.dot(times, sizes)) + n * o
    if log:
        print(
            f"semi-online: n={n} s={s} o={o} M={M} method={method} "
            f"algorithm={info['algorithm']} objective={objective}"
        )
    return Result(
        instance=instance.name,
        solver="semi-online",
        status="optimal",
        objective=objective,
        lower_bound=float(objective),
        runtime=time.perf_counter() - t0,
        schedule=schedule,
        metadata={
            "method": method,
            **info,
            "n": n,
            "prompt": s,
            "output": o,
            "memory": M,
        },
    )

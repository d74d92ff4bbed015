"""Large-neighbourhood search: re-optimise a few requests exactly with CP-SAT.

One *step* frees a set of requests, keeps every other request at its start in the
incumbent, and asks CP-SAT for the free requests' starts that minimise their total start
time under the memory the fixed requests leave (a "fixed profile"). The restricted model
is the staircase-cumulative model of ``models/cpsat.md`` over the free requests plus, in
the same cumulative, one fixed interval per round holding the fixed requests' memory of
that round. The incumbent's starts are the hint, so CP-SAT never returns anything worse;
the step keeps the result only if it is verified and strictly better.

Neighbourhoods (chosen at random, a reconstruction of the usual LNS menu): a *window* of
consecutive starts of the incumbent (the requests started in it), or a *related* set (a
random request and the requests whose runs overlap its run the most, by start distance).
The number of free requests adapts: it grows after a step that CP-SAT proved optimal
without improving, and shrinks after a step that ran out of its (deterministic) time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kvopt.model import Instance
from kvopt.solvers.budget import SECONDS_PER_ENTRY
from kvopt.solvers.heuristic import total_latency


def fixed_profile(instance: Instance, start: np.ndarray, fixed: np.ndarray, rounds: int) -> list:
    """Memory held by the ``fixed`` requests (a boolean mask) in rounds ``0..rounds-1``."""
    used = np.zeros(rounds + 1, dtype=np.int64)
    s, o = instance.prompt, instance.output
    for i in np.flatnonzero(fixed).tolist():
        k, oi = int(start[i]), int(o[i])
        used[k + 1 : k + oi + 1] += int(s[i]) + np.arange(1, oi + 1)
    return used[:rounds].tolist()


def _staircases(model, instance, free, lo, hi):
    """Start variables of ``free`` and the staircase intervals of their runs."""
    s, o = instance.prompt, instance.output
    starts, intervals, demands = [], [], []
    for i, lo_i, hi_i in zip(free, lo, hi, strict=True):
        v = model.new_int_var(int(lo_i), int(hi_i), f"S_{i}")
        starts.append(v)
        oi = int(o[i])
        for j in range(1, oi + 1):  # the step of the j-th round, to the run's end
            intervals.append(model.new_fixed_size_interval_var(v + (j - 1), oi - j + 1, ""))
            demands.append(int(s[i]) + 1 if j == 1 else 1)
    return starts, intervals, demands


def _profile_intervals(model, profile):
    """Fixed intervals holding ``profile[t]`` in round ``t`` (the point ``t - 1``)."""
    intervals, demands = [], []
    t = 1
    while t < len(profile):
        u = t
        while u + 1 < len(profile) and profile[u + 1] == profile[t]:
            u += 1
        if profile[t] > 0:
            intervals.append(model.new_fixed_size_interval_var(t - 1, u - t + 1, ""))
            demands.append(int(profile[t]))
        t = u + 1
    return intervals, demands


def _memory_rows(model, instance, free, starts, lo, hi, profile):
    """Channelled booleans ``B[i, k]`` and the linear memory row of every round."""
    s, o, m = instance.prompt, instance.output, instance.memory
    rows: dict[int, list] = {}
    for i, v, lo_i, hi_i in zip(free, starts, lo, hi, strict=True):
        b = {k: model.new_bool_var("") for k in range(int(lo_i), int(hi_i) + 1)}
        model.add_exactly_one(b.values())
        model.add(v == sum(k * x for k, x in b.items()))
        for k, x in b.items():
            for j in range(1, int(o[i]) + 1):
                rows.setdefault(k + j, []).append((int(s[i]) + j, x))
    for t, terms in rows.items():
        room = m - (profile[t] if t < len(profile) else 0)
        if sum(c for c, _ in terms) > room:
            model.add(sum(c * x for c, x in terms) <= room)


def _window_model(instance, free, profile, lo, hi, hint, time_indexed):
    """The restricted CP-SAT model: starts of ``free`` over ``[lo_i, hi_i]``."""
    from ortools.sat.python import cp_model  # on first use: `import kvopt` stays light

    model = cp_model.CpModel()
    starts, intervals, demands = _staircases(model, instance, free, lo, hi)
    fixed_iv, fixed_d = _profile_intervals(model, profile)
    model.add_cumulative(intervals + fixed_iv, demands + fixed_d, instance.memory)
    if time_indexed:
        _memory_rows(model, instance, free, starts, lo, hi, profile)
    model.minimize(sum(starts))
    for v, k in zip(starts, hint, strict=True):
        model.add_hint(v, int(k))
    return model, starts


@dataclass
class StepResult:
    """What one LNS step did: CP-SAT's status, the new starts (or ``None``)."""

    status: str
    start: np.ndarray | None


def lns_step(
    instance: Instance,
    start: np.ndarray,
    free: np.ndarray,
    *,
    time_limit: float,
    deterministic_time: float,
    seed: int = 0,
    pad: int | None = None,
    time_indexed: bool = True,
) -> StepResult:
    """Re-optimise the requests at positions ``free`` with the others fixed.

    A free request may start from ``pad`` rounds before the earliest free start (default:
    the longest free output) to the latest completion of a free request (never before its
    arrival): the incumbent is inside, and the model stays small. With ``time_indexed``
    the model also has the linear memory rows over start booleans (a strong LP bound, so
    small steps are proven optimal quickly).

    Returns the full start vector when CP-SAT found one strictly better than ``start``
    (the caller verifies it), else ``None`` as ``start``.
    """
    free = np.asarray(sorted(set(np.asarray(free).tolist())), dtype=np.int64)
    a, o = instance.arrival, instance.output
    fixed = np.ones(instance.n, dtype=bool)
    fixed[free] = False
    pad = int(o[free].max()) if pad is None else pad
    first, last = int(start[free].min()), int((start[free] + o[free]).max())
    lo = np.maximum(a[free], first - pad)
    hi = np.maximum(lo, last)
    entries = int(((hi - lo + 1) * o[free]).sum())
    if time_indexed and entries * SECONDS_PER_ENTRY > 0.5 * time_limit:
        return StepResult("too large for its time", None)  # wide windows: skip the step
    rounds = int(max(int((start + o).max()), int((hi + o[free]).max()))) + 2
    profile = fixed_profile(instance, start, fixed, rounds)
    model, starts = _window_model(
        instance, free.tolist(), profile, lo, hi, start[free], time_indexed
    )
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = 1
    p.random_seed = int(seed)
    p.max_time_in_seconds = max(0.01, float(time_limit))
    p.max_deterministic_time = float(deterministic_time)
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return StepResult(name, None)
    new = start.copy()
    new[free] = [solver.value(v) for v in starts]
    if total_latency(instance, new) >= total_latency(instance, start):
        return StepResult(name, None)
    return StepResult(name, new)


def choose_free(
    instance: Instance, start: np.ndarray, size: int, rng: np.random.Generator
) -> np.ndarray:
    """A neighbourhood of ``size`` requests: a window of starts, or a related set."""
    n = instance.n
    size = min(size, n)
    by_start = np.lexsort((np.arange(n), start))
    if rng.random() < 0.5:
        first = int(rng.integers(0, n - size + 1))
        return np.sort(by_start[first : first + size])
    pivot = int(rng.integers(0, n))
    end = start + instance.output
    # overlap of each run with the pivot's run (negative: distance between them)
    overlap = np.minimum(end, end[pivot]) - np.maximum(start, start[pivot])
    noise = rng.random(n)  # random tie-breaking
    related = np.lexsort((noise, -overlap))
    return np.sort(related[:size])


def large_neighbourhood_search(
    instance: Instance,
    start: np.ndarray,
    *,
    deadline: float,
    rng: np.random.Generator,
    seed: int = 0,
    max_steps: int | None = None,
    size: int = 10,
    step_time: float = 1.0,
    patience: int | None = 100,
    on_improve: Callable[[np.ndarray, int, str], None] | None = None,
) -> np.ndarray:
    """LNS steps from ``start`` until the deadline (or ``max_steps``).

    Parameters
    ----------
    instance
        The instance.
    start
        A feasible schedule (start per request, instance order).
    deadline
        A :func:`time.perf_counter` value; every step's wall time is capped by it.
    rng
        Chooses the neighbourhoods.
    seed
        CP-SAT's ``random_seed`` (one worker).
    max_steps
        Steps at most (``None``: until the deadline).
    size
        Free requests of the first step (then adapted between 4 and 40).
    step_time
        CP-SAT's deterministic time limit per step (``max_deterministic_time``, so a
        step that does not reach its wall-clock cap is reproducible). The cap is twice
        ``step_time`` seconds, or only the deadline when ``max_steps`` bounds the work
        (then the search is deterministic whenever the deadline does not bind).
    patience
        Stop after this many steps in a row without improvement (``None``: never). The
        search also stops when a step that frees every request is solved to optimality
        (its neighbourhood, and so every later one, is exhausted).
    on_improve
        Called with ``(starts, value, what)`` after every improving step.

    Returns
    -------
    numpy.ndarray
        The best schedule found (``start`` if none was better).
    """
    best = np.asarray(start, dtype=np.int64).copy()
    value = total_latency(instance, best)
    steps = stale = 0
    while max_steps is None or steps < max_steps:
        left = deadline - time.perf_counter()
        if left <= 0.02 or instance.n == 0 or (patience is not None and stale >= patience):
            break
        steps += 1
        stale += 1
        free = choose_free(instance, best, size, rng)
        res = lns_step(
            instance,
            best,
            free,
            time_limit=left if max_steps is not None else min(left, 2 * step_time),
            deterministic_time=step_time,
            seed=seed,
        )
        if res.start is not None:
            best, value, stale = res.start, total_latency(instance, res.start), 0
            if on_improve is not None:
                on_improve(best, value, f"lns step {steps} ({free.size} free)")
        elif res.status == "OPTIMAL":
            if free.size == instance.n:
                break
            size = min(40, size + 1)
        if res.status != "OPTIMAL":
            size = max(4, size - 1)
    return best

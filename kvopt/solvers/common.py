"""What both exact backends share: preparation (warm start, windows, identical
requests) and turning a solver's answer into a :class:`~kvopt.result.Result`."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from kvopt.bounds import trivial_lower_bound
from kvopt.errors import KvoptError, SolverError
from kvopt.model import Instance
from kvopt.owner import owner_capacity_bound
from kvopt.result import Result
from kvopt.schedule import Schedule
from kvopt.solvers.budget import model_refusal, owner_dp_seconds, slowdown
from kvopt.solvers.heuristic import earliest_fit, total_latency
from kvopt.solvers.horizon import (
    StartWindows,
    others_lower_bounds,
    plain_windows,
    start_windows,
)
from kvopt.solvers.primal import best_schedule
from kvopt.solvers.primal.seeds import policy_seeds
from kvopt.verify import verify

#: Tolerance when rounding a floating-point bound up to the integer objective.
BOUND_TOL = 1e-6

#: Without a time limit, the owner-capacity program runs when estimated below this
#: many seconds (:func:`kvopt.solvers.budget.owner_dp_seconds`).
OWNER_DP_SECONDS = 60.0


#: Share of the time left that the owner LP gets when the backend's model is not built
#: (the rest goes to the primal search).
BOUND_SHARE = 0.85


@dataclass
class Prepared:
    """Everything a backend needs besides the instance.

    Attributes
    ----------
    start
        Start times of the best known feasible schedule (warm start / hint).
    upper_bound
        Its total latency.
    trivial_bound
        :func:`kvopt.bounds.trivial_lower_bound`.
    lower_bound
        The best proven bound known before the backend runs: the trivial bound and the
        owner-capacity bound (:func:`kvopt.owner.owner_capacity_bound`).
    windows
        Start windows the model may use (safe: they keep an optimal schedule).
    identical
        Groups (index lists, increasing) of requests with equal arrival, prompt and
        output, whose starts may be ordered by index.
    """

    start: np.ndarray
    upper_bound: int
    trivial_bound: int
    windows: StartWindows
    identical: list[list[int]] = field(default_factory=list)
    lower_bound: int = 0


def identical_groups(instance: Instance) -> list[list[int]]:
    """Groups of at least two requests with equal ``(a_i, s_i, o_i)``, in index order."""
    return [g for g in identical_units(instance) if len(g) > 1]


def identical_units(instance: Instance) -> list[list[int]]:
    """Every request in exactly one group of equal ``(a_i, s_i, o_i)`` (singletons too).

    Groups are in the order of their first member, members in index order.
    """
    groups: dict[tuple[int, int, int], list[int]] = {}
    cols = zip(
        instance.arrival.tolist(), instance.prompt.tolist(), instance.output.tolist(), strict=True
    )
    for i, key in enumerate(cols):
        groups.setdefault(key, []).append(i)
    return list(groups.values())


def prepare(
    instance: Instance,
    initial: Schedule | None,
    *,
    windows: bool = True,
    symmetry: bool = True,
    heuristic: bool = True,
    lp_windows: bool = True,
    time_limit: float | None = None,
    primal_budget: float | None = None,
) -> Prepared:
    """Warm start, upper bound, start windows and identical groups for ``instance``.

    Parameters
    ----------
    instance
        The instance.
    initial
        A user's feasible non-preemptive schedule (checked), or ``None``.
    windows
        Use the safe start windows of :mod:`kvopt.solvers.horizon`; otherwise the plain
        common horizon ``max a + sum o``.
    symmetry
        Report identical requests (their starts get ordered).
    heuristic
        Compute the earliest-fit schedule (otherwise only ``initial``, or FCFS placement).
    lp_windows
        Tighten the windows once more with ``LB_{-i}`` from the LP relaxation of the
        instance without ``i`` (:func:`kvopt.solvers.lp_bound.others_lp_bounds`).
    time_limit
        The backend's time limit: the local search of the warm start may take a tenth
        of it (at most 1 s), the LP tightening a fifth (requests it does not reach keep
        their trivial windows).
    primal_budget
        Seconds for :func:`kvopt.solvers.primal.best_schedule` (policy seeds, local search,
        CP-SAT LNS) to build the warm start; ``None``: :func:`primal_share` (a tenth of
        ``time_limit``, at most 10 s and 0.1 s per request; 0 without a time limit);
        0: earliest fit only. With ``heuristic`` the schedules of every applicable policy
        are candidates in any case (they are cheap).
    """
    candidates = []
    if initial is not None:
        try:
            verify(instance, initial, allow_eviction=False)
        except KvoptError as e:
            raise KvoptError(f"the initial schedule is not feasible: {e}") from None
        candidates.append(initial.starts(instance))
    trivial = trivial_lower_bound(instance)
    dp = owner_dp_seconds(instance)
    cheap = dp <= (OWNER_DP_SECONDS if time_limit is None else 0.1 * time_limit)
    known = max(trivial, owner_capacity_bound(instance)) if cheap else trivial
    if heuristic or not candidates:
        budget = 1.0 if time_limit is None else min(1.0, 0.1 * time_limit)
        primal = primal_share(time_limit, instance.n) if primal_budget is None else primal_budget
        if heuristic and primal > 0:
            user = None if initial is None else candidates[0]
            found = best_schedule(instance, time_limit=primal, initial=user, lower_bound=known)
            candidates.append(found.start)
        else:
            candidates.append(earliest_fit(instance, improve=heuristic, time_budget=budget))
            if heuristic:
                candidates.extend(s.start for s in policy_seeds(instance) if s.start is not None)
    start = min(candidates, key=lambda st: total_latency(instance, st))
    ub = total_latency(instance, start)
    others = None  # LB_{-i}, computed once
    if windows and instance.n > 1:
        budget = None if time_limit is None else 0.1 * time_limit
        others = (
            others_owner_bounds(instance, time_limit=budget)
            if cheap
            else others_lower_bounds(instance)
        )
    win = start_windows(instance, ub, others) if windows else plain_windows(instance)
    prepared = Prepared(
        start=np.asarray(start, dtype=np.int64),
        upper_bound=ub,
        trivial_bound=trivial,
        windows=win,
        identical=identical_groups(instance) if symmetry else [],
        lower_bound=known,
    )
    left = None if time_limit is None else 0.2 * time_limit
    fits = model_refusal(instance, win, left) is None
    if others is not None and lp_windows and fits:
        from kvopt.solvers.lp_bound import others_lp_bounds

        budget = None if time_limit is None else 0.2 * time_limit
        lp = others_lp_bounds(instance, prepared, time_limit=budget)
        tighter = np.array(
            [t if v is None else max(t, v) for t, v in zip(others.tolist(), lp, strict=True)]
        )
        if (tighter > others).any():  # the windows again only when the LP tightened them
            prepared.windows = start_windows(instance, ub, tighter)
    return prepared


def others_owner_bounds(instance: Instance, *, time_limit: float | None = None) -> np.ndarray:
    """``LB_{-i}``: the better of the trivial and the owner-capacity bound of the instance
    without ``i``, for each ``i`` (the trivial one only where ``time_limit`` ran out).

    The others' requests of an optimal schedule form a feasible schedule of the instance
    without ``i``, so each value bounds their total latency (``proofs/start_windows.md``).
    """
    out = others_lower_bounds(instance)
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    each = owner_dp_seconds(instance)
    idx = np.arange(instance.n)
    for i in range(instance.n):
        if deadline is not None and time.perf_counter() + each > deadline:
            break
        out[i] = max(int(out[i]), owner_capacity_bound(instance.subset(idx[idx != i])))
    return out


def primal_share(time_limit: float | None, n: int) -> float:
    """Default seconds of the primal search: a tenth of ``time_limit``, at most 10 s and
    at most 0.1 s per request (small instances need little and are solved exactly)."""
    return 0.0 if time_limit is None else min(10.0, 0.1 * time_limit, 0.1 * n)


def remaining(time_limit: float | None, since: float) -> float | None:
    """Seconds left of ``time_limit`` counted from ``since`` (at least 0.01)."""
    if time_limit is None:
        return None
    return max(0.01, time_limit - (time.perf_counter() - since))


def finish(
    instance: Instance,
    solver: str,
    prepared: Prepared,
    start: np.ndarray | None,
    bound: float | None,
    *,
    began: float,
    variables: int | None,
    constraints: int | None,
    metadata: dict,
) -> Result:
    """The :class:`Result` of a backend run.

    The schedule is the better of the solver's (``start``) and the warm start; the
    bound is the best of the solver's, the trivial and the owner-capacity bound. The status is
    ``"optimal"`` only if ``ceil(bound) >= objective`` (the objective is integral). The
    schedule is verified once, by the front door (:func:`kvopt.solve`).
    """
    best = prepared.start
    source = "warm start"
    if start is not None and total_latency(instance, start) <= prepared.upper_bound:
        best, source = np.asarray(start, dtype=np.int64), "solver"
    objective = total_latency(instance, best)
    lb = float(max(prepared.trivial_bound, prepared.lower_bound))
    if bound is not None and math.isfinite(bound):
        lb = max(lb, float(math.ceil(bound - BOUND_TOL)))
    if lb > objective:
        raise SolverError(
            f"{solver}: proven bound {lb} above the objective {objective} of a verified "
            f"schedule; numerical trouble at M = {instance.memory}? Try the other solver"
        )
    status = "optimal" if lb >= objective else "feasible"
    meta = {
        "schedule_from": source,
        "warm_start_objective": prepared.upper_bound,
        "trivial_lower_bound": prepared.trivial_bound,
        "prepared_lower_bound": prepared.lower_bound,
        "horizon": prepared.windows.horizon,
        "window_pairs": prepared.windows.size(),
        "identical_groups": len(prepared.identical),
        **metadata,
    }
    return Result(
        instance=instance.name,
        solver=solver,
        status=status,
        objective=objective,
        lower_bound=lb,
        runtime=time.perf_counter() - began,
        schedule=Schedule.from_indices(instance, np.arange(instance.n), best),
        variables=variables,
        constraints=constraints,
        metadata=meta,
    )


def strengthen(
    instance: Instance,
    prepared: Prepared,
    *,
    on: bool = True,
    share: float = 0.3,
    began: float,
    time_limit: float | None,
    threads: int = 1,
    seconds_per_entry: float | None = None,
    began_cpu: float | None = None,
) -> dict:
    """Run the owner LP (:mod:`kvopt.solvers.owner_lp`) over ``prepared``'s windows in
    ``share`` of the time left of ``time_limit`` (counted from ``began``; ``None``: to
    the end) and raise ``prepared.lower_bound`` to its proven value.

    With ``seconds_per_entry`` (the backend's model-building rate) it also decides
    whether the backend's model will fit the time left after the owner LP
    (:func:`kvopt.solvers.budget.model_refusal`); if not, the owner LP (the bound) gets
    ``BOUND_SHARE`` of the time left and the rest goes to the primal search; with ``began_cpu``
    (:func:`time.process_time` when the backend began) the rate is scaled by how much
    slower than its CPU time the process has run so far
    (:func:`kvopt.solvers.budget.slowdown`), so a loaded machine does not build a model
    it cannot finish in time. Skipped when ``on`` is false or the bound already meets
    the warm start. Returns what it did, for the result's metadata, with the binding
    rows under ``"binding"`` and the reason not to build the model (or ``None``) under
    ``"refusal"``.
    """
    left = remaining(time_limit, began)
    why = None
    if seconds_per_entry is not None:
        after = None if left is None else (1 - share) * left
        factor = 1.0 if began_cpu is None else slowdown(began, began_cpu)
        why = model_refusal(instance, prepared.windows, after, seconds_per_entry, factor)
    time_limit = None if left is None else (share if why is None else BOUND_SHARE) * left
    if not on:
        return {"owner_lp": "off", "binding": [], "refusal": why}
    if instance.n < 2 or prepared.lower_bound >= prepared.upper_bound:
        return {"owner_lp": "skipped", "binding": [], "refusal": why}
    memory = model_refusal(instance, prepared.windows, None)  # memory only: no Pyomo here
    if memory is not None:
        return {"owner_lp": f"skipped: {memory}", "binding": [], "refusal": why}
    from kvopt.solvers.owner_lp import owner_lp_bound

    res = owner_lp_bound(
        instance, prepared.windows, prepared.start, time_limit=time_limit, threads=threads
    )
    if res.bound is not None:
        prepared.lower_bound = max(prepared.lower_bound, res.bound)
    return {
        "owner_lp": "complete" if res.complete else "stopped",
        "owner_lp_bound": res.bound,
        "owner_lp_seconds": round(res.seconds, 3),
        "owner_lp_rows": res.rows,
        "owner_lp_columns": res.columns,
        "binding": res.binding,
        "refusal": why,
    }


def without_model(
    instance: Instance,
    solver: str,
    prepared: Prepared,
    why: str,
    *,
    began: float,
    time_limit: float | None,
    metadata: dict,
) -> Result:
    """The answer when the model is not built (:func:`kvopt.solvers.budget.model_refusal`):
    the rest of the time limit goes to the primal search from the warm start, and the
    result carries the bounds proven so far (status ``"feasible"`` unless they meet)."""
    left = remaining(time_limit, began)
    start = None
    if left is not None and left > 0.5:
        start = best_schedule(
            instance, time_limit=0.9 * left, initial=prepared.start, policies=False
        ).start
    return finish(
        instance,
        solver,
        prepared,
        start,
        None,
        began=began,
        variables=None,
        constraints=None,
        metadata={"termination": f"model not built: {why}", **metadata},
    )

"""The CP-SAT backend (OR-Tools): staircase cumulative plus time-indexed booleans.

See ``models/cpsat.md``. :func:`solve` is registered as ``"cpsat"``.
"""

from __future__ import annotations

import time

from kvopt.model import Instance
from kvopt.result import Result
from kvopt.schedule import Schedule
from kvopt.solvers.budget import SECONDS_PER_ENTRY
from kvopt.solvers.common import finish, prepare, remaining, strengthen, without_model
from kvopt.solvers.cpsat.model import build_model
from kvopt.solvers.cpsat.run import run_cpsat

__all__ = ["build_model", "solve"]


def solve(
    instance: Instance,
    *,
    time_limit: float | None = None,
    threads: int = 1,
    gap: float = 0.0,
    initial: Schedule | None = None,
    log: bool = False,
    seed: int = 0,
    windows: bool = True,
    lp_windows: bool = True,
    symmetry: bool = True,
    time_indexed: bool = True,
    warm_start: bool = True,
    heuristic: bool = True,
    owner: bool = True,
    owner_share: float = 0.3,
    primal: float | None = None,
    parameters: dict | None = None,
) -> Result:
    """Minimum total latency by CP-SAT (the ``"cpsat"`` backend of :func:`kvopt.solve`).

    Parameters
    ----------
    instance, time_limit, threads, gap, initial, log, seed
        As in :func:`kvopt.solve`. The time limit covers model building too.
    windows
        Per-request safe start windows; ``False``: the common horizon ``max a + sum o``.
    lp_windows
        Tighten the windows with LP bounds on the other requests' latencies (at most
        a fifth of the time limit).
    symmetry
        Order the starts of identical requests.
    time_indexed
        Add the booleans and the linear memory rows (stronger bound); ``False`` leaves
        the staircase cumulative alone.
    warm_start
        Hint the heuristic schedule.
    parameters
        Further CP-SAT parameters by name (``SatParameters`` fields).
    heuristic
        Improve the hint by local moves in the order.
    owner, owner_share
        Solve the owner LP first, in at most ``owner_share`` of the time limit
        (``models/owner_lp.md``): its bound is reported, its binding rows are added over
        the booleans and the objective is bounded below by it.
    primal
        Seconds of the primal search for the warm start (as in the MILP backend).
    """
    began, began_cpu = time.perf_counter(), time.process_time()
    levers = {"windows": windows, "lp_windows": lp_windows, "symmetry": symmetry}
    prepared = prepare(
        instance,
        initial,
        heuristic=heuristic,
        time_limit=time_limit,
        primal_budget=primal,
        **levers,
    )
    strong = strengthen(
        instance,
        prepared,
        on=owner and time_indexed,
        share=owner_share,
        began=began,
        time_limit=time_limit,
        threads=threads,
        seconds_per_entry=SECONDS_PER_ENTRY,
        began_cpu=began_cpu,
    )
    why = strong.pop("refusal")
    if why is not None:  # bounds and the best schedule known, status "feasible"
        strong.pop("binding")
        return without_model(
            instance, "cpsat", prepared, why, began=began, time_limit=time_limit, metadata=strong
        )
    built = build_model(
        instance,
        prepared,
        time_indexed=time_indexed,
        hint=prepared.start if warm_start else None,
        owner_rows=strong.pop("binding") or None,
    )
    answer = run_cpsat(
        built,
        time_limit=remaining(time_limit, began),
        threads=threads,
        gap=gap,
        log=log,
        seed=seed,
        parameters=parameters,
    )
    proto = built.model.proto
    return finish(
        instance,
        "cpsat",
        prepared,
        answer.start,
        answer.bound,
        began=began,
        variables=len(proto.variables),
        constraints=len(proto.constraints),
        metadata={
            "cpsat_status": answer.status,
            "linear_memory_rows": built.rows,
            **strong,
            "options": {**levers, "time_indexed": time_indexed, "warm_start": warm_start},
        },
    )

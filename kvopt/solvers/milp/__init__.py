"""The MILP backend: the time-indexed program over safe start windows, in Pyomo.

See ``models/milp.md`` for the formulation and why it has the optimum of the program of
``models/README.md``. Building (:mod:`.data`, :mod:`.variables`, :mod:`.constraints`,
:mod:`.objective`, :mod:`.model`), solving (:mod:`.run`) and reading (:mod:`.read`) are
separate steps; :func:`solve` chains them and is registered as ``"milp"``.
"""

from __future__ import annotations

import time
from typing import Any

from kvopt.model import Instance
from kvopt.result import Result
from kvopt.schedule import Schedule
from kvopt.solvers.budget import PYOMO_SECONDS_PER_ENTRY
from kvopt.solvers.common import finish, prepare, remaining, strengthen, without_model
from kvopt.solvers.milp.export import write_model
from kvopt.solvers.milp.model import build_model, model_size
from kvopt.solvers.milp.read import read_starts, start_values
from kvopt.solvers.milp.run import run_solver

__all__ = ["build_model", "solve", "write_model"]


def solve(
    instance: Instance,
    *,
    time_limit: float | None = None,
    threads: int = 1,
    gap: float = 0.0,
    initial: Schedule | None = None,
    log: bool = False,
    seed: int = 0,
    mip_solver: str = "highs",
    windows: bool = True,
    lp_windows: bool = True,
    symmetry: bool = True,
    sparse_rows: bool = True,
    aggregate: bool = True,
    warm_start: bool = True,
    heuristic: bool = True,
    owner: bool = True,
    owner_share: float = 0.3,
    primal: float | None = None,
    stop_at_bound: bool = True,
    solver_options: dict[str, Any] | None = None,
) -> Result:
    """Minimum total latency by the MILP (the ``"milp"`` backend of :func:`kvopt.solve`).

    Parameters
    ----------
    instance, time_limit, threads, gap, initial, log, seed
        As in :func:`kvopt.solve`. The time limit covers model building too.
    mip_solver
        Pyomo solver name (``"highs"``, ``"gurobi_direct"``, ``"scip_direct"``,
        ``"cbc"``, ...); see :mod:`kvopt.solvers.milp.run`.
    windows
        Per-request safe start windows (``proofs/start_windows.md``); ``False`` gives
        the plain common horizon ``max a + sum o``.
    lp_windows
        Tighten the windows with LP bounds on the other requests' latencies (at most
        a fifth of the time limit).
    symmetry
        Order the starts of identical requests (``proofs/identical_requests.md``);
        moot for the groups ``aggregate`` merges.
    aggregate
        One integer count per group of identical requests (equal arrival, prompt and
        output) and start, instead of one binary per request and start
        (``proofs/identical_requests.md``, aggregation): no symmetric copies of a
        schedule are left for the solver to enumerate.
    sparse_rows
        Omit memory rows that cannot bind.
    warm_start
        Give the solver the heuristic schedule as a MIP start.
    heuristic
        Improve the warm start by local moves in the order (otherwise the best plain order).
    owner
        Solve the owner LP first (``models/owner_lp.md``): its bound is reported and its
        binding owner rows are added to the MILP (valid inequalities).
    owner_share
        Share of the time limit the owner LP may take.
    primal
        Seconds of the primal search for the warm start
        (:func:`kvopt.solvers.primal.best_schedule`; ``None``: a tenth of the time limit,
        at most 0.1 s per request
        and 10 s; 0: earliest fit and the policies only).
    stop_at_bound
        Return the warm start without building the MILP when the bounds already prove
        it optimal (``metadata["termination"] == "bound"``).
    solver_options
        Extra options in the MIP solver's own names.

    Returns
    -------
    Result
        ``variables`` / ``constraints`` count the model solved; ``metadata`` has the
        termination condition, horizon and window sizes.
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
        on=owner,
        share=owner_share,
        began=began,
        time_limit=time_limit,
        threads=threads,
        seconds_per_entry=PYOMO_SECONDS_PER_ENTRY,
        began_cpu=began_cpu,
    )
    why = strong.pop("refusal")
    rows = strong.pop("binding")
    if stop_at_bound and prepared.lower_bound >= prepared.upper_bound:  # proven optimal
        return finish(
            instance,
            "milp",
            prepared,
            None,
            None,
            began=began,
            variables=None,
            constraints=None,
            metadata={"mip_solver": mip_solver, "termination": "bound", **strong},
        )
    if why is not None:  # bounds and the best schedule known, status "feasible"
        meta = {"mip_solver": mip_solver, **strong}
        return without_model(
            instance, "milp", prepared, why, began=began, time_limit=time_limit, metadata=meta
        )
    built = time.perf_counter()
    model, data = build_model(
        instance, prepared, sparse_rows=sparse_rows, aggregate=aggregate, owner_rows=rows
    )
    nvar, ncon = model_size(model)
    # the solver's limit starts after Pyomo hands it the model and stops before the
    # solution is read back: reserve about the build's time for both (measured: 2.0 s
    # beyond a 33 s limit after a 2.8 s build, P1 family n = 40)
    transfer = time.perf_counter() - built
    outcome = run_solver(
        model,
        mip_solver=mip_solver,
        time_limit=None if time_limit is None else remaining(time_limit - transfer, began),
        threads=threads,
        gap=gap,
        log=log,
        seed=seed,
        start=start_values(prepared.start, data.units) if warm_start else None,
        solver_options=default_tolerances(instance, mip_solver, solver_options),
    )
    values = outcome.values
    starts = read_starts(instance, values, data.units) if values is not None else None
    return finish(
        instance,
        "milp",
        prepared,
        starts,
        outcome.bound,
        began=began,
        variables=nvar,
        constraints=ncon,
        metadata={
            "mip_solver": mip_solver,
            "termination": outcome.termination,
            "warm_start": outcome.warm_start,
            "units": len(data.units),
            "owner_rows": len(rows),
            **strong,
            "options": {
                **levers,
                "sparse_rows": sparse_rows,
                "aggregate": aggregate,
                "warm_start": warm_start,
                "owner": owner,
            },
        },
    )


def default_tolerances(
    instance: Instance, mip_solver: str, solver_options: dict[str, Any] | None
) -> dict[str, Any]:
    """HiGHS options with an integrality tolerance scaled to the memory M.

    A binary accepted at ``1 - tol`` changes a memory row by up to ``M * tol`` tokens when
    the schedule is read off, so HiGHS's default ``mip_feasibility_tolerance`` of 1e-6
    lets schedules one token over M through once M is in the millions (measured: wrong
    answers at M = 2**24, right ones with 1e-9). The default here is
    ``min(1e-6, 0.1 / M)``, never below 1e-10; options the caller gives win. Whatever the
    tolerance, :func:`kvopt.solvers.common.finish` verifies the solver's schedule.
    """
    options = dict(solver_options or {})
    if mip_solver == "highs":
        tol = max(1e-10, min(1e-6, 0.1 / instance.memory))
        options.setdefault("mip_feasibility_tolerance", tol)
    return options

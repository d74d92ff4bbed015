"""Hand a built Pyomo model to a MIP solver and collect what it found.

HiGHS (the default) and every solver of Pyomo's new interface
(``pyomo.contrib.solver``: ``highs``, ``gurobi_direct``, ``gurobi_persistent``,
``scip_direct``, ...) are called through that interface, whose ``time_limit``,
``rel_gap``, ``abs_gap`` and ``threads`` settings every such solver honours. It is
told not to raise when it stops before optimality and not to load the solution: the
caller reads the values itself (:mod:`kvopt.solvers.milp.read`). Any other name goes to
Pyomo's classic ``SolverFactory`` (CBC, GLPK, CPLEX, ...), with that solver's own names
for the time limit and the gap where kvopt knows them.
"""

from __future__ import annotations

import contextlib
import io
import math
from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory as ContribFactory

from kvopt.errors import KvoptError, SolverError

#: Absolute gap at which a solver may stop: the objective is integral, so
#: ``UB - LB <= 0.999`` already proves ``ceil(LB) = UB``.
INTEGRAL_ABS_GAP = 0.999

#: Option names of classic Pyomo solvers for (time limit, relative gap, threads).
_LEGACY_OPTIONS = {
    "cbc": ("sec", "ratioGap", "threads"),
    "glpk": ("tmlim", "mipgap", None),
    "cplex": ("timelimit", "mipgap", "threads"),
    "gurobi": ("TimeLimit", "MIPGap", "Threads"),
    "scip": ("limits/time", "limits/gap", None),
}


@dataclass
class Outcome:
    """What a MIP solver returned.

    Attributes
    ----------
    termination
        The solver's termination condition, as text.
    values
        Value of every variable ``x[i, k]`` of the incumbent, or ``None`` without one.
    bound
        The proven lower bound (``None`` if the solver reports none).
    warm_start
        ``"accepted"``, ``"not supported"`` or ``"none"``.
    """

    termination: str
    values: dict[tuple[int, int], float] | None
    bound: float | None
    warm_start: str


def _contrib_class(name: str):
    return ContribFactory.get_class(name) if name in list(ContribFactory) else None


def _set_highs_start(solver: Any, model: pyo.ConcreteModel, start: dict) -> bool:
    """Give the HiGHS object behind the Pyomo interface a MIP start."""
    import numpy as np

    columns = getattr(solver, "_pyomo_var_to_solver_var_map", None)
    highs = getattr(solver, "_solver_model", None)
    if columns is None or highs is None:
        return False
    idx = np.array([columns[id(model.x[p])] for p in model.x], dtype=np.int32)
    val = np.array([float(start.get(p, 0.0)) for p in model.x], dtype=np.float64)
    status = highs.setSolution(len(idx), idx, val)
    return str(status).endswith("kOk")


def run_solver(
    model: pyo.ConcreteModel,
    *,
    mip_solver: str = "highs",
    time_limit: float | None = None,
    threads: int = 1,
    gap: float = 0.0,
    log: bool = False,
    seed: int = 0,
    start: dict[tuple[int, int], float] | None = None,
    solver_options: dict[str, Any] | None = None,
) -> Outcome:
    """Solve ``model`` (from :func:`kvopt.solvers.milp.model.build_model`).

    Parameters
    ----------
    model
        The Pyomo model of the MILP.
    mip_solver
        A name of Pyomo's new solver interface (``"highs"``, ``"gurobi_direct"``, ...)
        or of the classic ``SolverFactory`` (``"cbc"``, ``"glpk"``, ``"cplex"``, ...).
    time_limit, threads, gap, seed
        Passed on as the solver's own options.
    log
        Print the solver's log.
    start
        A MIP start ``{(i, k): value}`` (used by HiGHS and by classic solvers that
        accept warm starts).
    solver_options
        Extra options in the solver's own names.

    Raises
    ------
    KvoptError
        If the solver is unknown or not installed.
    KeyboardInterrupt
        If the solver reports that it was interrupted.
    """
    cls = _contrib_class(mip_solver)
    if cls is not None:
        return _run_contrib(
            cls(), model, mip_solver, time_limit, threads, gap, log, seed, start, solver_options
        )
    return _run_legacy(model, mip_solver, time_limit, threads, gap, log, start, solver_options)


def _run_contrib(solver, model, name, time_limit, threads, gap, log, seed, start, extra):
    if not solver.available():
        raise KvoptError(f"MIP solver {name!r} is not available (not installed or no licence)")
    options = dict(extra or {})
    if name == "highs":
        options.setdefault("random_seed", int(seed))
    warm = "none"
    if start is not None:
        if name == "highs":
            solver.set_instance(model)
            warm = "accepted" if _set_highs_start(solver, model, start) else "rejected"
        else:
            warm = "not supported"
    res = solver.solve(
        model,
        tee=bool(log),
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        time_limit=time_limit,
        threads=threads,
        rel_gap=gap,
        abs_gap=INTEGRAL_ABS_GAP,
        solver_options=options,
    )
    term = res.termination_condition.name
    if term == "interrupted":
        raise KeyboardInterrupt
    if term in ("provenInfeasible", "locallyInfeasible", "infeasibleOrUnbounded"):
        # a valid instance always has a schedule, and the windows keep the optimal ones
        raise SolverError(f"{name} reports {term} for a valid instance (a bug in the model)")
    values = None
    if res.solution_status.name in ("feasible", "optimal"):
        primals = res.solution_loader.get_vars()
        values = {p: float(primals[model.x[p]]) for p in model.x}
    bound = res.objective_bound
    bound = float(bound) if bound is not None and math.isfinite(bound) else None
    return Outcome(term, values, bound, warm)


def _run_legacy(model, name, time_limit, threads, gap, log, start, extra):
    opt = pyo.SolverFactory(name)
    if opt is None or not opt.available(exception_flag=False):
        raise KvoptError(f"unknown or unavailable MIP solver {name!r}")
    t_name, g_name, th_name = _LEGACY_OPTIONS.get(name, (None, None, None))
    if time_limit is not None and t_name:
        opt.options[t_name] = time_limit
    if g_name:
        opt.options[g_name] = gap
    if th_name:
        opt.options[th_name] = threads
    for k, v in (extra or {}).items():
        opt.options[k] = v
    kwargs: dict[str, Any] = {"tee": bool(log), "load_solutions": False}
    warm = "none"
    if start is not None:
        if opt.warm_start_capable():
            for p in model.x:
                model.x[p].set_value(start.get(p, 0.0))
            kwargs["warmstart"] = True
            warm = "accepted"
        else:
            warm = "not supported"
    with contextlib.redirect_stdout(io.StringIO()) if not log else contextlib.nullcontext():
        res = opt.solve(model, **kwargs)
    term = str(res.solver.termination_condition)
    values = None
    if len(res.solution) > 0:
        model.solutions.load_from(res)
        values = {p: float(pyo.value(model.x[p], exception=False) or 0.0) for p in model.x}
    bound = None
    lb = getattr(res.problem, "lower_bound", None)
    if lb is not None and math.isfinite(float(lb)):
        bound = float(lb)
    return Outcome(term, values, bound, warm)

"""Run CP-SAT on a :class:`~kvopt.solvers.cpsat.model.CpsatModel` and read the answer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from kvopt.errors import SolverError
from kvopt.solvers.cpsat.model import CpsatModel


@dataclass
class Answer:
    """CP-SAT's status name, best start times (or ``None``) and proven bound."""

    status: str
    start: np.ndarray | None
    bound: float | None


def run_cpsat(
    built: CpsatModel,
    *,
    time_limit: float | None = None,
    threads: int = 1,
    gap: float = 0.0,
    log: bool = False,
    seed: int = 0,
    parameters: dict | None = None,
) -> Answer:
    """Solve with CP-SAT's own time limit, gap, worker count and seed.

    ``parameters`` sets further ``SatParameters`` fields by name (e.g.
    ``{"linearization_level": 2}``).
    """
    solver = cp_model.CpSolver()
    p = solver.parameters
    if time_limit is not None:
        p.max_time_in_seconds = float(time_limit)
    p.num_workers = int(threads)
    p.random_seed = int(seed)
    p.relative_gap_limit = float(gap)
    p.log_search_progress = bool(log)
    for key, value in (parameters or {}).items():
        setattr(p, key, value)
    status = solver.solve(built.model)
    name = solver.status_name(status)
    if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        # a valid instance always has a schedule, and the windows keep the optimal ones
        raise SolverError(f"CP-SAT reports {name} for a valid instance (a bug in the model)")
    start = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        start = np.array([solver.value(v) for v in built.start], dtype=np.int64)
    bound = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = float(solver.best_objective_bound)
    return Answer(name, start, bound)

"""The front door of the exact solvers: :func:`solve`.

Backends are registered by name in :data:`SOLVERS` as ``"module:function"`` strings and
imported only when used, so that ``import kvopt`` stays light. A backend is a function
``backend(instance, *, time_limit, threads, gap, initial, log, seed, **options) ->
Result``. :func:`solve` checks every schedule a backend returns with
:func:`kvopt.verify` (no eviction allowed) and that its claimed objective is the
verifier's, so a buggy backend can never hand out an unchecked schedule.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from kvopt.errors import KvoptError, SolverError
from kvopt.model import Instance
from kvopt.result import Result
from kvopt.schedule import Schedule
from kvopt.verify import verify

#: Registered backends: name -> "module:function".
SOLVERS: dict[str, str] = {
    "milp": "kvopt.solvers.milp:solve",
    "cpsat": "kvopt.solvers.cpsat:solve",
    "semi-online": "kvopt.semi_online:solve",
    "identical-stream": "kvopt.identical_stream:solve",
}


def register_solver(name: str, target: str) -> None:
    """Register a backend under ``name`` (``target`` is ``"module:function"``)."""
    SOLVERS[name] = target


def get_solver(name: str) -> Callable[..., Result]:
    """The backend function registered as ``name``."""
    try:
        target = SOLVERS[name]
    except KeyError:
        known = ", ".join(sorted(SOLVERS)) or "none"
        raise KvoptError(f"unknown solver {name!r} (known: {known})") from None
    module, func = target.split(":")
    return getattr(importlib.import_module(module), func)


def solve(
    instance: Instance,
    solver: str = "milp",
    *,
    time_limit: float | None = None,
    threads: int = 1,
    gap: float = 0.0,
    initial: Schedule | None = None,
    log: bool = False,
    seed: int = 0,
    **options: Any,
) -> Result:
    """Compute a schedule of minimum total latency, with a certificate.

    Parameters
    ----------
    instance
        The instance.
    solver
        A name registered in :data:`SOLVERS`.
    time_limit
        Seconds before the backend stops with its best schedule and bound.
    threads
        Worker threads the backend may use.
    gap
        Relative gap at which the backend may stop (0: prove optimality).
    initial
        A feasible schedule to start from (MIP start / solution hint).
    log
        Print the backend's log.
    seed
        Random seed of the backend.
    **options
        Backend-specific options.

    Returns
    -------
    Result
        Status, objective, bound, runtime and the verified schedule.
    """
    if time_limit is not None and not time_limit > 0:
        raise KvoptError(f"time_limit must be > 0, got {time_limit!r}")
    if threads < 1:
        raise KvoptError(f"threads must be >= 1, got {threads!r}")
    if not 0 <= gap < 1:
        raise KvoptError(f"gap must be in [0, 1), got {gap!r}")
    backend = get_solver(solver)
    result = backend(
        instance,
        time_limit=time_limit,
        threads=threads,
        gap=gap,
        initial=initial,
        log=log,
        seed=seed,
        **options,
    )
    if result.schedule is not None:
        report = verify(instance, result.schedule, allow_eviction=False, strict=False)
        if not report.feasible:
            raise SolverError(
                f"solver {solver!r} returned an infeasible schedule for {instance.name!r}: "
                f"{report.violations[0].message}"
            )
        if result.objective != report.objective:
            raise SolverError(
                f"solver {solver!r} claims objective {result.objective} but its schedule "
                f"has {report.objective}"
            )
        if result.lower_bound is not None and result.lower_bound > report.objective:
            raise SolverError(
                f"solver {solver!r} claims the lower bound {result.lower_bound} above the "
                f"total latency {report.objective} of its own feasible schedule"
            )
    return result

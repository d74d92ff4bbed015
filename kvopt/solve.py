"""The front door of the exact solvers: :func:`solve`.

Backends are registered by name in :data:`SOLVERS` (:mod:`kvopt.backends`) and imported
only when used, so that ``import kvopt`` stays light. :func:`solve` reads every setting
off one :class:`~kvopt.options.SolveOptions`, calls the backend with the keywords it
gives (:meth:`~kvopt.options.SolveOptions.keywords`), and is the one place that checks
the schedule a backend returns with :func:`kvopt.verify` (no eviction allowed) and that
its claimed objective is the verifier's, so a buggy backend can never hand out an
unchecked schedule.
"""

from __future__ import annotations

from typing import Any

from kvopt.backends import SOLVERS, get_solver, register_solver
from kvopt.blockwise import BLOCKWISE, solve_blocks
from kvopt.decompose import independent_blocks, needs_blocks
from kvopt.errors import SolverError
from kvopt.model import Instance
from kvopt.options import SolveOptions
from kvopt.result import Result
from kvopt.verify import verify

__all__ = ["SOLVERS", "get_solver", "register_solver", "solve"]


def solve(
    instance: Instance,
    solver: str = "milp",
    options: SolveOptions | None = None,
    **changes: Any,
) -> Result:
    """Compute a schedule of minimum total latency, with a certificate.

    Parameters
    ----------
    instance
        The instance.
    solver
        A name registered in :data:`SOLVERS`.
    options
        The settings (default: :class:`~kvopt.options.SolveOptions` ``()``: no time
        limit, one thread, gap 0, seed 0, each backend's own defaults).
    **changes
        Fields of ``options`` to change (``time_limit=60``, ``threads=2``, ``gap``,
        ``initial``, ``log``, ``seed``, the levers such as ``primal=0``), and any other
        keyword a field of this backend (``aggregate=False`` for ``"milp"``).

    Returns
    -------
    Result
        Status, objective, bound, runtime and the verified schedule.

    Notes
    -----
    The time-indexed backends (``"milp"``, ``"cpsat"``) solve an instance block by
    block when it falls apart into independent blocks or its first arrival is not 0
    (:mod:`kvopt.decompose`, ``proofs/independent_blocks.md``): the minimum is the sum of
    the blocks' minima, each block is shifted to start at 0, and the time limit is shared
    among the blocks by their total output. Not with ``initial`` (the schedule is given
    for the whole instance).
    """
    opts = (options or SolveOptions()).replace(solver, **changes)
    blocks = independent_blocks(instance) if solver in BLOCKWISE else []
    if opts.initial is None and needs_blocks(blocks):
        result = solve_blocks(instance, blocks, solver, opts)
    else:
        result = get_solver(solver)(instance, **opts.keywords(solver))
    if result.schedule is not None:
        report = verify(instance, result.schedule, allow_eviction=False, strict=False)
        if not report.feasible:
            raise SolverError(
                f"solver {solver!r} returned an infeasible schedule for {instance.name!r}: "
                f"{report.violations[0].message} (numerical trouble at M = {instance.memory}? "
                f"try another solver)"
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

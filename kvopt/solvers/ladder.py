"""The ladder of lower bounds on the minimum total latency, weakest first.

Each rung is a proven lower bound (``proofs/trivial_bounds.md``, ``proofs/owner_bounds.md``,
``models/lp_bound.md``, ``models/owner_lp.md``, ``proofs/refill_cliques.md``);
:func:`bound_ladder` computes all of them with their times, and ``kvopt bound FILE`` prints them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from kvopt.model import Instance
from kvopt.owner import owner_capacity_bound
from kvopt.trivial_bounds import area_bound, output_bound

#: Largest ``q`` of the refill cliques in the ``owner-lp-refill`` rung.
REFILL_COUNTS = 3

#: The rungs in order: name -> what it is.
RUNGS: dict[str, str] = {
    "output": "sum of output lengths",
    "area": "memory area of the k shortest works per completion",
    "owner-capacity": "owner lemma: rounds owned by the first requests to complete",
    "lp": "time-indexed LP relaxation over the safe start windows",
    "owner-lp": "time-indexed LP with the owner rows (row and column generation)",
    "owner-lp-refill": "the owner LP with the refill cliques (q <= 3) separated too",
}


@dataclass(frozen=True)
class Rung:
    """One bound of the ladder.

    Attributes
    ----------
    name
        A key of :data:`RUNGS`.
    value
        The bound, or ``None`` if it did not finish in its time.
    seconds
        Wall time spent on it.
    complete
        For the LPs: solved to optimality (otherwise ``value`` is the best proven bound
        reached when the time ran out).
    """

    name: str
    value: int | None
    seconds: float
    complete: bool = True


def _timed(name: str, fn: Callable[[], tuple[int | None, bool]]) -> Rung:
    began = time.perf_counter()
    value, complete = fn()
    return Rung(name, value, round(time.perf_counter() - began, 3), complete)


def bound_ladder(
    instance: Instance, *, time_limit: float | None = None, rungs: list[str] | None = None
) -> list[Rung]:
    """Every bound of :data:`RUNGS` (or those named in ``rungs``), in order.

    Parameters
    ----------
    instance
        The instance.
    time_limit
        Seconds for the whole ladder (``None``: no limit): each LP rung gets the time left
        when it starts, so a rung reached after the limit reports the cheap bounds' work
        only (an LP stopped by the limit still reports the bound it has proven).
    rungs
        Names to compute (default: all).
    """
    from kvopt.solvers.common import prepare
    from kvopt.solvers.lp_bound import lp_value
    from kvopt.solvers.owner_lp import owner_lp_bound

    names = list(RUNGS) if rungs is None else rungs
    prepared = None
    deadline = None if time_limit is None else time.perf_counter() + time_limit

    def left() -> float | None:
        return None if deadline is None else max(0.01, deadline - time.perf_counter())

    def windows():
        nonlocal prepared
        if prepared is None:
            prepared = prepare(instance, None, lp_windows=False, time_limit=left())
        return prepared

    def lp() -> tuple[int | None, bool]:
        p = windows()
        z = lp_value(instance, p, time_limit=left())
        return (None, False) if z is None else (ceil_tol(z), True)

    def owner(refill: int = 0) -> tuple[int | None, bool]:
        p = windows()
        res = owner_lp_bound(instance, p.windows, p.start, time_limit=left(), refill=refill)
        return res.bound, res.complete

    table: dict[str, Callable[[], tuple[int | None, bool]]] = {
        "output": lambda: (output_bound(instance), True),
        "area": lambda: (area_bound(instance), True),
        "owner-capacity": lambda: (owner_capacity_bound(instance), True),
        "lp": lp,
        "owner-lp": owner,
        "owner-lp-refill": lambda: owner(REFILL_COUNTS),
    }
    return [_timed(name, table[name]) for name in names]


def ceil_tol(value: float) -> int:
    """``ceil`` of an LP optimum, with the solvers' tolerance
    (:data:`kvopt.solvers.common.BOUND_TOL`)."""
    import math

    from kvopt.solvers.common import BOUND_TOL

    return math.ceil(value - BOUND_TOL)

"""The LP relaxation bound on the optimal total latency (``models/lp_bound.md``).

The bound is the optimum of the MILP of :mod:`kvopt.solvers.milp` with ``x`` relaxed to
``[0, 1]``, over the same index sets (:class:`~kvopt.solvers.index_sets.MilpData`) and
safe start windows (they keep an optimal schedule, so the relaxation of the windowed
program is still below the optimum), rounded up (the objective is integral) and
combined with :func:`kvopt.trivial_bounds.trivial_lower_bound`. The LP is handed to HiGHS
directly (``highspy``), without Pyomo: it is one LP, and :func:`others_lp_bounds`
re-solves it n times from the previous basis.
"""

from __future__ import annotations

import math
import time

import numpy as np

from kvopt.errors import KvoptError
from kvopt.model import Instance
from kvopt.solvers.common import BOUND_TOL, Prepared


class RelaxedLP:
    """The LP relaxation of the MILP in a ``highspy.Highs`` object.

    Columns are the pairs ``(i, k)`` of the windows with cost ``k + o_i - a_i``; rows
    are the assignment rows (one per request, ``= 1``) followed by the memory rows.
    """

    def __init__(self, instance: Instance, prepared: Prepared) -> None:
        import highspy

        from kvopt.solvers.index_sets import milp_data

        data = milp_data(instance, prepared)
        self.n = instance.n
        col = {p: c for c, p in enumerate(data.pairs)}
        a, o = instance.arrival, instance.output
        cost = np.array([k + o[i] - a[i] for i, k in data.pairs], dtype=np.float64)
        self.columns: list[list[int]] = [[] for _ in range(instance.n)]
        for c, (i, _) in enumerate(data.pairs):
            self.columns[i].append(c)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        # HiGHS's presolve ignores the time limit and, on these LPs, costs more than it
        # saves: P1 family n = 20, 30, 40 solved in 0.04, 0.27, 0.88 CPU s without it,
        # 0.3, 2.0, 6.1 s with it; at n = 60 it ran 18.6 s against a 3 s limit
        h.setOptionValue("presolve", "off")
        ncol = len(data.pairs)
        h.addVars(ncol, np.zeros(ncol), np.ones(ncol))
        h.changeColsCost(ncol, np.arange(ncol, dtype=np.int32), cost)
        rows = [[(c, 1.0) for c in cols] for cols in self.columns]
        lower = [1.0] * instance.n
        upper = [1.0] * instance.n
        for t in data.rounds:
            rows.append([(col[i, k], float(w)) for i, k, w in data.terms[t]])
            lower.append(-highspy.kHighsInf)
            upper.append(float(instance.memory))
        starts = np.cumsum([0] + [len(r) for r in rows[:-1]]).astype(np.int32)
        index = np.array([c for r in rows for c, _ in r], dtype=np.int32)
        value = np.array([v for r in rows for _, v in r], dtype=np.float64)
        h.addRows(len(rows), np.array(lower), np.array(upper), index.size, starts, index, value)
        self.highs = h

    def solve(self, time_limit: float | None = None) -> float | None:
        """Optimum of the current LP, or ``None`` if HiGHS did not prove one."""
        import highspy

        if time_limit is not None:
            self.highs.setOptionValue("time_limit", max(0.01, float(time_limit)))
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return float(self.highs.getInfo().objective_function_value)

    def without(self, i: int, time_limit: float | None = None) -> float | None:
        """Optimum of the LP of the instance without request ``i`` (then restored)."""
        cols = np.array(self.columns[i], dtype=np.int32)
        zero = np.zeros(cols.size)
        self.highs.changeColsBounds(cols.size, cols, zero, zero)
        self.highs.changeRowBounds(i, 0.0, 0.0)
        try:
            return self.solve(time_limit)
        finally:
            self.highs.changeColsBounds(cols.size, cols, zero, np.ones(cols.size))
            self.highs.changeRowBounds(i, 1.0, 1.0)


def lp_value(
    instance: Instance, prepared: Prepared, *, time_limit: float | None = None
) -> float | None:
    """Optimum of the LP relaxation over ``prepared``'s windows (``None`` if unsolved)."""
    if instance.n == 0:
        return 0.0
    return RelaxedLP(instance, prepared).solve(time_limit)


def others_lp_bounds(
    instance: Instance, prepared: Prepared, *, time_limit: float | None = None
) -> list[int | None]:
    """``ceil`` of the LP relaxation of the instance without request ``i``, for each ``i``.

    The relaxation of the instance without ``i`` over the same windows is the LP with
    ``i``'s columns fixed to 0 and its assignment row dropped; it is re-solved from the
    previous basis. ``None`` where an LP did not finish in time. If the windows contain
    every optimal schedule of the instance, the value bounds the others' total latency
    in every optimal schedule (``proofs/start_windows.md``, choice 2).
    """
    began = time.perf_counter()
    lp = RelaxedLP(instance, prepared)
    out: list[int | None] = []
    for i in range(instance.n):
        left = None if time_limit is None else time_limit - (time.perf_counter() - began)
        z = None if left is not None and left <= 0 else lp.without(i, left)
        out.append(None if z is None else math.ceil(z - BOUND_TOL))
    return out


def lower_bound(
    instance: Instance, *, time_limit: float | None = None, method: str = "owner-lp"
) -> int:
    """A proven lower bound on the minimum total latency of ``instance``.

    The best of the rungs of :func:`kvopt.solvers.ladder.bound_ladder` up to ``method``:
    the trivial bounds, the owner-capacity bound (``proofs/owner_bounds.md``), and the
    LP relaxation (``"lp"``, ``models/lp_bound.md``) or the owner LP (``"owner-lp"``,
    ``models/owner_lp.md``; it contains the LP's memory rows, so it replaces it). An LP
    stopped by ``time_limit`` contributes the best bound it had proven.

    Parameters
    ----------
    instance
        The instance.
    time_limit
        Seconds for the LP (``None``: no limit); the earliest-fit schedule that sets
        the windows takes up to one more second.
    method
        ``"trivial"``, ``"owner-capacity"``, ``"lp"`` or ``"owner-lp"``.

    Returns
    -------
    int
        A lower bound on the minimum total latency.

    Examples
    --------
    >>> from kvopt.model import Instance
    >>> inst = Instance.from_arrays("two", 6, arrival=[0, 0], prompt=[2, 2], output=[2, 2])
    >>> lower_bound(inst, method="trivial"), lower_bound(inst)  # the optimum is 6
    (5, 6)
    """
    from kvopt.solvers.ladder import bound_ladder

    rungs = {
        "trivial": ["output", "area"],
        "owner-capacity": ["output", "area", "owner-capacity"],
        "lp": ["output", "area", "owner-capacity", "lp"],
        "owner-lp": ["output", "area", "owner-capacity", "owner-lp"],
    }
    if method not in rungs:
        raise KvoptError(f"unknown bound method {method!r} (known: {', '.join(rungs)})")
    ladder = bound_ladder(instance, time_limit=time_limit, rungs=rungs[method])
    return max(r.value for r in ladder if r.value is not None)

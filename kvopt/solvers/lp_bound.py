"""The LP relaxation bound on the optimal total latency (``models/lp_bound.md``).

The bound is the optimum of the MILP of :mod:`kvopt.solvers.milp` with ``x`` relaxed to
``[0, 1]``, over the same safe start windows (they keep an optimal schedule, so the
relaxation of the windowed program is still below the optimum), rounded up (the
objective is integral) and combined with :func:`kvopt.bounds.trivial_lower_bound`.
It costs one LP solve, so it is the cheap bound for instances too big to solve.
"""

from __future__ import annotations

import math

from kvopt.bounds import trivial_lower_bound
from kvopt.model import Instance
from kvopt.solvers.common import BOUND_TOL, Prepared, prepare


def lp_value(
    instance: Instance, prepared: Prepared, *, time_limit: float | None = None
) -> float | None:
    """Optimum of the LP relaxation over ``prepared``'s windows (``None`` if not solved).

    Solved by HiGHS through Pyomo's interface; only an LP solved to optimality is
    returned (a simplex stopped early has no valid bound).
    """
    from pyomo.contrib.solver.solvers.highs import Highs

    from kvopt.solvers.milp.model import build_model

    if instance.n == 0:
        return 0.0
    model, _ = build_model(instance, prepared, relax=True)
    res = Highs().solve(
        model,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        time_limit=time_limit,
        threads=1,
    )
    if res.termination_condition.name != "convergenceCriteriaSatisfied":
        return None
    return float(res.incumbent_objective)


def lower_bound(instance: Instance, *, time_limit: float | None = None) -> int:
    """A proven lower bound on the minimum total latency of ``instance``.

    ``max(trivial bound, ceil(LP relaxation))``: the LP relaxation of the time-indexed
    program over the safe start windows (``models/lp_bound.md``), solved once with
    HiGHS, combined with :func:`kvopt.bounds.trivial_lower_bound`. If the LP does not
    finish within ``time_limit`` seconds, the trivial bound is returned.

    Examples
    --------
    >>> from kvopt.model import Instance
    >>> inst = Instance.from_arrays("two", 6, arrival=[0, 0], prompt=[2, 2], output=[2, 2])
    >>> lower_bound(inst)  # the two runs cannot overlap: latencies 2 and 4
    6
    """
    prepared = prepare(instance, None)
    trivial = trivial_lower_bound(instance)
    z = lp_value(instance, prepared, time_limit=time_limit)
    if z is None:
        return trivial
    return max(trivial, math.ceil(z - BOUND_TOL))


def others_lp_bounds(
    instance: Instance, prepared: Prepared, *, time_limit: float | None = None
) -> list[int | None]:
    """``ceil`` of the LP relaxation of the instance without request ``i``, for each ``i``.

    One relaxed model is built; for each ``i`` its start variables are fixed to 0 and its
    assignment row switched off (which is the relaxation of the instance without ``i``
    over the same windows), and the LP is re-solved by the persistent HiGHS interface
    from the previous basis. ``None`` where an LP did not finish. Used to tighten the
    start windows (``proofs/start_windows.md``, claim 2 with ``LB_{-i}`` from the LP).
    """
    import time

    from pyomo.contrib.solver.solvers.highs import Highs

    from kvopt.solvers.milp.model import build_model

    began = time.perf_counter()
    model, data = build_model(instance, prepared, relax=True)
    solver = Highs()
    by_request: dict[int, list] = {}
    for i, k in data.pairs:
        by_request.setdefault(i, []).append(model.x[i, k])
    out: list[int | None] = []
    for i in range(instance.n):
        left = None if time_limit is None else time_limit - (time.perf_counter() - began)
        if left is not None and left <= 0:
            out.append(None)
            continue
        for v in by_request[i]:
            v.fix(0)
        model.assign[i].deactivate()
        res = solver.solve(
            model,
            load_solutions=False,
            raise_exception_on_nonoptimal_result=False,
            time_limit=left,
            threads=1,
        )
        ok = res.termination_condition.name == "convergenceCriteriaSatisfied"
        out.append(math.ceil(float(res.incumbent_objective) - BOUND_TOL) if ok else None)
        for v in by_request[i]:
            v.unfix()
        model.assign[i].activate()
    return out

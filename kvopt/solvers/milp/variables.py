"""Variables of the MILP: ``x[u, k]``, how many requests of unit ``u`` start at time ``k``."""

from __future__ import annotations

import pyomo.environ as pyo

from kvopt.solvers.milp.data import MilpData


def add_variables(model: pyo.ConcreteModel, data: MilpData, *, relax: bool = False) -> None:
    """Add the set ``P`` of (unit, start) pairs and the start variables ``x``.

    A unit of one request gets a binary (``x[i, k] = 1`` iff ``i`` starts at ``k``), a
    group of ``g`` identical requests an integer in ``[0, g]``.

    Parameters
    ----------
    model
        The Pyomo model to add ``P`` and ``x`` to.
    data
        The index sets (:func:`kvopt.solvers.milp.data.milp_data`).
    relax
        Continuous ``x`` in ``[0, g]`` (the LP relaxation) instead of integers.
    """
    model.P = pyo.Set(initialize=data.pairs, dimen=2, ordered=True)

    def domain(m, u, k):
        if relax:
            return pyo.NonNegativeReals
        return pyo.Binary if data.size(u) == 1 else pyo.NonNegativeIntegers

    model.x = pyo.Var(model.P, domain=domain, bounds=lambda m, u, k: (0, data.size(u)))

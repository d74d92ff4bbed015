"""Variables of the MILP: ``x[i, k] = 1`` iff request ``i`` starts at time ``k``."""

from __future__ import annotations

import pyomo.environ as pyo

from kvopt.solvers.milp.data import MilpData


def add_variables(model: pyo.ConcreteModel, data: MilpData, *, relax: bool = False) -> None:
    """Add the set ``P`` of (request, start) pairs and the start variables ``x``.

    Parameters
    ----------
    model
        The Pyomo model to add ``P`` and ``x`` to.
    data
        The index sets (:func:`kvopt.solvers.milp.data.milp_data`).
    relax
        Continuous ``x`` in ``[0, 1]`` (the LP relaxation) instead of binaries.
    """
    model.P = pyo.Set(initialize=data.pairs, dimen=2, ordered=True)
    domain = pyo.UnitInterval if relax else pyo.Binary
    model.x = pyo.Var(model.P, domain=domain)

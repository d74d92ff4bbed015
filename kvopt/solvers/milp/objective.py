"""Objective of the MILP: total latency ``sum_{(u,k)} (k + o_u - a_u) x[u, k]``."""

from __future__ import annotations

import pyomo.environ as pyo

from kvopt.model import Instance
from kvopt.solvers.milp.data import MilpData


def add_objective(model: pyo.ConcreteModel, data: MilpData, instance: Instance) -> None:
    """Minimise the total latency (integral coefficients)."""
    a, o = instance.arrival, instance.output
    first = [members[0] for members in data.units]
    model.total_latency = pyo.Objective(
        expr=pyo.quicksum(
            (k + int(o[first[u]]) - int(a[first[u]])) * model.x[u, k] for u, k in data.pairs
        ),
        sense=pyo.minimize,
    )

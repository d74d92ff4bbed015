"""Objective of the MILP: total latency ``sum_{(i,k)} (k + o_i - a_i) x[i, k]``."""

from __future__ import annotations

import pyomo.environ as pyo

from kvopt.model import Instance
from kvopt.solvers.milp.data import MilpData


def add_objective(model: pyo.ConcreteModel, data: MilpData, instance: Instance) -> None:
    """Minimise the total latency (integral coefficients)."""
    a, o = instance.arrival, instance.output
    model.total_latency = pyo.Objective(
        expr=pyo.quicksum((k + int(o[i]) - int(a[i])) * model.x[i, k] for i, k in data.pairs),
        sense=pyo.minimize,
    )

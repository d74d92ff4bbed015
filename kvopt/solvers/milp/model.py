"""Assemble the Pyomo model of the MILP from its pieces (``models/milp.md``)."""

from __future__ import annotations

import pyomo.environ as pyo

from kvopt.model import Instance
from kvopt.solvers.common import Prepared
from kvopt.solvers.milp.constraints import (
    add_assignment,
    add_memory,
    add_owner_rows,
    add_symmetry,
)
from kvopt.solvers.milp.data import MilpData, milp_data
from kvopt.solvers.milp.objective import add_objective
from kvopt.solvers.milp.variables import add_variables
from kvopt.solvers.rows import Row


def build_model(
    instance: Instance,
    prepared: Prepared,
    *,
    relax: bool = False,
    sparse_rows: bool = True,
    aggregate: bool = False,
    owner_rows: list[Row] | None = None,
) -> tuple[pyo.ConcreteModel, MilpData]:
    """The time-indexed MILP over the start windows of ``prepared``.

    Parameters
    ----------
    instance
        The instance.
    prepared
        Windows, identical groups (from :func:`kvopt.solvers.common.prepare`).
    relax
        Build the LP relaxation.
    sparse_rows
        Omit memory rows that can never bind.
    aggregate
        One integer count per group of identical requests and start instead of one
        binary per request and start.
    owner_rows
        Owner rows and refill cliques (:mod:`kvopt.solvers.rows`) to add, e.g. the
        binding rows of :func:`kvopt.solvers.owner_lp.owner_lp_bound`.

    Returns
    -------
    model, data
        The Pyomo model and the index sets it was built from.
    """
    rows = list(owner_rows or [])
    data = milp_data(
        instance,
        prepared,
        sparse_rows=sparse_rows,
        aggregate=aggregate,
        extra_rounds=frozenset(t for t, _ in rows),
    )
    model = pyo.ConcreteModel(name=instance.name)
    add_variables(model, data, relax=relax)
    add_assignment(model, data)
    add_memory(model, data, instance.memory)
    add_symmetry(model, data)
    if rows:
        add_owner_rows(model, data, instance, rows)
    add_objective(model, data, instance)
    return model, data


def model_size(model: pyo.ConcreteModel) -> tuple[int, int]:
    """``(variables, constraints)`` of a model made by :func:`build_model`."""
    rows = len(model.assign) + len(model.memory) + len(model.twins)
    if hasattr(model, "owner"):
        rows += len(model.owner)
    return len(model.x), rows

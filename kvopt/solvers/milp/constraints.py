"""Constraints of the MILP: every request starts once, memory per round, ordered twins."""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from kvopt.model import Instance
from kvopt.owner import capacity_at, other_prompt_min
from kvopt.solvers.milp.data import MilpData
from kvopt.solvers.rows import Row


def _starts_of(data: MilpData) -> dict[int, list[int]]:
    starts: dict[int, list[int]] = defaultdict(list)
    for i, k in data.pairs:
        starts[i].append(k)
    return starts


def add_assignment(model: pyo.ConcreteModel, data: MilpData) -> None:
    """``sum_k x[u, k] = |u|`` for every unit ``u`` (``= 1`` for a single request)."""
    starts = _starts_of(data)
    model.I = pyo.Set(initialize=sorted(starts), ordered=True)
    model.assign = pyo.Constraint(
        model.I, rule=lambda m, u: pyo.quicksum(m.x[u, k] for k in starts[u]) == data.size(u)
    )


def add_memory(model: pyo.ConcreteModel, data: MilpData, memory: int) -> None:
    """``sum_{(u,k) running in t} (s_u + t - k) x[u, k] <= M`` for every round in ``T*``."""
    model.T = pyo.Set(initialize=data.rounds, ordered=True)
    model.memory = pyo.Constraint(
        model.T,
        rule=lambda m, t: pyo.quicksum(c * m.x[i, k] for i, k, c in data.terms[t]) <= memory,
    )


def add_symmetry(model: pyo.ConcreteModel, data: MilpData) -> None:
    """Identical requests ``i < j`` (consecutive in a group) start in index order.

    In the aggregated-cumulative form ``sum_{k' <= k} x[j, k'] <= sum_{k' <= k} x[i, k']``
    for every ``k`` of the (common) window: ``j`` may have started by ``k`` only if ``i``
    has. This is stronger in the LP than comparing the two start times.
    """
    starts = _starts_of(data)
    rows = []
    for group in data.identical:
        for i, j in zip(group, group[1:], strict=False):
            for k in starts[i][:-1]:  # at the last start both sums are 1
                rows.append((i, j, k))
    model.S = pyo.Set(initialize=rows, dimen=3, ordered=True)

    def rule(m, i, j, k):
        return pyo.quicksum(m.x[j, q] for q in starts[j] if q <= k) <= pyo.quicksum(
            m.x[i, q] for q in starts[i] if q <= k
        )

    model.twins = pyo.Constraint(model.S, rule=rule)


def add_owner_rows(
    model: pyo.ConcreteModel, data: MilpData, instance: Instance, rows: list[Row]
) -> None:
    """Owner rows and refill cliques (:mod:`kvopt.solvers.rows`) as constraints ``owner``.

    An owner row ``(t, theta)`` is
    ``sum_{(u,k) running in t} [g - (cap_u(k + o_u - t) - theta)^+] x[u, k] <= theta``, a
    refill clique ``(t, h, q)`` is ``sum x[u, k] <= q`` over its pairs. A unit of identical
    requests takes the coefficient of one request: its members have equal prompt, output
    and ``sigma``, so the row of the count is the sum of theirs.
    """
    s, o, m = instance.prompt, instance.output, instance.memory
    sigma = other_prompt_min(instance)
    first = [u[0] for u in data.units]
    model.owner = pyo.ConstraintList()
    for row in rows:
        t, terms = row.round, []
        for u, k, g in data.terms.get(t, ()):
            i = first[u]
            d = k + int(o[i]) - t
            p = int(s[i] + o[i])
            cap = capacity_at(p, int(sigma[i]), m, d)
            coef = int(row.coefficients(g, cap, p, m))
            if coef:
                terms.append((coef, u, k))
        if terms:
            model.owner.add(pyo.quicksum(c * model.x[u, k] for c, u, k in terms) <= row.rhs)

"""The CP-SAT model (``models/cpsat.md``), written independently of the MILP.

Variables: an integer start ``S_i`` per request and, optionally, one boolean
``B[i, k] <=> (S_i = k)`` per start of its window. Memory: the run of request ``i``
holds ``s_i + j`` tokens in its ``j``-th round, which is the sum of nested fixed-size
intervals (a "staircase"): ``[S_i, S_i + o_i)`` with demand ``s_i + 1`` and, for
``j = 2..o_i``, ``[S_i + j - 1, S_i + o_i)`` with demand 1. One cumulative constraint of
capacity ``M`` over all of them is exactly the memory rule. With ``time_indexed`` the
model also has, per round that can bind, the linear memory row over the booleans — a
redundant constraint that gives CP-SAT's LP a strong bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from kvopt.model import Instance
from kvopt.solvers.common import Prepared
from kvopt.solvers.rows import Row


@dataclass
class CpsatModel:
    """A CP-SAT model and the handles needed to read it.

    Attributes
    ----------
    model
        The :class:`ortools.sat.python.cp_model.CpModel`.
    start
        ``start[i]``: the integer start variable ``S_i``.
    booleans
        ``booleans[i][k]``: ``B[i, k]`` (empty without ``time_indexed``).
    rows
        Number of linear memory rows added.
    """

    model: cp_model.CpModel
    start: list[cp_model.IntVar]
    booleans: list[dict[int, cp_model.IntVar]] = field(default_factory=list)
    rows: int = 0


def _staircase(model, instance, start) -> None:
    s, o = instance.prompt, instance.output
    intervals, demands = [], []
    for i in range(instance.n):
        oi = int(o[i])
        for j in range(1, oi + 1):
            # the step that begins in the run's j-th round and lasts to its end
            intervals.append(
                model.new_fixed_size_interval_var(start[i] + (j - 1), oi - j + 1, f"step_{i}_{j}")
            )
            demands.append(int(s[i]) + 1 if j == 1 else 1)
    model.add_cumulative(intervals, demands, instance.memory)


def _time_indexed(model, instance, prepared, start) -> tuple[list[dict], int]:
    s, o, m = instance.prompt, instance.output, instance.memory
    e, l = prepared.windows.earliest, prepared.windows.latest
    booleans: list[dict[int, cp_model.IntVar]] = []
    for i in range(instance.n):
        b = {k: model.new_bool_var(f"B_{i}_{k}") for k in range(int(e[i]), int(l[i]) + 1)}
        model.add_exactly_one(b.values())
        model.add(start[i] == sum(k * v for k, v in b.items()))
        booleans.append(b)
    rows = 0
    last = int((l + o).max()) if instance.n else 0
    for t in range(1, last + 1):
        # request i holds s_i + t - k tokens in round t if it started at k in [t-o_i, t-1]
        load = []
        peak = 0
        for i in range(instance.n):
            lo, hi = max(int(e[i]), t - int(o[i])), min(int(l[i]), t - 1)
            if lo > hi:
                continue
            peak += int(s[i]) + t - lo
            load.extend((int(s[i]) + t - k) * booleans[i][k] for k in range(lo, hi + 1))
        if peak > m:
            model.add(sum(load) <= m)
            rows += 1
    return booleans, rows


def _owner_rows(model, instance, prepared, booleans, rows) -> int:
    from kvopt.solvers.owner_lp import coefficients_of, window_columns

    cols = window_columns(instance, prepared.windows)
    for row in rows:
        c, coef = coefficients_of(cols, row)
        model.add(
            sum(
                int(v) * booleans[int(cols.request[j])][int(cols.start[j])]
                for j, v in zip(c.tolist(), coef.tolist(), strict=True)
            )
            <= row.rhs
        )
    return len(rows)


def build_model(
    instance: Instance,
    prepared: Prepared,
    *,
    time_indexed: bool = True,
    hint: np.ndarray | None = None,
    owner_rows: list[Row] | None = None,
) -> CpsatModel:
    """The CP-SAT model of ``instance`` over the start windows of ``prepared``.

    Parameters
    ----------
    instance
        The instance.
    prepared
        Windows and identical groups (:func:`kvopt.solvers.common.prepare`).
    time_indexed
        Add the channelled booleans and the linear memory rows.
    hint
        Start times to give CP-SAT as a solution hint.
    owner_rows
        Owner rows and refill cliques (:mod:`kvopt.solvers.rows`) to add over the booleans
        (with ``time_indexed``), e.g. the binding rows of the owner LP; with them the
        objective is also bounded below by ``prepared.lower_bound`` (a proven bound).
    """
    a, o = instance.arrival, instance.output
    e, l = prepared.windows.earliest, prepared.windows.latest
    model = cp_model.CpModel()
    start = [model.new_int_var(int(e[i]), int(l[i]), f"S_{i}") for i in range(instance.n)]
    _staircase(model, instance, start)
    booleans, rows = [], 0
    if time_indexed:
        booleans, rows = _time_indexed(model, instance, prepared, start)
        if owner_rows:
            rows += _owner_rows(model, instance, prepared, booleans, owner_rows)
    if owner_rows:
        model.add(sum(start) + int((o - a).sum()) >= int(prepared.lower_bound))
    for group in prepared.identical:
        for i, j in zip(group, group[1:], strict=False):
            model.add(start[i] <= start[j])
    model.minimize(sum(start) + int((o - a).sum()))
    if hint is not None:
        for i in range(instance.n):
            model.add_hint(start[i], int(hint[i]))
            for k, b in (booleans[i] if booleans else {}).items():
                model.add_hint(b, int(k == hint[i]))
    return CpsatModel(model, start, booleans, rows)

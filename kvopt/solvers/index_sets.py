"""The index sets of the MILP and of its LP relaxation, computed with numpy only.

A leaf module shared by :mod:`kvopt.solvers.milp` (which builds its Pyomo model over
them) and :mod:`kvopt.solvers.lp_bound` (which hands the relaxation to HiGHS directly),
so that :func:`kvopt.lower_bound` never imports Pyomo. Kept apart from the Pyomo model
so that the sets can be tested, counted and documented (``models/milp.md``)
independently of the modelling layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kvopt.model import Instance
from kvopt.solvers.common import Prepared, identical_units


@dataclass(frozen=True)
class MilpData:
    """Index sets and coefficients of the time-indexed MILP.

    The model's columns belong to *units*: single requests, or (with ``aggregate``)
    whole groups of identical requests, whose variable then counts how many of the
    group start at a time.

    Attributes
    ----------
    units
        ``units[u]``: the requests of unit ``u`` (increasing indices). Without
        aggregation ``units[u] == [u]``.
    pairs
        ``(u, k)`` for every unit ``u`` and start ``k`` in its window (set ``P``).
    rounds
        Rounds ``t`` whose memory row can bind (set ``T*``).
    terms
        ``terms[t]``: list of ``(u, k, s_u + t - k)`` of the pairs running in round ``t``
        (for the rounds of ``rounds`` and any ``extra_rounds``).
    identical
        Groups of identical units (single requests) whose starts are ordered by index;
        empty with ``aggregate``.
    """

    units: list[list[int]]
    pairs: list[tuple[int, int]]
    rounds: list[int]
    terms: dict[int, list[tuple[int, int, int]]]
    identical: list[list[int]]

    def size(self, u: int) -> int:
        """Number of requests in unit ``u`` (the right-hand side of its assignment row)."""
        return len(self.units[u])


def milp_data(
    instance: Instance,
    prepared: Prepared,
    *,
    sparse_rows: bool = True,
    aggregate: bool = False,
    extra_rounds: frozenset[int] = frozenset(),
) -> MilpData:
    """Build the index sets from the instance and its start windows.

    Parameters
    ----------
    instance
        The instance.
    prepared
        Its start windows and identical groups (:func:`kvopt.solvers.common.prepare`).
    sparse_rows
        Drop the memory row of a round ``t`` when even the largest possible load in
        ``t`` (every request that can run in ``t`` at its largest size there) fits in
        ``M``, or when at most one request can run in ``t`` (it fits alone): such a
        row can never be violated (``proofs/memory_rows.md``).
    aggregate
        One unit per group of identical requests (equal arrival, prompt and output),
        with the union of its members' windows (``proofs/identical_requests.md``,
        aggregation); otherwise one unit per request.
    """
    s, o, m = instance.prompt, instance.output, instance.memory
    e, l = prepared.windows.earliest, prepared.windows.latest
    units = identical_units(instance) if aggregate else [[i] for i in range(instance.n)]
    first = np.array([u[0] for u in units], dtype=np.int64)
    size = np.array([len(u) for u in units], dtype=np.int64)
    ue = np.array([int(e[u].min()) for u in units], dtype=np.int64)
    ul = np.array([int(l[u].max()) for u in units], dtype=np.int64)
    us, uo = s[first], o[first]
    pairs = [(u, k) for u in range(len(units)) for k in range(int(ue[u]), int(ul[u]) + 1)]
    horizon = int((ul + uo).max()) if units else 0
    # Largest load of a unit in round t: its requests run in t iff t-o <= k <= t-1; the
    # earliest such k gives the most tokens s + t - k, for each of its requests.
    rounds = []
    terms: dict[int, list[tuple[int, int, int]]] = {}
    for t in range(1, horizon + 1):
        k_lo = np.maximum(ue, t - uo)
        k_hi = np.minimum(ul, t - 1)
        can = np.flatnonzero(k_lo <= k_hi)
        if can.size == 0:
            continue
        peak = int((size[can] * (us[can] + t - k_lo[can])).sum())
        binding = not sparse_rows or (int(size[can].sum()) >= 2 and peak > m)
        if not binding and t not in extra_rounds:
            continue
        if binding:
            rounds.append(t)
        terms[t] = [
            (int(u), k, int(us[u]) + t - k)
            for u in can.tolist()
            for k in range(int(k_lo[u]), int(k_hi[u]) + 1)
        ]
    identical = [] if aggregate else list(prepared.identical)
    return MilpData(units, pairs, rounds, terms, identical)

"""The index sets of the MILP, computed with numpy before any Pyomo object exists.

Kept apart from the Pyomo model so that the sets can be tested, counted and documented
(``models/milp.md``) independently of the modelling layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kvopt.model import Instance
from kvopt.solvers.common import Prepared


@dataclass(frozen=True)
class MilpData:
    """Index sets and coefficients of the time-indexed MILP.

    Attributes
    ----------
    pairs
        ``(i, k)`` for every request ``i`` and start ``k`` in its window (set ``P``).
    rounds
        Rounds ``t`` whose memory row can bind (set ``T*``).
    terms
        ``terms[t]``: list of ``(i, k, s_i + t - k)`` of the pairs running in round ``t``.
    identical
        Groups of identical requests (starts ordered by index).
    """

    pairs: list[tuple[int, int]]
    rounds: list[int]
    terms: dict[int, list[tuple[int, int, int]]]
    identical: list[list[int]]


def milp_data(instance: Instance, prepared: Prepared, *, sparse_rows: bool = True) -> MilpData:
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
    """
    s, o, m = instance.prompt, instance.output, instance.memory
    e, l = prepared.windows.earliest, prepared.windows.latest
    pairs = [(i, k) for i in range(instance.n) for k in range(int(e[i]), int(l[i]) + 1)]
    horizon = int((l + o).max()) if instance.n else 0
    # Largest load of request i in round t: it runs in t iff t-o_i <= k <= t-1; the
    # earliest such k gives the most tokens s_i + t - k.
    rounds = []
    terms: dict[int, list[tuple[int, int, int]]] = {}
    for t in range(1, horizon + 1):
        k_lo = np.maximum(e, t - o)
        k_hi = np.minimum(l, t - 1)
        can = np.flatnonzero(k_lo <= k_hi)
        if can.size == 0:
            continue
        peak = int((s[can] + t - k_lo[can]).sum())
        if sparse_rows and (can.size < 2 or peak <= m):
            continue
        rounds.append(t)
        terms[t] = [
            (int(i), k, int(s[i]) + t - k)
            for i in can.tolist()
            for k in range(int(k_lo[i]), int(k_hi[i]) + 1)
        ]
    return MilpData(pairs, rounds, terms, list(prepared.identical))

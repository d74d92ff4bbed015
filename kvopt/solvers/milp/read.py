"""Read a schedule out of the MILP's variable values, and write a MIP start."""

from __future__ import annotations

from collections import Counter

import numpy as np

from kvopt.model import Instance


def read_starts(
    instance: Instance,
    values: dict[tuple[int, int], float],
    units: list[list[int]] | None = None,
) -> np.ndarray | None:
    """Start time of every request from the values of ``x[u, k]``.

    Each value is rounded to the nearest integer; the ``|u|`` starts of a unit go to its
    members in index order, earliest first (any order is as good: the members are
    identical). ``units`` defaults to one unit per request.

    Returns ``None`` if some unit's rounded values do not add up to its size (no usable
    incumbent).
    """
    if units is None:
        units = [[i] for i in range(instance.n)]
    starts: dict[int, list[int]] = {u: [] for u in range(len(units))}
    for (u, k), v in values.items():
        count = int(round(v))
        if count > 0:
            starts[u].extend([k] * count)
    start = np.full(instance.n, -1, dtype=np.int64)
    for u, members in enumerate(units):
        ks = sorted(starts[u])
        if len(ks) != len(members):
            return None
        start[members] = ks
    return start


def start_values(
    starts: np.ndarray, units: list[list[int]] | None = None
) -> dict[tuple[int, int], float]:
    """The MIP start ``{(u, k): count}`` of a schedule given by its start times."""
    if units is None:
        units = [[i] for i in range(len(starts))]
    values: dict[tuple[int, int], float] = {}
    for u, members in enumerate(units):
        for k, count in Counter(starts[members].tolist()).items():
            values[u, int(k)] = float(count)
    return values

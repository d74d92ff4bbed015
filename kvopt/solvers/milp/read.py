"""Read a schedule out of the MILP's variable values."""

from __future__ import annotations

import numpy as np

from kvopt.model import Instance


def read_starts(instance: Instance, values: dict[tuple[int, int], float]) -> np.ndarray | None:
    """Start time of every request: the ``k`` with ``x[i, k] = 1``.

    Returns ``None`` if some request has no start with value above 0.5 (no usable
    incumbent).
    """
    start = np.full(instance.n, -1, dtype=np.int64)
    for (i, k), v in values.items():
        if v > 0.5:
            start[i] = k
    return None if (start < 0).any() else start


def start_values(starts: np.ndarray) -> dict[tuple[int, int], float]:
    """The MIP start ``{(i, k): 1}`` of a schedule given by its start times."""
    return {(i, int(k)): 1.0 for i, k in enumerate(starts.tolist())}

"""Window columns of a schedule: the owner LP's columns and the 0/1 vector a schedule uses."""

from __future__ import annotations

import numpy as np

from kvopt.solvers.horizon import plain_windows
from kvopt.solvers.owner_lp import WindowColumns, window_columns


def indicator(cols: WindowColumns, start: np.ndarray) -> np.ndarray:
    """``x`` with 1 on the column ``(i, start_i)`` of every request (plain windows)."""
    x = np.zeros(cols.request.size)
    x[cols.first[:-1] + (start - cols.start[cols.first[:-1]])] = 1.0
    return x


def schedule_columns(inst, sched) -> tuple[WindowColumns, np.ndarray]:
    """The plain-window columns up to the schedule's last round, and its ``x``."""
    start = sched.starts(inst)
    horizon = int((start + inst.output).max()) + 1
    cols = window_columns(inst, plain_windows(inst, horizon))
    return cols, indicator(cols, start)

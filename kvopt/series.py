"""Time series of a simulation for pictures: latency, memory and queue over time.

:func:`series_of` samples a :class:`~kvopt.simulate.SimResult` on a grid of round
boundaries (at most :data:`POINTS`), in seconds when the simulation had a time model
(through :func:`kvopt.metrics.round_seconds`) and in rounds otherwise. Memory is the
verifier's exact profile at the sampled rounds; the queue is the number of requests that
have arrived and neither run nor completed at a boundary (evicted requests wait again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from kvopt.metrics import round_seconds

if TYPE_CHECKING:  # pragma: no cover
    from kvopt.simulate import SimResult

#: Most grid points of a series.
POINTS = 2000


@dataclass(frozen=True)
class Series:
    """What the comparison plots draw for one policy.

    Attributes
    ----------
    unit
        ``"seconds"`` or ``"rounds"``.
    arrival, latency
        Per request: arrival and latency, in ``unit``.
    time
        Grid of boundaries (in ``unit``).
    memory
        Tokens held in the round that ends at each grid boundary.
    queue
        Requests waiting (arrived, not running, not done) at each grid boundary.
    limit
        The memory M.
    """

    unit: str
    arrival: np.ndarray
    latency: np.ndarray
    time: np.ndarray
    memory: np.ndarray
    queue: np.ndarray
    limit: int


def waiting_at(result: SimResult, rounds: np.ndarray) -> np.ndarray:
    """Requests that have arrived by boundary ``t`` and are neither running nor done."""
    inst, sched = result.instance, result.schedule
    idx, _ = sched.indices(inst)
    start, end = sched.start[idx >= 0], sched.end[idx >= 0]
    arrived = np.searchsorted(np.sort(inst.arrival), rounds, side="right")
    done = np.searchsorted(np.sort(result.report.completion), rounds, side="right")
    begun = np.searchsorted(np.sort(start), rounds, side="right")  # start <= t
    ended = np.searchsorted(np.sort(end), rounds, side="right")  # end <= t
    running = begun - ended
    return arrived - done - running


def series_of(result: SimResult) -> Series:
    """The plot series of ``result``."""
    rep = result.report
    first = int(result.instance.arrival.min()) if result.instance.n else 0
    horizon = max(rep.makespan, first + 1)
    grid = np.unique(np.linspace(first, horizon, min(POINTS, horizon - first + 1)).astype(np.int64))
    memory = rep.memory_at(np.maximum(grid, 1)) if grid.size else np.zeros(0, dtype=np.int64)
    queue = waiting_at(result, grid)
    if result.latency_seconds is not None and result.clock is not None:
        unit = "seconds"
        time = round_seconds(result, grid)
        arr = result.instance.arrival_time
        arrival = arr if arr is not None else round_seconds(result, result.instance.arrival)
        latency = result.latency_seconds
    else:
        unit = "rounds"
        time = grid.astype(np.float64)
        arrival = result.instance.arrival.astype(np.float64)
        latency = rep.latency.astype(np.float64)
    return Series(
        unit,
        np.asarray(arrival, dtype=np.float64),
        np.asarray(latency, dtype=np.float64),
        np.asarray(time, dtype=np.float64),
        memory,
        queue,
        result.instance.memory,
    )

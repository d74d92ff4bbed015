"""Metrics of a simulation in seconds: latency percentiles, throughput, energy, clock.

:func:`timed_metrics` is what :meth:`kvopt.simulate.SimResult.summary` adds to the
verifier's metrics when the simulation had a time model; :func:`round_seconds` maps
rounds to seconds for plots. Percentiles are numpy's (linear interpolation); every float
is rounded to :data:`DECIMALS` decimals where it is produced, so that results compare
equal across processors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from kvopt.energy import Energy, power_model_for, schedule_energy
from kvopt.numeric import exact_mean

if TYPE_CHECKING:  # pragma: no cover
    from kvopt.simulate import SimResult

#: Decimals kept in derived floats.
DECIMALS = 9

#: Latency percentiles reported.
PERCENTILES = (50, 90, 99)


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), DECIMALS)


def distribution(values: np.ndarray, suffix: str) -> dict[str, float | None]:
    """``mean`` and the :data:`PERCENTILES` of ``values``, keyed ``mean_<suffix>`` etc."""
    v = np.asarray(values, dtype=np.float64)
    out: dict[str, float | None] = {f"mean_{suffix}": _r(exact_mean(v)) if v.size else None}
    for p in PERCENTILES:
        out[f"p{p}_{suffix}"] = _r(np.percentile(v, p)) if v.size else None
    return out


def clock_start(result: SimResult) -> float:
    """Seconds at the first event (the first arrival) of a timed simulation."""
    if result.clock is None or not result.clock[1].size:
        return 0.0
    return float(result.clock[1][0])


def energy(result: SimResult) -> Energy | None:
    """The energy of a timed simulation whose hardware has a power model, else ``None``.

    ``None`` also with a batching other than ``"mixed"`` or with ``recompute``: the energy
    model sums mixed rounds of the schedule (``models/batching.md``).
    """
    power = power_model_for(result.time_model)
    if result.metadata.get("batching", "mixed") != "mixed" or result.metadata.get("recompute"):
        return None
    if power is None or result.time_model is None or result.makespan_seconds is None:
        return None
    span = result.makespan_seconds - clock_start(result)
    return schedule_energy(result.instance, result.schedule, result.time_model, power, span)


def timed_metrics(result: SimResult) -> dict[str, Any]:
    """Seconds-based metrics of ``result`` (empty without a time model)."""
    if result.latency_seconds is None or result.ttft_seconds is None:
        return {}
    lat, ttft = result.latency_seconds, result.ttft_seconds
    d: dict[str, Any] = {}
    d.update(distribution(lat, "latency_seconds"))
    d.update(distribution(ttft, "ttft_seconds"))
    d["makespan_seconds"] = _r(result.makespan_seconds)
    span = (result.makespan_seconds or 0.0) - clock_start(result)
    tokens = int(result.instance.output.sum())
    d["throughput_requests_per_second"] = _r(result.instance.n / span) if span > 0 else None
    d["throughput_tokens_per_second"] = _r(tokens / span) if span > 0 else None
    e = energy(result)
    if e is not None:
        d.update(e.summary())
    return d


def round_seconds(result: SimResult, rounds: np.ndarray) -> np.ndarray:
    """Seconds at the given round boundaries, interpolated between recorded events.

    Exact at event boundaries; between two events the batch is fixed and rounds differ
    only by the KV term, so the linear interpolation errs by less than a round's change
    of duration (for plots, not for metrics).
    """
    if result.clock is None:
        raise ValueError("round_seconds needs a simulation with a time model")
    t, c = result.clock
    return np.interp(np.asarray(rounds, dtype=np.float64), t.astype(np.float64), c)

"""Descriptive statistics of an instance, as ``kvopt info`` prints them."""

from __future__ import annotations

from typing import Any

import numpy as np

from kvopt.bounds import area_bound, output_bound, work
from kvopt.model import Instance


def _dist(x: np.ndarray) -> dict[str, float]:
    if x.size == 0:
        return {}
    q = np.percentile(x, [50, 90, 99])
    return {
        "min": float(x.min()),
        "mean": float(x.mean()),
        "median": float(q[0]),
        "p90": float(q[1]),
        "p99": float(q[2]),
        "max": float(x.max()),
    }


def describe(instance: Instance) -> dict[str, Any]:
    """Sizes, distributions, offered load and trivial lower bounds of ``instance``.

    The *offered load* is the memory work the requests bring (token-rounds, see
    :func:`kvopt.bounds.work`) per round of the arrival window, divided by M. Above 1,
    the requests arrive faster than any schedule can serve them: queues and latencies
    grow with the trace length. With all requests at time 0 the window is one round, and
    the figure reads as "how many memory-full rounds of work arrive at once".
    """
    a, s, o = instance.arrival, instance.prompt, instance.output
    w = work(instance)
    span = int(a.max() - a.min()) + 1 if instance.n else 0
    d: dict[str, Any] = {
        "name": instance.name,
        "requests": instance.n,
        "memory": instance.memory,
        "arrival": _dist(a),
        "arrival_window_rounds": span,
        "prompt": _dist(s),
        "output": _dist(o),
        "peak_over_memory": _dist((s + o) / instance.memory),
        "work_token_rounds": int(w.sum()),
        "offered_load": float(w.sum() / span / instance.memory) if span else 0.0,
        "predictions": {
            "point": instance.predicted is not None,
            "interval": instance.output_lo is not None,
        },
        "lower_bounds": {
            "sum_output": output_bound(instance),
            "area": area_bound(instance),
        },
    }
    if instance.predicted is not None:
        d["prediction_relative_error"] = _dist(np.abs(instance.predicted - o) / o)
    if instance.output_lo is not None:
        d["interval_accuracy"] = _dist(instance.output_lo / instance.output_hi)
    if instance.metadata:
        d["metadata"] = dict(instance.metadata)
    return d


def format_description(d: dict[str, Any]) -> str:
    """``describe()``'s dictionary as an aligned text block."""
    lines = [f"instance {d['name']}: n = {d['requests']}, M = {d['memory']}"]
    head = f"  {'':<16}{'min':>10}{'mean':>10}{'median':>10}{'p90':>10}{'max':>10}"
    lines.append(head)
    for key, label in (
        ("arrival", "arrival"),
        ("prompt", "prompt s"),
        ("output", "output o"),
        ("peak_over_memory", "(s+o)/M"),
    ):
        x = d[key]
        if x:
            lines.append(
                f"  {label:<16}"
                + "".join(f"{x[c]:>10.4g}" for c in ("min", "mean", "median", "p90", "max"))
            )
    lines.append(
        f"  work             {d['work_token_rounds']} token-rounds over an arrival "
        f"window of {d['arrival_window_rounds']} round(s)"
    )
    lines.append(
        f"  offered load     {d['offered_load']:.4g} x M per round"
        + (
            "  (overloaded: > 1)"
            if d["offered_load"] > 1 and d["arrival_window_rounds"] > 1
            else ""
        )
    )
    p = d["predictions"]
    lines.append(
        f"  predictions      point: {'yes' if p['point'] else 'no'}, "
        f"interval: {'yes' if p['interval'] else 'no'}"
    )
    lb = d["lower_bounds"]
    lines.append(
        f"  lower bounds     total latency >= {max(lb.values())} "
        f"(sum of outputs {lb['sum_output']}, memory area {lb['area']})"
    )
    return "\n".join(lines)

"""The picture of a comparison: latency CDFs, latency, memory and queue over time.

Four panels, one line per policy (oracle policies are labelled ``(oracle)`` and dashed):
the empirical CDF of the request latencies; the mean latency of the requests arriving in
each time bin; the memory held (with the limit M); the number of waiting requests. Times
are in seconds with a time model, in rounds without. Every line is drawn from the
verified schedules' :class:`~kvopt.series.Series`; :class:`ComparisonPlot` keeps what was
drawn so that tests and users can check it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kvopt.files import write_atomic
from kvopt.plot import output_format, require_matplotlib

if TYPE_CHECKING:  # pragma: no cover
    from kvopt.compare import CompareTable

#: Bins of the latency-over-time panel.
LATENCY_BINS = 60


@dataclass(eq=False)
class ComparisonPlot:
    """The figure and, per policy, its legend label and latency-CDF points."""

    figure: Any
    labels: list[str]
    cdf: list[tuple[np.ndarray, np.ndarray]]

    def save(self, path: str | os.PathLike[str], dpi: int = 110) -> Path:
        """Write the picture; the suffix (png, svg, pdf) is the format."""
        p = Path(path)
        fmt = output_format(p)
        write_atomic(p, lambda tmp: self.figure.savefig(tmp, format=fmt, dpi=dpi))
        return p


def binned_mean(x: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Centres of ``bins`` equal bins of ``x`` and the mean ``y`` in each (NaN if empty)."""
    if not x.size:
        return np.zeros(0), np.zeros(0)
    lo, hi = float(x.min()), float(x.max())
    edges = np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
    total = np.bincount(which, weights=y, minlength=bins)
    count = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return (edges[:-1] + edges[1:]) / 2, mean


def build(table: CompareTable) -> ComparisonPlot:
    """Draw the comparison (needs matplotlib)."""
    require_matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 8), layout="constrained")
    ax = fig.subplots(2, 2)
    u = "s" if table.unit == "seconds" else "rounds"
    labels, cdf = [], []
    for k, run in enumerate(table.runs):
        rec, s = run.record, run.series
        name = rec["policy"] + (" (oracle)" if rec["oracle"] else "")
        style = {"color": f"C{k % 10}", "linestyle": "--" if rec["oracle"] else "-"}
        xs = np.sort(s.latency)
        ys = np.arange(1, xs.size + 1) / max(xs.size, 1)
        ax[0, 0].step(xs, ys, where="post", label=name, **style)
        bx, by = binned_mean(s.arrival, s.latency, LATENCY_BINS)
        ax[0, 1].plot(bx, by, label=name, **style)
        ax[1, 0].step(s.time, s.memory, where="pre", label=name, **style)
        ax[1, 1].step(s.time, s.queue, where="post", label=name, **style)
        labels.append(name)
        cdf.append((xs, ys))
    if table.runs:
        ax[1, 0].axhline(table.runs[0].series.limit, color="#c0392b", linewidth=1, label="M")
    titles = (
        ("latency CDF", f"latency ({u})", "fraction of requests"),
        ("latency by arrival time", f"arrival ({u})", f"mean latency ({u})"),
        ("memory held", f"time ({u})", "KV tokens"),
        ("queue", f"time ({u})", "waiting requests"),
    )
    for a, (title, xl, yl) in zip(ax.flat, titles, strict=True):
        a.set_title(title)
        a.set_xlabel(xl)
        a.set_ylabel(yl)
        a.grid(alpha=0.3)
    ax[0, 0].legend(loc="lower right", fontsize="small")
    what = f"time model {table.time_model}" if table.time_model else "rounds"
    fig.suptitle(f"{table.instance}: {len(table.runs)} policies ({what})")
    return ComparisonPlot(fig, labels, cdf)


def plot_comparison(table: CompareTable, path: str | os.PathLike[str]) -> ComparisonPlot:
    """Draw ``table`` and write it to ``path`` (png, svg or pdf)."""
    output_format(path)
    pic = build(table)
    pic.save(path)
    return pic

"""Pictures of schedules: a Gantt chart above the memory profile, on one time axis.

A picture has one column per schedule (two for a comparison) and two panels per column:

- the **Gantt chart**. For a small instance, one row per request: the time from its
  arrival to its completion lightly shaded (it is waiting wherever no run covers it),
  its complete run in a solid colour, evicted runs hatched, a triangle at the arrival
  and a bar at the completion. For a large instance, one row per *lane* (requests
  packed greedily into rows so that their arrival-to-completion spans do not overlap),
  drawn as an image with a fixed number of columns so that 10^5 requests render in
  seconds; a pixel shows the most important state it covers (evicted run > run >
  waiting).
- the **memory profile**: the tokens held in each round as a step function. For a small
  instance, one stacked band per request (evicted runs hatched); for a large one, the
  aggregate (the maximum over each pixel column when the horizon is longer than the
  picture is wide, so that no overflow is hidden) and the mean. The limit M is a line.

Round ``t`` is the interval ``(t-1, t]``: a run ``(start, end)`` covers ``[start, end]``
on the time axis, and the memory of round ``t`` is drawn over ``[t-1, t]``.

Every number drawn comes from :func:`kvopt.verify`'s :class:`~kvopt.verify.Report` (the
memory bands of single requests from the verifier's own
:class:`~kvopt.verify.MemoryProfile`, checked to add up to the report's profile); the
arrays are kept in :class:`Panel` so that tests and users can check what was drawn.

matplotlib is an optional dependency (``pip install 'kvopt[plot]'``); it is imported
only when a picture is made, through the object-oriented API (no ``pyplot``, no display
needed, the global backend is left alone).
"""

from __future__ import annotations

import heapq
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kvopt.errors import KvoptError
from kvopt.files import write_atomic
from kvopt.model import Instance
from kvopt.schedule import Schedule
from kvopt.verify import MemoryProfile, Report, verify

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Up to this many requests, one Gantt row and one memory band per request.
DETAIL_LIMIT = 40
#: Longest horizon (rounds) drawn round by round in the detailed memory panel.
DETAIL_HORIZON = 20_000
#: Most request-rounds of stacked memory bands; beyond, the detailed view draws the total.
BAND_CELLS = 4_000_000
#: Pixel columns of the aggregate (lane) views.
TIME_BINS = 1600
#: Most image rows of the lane view; more lanes share a row.
LANE_ROWS = 400
#: File formats :meth:`Plot.save` writes.
FORMATS = ("png", "svg", "pdf")

#: Lane-image state codes.
EMPTY, WAITING, RUNNING, EVICTED = 0, 1, 2, 3
_STATE_COLORS = ("#ffffff", "#d9d9d9", "#3b75af", "#e1812c")
_WAIT_COLOR = "#d9d9d9"
_LIMIT_COLOR = "#c0392b"


def require_matplotlib() -> Any:
    """Import matplotlib, or raise a one-line :class:`KvoptError` saying how to get it."""
    try:
        import matplotlib
        import matplotlib.figure  # noqa: F401
    except ImportError:
        raise KvoptError(
            "pictures need matplotlib, which is not installed: pip install 'kvopt[plot]'"
        ) from None
    return matplotlib


@dataclass(eq=False)
class Panel:
    """What one schedule's column of a picture shows (every array that was drawn).

    Attributes
    ----------
    label
        The solver or policy named in the title.
    report
        The verifier's report, the source of every number drawn.
    detailed
        ``True``: one Gantt row and one memory band per request; ``False``: lanes and
        aggregate memory.
    row
        The Gantt row of each request, in instance order (its position when detailed,
        its lane otherwise).
    rows
        Number of Gantt rows (requests or lanes).
    span
        ``(n, 2)``: each request's shaded span, from its arrival (or first run, if
        earlier) to its completion (or the end of the picture, if it never completes).
    run_request, run_start, run_end, run_evicted
        One entry per run: the request's position, the run's start and end, and whether
        it is an evicted (incomplete) run. Complete runs are the report's
        ``start`` / ``completion``.
    gantt_image
        The lane image (rows x columns of state codes ``EMPTY``, ``WAITING``,
        ``RUNNING``, ``EVICTED``) or ``None`` when detailed.
    gantt_extent
        ``(columns, rounds per column, lanes per image row)`` of the lane image.
    memory_edges
        Time-axis boundaries of the memory steps (``len(memory) + 1`` entries).
    memory
        Tokens drawn per step: the report's ``memory_profile`` when ``memory_binned`` is
        ``False``, else the maximum over each step's rounds.
    memory_binned
        Whether a step covers more than one round.
    memory_mean
        The report's ``mean_memory`` (drawn as a dashed line in the aggregate view).
    bands, band_request, band_evicted
        Detailed view only: the stacked memory bands (one row per band and round), the
        request of each band and whether it holds that request's evicted runs.
    reference, reference_kind, ratio
        The best known optimum (``"optimal"``) or lower bound (``"bound"``) the
        objective is compared with, and ``objective / reference`` (``None`` if unknown).
    """

    label: str
    report: Report
    detailed: bool
    row: np.ndarray
    rows: int
    span: np.ndarray
    run_request: np.ndarray
    run_start: np.ndarray
    run_end: np.ndarray
    run_evicted: np.ndarray
    memory_edges: np.ndarray
    memory: np.ndarray
    memory_binned: bool
    memory_mean: float
    gantt_image: np.ndarray | None = None
    gantt_extent: tuple[int, int, int] | None = None
    bands: np.ndarray | None = None
    band_request: np.ndarray | None = None
    band_evicted: np.ndarray | None = None
    reference: float | None = None
    reference_kind: str | None = None
    ratio: float | None = None
    gantt_axes: Any = field(default=None, repr=False)
    memory_axes: Any = field(default=None, repr=False)

    @property
    def objective(self) -> int | None:
        """Total latency of the schedule (the report's)."""
        return self.report.objective


@dataclass(eq=False)
class Plot:
    """A picture: the matplotlib figure and one :class:`Panel` per schedule."""

    figure: Figure
    panels: list[Panel]

    def save(self, path: str | os.PathLike[str], dpi: int = 120) -> Path:
        """Write the picture to ``path``; its suffix (png, svg or pdf) is the format.

        ``-`` writes a PNG to standard output.
        """
        p = Path(path)
        fmt = output_format(p)
        if str(path) == "-":
            self.figure.savefig(sys.stdout.buffer, format=fmt, dpi=dpi)
            sys.stdout.buffer.flush()
            return p
        write_atomic(p, lambda tmp: self.figure.savefig(tmp, format=fmt, dpi=dpi))
        return p


def output_format(path: str | os.PathLike[str]) -> str:
    """The file format named by ``path``'s suffix (``-``: png); a :class:`KvoptError` if none."""
    if str(path) == "-":
        return "png"
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise KvoptError(
            f"{path}: cannot tell the picture format from the suffix {('.' + suffix)!r}; "
            f"use one of {', '.join('.' + f for f in FORMATS)}"
        )
    return suffix


# -- the data behind a panel -----------------------------------------------------------


def _runs(instance: Instance, schedule: Schedule, report: Report) -> tuple[np.ndarray, ...]:
    """Per run: request position, start, end, and whether it is an evicted run."""
    idx, unknown = schedule.indices(instance)
    if unknown:
        raise KvoptError(unknown[0].message)
    S, E = schedule.start, schedule.end
    complete = (report.start[idx] == S) & (report.completion[idx] == E)
    return idx, S, E, ~complete


def lanes(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, int]:
    """Pack intervals ``[lo, hi)`` into as few rows as possible (greedy by ``lo``).

    Returns the row of each interval and the number of rows; two intervals in one row
    never overlap. The greedy rule (each interval takes the row freed earliest, opening
    a new one when none is free) uses the minimum number of rows.
    """
    order = np.argsort(lo, kind="stable")
    row = np.empty(lo.size, dtype=np.int64)
    free: list[tuple[int, int]] = []  # (free from, row)
    rows = 0
    lo_l, hi_l = lo.tolist(), hi.tolist()
    for i in order.tolist():
        if free and free[0][0] <= lo_l[i]:
            _, r = heapq.heapreplace(free, (hi_l[i], free[0][1]))
        else:
            r = rows
            rows += 1
            heapq.heappush(free, (hi_l[i], r))
        row[i] = r
    return row, rows


def _paint(
    shape: tuple[int, int], row: np.ndarray, lo: np.ndarray, hi: np.ndarray, width: int
) -> np.ndarray:
    """Which pixels the intervals ``[lo, hi)`` (rounds) touch, in columns of ``width``."""
    rows, cols = shape
    keep = hi > lo
    row, lo, hi = row[keep], lo[keep], hi[keep]
    c0 = np.clip(lo // width, 0, cols)
    c1 = np.clip(-(-hi // width), 0, cols)
    diff = np.zeros((rows, cols + 1), dtype=np.int64)
    np.add.at(diff, (row, c0), 1)
    np.add.at(diff, (row, c1), -1)
    return np.cumsum(diff, axis=1)[:, :cols] > 0


def _binned_max(report: Report, horizon: int, width: int) -> np.ndarray:
    """The most tokens held in any round of each column of ``width`` rounds.

    Memory only grows between two run ends (``models/README.md``), so the maximum over
    rounds ``lo..hi`` is attained at a run end inside them or at ``hi``: evaluating the
    report's profile there is exact and needs no round-by-round array.
    """
    cols = -(-horizon // width)
    right = np.minimum(np.arange(1, cols + 1) * width, horizon)
    ends = np.unique(report.profile.end)
    ends = ends[(ends >= 1) & (ends <= horizon)]
    points = np.concatenate((ends, right))
    values = report.memory_at(points)
    col = np.concatenate(((ends - 1) // width, np.arange(cols)))
    out = np.zeros(cols, dtype=np.int64)
    np.maximum.at(out, col, values)
    return out


def _reference(
    entry: Any, report: Report, others: Sequence[tuple[Any, Report]]
) -> tuple[float | None, str]:
    """The best known optimum (a proven one, as the verifier measures it) or else the
    best lower bound, among ``entry`` and the feasible ``others``."""
    for e, rep in [(entry, report), *others]:
        if getattr(e, "status", None) == "optimal" and rep.objective is not None:
            return float(rep.objective), "optimal"
    bounds = [getattr(e, "lower_bound", None) for e, _ in [(entry, report), *others]]
    bounds = [b for b in bounds if b is not None and b > 0]
    return (max(bounds), "bound") if bounds else (None, "")


def build_panel(
    instance: Instance,
    schedule: Schedule,
    *,
    label: str = "",
    report: Report | None = None,
    detailed: bool | None = None,
    time_bins: int = TIME_BINS,
    horizon: int | None = None,
    lane_image: bool = True,
) -> Panel:
    """Compute what a picture of ``schedule`` shows, without drawing it.

    Parameters
    ----------
    instance, schedule
        The instance and a schedule of it (runs naming unknown requests are an error;
        other violations are drawn as they are, e.g. memory above M).
    label
        The solver or policy.
    report
        The verifier's report of ``schedule`` (computed, non-strictly, if not given).
    detailed
        One row and band per request; default: ``instance.n <= DETAIL_LIMIT``.
    time_bins
        Pixel columns of the aggregate views.
    horizon
        Right end of the time axis (default: the latest completion or arrival).
    lane_image
        Whether the aggregate view also paints its lane image (``gantt_image``).
    """
    if time_bins < 1:
        raise KvoptError(f"time_bins must be >= 1, got {time_bins}")
    if report is None:
        report = verify(instance, schedule, strict=False)
    run_req, run_start, run_end, run_evicted = _runs(instance, schedule, report)
    n = instance.n
    last_end = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_end, run_req, run_end)
    first_start = report.first_start
    if horizon is None:
        horizon = int(max(report.makespan, int(instance.arrival.max(initial=0)) + 1, 1))
    done = report.completion >= 0
    lo = np.where(
        (first_start >= 0) & (first_start < instance.arrival), first_start, instance.arrival
    )
    hi = np.where(done, np.maximum(report.completion, last_end), horizon)
    span = np.stack((lo, hi), axis=1) if n else np.zeros((0, 2), dtype=np.int64)
    if detailed is None:
        detailed = n <= DETAIL_LIMIT
    T = report.makespan
    binned = T > (DETAIL_HORIZON if detailed else time_bins)
    panel = Panel(
        label=label,
        report=report,
        detailed=bool(detailed),
        row=np.arange(n) if detailed else np.zeros(n, dtype=np.int64),
        rows=n,
        span=span,
        run_request=run_req,
        run_start=run_start,
        run_end=run_end,
        run_evicted=run_evicted,
        memory_edges=np.zeros(0, dtype=np.int64) if binned else np.arange(T + 1),
        memory=np.zeros(0, dtype=np.int64),
        memory_binned=binned,
        memory_mean=report.mean_memory,
    )
    if not detailed:
        row, rows = lanes(lo, np.maximum(hi, lo + 1))
        panel.row, panel.rows = row, rows
    if not detailed and lane_image:
        width = max(1, -(-horizon // time_bins))
        cols = -(-horizon // width)
        per_row = max(1, -(-rows // LANE_ROWS))
        shape = (max(1, -(-rows // per_row)), cols)
        img = np.full(shape, EMPTY, dtype=np.int8)
        layers = (
            (WAITING, row, lo, hi),
            (RUNNING, row[run_req[~run_evicted]], run_start[~run_evicted], run_end[~run_evicted]),
            (EVICTED, row[run_req[run_evicted]], run_start[run_evicted], run_end[run_evicted]),
        )
        for code, r, a, b in layers:
            img[_paint(shape, r // per_row, a, b, width)] = code
        panel.gantt_image, panel.gantt_extent = img, (cols, width, per_row)
    if binned:
        width = -(-T // time_bins)
        panel.memory = _binned_max(report, T, width)
        panel.memory_edges = np.minimum(np.arange(panel.memory.size + 1) * width, T)
    else:
        panel.memory = report.memory_profile
        if detailed and n * T <= BAND_CELLS:
            _bands(panel, instance, T)
    return panel


def _bands(panel: Panel, instance: Instance, T: int) -> None:
    """One memory band per request and kind of run, from the verifier's MemoryProfile."""
    rounds = np.arange(1, T + 1)
    bands, who, evicted = [], [], []
    for i in range(instance.n):
        mine = panel.run_request == i
        for ev in (True, False):
            sel = mine & (panel.run_evicted == ev) & (panel.run_end > panel.run_start)
            if not sel.any():
                continue
            prof = MemoryProfile(
                instance.prompt[panel.run_request[sel]], panel.run_start[sel], panel.run_end[sel]
            )
            bands.append(prof.at(rounds))
            who.append(i)
            evicted.append(ev)
    panel.bands = np.array(bands, dtype=np.int64).reshape(len(bands), T)
    panel.band_request = np.array(who, dtype=np.int64)
    panel.band_evicted = np.array(evicted, dtype=bool)
    if not np.array_equal(panel.bands.sum(axis=0), panel.memory):
        raise AssertionError("memory bands do not add up to the verifier's profile (a bug)")


# -- drawing ---------------------------------------------------------------------------


def _color(i: int) -> Any:
    """Request ``i``'s colour: ten distinct hues, then their light variants."""
    import matplotlib

    return matplotlib.colormaps["tab20"]((2 * i) % 20 + (i // 10) % 2)


def draw_gantt(ax: Axes, instance: Instance, panel: Panel) -> list[Any]:
    """Draw ``panel``'s Gantt chart on ``ax``; returns the legend handles."""
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if panel.detailed:
        rows = panel.row
        ax.barh(
            rows,
            panel.span[:, 1] - panel.span[:, 0],
            left=panel.span[:, 0],
            height=0.7,
            color=_WAIT_COLOR,
            label="_waiting",
        )
        for evicted in (False, True):
            sel = panel.run_evicted == evicted
            req = panel.run_request[sel]
            ax.barh(
                rows[req],
                panel.run_end[sel] - panel.run_start[sel],
                left=panel.run_start[sel],
                height=0.7,
                color=[_color(int(i)) for i in req],
                alpha=0.55 if evicted else 1.0,
                hatch="////" if evicted else None,
                edgecolor="black" if evicted else "none",
                linewidth=0.5,
                label="_evicted" if evicted else "_runs",
            )
        ax.scatter(instance.arrival, rows, marker=">", s=22, color="black", zorder=3, clip_on=False)
        done = panel.report.completion >= 0
        ax.scatter(
            panel.report.completion[done],
            rows[done],
            marker="|",
            s=90,
            linewidths=1.6,
            color="black",
            zorder=3,
            clip_on=False,
        )
        ax.set_ylim(max(panel.rows, 1) - 0.5, -0.5)
        if panel.rows <= DETAIL_LIMIT:
            ax.set_yticks(np.arange(panel.rows), [str(r) for r in instance.ids], fontsize=8)
        ax.set_ylabel("request")
    else:
        cols, width, per_row = panel.gantt_extent
        ax.imshow(
            panel.gantt_image,
            cmap=ListedColormap(_STATE_COLORS),
            vmin=-0.5,
            vmax=3.5,
            aspect="auto",
            interpolation="nearest",
            extent=(0, cols * width, panel.gantt_image.shape[0] * per_row, 0),
        )
        ax.set_ylabel(f"lane ({panel.rows} lanes)")
    run_color = "#777777" if panel.detailed else _STATE_COLORS[RUNNING]
    evicted_color = "#bbbbbb" if panel.detailed else _STATE_COLORS[EVICTED]
    handles = [
        Patch(facecolor=_STATE_COLORS[WAITING], label="waiting"),
        Patch(facecolor=run_color, label="run"),
    ]
    if panel.run_evicted.any():
        handles.append(
            Patch(
                facecolor=evicted_color,
                hatch="////" if panel.detailed else None,
                edgecolor="black" if panel.detailed else "none",
                lw=0.5,
                label="evicted run",
            )
        )
    if panel.detailed:
        handles += [
            Line2D([], [], marker=">", ls="none", color="black", label="arrival"),
            Line2D([], [], marker="|", ms=9, mew=1.6, ls="none", color="black", label="completion"),
        ]
    return handles


def draw_memory(ax: Axes, instance: Instance, panel: Panel) -> list[Any]:
    """Draw ``panel``'s memory profile and the limit M on ``ax``; returns legend handles."""
    from matplotlib.ticker import MaxNLocator

    edges = panel.memory_edges
    if panel.bands is not None and panel.bands.size:
        bottom = np.zeros(panel.bands.shape[1], dtype=np.int64)
        for band, i, ev in zip(panel.bands, panel.band_request, panel.band_evicted, strict=True):
            top = bottom + band
            ax.stairs(
                top,
                edges,
                baseline=bottom,
                fill=True,
                color=_color(int(i)),
                alpha=0.55 if ev else 0.95,
                hatch="////" if ev else None,
                linewidth=0,
            )
            bottom = top
    elif panel.memory.size:
        what = "max per column" if panel.memory_binned else "tokens held"
        ax.stairs(panel.memory, edges, fill=True, color="#7fa7cf", label=what)
        ax.axhline(panel.memory_mean, color="#1f3b57", ls="--", lw=1, label="mean memory")
    ax.axhline(instance.memory, color=_LIMIT_COLOR, lw=1.5, label="limit M")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("KV tokens")
    ax.set_xlabel("time (rounds)")
    return ax.get_legend_handles_labels()[0]


def panel_title(panel: Panel) -> str:
    """The title lines of a schedule's column: label, total latency, optimality or ratio."""
    rep = panel.report
    first = f"{panel.label or 'schedule'}: total latency {rep.objective}"
    if rep.objective is None:
        first = f"{panel.label or 'schedule'}: some requests never complete"
    lines = [first]
    if not rep.feasible:
        lines.append(f"INFEASIBLE: {len(rep.violations)} violation(s)")
    elif panel.reference_kind == "optimal" and rep.objective == panel.reference:
        lines.append("optimal")
    elif panel.ratio is not None and panel.reference_kind == "optimal":
        lines.append(f"OPT {panel.reference:g}, ratio {panel.ratio:.3f}")
    elif panel.ratio is not None:
        lines.append(f"lower bound {panel.reference:g}, ratio <= {panel.ratio:.3f}")
    if rep.evicted_runs:
        lines[-1] += f"; {rep.evicted_runs} evicted run(s)"
    return "\n".join(lines)


def build_panels(
    instance: Instance,
    solutions: Sequence[Any],
    *,
    labels: Sequence[str] | None = None,
    detailed: bool | None = None,
    time_bins: int = TIME_BINS,
    instances: Sequence[Instance] | None = None,
    lane_image: bool = True,
) -> tuple[list[Panel], int]:
    """The :class:`Panel` of each schedule and the shared horizon, without drawing.

    Parameters are those of :func:`plot_solutions` (``lane_image=False`` skips the
    lane image of the aggregate view, for views that draw the lanes themselves).

    Returns
    -------
    panels, horizon
        One panel per solution, with its reference and ratio, and the right end of the
        shared time axis (the latest completion or arrival + 1).
    """
    if not solutions:
        raise KvoptError("nothing to plot: give at least one schedule")
    schedules = [s if isinstance(s, Schedule) else s.schedule for s in solutions]
    if any(s is None for s in schedules):
        raise KvoptError("a solution without a schedule cannot be plotted")
    if labels is not None and len(labels) != len(schedules):
        raise KvoptError(f"got {len(labels)} labels for {len(schedules)} schedules")
    insts = list(instances) if instances is not None else [instance] * len(schedules)
    if len(insts) != len(schedules):
        raise KvoptError(f"got {len(insts)} instances for {len(schedules)} schedules")
    for other in insts:
        if other.ids != instance.ids or other.memory != instance.memory:
            raise KvoptError(
                f"instance {other.name!r} does not have the requests and M of {instance.name!r}"
            )
    same = all(other is instance or other == instance for other in insts)
    reports = [verify(i, s, strict=False) for i, s in zip(insts, schedules, strict=True)]
    last_arrival = max(int(i.arrival.max(initial=0)) for i in insts)
    horizon = max(max(r.makespan for r in reports), last_arrival + 1, 1)
    panels = []
    for k, (entry, sched, rep) in enumerate(zip(solutions, schedules, reports, strict=True)):
        label = labels[k] if labels else getattr(entry, "solver", "") or f"schedule {k + 1}"
        p = build_panel(
            insts[k],
            sched,
            label=label,
            report=rep,
            detailed=detailed,
            time_bins=time_bins,
            horizon=horizon,
            lane_image=lane_image,
        )
        others = [(e, r) for j, (e, r) in enumerate(zip(solutions, reports, strict=True)) if j != k]
        others = [(e, r) for e, r in others if r.feasible and same]
        p.reference, p.reference_kind = _reference(entry, rep, others)
        if p.reference and rep.objective is not None:
            p.ratio = rep.objective / p.reference
        panels.append(p)
    return panels, horizon


def plot_solutions(
    instance: Instance,
    solutions: Sequence[Any],
    *,
    labels: Sequence[str] | None = None,
    detailed: bool | None = None,
    time_bins: int = TIME_BINS,
    title: str | None = None,
    instances: Sequence[Instance] | None = None,
) -> Plot:
    """Draw one or more schedules of ``instance`` side by side on a shared time axis.

    Parameters
    ----------
    instance
        The instance.
    solutions
        :class:`~kvopt.io.Solution`, :class:`~kvopt.result.Result` or
        :class:`~kvopt.schedule.Schedule` objects (usually one, or two to compare).
        A solution whose ``status`` is ``"optimal"`` is the optimum the others'
        ratios refer to; otherwise the largest ``lower_bound`` is used, as a bound.
    labels
        Column titles (default: each solution's ``solver``).
    detailed
        One row and memory band per request (default: ``instance.n <= DETAIL_LIMIT``).
    time_bins
        Pixel columns of the aggregate views (large instances).
    title
        The figure's title (default: the instance's name, size and M).
    instances
        One instance per solution, for schedules of the same requests whose arrival
        rounds differ: a simulation with arrival times in seconds and a time model
        decides in which round each request arrives, so two policies' schedules refer
        to two instances (``SimResult.instance``). They must have the same requests and
        M; no ratio is computed between them.

    Returns
    -------
    Plot
        The figure and, per schedule, the :class:`Panel` of everything drawn.
    """
    require_matplotlib()
    from matplotlib.figure import Figure

    panels, horizon = build_panels(
        instance,
        solutions,
        labels=labels,
        detailed=detailed,
        time_bins=time_bins,
        instances=instances,
    )
    insts = list(instances) if instances is not None else [instance] * len(panels)
    ncol = len(panels)
    detail_rows = panels[0].rows if panels[0].detailed else 0
    gantt_h = min(7.0, max(2.4, 0.22 * detail_rows)) if detail_rows else 3.2
    fig = Figure(figsize=(5.6 * ncol + 1.4, gantt_h + 2.9), layout="constrained")
    grid = fig.add_gridspec(2, ncol, height_ratios=(gantt_h, 2.4))
    top = max([instance.memory] + [int(p.memory.max(initial=0)) for p in panels])
    first_g = first_m = None
    legend: dict[str, Any] = {}
    for k, p in enumerate(panels):
        ax_g = fig.add_subplot(grid[0, k], sharex=first_g, sharey=first_g)
        ax_m = fig.add_subplot(grid[1, k], sharex=ax_g, sharey=first_m)
        first_g, first_m = first_g or ax_g, first_m or ax_m
        for h in draw_gantt(ax_g, insts[k], p) + draw_memory(ax_m, insts[k], p):
            legend.setdefault(h.get_label(), h)
        ax_g.set_title(panel_title(p), fontsize=10)
        ax_g.tick_params(labelbottom=False)
        ax_m.set_xlim(0, horizon * 1.01 + 0.2)
        ax_m.set_ylim(0, top * 1.08)
        p.gantt_axes, p.memory_axes = ax_g, ax_m
    fig.legend(
        handles=list(legend.values()),
        loc="outside lower center",
        ncol=len(legend),
        fontsize=8,
        frameon=False,
    )
    fig.suptitle(
        title or f"instance {instance.name}: {instance.n} requests, M = {instance.memory}",
        fontsize=11,
    )
    return Plot(figure=fig, panels=panels)


def plot_solution(instance: Instance, solution: Any, *, compare: Any = None, **kwargs: Any) -> Plot:
    """Draw ``solution`` (and ``compare`` beside it, if given); see :func:`plot_solutions`."""
    return plot_solutions(
        instance, [solution] if compare is None else [solution, compare], **kwargs
    )

"""An interactive page of schedules: one self-contained HTML file for a browser.

The page shows what :mod:`kvopt.plot` draws — per schedule a Gantt chart above the
memory profile, all schedules side by side on one time axis, the limit M as a line,
evicted runs marked (hatched when there is one row per request, orange in the lane
view) — and adds what a picture cannot:

- hovering a run shows its request, prompt, output, arrival, start, end, latency and
  the memory it holds (in every round, and in the round under the cursor); hovering the
  memory profile shows the tokens held in that round (and, with one row per request,
  which request's band is under the cursor); the hovered request is outlined in every
  schedule, and a cursor line marks the same time in every panel;
- the wheel zooms the shared time axis, dragging pans it, a double click resets it;
- a table of the verifier's metrics per schedule (and the ratio to the optimum or to a
  lower bound, as in the picture's titles).

Large instances use the picture's aggregate view: requests packed into lanes
(:func:`kvopt.plot.lanes`) and the memory as the most tokens held per pixel column
(for horizons above :data:`HTML_TIME_BINS` rounds, the maximum over groups of rounds,
computed exactly by the same code as the picture's). Every number comes from
:func:`kvopt.verify` through :func:`kvopt.plot.build_panels`.

The page needs no server and no network: the data is one inline JSON block and the
drawing code (``kvopt/data/html/plot.js``, about 20 kB of hand-written canvas code, no
library) is inlined too. No matplotlib is needed.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kvopt.files import write_output
from kvopt.model import Instance
from kvopt.plot import Panel, build_panels, panel_title

#: Longest horizon (rounds) whose memory profile is written round by round in the lane
#: view; longer horizons are written as the maximum over groups of rounds.
HTML_TIME_BINS = 8000
#: Rows of the metrics table: (heading, key of a row built by :func:`metrics_row`).
METRICS = (
    ("schedule", "label"),
    ("status", "status"),
    ("total latency", "objective"),
    ("vs. optimum / bound", "ratio"),
    ("mean latency", "mean_latency"),
    ("makespan", "makespan"),
    ("peak memory", "peak_memory"),
    ("mean memory", "mean_memory"),
    ("mean TTFT", "mean_ttft"),
    ("evicted runs", "evicted_runs"),
    ("wasted rounds", "wasted_rounds"),
    ("feasible", "feasible"),
)
#: Violations listed under the table per infeasible schedule.
MAX_VIOLATIONS = 5
_ASSETS = Path(__file__).resolve().parent / "data" / "html"


@dataclass(eq=False)
class Page:
    """An interactive page: its HTML text and one :class:`~kvopt.plot.Panel` per schedule.

    Attributes
    ----------
    text
        The whole self-contained HTML document.
    panels
        What each schedule's column shows (the verifier's report included).
    """

    text: str
    panels: list[Panel]

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (atomically: no half-written file is left; ``-``: stdout)."""
        write_output(path, self.text)
        return Path(path)


def _ints(a: np.ndarray) -> list[int]:
    return np.asarray(a, dtype=np.int64).tolist()


def schedule_data(panel: Panel, instance: Instance, own_arrivals: bool) -> dict[str, Any]:
    """The JSON the page's script reads for one schedule.

    Complete runs are given by their start per request (``-1``: no complete run; the
    end is ``start + output``), all other runs as three parallel arrays (evicted runs,
    and in an infeasible schedule any further copy of a complete run), the memory as the
    panel's steps (``width`` rounds each).
    """
    complete = np.flatnonzero(~panel.run_evicted)
    _, first = np.unique(panel.run_request[complete], return_index=True)
    ev = np.ones(panel.run_request.size, dtype=bool)
    ev[complete[first]] = False
    mem = panel.memory
    width = int(panel.memory_edges[1] - panel.memory_edges[0]) if panel.memory_binned else 1
    data: dict[str, Any] = {
        "label": panel.label,
        "start": _ints(panel.report.start),
        "ev_request": _ints(panel.run_request[ev]),
        "ev_start": _ints(panel.run_start[ev]),
        "ev_end": _ints(panel.run_end[ev]),
        "row": _ints(panel.row),
        "rows": int(panel.rows),
        "memory": {
            "width": width,
            "rounds": int(panel.report.makespan),
            "values": _ints(mem),
            "mean": round(float(panel.memory_mean), 3),
        },
    }
    if own_arrivals:
        data["arrival"] = _ints(instance.arrival)
    return data


def metrics_row(panel: Panel, status: str) -> dict[str, str]:
    """One row of the metrics table, as text (derived floats rounded to 3 decimals)."""
    summary = panel.report.summary()
    row = {k: "" if v is None else str(v) for k, v in summary.items()}
    for key in ("mean_latency", "mean_memory", "mean_ttft"):
        if summary[key] is not None:
            row[key] = f"{summary[key]:.3f}"
    row["feasible"] = (
        "yes" if panel.report.feasible else f"no ({len(panel.report.violations)} violations)"
    )
    row["label"], row["status"] = panel.label, status
    if panel.ratio is None:
        row["ratio"] = ""
    elif panel.reference_kind == "optimal":
        row["ratio"] = f"{panel.ratio:.3f} × OPT ({panel.reference:g})"
    else:
        row["ratio"] = f"≤ {panel.ratio:.3f} × OPT (bound {panel.reference:g})"
    return row


def _table(panels: Sequence[Panel], statuses: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h, _ in METRICS)
    body = []
    for p, status in zip(panels, statuses, strict=True):
        row = metrics_row(p, status)
        body.append("<tr>" + "".join(f"<td>{html.escape(row[k])}</td>" for _, k in METRICS))
    notes = []
    for p in panels:
        for v in p.report.violations[:MAX_VIOLATIONS]:
            notes.append(f"<li>{html.escape(p.label)}: {html.escape(v.message)}</li>")
        if len(p.report.violations) > MAX_VIOLATIONS:
            more = len(p.report.violations) - MAX_VIOLATIONS
            notes.append(f"<li>{html.escape(p.label)}: {more} more (see kvopt verify)</li>")
    listed = f"<ul class=violations>{''.join(notes)}</ul>" if notes else ""
    return f'<table id="kvopt-metrics"><tr>{head}</tr>{"".join(body)}</table>{listed}'


def _legend(detailed: bool, evicted: bool) -> str:
    items = [("#d9d9d9", "waiting"), ("#777" if detailed else "#3b75af", "run")]
    if evicted:
        hatch = "repeating-linear-gradient(135deg,#bbb 0 3px,#555 3px 4px)"
        items.append((hatch if detailed else "#e1812c", "evicted run"))
    items.append(("#c0392b", "limit M"))
    if not detailed:
        items += [("#7fa7cf", "memory (most per pixel column)"), ("#1f3b57", "mean memory")]
    spans = [f'<span><i style="background:{c}"></i>{html.escape(t)}</span>' for c, t in items]
    if detailed:
        spans += ["<span>&#9654; arrival</span>", "<span>| completion</span>"]
    return f'<div class="legend">{"".join(spans)}</div>'


def _columns(panels: Sequence[Panel], gantt_height: int) -> str:
    cols = []
    for k, p in enumerate(panels):
        cls = "" if p.report.feasible else ' class="bad"'
        title = "<br>".join(html.escape(line) for line in panel_title(p).splitlines())
        cols.append(
            f'<div class="col"><h2{cls}>{title}</h2>'
            f'<canvas id="kvopt-gantt-{k}" style="height:{gantt_height}px"></canvas>'
            f'<canvas id="kvopt-memory-{k}" style="height:220px"></canvas>'
            '<div class="axis">time (rounds)</div></div>'
        )
    style = f"grid-template-columns:repeat({len(panels)},minmax(420px,1fr))"
    return f'<div class="charts" style="{style}">{"".join(cols)}</div>'


def _json_script(data: Any) -> str:
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    # no "</script>" or "<!--" can end the block early; "\u003c" is the same JSON string
    text = text.replace("<", "\\u003c")
    return f'<script type="application/json" id="kvopt-data">{text}</script>'


def page_data(
    instance: Instance, panels: Sequence[Panel], instances: Sequence[Instance], horizon: int
) -> dict[str, Any]:
    """The JSON the page's script draws: the requests, M, the time axis, each schedule."""
    own = [other is not instance and other != instance for other in instances]
    return {
        "ids": [str(i) for i in instance.ids],
        "prompt": _ints(instance.prompt),
        "output": _ints(instance.output),
        "arrival": _ints(instance.arrival),
        "memory": int(instance.memory),
        "horizon": int(horizon),
        "detailed": panels[0].detailed,
        "top": max([instance.memory] + [int(p.memory.max(initial=0)) for p in panels]),
        "schedules": [
            schedule_data(p, i, o) for p, i, o in zip(panels, instances, own, strict=True)
        ],
    }


def _document(
    heading: str, panels: Sequence[Panel], statuses: Sequence[str], data: dict[str, Any]
) -> str:
    rows = len(data["ids"]) if panels[0].detailed else 0
    gantt_height = min(620, max(140, 18 * rows + 40)) if rows else 380
    evicted = any(p.run_evicted.any() for p in panels)
    return "\n".join(
        (
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(heading)}</title>",
            f"<style>{(_ASSETS / 'plot.css').read_text(encoding='utf-8')}</style>",
            "<script>window.addEventListener('error',function(e){document.documentElement"
            ".setAttribute('data-kvopt-error',String(e.message))});</script>",
            "</head><body>",
            f"<h1>{html.escape(heading)}</h1>",
            '<p class="hint">Hover a run or the memory profile for details; wheel: zoom the '
            "time axis, drag: pan, double click: reset."
            '<button id="kvopt-reset" type="button">reset zoom</button></p>',
            _legend(panels[0].detailed, evicted),
            _columns(panels, gantt_height),
            _table(panels, statuses),
            '<div id="kvopt-tip"></div>',
            _json_script(data),
            f"<script>{(_ASSETS / 'plot.js').read_text(encoding='utf-8')}</script>",
            "</body></html>",
            "",
        )
    )


def render_html(
    instance: Instance,
    solutions: Sequence[Any] | Mapping[str, Any],
    *,
    labels: Sequence[str] | None = None,
    detailed: bool | None = None,
    title: str | None = None,
    instances: Sequence[Instance] | None = None,
) -> Page:
    """The page of one or more schedules of ``instance``.

    Parameters
    ----------
    instance
        The instance.
    solutions
        :class:`~kvopt.io.Solution`, :class:`~kvopt.result.Result` or
        :class:`~kvopt.schedule.Schedule` objects, or a mapping from label to such an
        object (labelled schedules). As in :func:`kvopt.plot.plot_solutions`, a
        solution whose ``status`` is ``"optimal"`` is the optimum the others' ratios
        refer to; otherwise the largest ``lower_bound`` serves, as a bound.
    labels
        Column titles (default: the mapping's keys, else each solution's ``solver``).
    detailed
        One row per request (default: ``instance.n <= kvopt.plot.DETAIL_LIMIT``) or
        lanes (``False``).
    title
        The page's heading (default: the instance's name, size and M).
    instances
        One instance per solution when arrival rounds differ (calibrated time); see
        :func:`kvopt.plot.plot_solutions`.

    Returns
    -------
    Page
        The HTML text and the panel of each schedule.
    """
    if isinstance(solutions, Mapping):
        labels = list(solutions) if labels is None else labels
        solutions = list(solutions.values())
    panels, horizon = build_panels(
        instance,
        solutions,
        labels=labels,
        detailed=detailed,
        time_bins=HTML_TIME_BINS,
        instances=instances,
        lane_image=False,
    )
    insts = list(instances) if instances is not None else [instance] * len(panels)
    data = page_data(instance, panels, insts, horizon)
    statuses = [str(getattr(s, "status", "") or "") for s in solutions]
    heading = title or f"instance {instance.name}: {instance.n} requests, M = {instance.memory}"
    text = _document(heading, panels, statuses, data)
    return Page(text=text, panels=panels)


def write_html(
    instance: Instance,
    solutions: Sequence[Any] | Mapping[str, Any],
    path: str | os.PathLike[str],
    **kwargs: Any,
) -> Page:
    """Write the page of ``solutions`` to ``path``; keywords as in :func:`render_html`.

    This is the function for any command that shows schedules in a browser: it takes a
    list of schedules with ``labels=[...]`` or a mapping from label to schedule, e.g.
    ``write_html(inst, {"optimum": result, "MC-SF": sim.to_solution()}, "page.html")``.

    Returns
    -------
    Page
        What was written (its text and panels).
    """
    page = render_html(instance, solutions, **kwargs)
    page.save(path)
    return page

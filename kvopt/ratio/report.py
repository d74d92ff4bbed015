"""Ratios from trial records: summary table, CSV, JSON and a plot.

Ratios are never silently mixed (``models/README.md``, "Conventions for numbers"):

* on a trial whose OPT is **certified** (``opt.status == "optimal"``) the ratio
  ALG/OPT is exact; the columns ``mean``, ``median``, ``max`` and ``ALG=OPT`` use only
  these trials;
* on the others the true ratio lies in ``[ALG/UB, ALG/LB]`` (UB: the best schedule
  known, LB: the best proven bound). ``ALG/LB`` is an **upper estimate** of the ratio and
  is reported in its own columns (``ub-est mean``/``ub-est max``);
* ``ALG>best`` counts the trials, certified or not, on which a better schedule is known:
  there the policy is provably not optimal;
* over all trials, the mean ratio is bracketed by ``[mean lo, mean hi]``, where each
  trial contributes its exact ratio, or ``ALG/UB`` and ``ALG/LB`` respectively.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from kvopt.files import write_atomic, write_output
from kvopt.report_table import render_table


@dataclass
class TrialRatio:
    """One policy on one trial."""

    trial: int
    policy: str
    alg: int
    status: str  # "optimal" or "bound"
    opt: int | None  # best known objective (OPT when status is "optimal")
    lower_bound: float | None
    ratio: float | None  # exact ratio (certified) or None
    ratio_lo: float | None  # ALG / best known objective
    ratio_hi: float | None  # ALG / lower bound: the upper estimate


def trial_ratios(record: Mapping[str, Any]) -> list[TrialRatio]:
    """The ratios of every policy on one trial record."""
    opt = record["opt"]
    ub, lb, status = opt.get("objective"), opt.get("lower_bound"), opt["status"]
    out = []
    for policy, alg in record["alg"].items():
        lo = alg / ub if ub else None
        hi = alg / lb if lb else None
        exact = lo if status == "optimal" else None
        out.append(TrialRatio(record["trial"], policy, alg, status, ub, lb, exact, lo, hi))
    return out


@dataclass
class PolicySummary:
    """Ratio statistics of one policy over a sweep."""

    policy: str
    trials: int
    certified: int
    alg_is_opt: int
    beaten: int
    mean: float | None
    median: float | None
    max: float | None
    worst_trial: int | None
    uncertified: int
    ub_est_mean: float | None
    ub_est_max: float | None
    mean_lo: float | None
    mean_hi: float | None


def _f(values: Sequence[float], fn) -> float | None:
    return float(fn(values)) if len(values) else None


def summarize(records: Sequence[Mapping[str, Any]], policies: Sequence[str]) -> list[PolicySummary]:
    """Per-policy statistics of the given trial records."""
    by_policy: dict[str, list[TrialRatio]] = {p: [] for p in policies}
    for rec in records:
        for r in trial_ratios(rec):
            by_policy.setdefault(r.policy, []).append(r)
    out = []
    for policy, rows in by_policy.items():
        cert = [r for r in rows if r.status == "optimal"]
        unc = [r for r in rows if r.status != "optimal"]
        exact = [r.ratio for r in cert]
        hi_est = [r.ratio_hi for r in unc if r.ratio_hi is not None]
        lo_all = [r.ratio_lo for r in rows if r.ratio_lo is not None]
        hi_all = [r.ratio_hi for r in rows if r.ratio_hi is not None]
        worst = max(cert, key=lambda r: r.ratio).trial if cert else None
        out.append(
            PolicySummary(
                policy=policy,
                trials=len(rows),
                certified=len(cert),
                alg_is_opt=sum(r.alg == r.opt for r in cert),
                beaten=sum(r.opt is not None and r.alg > r.opt for r in rows),
                mean=_f(exact, np.mean),
                median=_f(exact, np.median),
                max=_f(exact, np.max),
                worst_trial=worst,
                uncertified=len(unc),
                ub_est_mean=_f(hi_est, np.mean),
                ub_est_max=_f(hi_est, np.max),
                mean_lo=_f(lo_all, np.mean) if len(lo_all) == len(rows) else None,
                mean_hi=_f(hi_all, np.mean) if len(hi_all) == len(rows) else None,
            )
        )
    return out


_COLUMNS = [
    ("policy", "policy"),
    ("trials", "trials"),
    ("certified", "certified"),
    ("ALG=OPT", "alg_is_opt"),
    ("ALG>best", "beaten"),
    ("mean", "mean"),
    ("median", "median"),
    ("max", "max"),
    ("worst", "worst_trial"),
    ("uncert.", "uncertified"),
    ("ub-est mean", "ub_est_mean"),
    ("ub-est max", "ub_est_max"),
    ("mean lo", "mean_lo"),
    ("mean hi", "mean_hi"),
]


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def format_table(summaries: Sequence[PolicySummary]) -> str:
    """An aligned text table with a legend."""
    headers = [h for h, _ in _COLUMNS]
    rows = [[_cell(getattr(s, k)) for _, k in _COLUMNS] for s in summaries]
    justify = ["left"] + ["right"] * (len(headers) - 1)
    lines = [render_table(headers, rows, rule=True, justify=justify, width=400)]
    lines.append("")
    lines.append(
        "ALG>best: trials where a better schedule is known (ALG provably not optimal); "
        "mean/median/max: ALG/OPT over trials with certified OPT (worst: its trial); "
        "ub-est: ALG/lower bound on uncertified trials, an UPPER ESTIMATE of the ratio; "
        "mean lo/hi: bracket of the mean ratio over all trials."
    )
    return "\n".join(lines)


def to_csv(records: Sequence[Mapping[str, Any]]) -> str:
    """One row per (trial, policy)."""
    buf = io.StringIO()
    fields = ["trial", "seed", "instance", "n", "memory", "policy", "alg", "status", "opt"]
    fields += ["lower_bound", "ratio", "ratio_lo", "ratio_hi", "ratio_kind"]
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for rec in records:
        for r in trial_ratios(rec):
            row = {k: rec.get(k) for k in ("seed", "instance", "n", "memory")}
            row.update(asdict(r))
            row["ratio_kind"] = "exact" if r.status == "optimal" else "upper-estimate"
            if r.status != "optimal":
                row["ratio"] = r.ratio_hi
            w.writerow(row)
    return buf.getvalue()


def to_json(
    config: Mapping[str, Any],
    summaries: Sequence[PolicySummary],
    records: Sequence[Mapping[str, Any]],
) -> str:
    """The sweep's configuration, summary and every record."""
    doc = {
        "sweep": dict(config),
        "summary": [asdict(s) for s in summaries],
        "trials": list(records),
    }
    return json.dumps(doc, indent=1) + "\n"


def plot(
    records: Sequence[Mapping[str, Any]],
    policies: Sequence[str],
    path: str | os.PathLike[str],
    title: str = "",
) -> None:
    """Ratio distribution per policy: exact ratios as dots over a box, upper estimates
    (ALG/lower bound) as hollow triangles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)  # jitter only
    fig, ax = plt.subplots(figsize=(1.6 + 1.4 * len(policies), 4.0))
    rows = [r for rec in records for r in trial_ratios(rec)]
    for k, policy in enumerate(policies, start=1):
        exact = [r.ratio for r in rows if r.policy == policy and r.ratio is not None]
        est = [
            r.ratio_hi
            for r in rows
            if r.policy == policy and r.ratio is None and r.ratio_hi is not None
        ]
        if exact:
            ax.boxplot([exact], positions=[k], widths=0.5, showfliers=False)
            ax.scatter(
                k + rng.uniform(-0.15, 0.15, len(exact)),
                exact,
                s=10,
                color="C0",
                label="ALG/OPT (certified)" if k == 1 else None,
                zorder=3,
            )
        if est:
            ax.scatter(
                k + rng.uniform(-0.15, 0.15, len(est)),
                est,
                s=18,
                marker="^",
                facecolors="none",
                edgecolors="C3",
                zorder=3,
                label="ALG/lower bound (upper estimate)" if k == 1 else None,
            )
    ax.set_xticks(range(1, len(policies) + 1), list(policies), rotation=20)
    ax.set_ylabel("ratio to OPT")
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    ax.set_title(title)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def save_figure(fig: Any, path: str) -> None:
    """Write a matplotlib figure atomically (format from the suffix, png without one)."""
    import matplotlib.pyplot as plt

    from kvopt.plot import output_format

    fmt = output_format(path) if os.path.splitext(path)[1] else "png"
    try:
        write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=120, format=fmt))
    finally:
        plt.close(fig)


def write_outputs(
    config: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    policies: Sequence[str],
    *,
    csv_path: str | None = None,
    json_path: str | None = None,
    plot_path: str | None = None,
) -> list[PolicySummary]:
    """Write whichever outputs are asked for; return the summaries."""
    summaries = summarize(records, policies)
    if csv_path:
        write_output(csv_path, to_csv(records))
    if json_path:
        write_output(json_path, to_json(config, summaries, records))
    if plot_path:
        plot(records, policies, plot_path, title=str(config.get("family", "")))
    return summaries

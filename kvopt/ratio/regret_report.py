"""Regret tables, growth fits, JSON and the log-log plot.

Per policy and horizon: the number of seeds, how many have an exact OPT, and the mean
regret with a 95 % confidence interval over seeds (Student's t, ``mean ± t s/sqrt(m)``).
Where OPT is only bracketed the regret of a seed lies in ``[ALG - UB, ALG - LB]``; the
table then gives the bracket of the mean, each end with its own interval, and says so
(``exact`` counts the seeds with a proven OPT). Means are rounded to 0.01 where
produced.

Growth: the least-squares slope of log(mean regret) against log(horizon), over the
horizons whose mean regret is positive: regret ≈ c · horizon^slope (slope 0: bounded,
1: linear). For bracketed horizons the slope is fitted to each end of the bracket.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from kvopt.files import write_output
from kvopt.ratio.regret import regret_bracket
from kvopt.ratio.report import save_figure
from kvopt.report_table import render_table

# two-sided 95 % quantiles of Student's t for 1..30 degrees of freedom (then 1.96)
_T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
        2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074,
        2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]  # fmt: skip


def t95(df: int) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom."""
    return _T95[df - 1] if 1 <= df <= len(_T95) else 1.96


def mean_ci(values: Sequence[float]) -> tuple[float, float]:
    """Mean and the half-width of its 95 % confidence interval (0 for one value)."""
    x = np.asarray(values, dtype=np.float64)
    if x.size < 2:
        return float(x.mean()), 0.0
    return float(x.mean()), float(t95(x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))


@dataclass
class RegretRow:
    """One policy at one horizon."""

    policy: str
    horizon: int
    seeds: int
    exact: int
    mean_lo: float
    mean_hi: float
    ci_lo: float
    ci_hi: float
    mean_alg: float
    mean_n: float

    @property
    def is_exact(self) -> bool:
        return self.exact == self.seeds


def summarize(records: Sequence[Mapping[str, Any]], policies: Sequence[str]) -> list[RegretRow]:
    """One :class:`RegretRow` per policy and horizon (horizons in increasing order)."""
    rows = []
    for h in sorted({int(r["horizon"]) for r in records}):
        recs = [r for r in records if int(r["horizon"]) == h]
        exact = sum(r["opt"]["status"] == "optimal" for r in recs)
        for p in policies:
            lo, hi = zip(*(regret_bracket(dict(r), p) for r in recs), strict=True)
            m_lo, c_lo = mean_ci(lo)
            m_hi, c_hi = mean_ci(hi)
            rows.append(
                RegretRow(
                    p, h, len(recs), exact, round(m_lo, 2), round(m_hi, 2),
                    round(m_lo - c_lo, 2), round(m_hi + c_hi, 2),
                    round(float(np.mean([r["alg"][p] for r in recs])), 2),
                    round(float(np.mean([r["n"] for r in recs])), 2),
                )
            )  # fmt: skip
    return rows


def growth(rows: Sequence[RegretRow], policy: str, end: str = "hi") -> float | None:
    """Slope of log(mean regret) vs log(horizon) (``end``: ``"lo"`` or ``"hi"``)."""
    pts = [
        (r.horizon, getattr(r, f"mean_{end}"))
        for r in rows
        if r.policy == policy and getattr(r, f"mean_{end}") > 0
    ]
    if len({h for h, _ in pts}) < 2:
        return None
    x, y = np.log([h for h, _ in pts]), np.log([v for _, v in pts])
    return round(float(np.polyfit(x, y, 1)[0]), 3)


def _num(v: float) -> str:
    return f"{v:.6g}"


def format_table(rows: Sequence[RegretRow], policies: Sequence[str]) -> str:
    """The regret table and one growth line per policy."""
    table = []
    for r in rows:
        if r.is_exact:
            cell = f"{_num(r.mean_lo)} [{_num(r.ci_lo)}, {_num(r.ci_hi)}]"
        else:
            cell = (
                f"in [{_num(r.mean_lo)}, {_num(r.mean_hi)}] (bracketed; CI "
                f"[{_num(r.ci_lo)}, {_num(r.ci_hi)}])"
            )
        table.append([r.policy, r.horizon, r.seeds, r.exact, cell])
    headers = ["policy", "horizon", "seeds", "exact", "mean regret [95% CI]"]
    justify = ["left", "right", "right", "right", "left"]
    lines = [render_table(headers, table, rule=True, justify=justify, width=400)]
    for p in policies:
        lo, hi = growth(rows, p, "lo"), growth(rows, p, "hi")
        fit = f"{hi}" if lo == hi else f"{lo} (lower end) .. {hi} (upper end)"
        lines.append(f"growth {p}: regret ~ horizon^{fit}")
    return "\n".join(lines)


def to_json(config: Mapping[str, Any], rows: Sequence[RegretRow], records, policies) -> str:
    """The configuration, the rows, the fitted slopes and every record."""
    doc = {
        "config": dict(config),
        "rows": [asdict(r) for r in rows],
        "growth": {p: {"lo": growth(rows, p, "lo"), "hi": growth(rows, p, "hi")} for p in policies},
        "trials": list(records),
    }
    return json.dumps(doc, indent=1) + "\n"


def plot(rows: Sequence[RegretRow], policies: Sequence[str], path: str, title: str = "") -> None:
    """Mean regret vs horizon on log axes, with the 95 % intervals and fitted slopes."""
    from kvopt.plot import require_matplotlib

    matplotlib = require_matplotlib()
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    for k, p in enumerate(policies):
        rs = [r for r in rows if r.policy == p]
        h = np.array([r.horizon for r in rs], dtype=float)
        mid = np.array([(r.mean_lo + r.mean_hi) / 2 for r in rs])
        err = np.array([[m - r.ci_lo for r, m in zip(rs, mid, strict=True)],
                        [r.ci_hi - m for r, m in zip(rs, mid, strict=True)]])  # fmt: skip
        ok = mid > 0
        slope = growth(rows, p, "hi")
        label = f"{p} (slope {slope})" if slope is not None else p
        ax.errorbar(h[ok], mid[ok], yerr=np.maximum(err[:, ok], 0), marker="o", capsize=3,
                    color=f"C{k}", label=label)  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("horizon")
    ax.set_ylabel("mean regret E[ALG] - E[OPT] (rounds)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def write_outputs(config, records, policies, *, json_path=None, plot_path=None, title=""):
    """Write the asked-for outputs; return the rows."""
    rows = summarize(records, policies)
    if json_path:
        write_output(json_path, to_json(config, rows, records, policies))
    if plot_path:
        plot(rows, policies, plot_path, title=title)
    return rows

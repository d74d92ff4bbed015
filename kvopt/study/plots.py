"""Pictures of the study: latency curves per policy, and the tuning grids (matplotlib)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from kvopt.study.summary import best_rows, group, policy_rows


def _axes(records: list[dict[str, Any]]):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = sorted({r["workload"] for r in records}, reverse=True)
    rates = sorted({float(r["rate"]) for r in records}, reverse=True)
    fig, axes = plt.subplots(
        len(workloads), len(rates), figsize=(5.2 * len(rates), 3.8 * len(workloads)),
        squeeze=False,
    )  # fmt: skip
    return plt, fig, axes, workloads, rates


def plot_curves(records: list[dict[str, Any]], path: str | Path, key: str = "curve") -> None:
    """Average latency vs requests served: MC-SF and the best of each benchmark family.

    ``key`` is the stored curve: ``"curve"`` (the study's order) or ``"curve_completion"``.
    """
    plt, fig, axes, workloads, rates = _axes(records)
    groups, best = group(records), best_rows(policy_rows(records))
    for i, w in enumerate(workloads):
        for j, rate in enumerate(rates):
            ax = axes[i][j]
            labels = [k[2] for k in groups if k[:2] == (w, rate) and k[2].startswith("mcsf")]
            labels += [
                best[(w, rate, f)]["policy"]
                for f in ("alpha-greedy", "alpha-clearing", "vllm")
                if (w, rate, f) in best
            ]
            for label in labels:
                recs = groups[(w, rate, label)]
                k = np.asarray(recs[0]["curve_k"])
                ax.plot(k, np.mean([r[key] for r in recs], axis=0), label=label)
            ax.set_title(f"{w}, {rate:g} requests/s")
            order = "completion" if key == "curve_completion" else "arrival"
            ax.set_xlabel(f"requests served ({order} order)")
            ax.set_ylabel("average latency (s)")
            ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_grids(records: list[dict[str, Any]], path: str | Path) -> None:
    """Mean latency of every benchmark configuration over its grid; MC-SF as lines."""
    plt, fig, axes, workloads, rates = _axes(records)
    rows = policy_rows(records)
    for i, w in enumerate(workloads):
        for j, rate in enumerate(rates):
            ax = axes[i][j]
            here = [r for r in rows if r["workload"] == w and r["rate"] == rate]
            series: dict[str, list[tuple[float, float]]] = {}
            for r in here:
                if r["family"] == "mcsf":
                    ax.axhline(r["mean_latency_seconds"], ls="--", lw=1, label=r["policy"])
                    continue
                params = dict(p.split("=") for p in r["policy"].split(":")[1].split(","))
                x = float(params.get("alpha", params.get("watermark", 0)))
                name = r["family"] + (f" phi={params['phi']}" if "phi" in params else "")
                name += " (x: watermark)" if r["family"] == "vllm" else ""
                series.setdefault(name, []).append((x, r["mean_latency_seconds"]))
            for name, pts in series.items():
                pts.sort()
                ax.plot(*zip(*pts, strict=True), marker="o", label=name)
            ax.set_title(f"{w}, {rate:g} requests/s")
            ax.set_xlabel("alpha (vLLM: watermark)")
            ax.set_ylabel("mean latency (s)")
            ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)

"""Aggregate the study's records: means over seeds, the best benchmarks, the ratios.

The **best benchmark** of a (workload, rate) is the benchmark configuration with the
lowest mean latency averaged over the seeds (P1 reports the best tuned benchmark);
the best of each family is reported too. Slope ratios are MC-SF's mean slope over the
best benchmark's, next to P1's (1/3 at 50 requests/s, 1/8 at 10).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from kvopt.numeric import exact_mean, significant

#: Averaged per (workload, rate, policy).
FIELDS = (
    "mean_latency_seconds",
    "slope",
    "slope_completion",
    "slope_arrival",
    "energy_per_request_joules",
    "evictions",
)


def _mean(values: list[Any]) -> float | None:
    v = [x for x in values if x is not None]
    return significant(exact_mean(np.asarray(v, dtype=np.float64))) if v else None


def group(records: list[dict[str, Any]]) -> dict[tuple[str, float, str], list[dict[str, Any]]]:
    """Records by (workload, rate, policy label), each list in seed order."""
    out: dict[tuple[str, float, str], list[dict[str, Any]]] = defaultdict(list)
    for r in sorted(records, key=lambda r: r["seed_index"]):
        out[(r["workload"], float(r["rate"]), r["policy"])].append(r)
    return dict(out)


def policy_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (workload, rate, policy): the means over seeds of :data:`FIELDS`."""
    rows = []
    for (w, rate, label), recs in group(records).items():
        row: dict[str, Any] = {"workload": w, "rate": rate, "policy": label}
        row["family"], row["oracle"], row["seeds"] = recs[0]["family"], recs[0]["oracle"], len(recs)
        for f in FIELDS:
            if f in recs[0]:
                row[f] = _mean([r[f] for r in recs])
        rows.append(row)
    return rows


def best_rows(rows: list[dict[str, Any]]) -> dict[tuple[str, float, str], dict[str, Any]]:
    """(workload, rate, family or ``"benchmark"``) -> its row of lowest mean latency."""
    best: dict[tuple[str, float, str], dict[str, Any]] = {}
    for row in rows:
        if row["family"] == "mcsf":
            continue
        for fam in (row["family"], "benchmark"):
            key = (row["workload"], row["rate"], fam)
            if key not in best or row["mean_latency_seconds"] < best[key]["mean_latency_seconds"]:
                best[key] = row
    return best


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else significant(a / b)


def ratio_rows(rows: list[dict[str, Any]], p1: dict[float, float]) -> list[dict[str, Any]]:
    """Per (workload, rate) and MC-SF variant: its figures over the best benchmark's."""
    best = best_rows(rows)
    out = []
    for row in rows:
        if row["family"] != "mcsf":
            continue
        b = best.get((row["workload"], row["rate"], "benchmark"))
        if b is None:
            continue
        out.append(
            {
                "workload": row["workload"],
                "rate": row["rate"],
                "mcsf": row["policy"],
                "best_benchmark": b["policy"],
                "slope_ratio": _ratio(row["slope"], b["slope"]),
                "slope_ratio_other_order": _ratio(
                    row.get("slope_completion", row.get("slope_arrival")),
                    b.get("slope_completion", b.get("slope_arrival")),
                ),
                "p1_slope_ratio": p1.get(row["rate"]),
                "latency_ratio": _ratio(row["mean_latency_seconds"], b["mean_latency_seconds"]),
                "energy_ratio": _ratio(
                    row["energy_per_request_joules"], b["energy_per_request_joules"]
                ),
            }
        )
    return out

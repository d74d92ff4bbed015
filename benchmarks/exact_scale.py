"""Certified optima at the papers' scale (issue 14): the P1 family by n, solved exactly.

For every cell (arrivals x n) it generates ``--per-cell`` instances of
``paper1-synthetic`` (M ~ U[30, 50], s ~ U[1, 5], o ~ U[1, M - s]; Poisson rate in
[0.5, 1.5] per round), solves each with ``kvopt.solve`` (one thread, ``--time-limit``
seconds, the time limit covering everything) and records: status, objective, proven
bound, gap, the root bounds (the trivial bound, which was the solvers' bound before the
owner bounds; the owner-capacity bound; the owner LP), MC-SF's total latency, wall and
CPU time. One JSON line per instance is appended to ``--out`` as soon as it is done, so
a stopped run resumes where it stopped. ``--report`` prints the Markdown table.

Usage::

    python benchmarks/exact_scale.py [--n 12,15,20,25,30,40,50,60] [--per-cell 10]
        [--time-limit 60] [--solver milp] [--arrivals zero,poisson]
        [--out benchmarks/results/exact_scale.jsonl] [--report]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kvopt  # noqa: E402
from kvopt.bounds import trivial_lower_bound  # noqa: E402
from kvopt.owner import owner_capacity_bound  # noqa: E402
from kvopt.policies import make_policy  # noqa: E402


def solve_one(arrivals: str, n: int, seed: int, solver: str, time_limit: float) -> dict:
    """One instance: policy, bounds and the solver's certificate."""
    inst = kvopt.generate("paper1-synthetic", seed=seed, n=n, arrivals=arrivals)
    mcsf = int(kvopt.simulate(inst, make_policy("mcsf")).report.objective)
    wall, cpu = time.perf_counter(), time.process_time()
    res = kvopt.solve(inst, solver, time_limit=time_limit, threads=1, seed=0)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    lb = int(res.lower_bound)
    meta = {} if "largest_block" in res.metadata else res.metadata  # several blocks: no root
    return {
        "arrivals": arrivals,
        "n": n,
        "seed": seed,
        "memory": inst.memory,
        "solver": solver,
        "time_limit": time_limit,
        "status": res.status,
        "objective": res.objective,
        "lower_bound": lb,
        "gap": round((res.objective - lb) / res.objective, 6),
        "trivial": trivial_lower_bound(inst),
        "owner_capacity": owner_capacity_bound(inst),
        "owner_lp": meta.get("owner_lp_bound"),
        "owner_lp_status": meta.get("owner_lp"),
        "blocks": len(res.metadata.get("blocks", [None])),
        "mcsf": mcsf,
        "wall": round(wall, 2),
        "cpu": round(cpu, 2),
    }


def report(rows: list[dict]) -> str:
    """The Markdown table by cell."""
    cells: dict[tuple[str, int], list[dict]] = {}
    for r in rows:
        cells.setdefault((r["arrivals"], r["n"]), []).append(r)
    out = [
        "| arrivals | n | instances | proven optimal | mean gap | max gap "
        "| root bound gap: trivial → owner-cap → owner LP | worse than MC-SF "
        "| MC-SF/OPT in (mean) | mean wall / CPU s | max wall s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (arr, n), rs in sorted(cells.items()):
        k = len(rs)

        def mean_gap(key: str, rs=rs) -> str:
            vals = [(r["objective"] - r[key]) / r["objective"] for r in rs if r[key] is not None]
            return f"{100 * sum(vals) / len(vals):.1f} %" if vals else "-"

        gaps = [r["gap"] for r in rs]
        out.append(
            f"| {arr} | {n} | {k} | {sum(r['status'] == 'optimal' for r in rs)} "
            f"| {100 * sum(gaps) / k:.1f} % | {100 * max(gaps):.1f} % "
            f"| {mean_gap('trivial')} → {mean_gap('owner_capacity')} → {mean_gap('owner_lp')} "
            f"| {sum(r['objective'] > r['mcsf'] for r in rs)} "
            f"| [{sum(r['mcsf'] / r['objective'] for r in rs) / k:.3f}, "
            f"{sum(r['mcsf'] / r['lower_bound'] for r in rs) / k:.3f}] "
            f"| {sum(r['wall'] for r in rs) / k:.1f} / {sum(r['cpu'] for r in rs) / k:.1f} "
            f"| {max(r['wall'] for r in rs):.1f} |"
        )
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="12,15,20,25,30,40,50,60")
    ap.add_argument("--per-cell", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--solver", default="milp")
    ap.add_argument("--arrivals", default="zero,poisson")
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/exact_scale.jsonl"))
    ap.add_argument("--report", action="store_true", help="only print the table")
    ap.add_argument(
        "--inputs", nargs="*", default=None, help="with --report: JSON-lines files to merge"
    )
    args = ap.parse_args()
    out = Path(args.out)
    if args.report and args.inputs:
        rows = [json.loads(x) for f in args.inputs for x in Path(f).read_text().splitlines()]
        print(report(rows))
        return 0
    rows = [json.loads(x) for x in out.read_text().splitlines()] if out.exists() else []
    if not args.report:
        done = {(r["arrivals"], r["n"], r["seed"], r["solver"], r["time_limit"]) for r in rows}
        out.parent.mkdir(parents=True, exist_ok=True)
        for seed in range(args.first_seed, args.first_seed + args.per_cell):
            for arrivals in args.arrivals.split(","):
                for n in [int(x) for x in args.n.split(",")]:
                    key = (arrivals, n, seed, args.solver, args.time_limit)
                    if key in done:
                        continue
                    row = solve_one(arrivals, n, seed, args.solver, args.time_limit)
                    with out.open("a") as f:
                        f.write(json.dumps(row) + "\n")
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    print(report(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

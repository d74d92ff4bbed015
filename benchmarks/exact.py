"""Time to proven optimality of the exact solvers versus n (``benchmarks/README.md``).

Seeded random families: prompt and output uniform integers in [1, 10], M = 30, and
either every request arriving at 0 (``zero``) or arrivals uniform in [0, 2n]
(``random``). Every configuration gets the same time cap (60 s by default) and one
thread. Configurations:

* ``milp``: the MILP with all levers (safe start windows, ordered identical requests,
  only memory rows that can bind, heuristic MIP start);
* ``cpsat``: the CP-SAT model with all levers (windows, symmetry, hint, staircase
  cumulative plus time-indexed booleans);
* ``milp-plain`` / ``cpsat-plain``: the plain time-indexed models (common horizon
  ``max a + sum o``, every memory row, no symmetry breaking, no warm start), the
  reference point of the issue.

Each finished run is appended to the CSV at once (``--csv``), so an interrupted
benchmark keeps its rows; ``--table`` prints the Markdown summary of a CSV.

    python benchmarks/exact.py --n 10 15 20 30 --seeds 2 --csv benchmarks/results/exact.csv
    python benchmarks/exact.py --table benchmarks/results/exact.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import kvopt  # noqa: E402
from kvopt.model import Instance  # noqa: E402

PLAIN = {
    "windows": False,
    "lp_windows": False,
    "symmetry": False,
    "warm_start": False,
    "heuristic": False,
}
CONFIGS = {
    "milp": ("milp", {}),
    "cpsat": ("cpsat", {}),
    "milp-plain": ("milp", {**PLAIN, "sparse_rows": False, "aggregate": False}),
    "cpsat-plain": ("cpsat", dict(PLAIN)),
}
FIELDS = [
    "family", "n", "seed", "config", "status", "objective", "bound", "gap", "seconds",
    "variables", "constraints",
]  # fmt: skip


def make_instance(family: str, n: int, seed: int) -> Instance:
    """The seeded instance of ``family`` (``"zero"`` or ``"random"``) with n requests."""
    rng = np.random.default_rng([seed, n, 0 if family == "zero" else 1])
    prompt = rng.integers(1, 11, n)
    output = rng.integers(1, 11, n)
    arrival = np.zeros(n, dtype=np.int64) if family == "zero" else rng.integers(0, 2 * n + 1, n)
    return Instance.from_arrays(
        f"{family}-n{n}-s{seed}", 30, arrival=arrival, prompt=prompt, output=output
    )


def run(args: argparse.Namespace) -> None:
    path = Path(args.csv)
    path.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if path.exists():
        with open(path) as f:
            done = {(r["family"], r["n"], r["seed"], r["config"]) for r in csv.DictReader(f)}
    new = not path.exists()
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        if new:
            w.writeheader()
        for n in args.n:
            for family in args.families:
                for seed in range(args.seeds):
                    inst = make_instance(family, n, seed)
                    for config in args.configs:
                        if (family, str(n), str(seed), config) in done:
                            continue
                        solver, opts = CONFIGS[config]
                        began = time.perf_counter()
                        res = kvopt.solve(inst, solver, time_limit=args.cap, threads=1, **opts)
                        row = {
                            "family": family, "n": n, "seed": seed, "config": config,
                            "status": res.status, "objective": res.objective,
                            "bound": res.lower_bound, "gap": f"{res.gap:.4f}",
                            "seconds": f"{time.perf_counter() - began:.1f}",
                            "variables": res.variables, "constraints": res.constraints,
                        }  # fmt: skip
                        w.writerow(row)
                        f.flush()
                        print(row, flush=True)


def table(path: str) -> str:
    """Markdown table: per family, n and configuration, solved / runs, median seconds
    of the solved runs, mean and max gap at the cap of the unsolved ones."""
    cells: dict[tuple, list[dict]] = defaultdict(list)
    with open(path) as f:
        for r in csv.DictReader(f):
            cells[(r["family"], int(r["n"]), r["config"])].append(r)
    configs = [c for c in CONFIGS if any(k[2] == c for k in cells)]
    lines = [
        "| family | n | " + " | ".join(configs) + " |",
        "|---|---|" + "---|" * len(configs),
    ]
    for family, n in sorted({(k[0], k[1]) for k in cells}):
        out = []
        for c in configs:
            rows = cells.get((family, n, c), [])
            if not rows:
                out.append("")
                continue
            solved = [float(r["seconds"]) for r in rows if r["status"] == "optimal"]
            gaps = [float(r["gap"]) for r in rows if r["status"] != "optimal"]
            text = f"{len(solved)}/{len(rows)}"
            if solved:
                text += f", {np.median(solved):.1f} s"
            if gaps:
                text += f", gap {100 * np.mean(gaps):.1f}% (max {100 * max(gaps):.1f}%)"
            out.append(text)
        lines.append(f"| {family} | {n} | " + " | ".join(out) + " |")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, nargs="+", default=[10, 15, 20, 30])
    p.add_argument("--families", nargs="+", default=["zero", "random"])
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    p.add_argument("--cap", type=float, default=60.0, help="seconds per solve (60)")
    p.add_argument("--csv", default="benchmarks/results/exact.csv")
    p.add_argument("--table", metavar="CSV", help="print the Markdown table of a CSV")
    args = p.parse_args()
    if args.table:
        print(table(args.table))
    else:
        run(args)


if __name__ == "__main__":
    main()

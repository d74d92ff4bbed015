"""The primal search against MC-SF and today's warm start, on P1's family (n = 40-60).

Usage (from the repository root)::

    python benchmarks/primal.py                                  # seeds 1-10, both arrivals
    python benchmarks/primal.py --seeds 1 2 --budgets 10 --arrivals zero

For each instance ``kvopt generate paper1-synthetic --arrivals A --seed S`` it records
the total latency of MC-SF (``kvopt simulate`` with ``mcsf``), of the best policy seed,
of the solvers' warm start before the primal search existed
(:func:`kvopt.solvers.heuristic.earliest_fit` with its 1 s local search, as ``prepare``
ran it at a 60 s time limit) and of :func:`kvopt.solvers.primal.best_schedule` at each
budget (seed 0), with wall-clock and CPU seconds (``time.process_time``; on a shared
machine the CPU time is the steadier figure). Every schedule is verified. Writes
``benchmarks/results/primal.json`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import kvopt  # noqa: E402
from kvopt.policies import make_policy  # noqa: E402
from kvopt.schedule import Schedule  # noqa: E402
from kvopt.simulate import simulate  # noqa: E402
from kvopt.solvers.heuristic import earliest_fit, total_latency  # noqa: E402
from kvopt.solvers.primal import best_schedule  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "primal.json"


def measure(arrivals: str, seed: int, budgets: list[float]) -> dict:
    """One instance: MC-SF, best policy, earliest fit and the primal search per budget."""
    inst = kvopt.generate("paper1-synthetic", seed=seed, arrivals=arrivals)
    row = {"arrivals": arrivals, "seed": seed, "n": inst.n, "memory": inst.memory}
    row["mcsf"] = simulate(inst, make_policy("mcsf")).objective
    row["earliest_fit"] = total_latency(inst, earliest_fit(inst, time_budget=1.0))
    for budget in budgets:
        wall, cpu = time.perf_counter(), time.process_time()
        res = best_schedule(inst, time_limit=budget)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        report = kvopt.verify(inst, Schedule.from_starts(inst, res.start), allow_eviction=False)
        assert report.objective == res.objective
        row["best_policy"] = list(res.best_policy)
        row[f"primal_{budget:g}"] = {
            "objective": res.objective,
            "source": res.source,
            "wall": round(wall, 2),
            "cpu": round(cpu, 2),
            "log": [[round(x.seconds, 2), x.objective, x.source] for x in res.log],
        }
    return row


def table(rows: list[dict], budgets: list[float]) -> str:
    """The Markdown table of ``rows``."""
    head = ["arrivals", "seed", "n", "M", "MC-SF", "best policy", "earliest fit"]
    head += [f"primal {b:g} s (CPU s)" for b in budgets]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["arrivals"], r["seed"], r["n"], r["memory"], r["mcsf"]]
        cells += [f"{r['best_policy'][1]} ({r['best_policy'][0].removeprefix('policy ')})"]
        cells += [r["earliest_fit"]]
        for b in budgets:
            p = r[f"primal_{b:g}"]
            cells.append(f"{p['objective']} ({p['cpu']:.1f})")
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def summary(rows: list[dict], budgets: list[float]) -> str:
    """Mean improvement over MC-SF and over earliest fit, per arrival model and budget."""
    out = []
    for arrivals in sorted({r["arrivals"] for r in rows}):
        sub = [r for r in rows if r["arrivals"] == arrivals]
        for b in budgets:
            key = f"primal_{b:g}"
            vs_mcsf = [1 - r[key]["objective"] / r["mcsf"] for r in sub]
            vs_ef = [1 - r[key]["objective"] / r["earliest_fit"] for r in sub]
            worse = sum(r[key]["objective"] > r["best_policy"][1] for r in sub)
            out.append(
                f"{arrivals}, {b:g} s: {100 * sum(vs_mcsf) / len(sub):.2f} % below MC-SF "
                f"(min {100 * min(vs_mcsf):.2f} %), {100 * sum(vs_ef) / len(sub):.2f} % below "
                f"earliest fit; worse than the best policy on {worse} of {len(sub)}"
            )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arrivals", nargs="+", default=["zero", "poisson"])
    ap.add_argument("--seeds", nargs="+", type=int, default=list(range(1, 11)))
    ap.add_argument("--budgets", nargs="+", type=float, default=[10.0, 30.0, 60.0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rows = []
    for arrivals in args.arrivals:
        for seed in args.seeds:
            rows.append(measure(arrivals, seed, args.budgets))
            r = rows[-1]
            got = [r[f"primal_{b:g}"]["objective"] for b in args.budgets]
            print(arrivals, seed, r["n"], r["mcsf"], r["earliest_fit"], got, flush=True)
            args.out.write_text(json.dumps(rows, indent=1) + "\n")
    print(table(rows, args.budgets))
    print(summary(rows, args.budgets))


if __name__ == "__main__":
    main()

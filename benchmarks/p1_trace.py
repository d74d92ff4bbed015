"""P1's real-trace study: MC-SF against tuned benchmarks on LMSYS-like and Azure traffic.

Workloads (``kvopt/study/workloads.py``): an LMSYS-Chat-1M-like reconstruction (P1's
word statistics times ``--tokens-per-word``, lognormals matching mean and median) and
the shipped Azure 2023 conversation trace; ``--n`` requests, M = 16,492, Poisson rates
50 and 10 requests/s, time model a100-tp2-llama2-70b, ``batching="prefill-first"``
(P1 simulated with Vidur's vLLM scheduler). Policies (``kvopt/study/grid.py``): MC-SF
with the true outputs (oracle, labelled) and with noisy predictions (``--noise``),
alpha-protection greedy, phi-clearing and vLLM-like over their grids. Every run is a
trial of the ratio lab's store (``--store``: rerunning resumes) on its executors
(``--jobs``, ``--scheduler`` for Dask). Prints the per-policy means over seeds, the best
benchmark per rate, the slope ratios next to P1's, J/request, and writes the plots.

Usage::

    python benchmarks/p1_trace.py --store p1_trace.sqlite --jobs 2
    python benchmarks/p1_trace.py --n 2000 --seeds 2 --store small.sqlite --jobs 2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from kvopt.errors import KvoptError
from kvopt.ratio.executors import make_executor
from kvopt.ratio.store import Store
from kvopt.study.grid import ALPHAS, PHIS, WATERMARKS, study_policies
from kvopt.study.p1_trace import P1_SLOPE_RATIO, StudyConfig, run_study
from kvopt.study.summary import best_rows, policy_rows, ratio_rows
from kvopt.study.workloads import TOKENS_PER_WORD, WORKLOADS

RESULTS = Path(__file__).resolve().parent / "results"


def _floats(text: str) -> tuple[float, ...]:
    return tuple(float(x) for x in text.split(","))


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="requests per instance")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--rates", type=_floats, default=(50.0, 10.0), help="e.g. 50,10")
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--tokens-per-word", type=float, default=TOKENS_PER_WORD)
    ap.add_argument("--noise", type=float, default=0.2, help="MC-SF's prediction noise")
    ap.add_argument("--fit-from", type=float, default=0.2, help="fit window [f n, n]")
    ap.add_argument("--alphas", type=_floats, default=ALPHAS)
    ap.add_argument("--phis", type=_floats, default=PHIS)
    ap.add_argument("--watermarks", type=_floats, default=WATERMARKS)
    ap.add_argument("--store", default=":memory:", help="SQLite store (resumable)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address")
    ap.add_argument("--out-dir", type=Path, default=RESULTS)
    ap.add_argument("--tag", default="p1_trace", help="prefix of the files written")
    ap.add_argument("--no-plots", action="store_true")
    return ap.parse_args(argv)


def config_of(args: argparse.Namespace) -> StudyConfig:
    policies = study_policies(args.alphas, args.phis, args.watermarks)
    return StudyConfig(
        workloads=tuple(args.workloads.split(",")), rates=args.rates, seeds=args.seeds,
        n=args.n, tokens_per_word=args.tokens_per_word, noise=args.noise,
        fit_from=args.fit_from, policies=policies,
    )  # fmt: skip


def report(records: list[dict]) -> dict:
    """Print the tables; the summary as a dictionary."""
    rows = policy_rows(records)
    print(f"{'workload':10s} {'rate':>5s} {'policy':36s} {'mean s':>9s} {'slope':>10s} "
          f"{'slope(c)':>10s} {'J/req':>8s} {'evict':>7s}")  # fmt: skip
    for r in rows:
        print(
            f"{r['workload']:10s} {r['rate']:5g} {r['policy']:36s} "
            f"{r['mean_latency_seconds']:9.2f} {r['slope']:10.5f} "
            f"{r.get('slope_completion', float('nan')):10.5f} "
            f"{r['energy_per_request_joules']:8.2f} {r['evictions']:7.0f}"
        )
    ratios = ratio_rows(rows, P1_SLOPE_RATIO)
    print("\nMC-SF / best benchmark (by mean latency over seeds):")
    for r in ratios:
        print(
            f"  {r['workload']:10s} {r['rate']:5g} {r['mcsf']:12s} vs {r['best_benchmark']:34s} "
            f"slope {r['slope_ratio']:.3g} (completion order {r['slope_ratio_other_order']:.3g};"
            f" P1 {r['p1_slope_ratio'] or float('nan'):.3g}) latency {r['latency_ratio']:.3g} "
            f"energy {r['energy_ratio']:.3g}"
        )
    best = {f"{k[0]} {k[1]:g} {k[2]}": v["policy"] for k, v in best_rows(rows).items()}
    return {"policies": rows, "ratios": ratios, "best": best}


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    t0 = time.perf_counter()
    try:
        config = config_of(args)
        with Store(args.store) as store:
            records, counts = run_study(
                config, store, lambda: make_executor(args.jobs, args.scheduler)
            )
    except KvoptError as e:
        print(f"p1_trace: {e}", file=sys.stderr)
        return 2
    wall = time.perf_counter() - t0
    summary = report(records)
    print(f"\n{counts['ran']} trials run, {counts['skipped']} from the store, {wall:.1f} s wall")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    summary.update(wall_seconds=round(wall, 1), **counts)
    (args.out_dir / f"{args.tag}.json").write_text(json.dumps(summary, indent=1) + "\n")
    if not args.no_plots:
        from kvopt.study.plots import plot_curves, plot_grids

        plot_curves(records, args.out_dir / f"{args.tag}_curves.png")
        if "curve_completion" in records[0]:
            path = args.out_dir / f"{args.tag}_curves_completion.png"
            plot_curves(records, path, "curve_completion")
        plot_grids(records, args.out_dir / f"{args.tag}_grids.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())

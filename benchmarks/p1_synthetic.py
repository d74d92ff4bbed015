"""Reproduce P1's synthetic study: MC-SF against the hindsight optimum.

P1 (``models/literature.md``, "Experiments to reproduce" [S]): 200 trials of
``paper1-synthetic`` (M ~ U[30,50], s ~ U[1,5], o ~ U[1, M-s], n in [40,60]), all at
time 0 and with Poisson arrivals (rate in [0.5, 1.5] per round); Gurobi for OPT. P1
reports MC-SF/OPT mean 1.005 (114/200 exactly optimal, worst 1.074) at time 0 and mean
1.047 (worst 1.227) with Poisson arrivals.

This script runs the same two sweeps through :func:`kvopt.ratio.run_sweep` with a
SQLite store, so it can be stopped and restarted at will (finished trials are kept), and
prints a Markdown table with honest certification counts. It is equivalent to::

    kvopt ratio --policy mcsf --family paper1-synthetic --set arrivals=zero \\
        --trials 200 --seed 2025 --time-limit 20 --store benchmarks/results/p1.sqlite
    kvopt ratio --policy mcsf --family paper1-synthetic --set arrivals=poisson \\
        --trials 200 --seed 2025 --time-limit 20 --store benchmarks/results/p1.sqlite

Usage::

    python benchmarks/p1_synthetic.py [--trials 200] [--time-limit 20] [--jobs 1]
        [--arrivals zero|poisson|both] [--store FILE] [--set n=8] [--report-only]

``--report-only`` prints the table from whatever the store holds, without solving.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kvopt.ratio import PolicySpec, Store, Sweep, run_sweep  # noqa: E402
from kvopt.ratio.executors import make_executor  # noqa: E402
from kvopt.ratio.report import summarize  # noqa: E402
from kvopt.ratio.trial import (  # noqa: E402
    check_sweep,
    make_instance,
    parse_assignments,
    run_policy,
)

P1 = {"zero": "mean 1.005, worst 1.074, 114/200 optimal", "poisson": "mean 1.047, worst 1.227"}


def sweep(arrivals: str, trials: int, seed: int, time_limit: float, solvers, extra) -> Sweep:
    return Sweep(
        family="paper1-synthetic",
        policies=(PolicySpec("mcsf"),),
        trials=trials,
        seed=seed,
        params={"arrivals": arrivals, **extra},
        time_limit=time_limit,
        solvers=tuple(solvers),
    )


def table_rows(arrivals: str, records, trials: int) -> str:
    (s,) = summarize(records, ["mcsf"])

    def f(x):
        return "-" if x is None else f"{x:.3f}"

    return (
        f"| {arrivals} | {len(records)}/{trials} | {s.certified} | {s.alg_is_opt} | {s.beaten} | "
        f"{f(s.mean)} | {f(s.max)} | {f(s.ub_est_max)} | {f(s.mean_lo)}–{f(s.mean_hi)} | "
        f"{P1[arrivals]} |"
    )


def recheck(sw: Sweep, records) -> int:
    """Trials whose stored MC-SF total latency differs from a fresh simulation."""
    bad = 0
    for rec in records:
        inst = make_instance(sw.family, rec["seed"], sw.params)
        bad += run_policy(inst, PolicySpec("mcsf"))[0] != rec["alg"]["mcsf"]
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--solver", action="append", default=None)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--arrivals", choices=("zero", "poisson", "both"), default="both")
    ap.add_argument("--store", default=str(ROOT / "benchmarks/results/p1_synthetic.sqlite"))
    ap.add_argument("--json", default=None, help="write the records and summaries here")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument(
        "--recheck",
        action="store_true",
        help="re-simulate MC-SF on every stored trial and count disagreements with the store",
    )
    ap.add_argument("--set", action="append", default=[], help="extra family parameter, e.g. n=8")
    args = ap.parse_args()
    solvers = args.solver or ["milp", "cpsat"]
    kinds = ["zero", "poisson"] if args.arrivals == "both" else [args.arrivals]
    Path(args.store).parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "| arrivals | trials done | OPT certified | MC-SF = OPT | MC-SF > best known "
        "| mean (cert.) | max (cert.) "
        "| max ALG/LB (uncert.) | mean bracket (all) | P1 (Gurobi) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    dump = {}
    with Store(args.store) as store:
        for arrivals in kinds:
            extra = parse_assignments(args.set)
            sw = sweep(arrivals, args.trials, args.seed, args.time_limit, solvers, extra)
            check_sweep(sw)
            if args.report_only:
                records = store.records(store.register(sw.config()), limit=args.trials)
            else:
                res = run_sweep(sw, store, executor=make_executor(args.jobs), progress=None)
                records = res.records
            lines.append(table_rows(arrivals, records, args.trials))
            if args.recheck:
                bad = recheck(sw, records)
                print(f"{arrivals}: MC-SF re-simulated on {len(records)} trials, {bad} differ")
            dump[arrivals] = {"config": sw.config(), "records": records}
    print("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps(dump, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

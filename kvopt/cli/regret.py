"""Regret of policies against the hindsight optimum as the horizon grows.

For every horizon (requests, or rounds with --unit rounds) and every seed, a trial
generates an instance of FAMILY, simulates every --policy and pins down the hindsight
OPT of that realisation: exact for streams of identical requests (kvopt's
identical-stream algorithm), by MILP/CP-SAT up to --exact-max-n requests, otherwise
bracketed between the best policy and a certified lower bound (kvopt.lower_bound:
the owner LP up to --lp-max-n requests, the owner-capacity bound beyond). The table
gives the mean regret E[ALG] - E[OPT] with a 95 % confidence interval over seeds (a
bracket where OPT is not exact) and the fitted growth regret ~ horizon^slope.

With --store FILE every finished trial is committed at once; the same command resumes
(the ratio lab's store, one sweep per horizon). --jobs J runs J local processes,
--scheduler tcp://host:port a Dask cluster.

Example:
  kvopt regret --policy cc --policy mcsf --family stochastic --set load=0.9 \\
      --horizons 100,1000,10000 --seeds 20 --store regret.sqlite --jobs 2 --plot regret.png
"""

from __future__ import annotations

import argparse
import sys

from kvopt.cli import conventions as conv
from kvopt.errors import KvoptError
from kvopt.files import check_output
from kvopt.ratio.executors import make_executor
from kvopt.ratio.regret import UNITS, horizon_sweeps, regret_trial
from kvopt.ratio.regret_report import format_table, write_outputs
from kvopt.ratio.runner import run_sweep
from kvopt.ratio.store import Store
from kvopt.ratio.trial import PolicySpec, check_sweep, parse_assignments
from kvopt.text import escape

NAME = "regret"
HELP = "regret E[ALG] - E[hindsight OPT] vs horizon, with confidence intervals"


def _horizons(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise KvoptError(f"--horizons expects integers separated by commas, got {text!r}") from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    conv.add_policy(p, repeatable=True)
    conv.add_family(p)
    p.add_argument("--horizons", default="100,1000,10000",
                   help="horizons, comma-separated (default 100,1000,10000)")  # fmt: skip
    p.add_argument("--unit", choices=UNITS, default="n",
                   help="what a horizon counts: n (requests, default) or rounds")  # fmt: skip
    p.add_argument("--seeds", type=int, default=20, help="seeds per horizon (default 20)")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--time-limit", type=float, default=10.0,
                   help="seconds per exact solver or LP bound (default 10)")  # fmt: skip
    p.add_argument("--exact-max-n", type=int, default=40,
                   help="mixed types: MILP/CP-SAT up to this many requests (40)")  # fmt: skip
    p.add_argument("--lp-max-n", type=int, default=500,
                   help="mixed types: owner-LP bound up to this many requests (500)")  # fmt: skip
    p.add_argument("--store", default=None, metavar="FILE", help="SQLite store (resumable)")
    p.add_argument("--jobs", type=int, default=1, help="local worker processes (default 1)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler, tcp://host:port")  # fmt: skip
    conv.add_json(p, "the rows, fits and trials", legacy_file=True)
    p.add_argument("--plot", default=None, metavar="FILE", help="log-log plot of regret")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    policies = tuple(PolicySpec.parse(p) for p in args.policy)
    args.horizons = _horizons(args.horizons)
    if args.jobs < 1:
        raise KvoptError(f"--jobs must be >= 1, got {args.jobs}")
    sweeps = horizon_sweeps(
        args.family, policies, args.horizons, args.seeds, unit=args.unit, seed=args.seed,
        params=parse_assignments(args.set), time_limit=args.time_limit,
        exact_max_n=args.exact_max_n, lp_max_n=args.lp_max_n,
    )  # fmt: skip
    for sweep in sweeps[:1]:
        check_sweep(sweep)
    args.json = conv.json_target("regret", args.json)
    conv.warn_oversubscribed("regret", args.jobs)
    if args.plot:
        check_output(args.plot)
    executor = make_executor(args.jobs, args.scheduler)
    records, errors, ran = [], {}, 0
    with Store(args.store or ":memory:") as store:
        for sweep in sweeps:
            res = run_sweep(sweep, store, trial_fn=regret_trial, executor=executor,
                            progress=args.progress)  # fmt: skip
            records += res.records
            ran += len(res.ran)
            errors.update({(sweep.horizon, t): m for t, m in res.errors.items()})
    labels = [p.label for p in policies]
    config = {**sweeps[0].config(), "horizons": args.horizons, "unit": args.unit}
    rows = write_outputs(config, records, labels, json_path=args.json, plot_path=args.plot,
                         title=f"{args.family} {' '.join(args.set)}")  # fmt: skip
    if args.json != conv.STDOUT:
        print(
            f"family {args.family}, {len(records)}/{args.seeds * len(sweeps)} trials done "
            f"({ran} run now), seeds {args.seeds}, horizons {args.horizons} ({args.unit})"
        )
        print(format_table(rows, labels))
    for (h, t), msg in sorted(errors.items()):
        print(f"kvopt regret: horizon {h}, trial {t} failed: {escape(msg)}", file=sys.stderr)
    return 1 if errors else 0

"""Empirical competitive ratios: policies against certified optima over random trials.

Each trial generates an instance of FAMILY (seed derived from --seed and the trial
index), simulates every --policy, and certifies OPT with the exact solvers (one after
the other, stopping at the first proof; every policy's schedule is an upper bound too).
Ratios on trials whose OPT is certified are exact; on the others ALG/lower-bound is
reported separately, as an upper estimate.

With --store FILE every finished trial is committed to a SQLite file at once; running
the same command again skips the stored trials (a crashed or interrupted sweep resumes,
a larger --trials extends it). Several kvopt ratio processes may share one --store:
each claims the trials it runs, so they split the work, and the trials of a process
that died are taken over after its lease (--lease). --jobs J runs J local worker
processes; --scheduler tcp://host:port runs the trials on a Dask distributed cluster
instead.

Example:
  kvopt ratio --policy mcsf --policy fcfs --family paper1-synthetic --trials 20 \\
      --seed 1 --time-limit 10 --store p1.sqlite --jobs 2 --plot p1.png
"""

from __future__ import annotations

import argparse
import os
import sys

from kvopt.cli import conventions as conv
from kvopt.errors import KvoptError
from kvopt.files import check_output
from kvopt.ratio.executors import make_executor
from kvopt.ratio.report import format_table, write_outputs
from kvopt.ratio.runner import run_sweep
from kvopt.ratio.store import DEFAULT_LEASE, Store
from kvopt.ratio.trial import (
    DEFAULT_SOLVERS,
    PolicySpec,
    Sweep,
    check_sweep,
    parse_assignments,
)
from kvopt.solve import SOLVERS
from kvopt.text import escape

NAME = "ratio"
HELP = "empirical competitive ratios of policies against certified optima"


def add_arguments(p: argparse.ArgumentParser) -> None:
    conv.add_policy(p, repeatable=True)
    conv.add_family(p)
    p.add_argument("--trials", type=int, default=10, help="number of trials (default 10)")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument(
        "--time-limit", type=float, default=10.0, help="seconds per exact solver (default 10)"
    )
    p.add_argument(
        "--solver",
        action="append",
        default=None,
        metavar="SOLVER",
        help=f"exact solver(s) to try in order (repeatable), one of: {', '.join(SOLVERS)} "
        f"(default {' then '.join(DEFAULT_SOLVERS)})",
    )
    p.add_argument(
        "--lp-bound",
        action="store_true",
        help="also compute the LP relaxation bound when the solvers leave OPT uncertified",
    )
    p.add_argument("--store", default=None, metavar="FILE", help="SQLite store (resumable)")
    p.add_argument(
        "--lease",
        type=float,
        default=DEFAULT_LEASE,
        metavar="S",
        help="seconds before another process sharing --store takes over the trials of a "
        f"process that died (default {DEFAULT_LEASE:g})",
    )
    p.add_argument("--jobs", type=int, default=1, help="local worker processes (default 1)")
    p.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler, tcp://host:port"
    )
    p.add_argument("--csv", default=None, metavar="FILE", help="write per-trial ratios (CSV)")
    conv.add_json(p, "the summary and records", legacy_file=True)
    p.add_argument("--plot", default=None, metavar="FILE", help="plot ratio distributions")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )


def run(args: argparse.Namespace) -> int:
    policies = tuple(PolicySpec.parse(p) for p in args.policy)
    sweep = Sweep(
        family=args.family,
        policies=policies,
        trials=args.trials,
        seed=args.seed,
        params=parse_assignments(args.set),
        time_limit=args.time_limit,
        solvers=tuple(args.solver) if args.solver else DEFAULT_SOLVERS,
        lp_bound=args.lp_bound,
    )
    if args.jobs < 1:
        raise KvoptError(f"--jobs must be >= 1, got {args.jobs}")
    if not args.lease > 0:
        raise KvoptError(f"--lease must be > 0 seconds, got {args.lease}")
    check_sweep(sweep)
    args.json = conv.json_target("ratio", args.json)
    conv.warn_oversubscribed("ratio", min(args.jobs, args.trials))
    for path in (args.csv, args.plot):
        if path:
            check_output(path)
    if args.plot and os.path.splitext(args.plot)[1]:  # a bad suffix fails now, not after the sweep
        from kvopt.plot import output_format

        output_format(args.plot)
    executor = make_executor(args.jobs, args.scheduler)
    with Store(args.store or ":memory:") as store:
        res = run_sweep(sweep, store, executor=executor, progress=args.progress, lease=args.lease)
    labels = [p.label for p in policies]
    summaries = write_outputs(
        sweep.config(),
        res.records,
        labels,
        csv_path=args.csv,
        json_path=args.json,
        plot_path=args.plot,
    )
    if args.json != conv.STDOUT:
        print(
            f"family {sweep.family}, {len(res.records)}/{sweep.trials} trials done "
            f"({len(res.ran)} run now, {res.skipped} from the store), seed {sweep.seed}, "
            f"time limit {sweep.time_limit} s per solver"
        )
        print(format_table(summaries))
    for t, msg in sorted(res.errors.items()):
        print(f"kvopt ratio: trial {t} failed: {escape(msg)}", file=sys.stderr)
    return 1 if res.errors else 0

"""Compare online policies on one instance: every schedule verified, one table.

Example:

    kvopt compare trace.json --policy mcsf:overflow=evict --policy vllm --policy fcfs \\
        --time-model a100-tp2-llama2-70b --jobs 2 --csv cmp.csv --plot cmp.png

Each --policy is NAME or NAME:key=value,key=value (kvopt policies lists
them). The table has, per policy: mean, p50, p90, p99 latency, time to first token,
throughput, evicted runs and wasted rounds, mean memory and energy (total, per request,
per output token), in seconds with --time-model and in rounds without (energy needs a
calibrated time model). A policy that plans with predicted output lengths is refused on
an instance without predictions unless --oracle lets it see the true outputs; oracle
policies are marked in the table, the files and the plot. --csv FILE and --json
FILE (- = standard output) write the records; --plot FILE (png, svg, pdf)
draws latency CDFs, latency by arrival time, memory and queue over time; --out DIR writes
each verified schedule as a solution file (kvopt verify re-checks it). The engine flags
(--batching, --max-requests, --max-tokens, --token-cap, --block-size, --recompute;
models/batching.md) apply to every policy. Exit codes: 0
ok, 1 a policy broke a rule, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys

from kvopt.cli.engine_options import add_engine_arguments, engine_from_args
from kvopt.compare import compare
from kvopt.files import check_output
from kvopt.io import load_instance
from kvopt.plot import output_format
from kvopt.policies import POLICIES
from kvopt.report_table import progress_bar
from kvopt.simulate import SimulationError
from kvopt.time_model import TIME_MODELS

NAME = "compare"
HELP = "run several policies on one instance and print one table (latency, memory, energy)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("instance", metavar="INSTANCE", help="instance file (JSON)")
    p.add_argument(
        "--policy",
        dest="policies",
        action="append",
        required=True,
        metavar="NAME[:K=V,...]",
        help=f"a policy (repeatable); one of: {', '.join(POLICIES)}",
    )
    p.add_argument(
        "--time-model",
        choices=sorted(TIME_MODELS),
        help="give rounds durations: figures in seconds, and energy",
    )
    add_engine_arguments(p)
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs)")
    p.add_argument(
        "--oracle",
        action="store_true",
        help="let policies that plan with predictions see the true outputs when the "
        "instance has none (otherwise refused)",
    )
    p.add_argument("--csv", metavar="FILE", help="write the records as CSV (- = stdout)")
    p.add_argument("--json", metavar="FILE", help="write the records as JSON (- = stdout)")
    p.add_argument("--plot", metavar="FILE", help="draw the comparison (png, svg or pdf)")
    p.add_argument(
        "--out",
        metavar="DIR",
        help="write each verified schedule to DIR/<instance>.<policy>.sol.json",
    )
    bar = p.add_mutually_exclusive_group()
    bar.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="draw a progress bar on stderr (default: only when it is a terminal)",
    )
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never draw it")


def _emit(text: str, target: str) -> None:
    if target == "-":
        sys.stdout.write(text)
    else:
        from kvopt.files import write_text_atomic

        write_text_atomic(target, text)


def run(args: argparse.Namespace) -> int:
    for target in (args.csv, args.json):
        if target and target != "-":
            check_output(target)
    if args.plot:
        output_format(args.plot)
        check_output(args.plot)
    if args.out:
        check_output(args.out, directory=True)
    if args.jobs is not None and args.jobs < 1:
        print("kvopt compare: error: --jobs must be >= 1", file=sys.stderr)
        return 2
    engine = engine_from_args(args)
    inst = load_instance(args.instance)
    try:
        with progress_bar(len(args.policies), "policies", enabled=args.progress) as advance:
            table = compare(
                inst,
                args.policies,
                time_model=args.time_model,
                jobs=args.jobs,
                oracle=args.oracle,
                progress=advance,
                out=args.out,
                engine=engine,
            )
    except SimulationError as e:
        print(f"kvopt compare: {e}", file=sys.stderr)
        return 1
    quiet = "-" in (args.csv, args.json)
    if not quiet:
        print(table.format())
    if args.csv:
        _emit(table.to_csv(), args.csv)
    if args.json:
        _emit(table.to_json(), args.json)
    if args.plot:
        table.plot(args.plot)
        if not quiet:
            print(f"wrote {args.plot}")
    return 0

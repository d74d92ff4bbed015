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
policies are marked in the table, the files and the plot. --csv FILE (- = standard
output) writes the records as CSV, --json prints them as JSON instead of the table;
--plot FILE (png, svg, pdf) draws latency CDFs, latency by arrival time, memory and
queue over time; --out DIR writes each verified schedule as a solution file (kvopt
verify re-checks it; - = one JSON line each on standard output). The engine flags
(--batching, --max-requests, --max-tokens, --token-cap, --block-size, --recompute;
models/batching.md) apply to every policy. Warns when --jobs exceeds the CPU count.
Exit codes: 0 ok, 1 a policy broke a rule, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys

from kvopt.cli.conventions import (
    STDOUT,
    add_json,
    add_out,
    add_policy,
    add_simulation,
    emit,
    human_stream,
    json_target,
    one_stdout,
    warn_oversubscribed,
)
from kvopt.cli.engine_options import engine_from_args
from kvopt.compare import compare
from kvopt.files import check_output
from kvopt.io import load_instance
from kvopt.plot import output_format
from kvopt.report_table import progress_bar
from kvopt.simulate import SimulationError

NAME = "compare"
HELP = "run several policies on one instance and print one table (latency, memory, energy)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("instance", metavar="INSTANCE", help="instance file (JSON)")
    add_policy(p, repeatable=True, dest="policies", metavar="NAME[:K=V,...]")
    add_simulation(p)
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs)")
    p.add_argument("--csv", metavar="FILE", help="write the records as CSV (- = stdout)")
    add_json(p, "the records", legacy_file=True)
    p.add_argument("--plot", metavar="FILE", help="draw the comparison (png, svg or pdf)")
    add_out(p, "write each verified schedule to DIR/<instance>.<policy>.sol.json", directory=True)
    bar = p.add_mutually_exclusive_group()
    bar.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="draw a progress bar on stderr (default: only when it is a terminal)",
    )
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never draw it")


def run(args: argparse.Namespace) -> int:
    args.json = json_target("compare", args.json)
    one_stdout("compare", out=args.out, csv=args.csv, json=args.json)
    if args.csv and args.csv != STDOUT:
        check_output(args.csv)
    if args.plot:
        output_format(args.plot)
        check_output(args.plot)
    if args.out and args.out != STDOUT:
        check_output(args.out, directory=True)
    if args.jobs is not None and args.jobs < 1:
        print("kvopt compare: error: --jobs must be >= 1", file=sys.stderr)
        return 2
    engine = engine_from_args(args)
    warn_oversubscribed("compare", min(args.jobs or 1, len(args.policies)))
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
    quiet = STDOUT in (args.csv, args.json)
    if not quiet:
        print(table.format(), file=human_stream(args.out))
    if args.csv:
        emit(table.to_csv(), args.csv)
    if args.json:
        emit(table.to_json(), args.json)
    if args.plot:
        table.plot(args.plot)
        if not quiet:
            print(f"wrote {args.plot}")
    return 0

"""Print the ladder of lower bounds of an instance, each with its value and time.

Rungs (weakest first): output, area, owner-capacity, lp, owner-lp, owner-lp-refill.
Every value is a proven lower bound on the minimum total latency; an LP stopped by
--time-limit reports the best bound it had proven (marked "stopped").

Example:
  kvopt bound instances/example6.json
"""

from __future__ import annotations

import argparse
import json

from kvopt.cli.conventions import add_json
from kvopt.errors import KvoptError
from kvopt.io import load_instance
from kvopt.report_table import render_table
from kvopt.solvers.ladder import RUNGS, bound_ladder
from kvopt.text import escape

NAME = "bound"
HELP = "print the ladder of lower bounds (output, area, owner-capacity, LP, owner LP)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("instance", metavar="INSTANCE", help="instance file")
    p.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        help="seconds for the whole ladder (default 60)",
    )
    p.add_argument(
        "--rung",
        action="append",
        choices=list(RUNGS),
        help="compute only this rung (repeatable; default: all)",
    )
    add_json(p, "the bounds")


def run(args: argparse.Namespace) -> int:
    if not args.time_limit > 0:
        raise KvoptError(f"--time-limit must be > 0, got {args.time_limit}")
    inst = load_instance(args.instance)
    ladder = bound_ladder(inst, time_limit=args.time_limit, rungs=args.rung)
    if args.json:
        rows = [
            {"rung": r.name, "lower_bound": r.value, "seconds": r.seconds, "complete": r.complete}
            for r in ladder
        ]
        print(json.dumps({"instance": inst.name, "n": inst.n, "bounds": rows}, indent=2))
        return 0
    print(f"{escape(inst.name)}: n = {inst.n}, M = {inst.memory}")
    rows = [
        [r.name, r.value, f"{r.seconds:.2f}", "" if r.complete else "stopped at the time limit"]
        for r in ladder
    ]
    headers = ["rung", "lower bound", "seconds", ""]
    print(render_table(headers, rows, justify=["left", "right", "right", "left"], indent=2))
    return 0

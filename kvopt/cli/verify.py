"""Check a solution file against an instance file and print its metrics.

Exit codes: 0 feasible, 1 infeasible (every violation is listed: request, round,
amount) or the file's claims contradict its schedule (objective, or a lower bound above
the schedule's total latency), 2 bad input (missing or malformed file, or a solution
for another instance).
"""

from __future__ import annotations

import argparse
import json

from kvopt.errors import FormatError
from kvopt.io import load_instance, load_solution, solution_instance
from kvopt.verify import verify

NAME = "verify"
HELP = "check a solution against an instance (exit 0 feasible, 1 infeasible, 2 bad input)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("instance", metavar="INSTANCE", help="instance file (JSON)")
    p.add_argument("solution", metavar="SOLUTION", help="solution file (JSON)")
    p.add_argument(
        "--no-eviction", action="store_true", help="also reject requests with more than one run"
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    inst = load_instance(args.instance)
    sol = load_solution(args.solution)
    if sol.instance != inst.name:
        raise FormatError(
            f"is a solution of instance {sol.instance!r}, not {inst.name!r}",
            file=args.solution,
            location="instance",
        )
    judged = solution_instance(inst, sol, file=args.solution)
    report = verify(judged, sol.schedule, allow_eviction=not args.no_eviction, strict=False)
    claimed = sol.objective
    mismatch = report.feasible and claimed is not None and report.objective != claimed
    bound = sol.lower_bound
    # a lower bound above the total latency of a feasible schedule is false
    false_bound = (
        report.feasible
        and bound is not None
        and report.objective is not None
        and bound > report.objective + 1e-6 * max(1.0, abs(report.objective))
    )
    if args.json:
        out = report.summary()
        out["violations"] = [v.as_dict() for v in report.violations]
        out["claimed_objective"] = claimed
        out["claimed_lower_bound"] = bound
        print(json.dumps(out, indent=2))
    else:
        print(f"solver {sol.solver}, status {sol.status}")
        if judged is not inst:
            print(
                "arrival rounds: as the simulation's time model placed them "
                "(metadata.arrival_rounds)"
            )
        print(report.format())
        if mismatch:
            print(
                f"WARNING: the file claims objective {claimed}, the schedule has {report.objective}"
            )
        if sol.lower_bound is not None and report.objective is not None:
            print(f"claimed lower bound        {sol.lower_bound}")
        if false_bound:
            print(
                f"WARNING: the file claims lower bound {bound}, above the total latency "
                f"{report.objective} of its own feasible schedule"
            )
    if not report.feasible:
        return 1
    return 1 if mismatch or false_bound else 0

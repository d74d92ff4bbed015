"""Check a solution file against an instance file and print its metrics.

Exit codes: 0 feasible, 1 infeasible (every violation is listed: request, round,
amount) or the file's claims contradict its schedule (objective, or a lower bound above
the schedule's total latency), 2 bad input (missing or malformed file, or a solution
for another instance: another name, requests the instance does not have, or a recorded
``metadata.instance_digest`` that is not this instance's).
"""

from __future__ import annotations

import argparse
import json

from kvopt.cli.conventions import add_json
from kvopt.io import check_solution_of, load_instance, load_solution, solution_instance
from kvopt.text import escape
from kvopt.verify import false_claims, verify

NAME = "verify"
HELP = "check a solution against an instance (exit 0 feasible, 1 infeasible, 2 bad input)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("instance", metavar="INSTANCE", help="instance file (JSON)")
    p.add_argument("solution", metavar="SOLUTION", help="solution file (JSON)")
    p.add_argument(
        "--no-eviction", action="store_true", help="also reject requests with more than one run"
    )
    add_json(p, "the report")


def run(args: argparse.Namespace) -> int:
    inst = load_instance(args.instance)
    sol = load_solution(args.solution)
    check_solution_of(inst, sol, file=args.solution)
    judged = solution_instance(inst, sol, file=args.solution)
    report = verify(judged, sol.schedule, allow_eviction=not args.no_eviction, strict=False)
    claims = false_claims(report, sol.objective, sol.lower_bound)
    if args.json:
        out = report.summary()
        out["violations"] = [v.as_dict() for v in report.violations]
        out["claimed_objective"] = sol.objective
        out["claimed_lower_bound"] = sol.lower_bound
        out["false_claims"] = claims
        print(json.dumps(out, indent=2))
    else:
        print(f"solver {escape(sol.solver)}, status {sol.status}")
        if judged is not inst:
            print(
                "arrival rounds: as the simulation's time model placed them "
                "(metadata.arrival_rounds)"
            )
        print(report.format())
        if sol.lower_bound is not None and report.objective is not None:
            print(f"claimed lower bound        {sol.lower_bound}")
        for claim in claims:
            print(f"WARNING: {claim}")
    return 1 if not report.feasible or claims else 0

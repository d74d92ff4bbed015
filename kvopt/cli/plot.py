"""Draw a solution: a Gantt chart above the memory profile, on one time axis.

The picture's format is the suffix of --out (.png, .svg or .pdf). With --compare, a
second solution of the same instance is drawn beside the first (e.g. a policy next to
the optimum); a solution whose status is "optimal" is the optimum the other one's ratio
refers to. Small instances get one row and one memory band per request, large ones
lanes and the aggregate memory (--detailed / --aggregate force either).

Exit codes: 0 picture written, 1 picture written but a schedule is infeasible (its
violations are drawn, e.g. memory above M), 2 bad input (missing or malformed file, a
solution of another instance, unknown format, matplotlib missing).
"""

from __future__ import annotations

import argparse
import sys
import time

from kvopt.errors import FormatError
from kvopt.io import Solution, load_instance, load_solution, solution_instance
from kvopt.model import Instance

NAME = "plot"
#: Largest --dpi: a figure at 2400 dpi is already ~25000 pixels wide.
MAX_DPI = 2400
HELP = "draw a solution (Gantt chart + memory profile) to a PNG/SVG/PDF file"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("instance", metavar="INSTANCE", help="instance file (JSON)")
    p.add_argument("solution", metavar="SOLUTION", help="solution file (JSON)")
    p.add_argument("--out", "-o", required=True, metavar="FILE", help="picture file to write")
    p.add_argument(
        "--compare", metavar="OTHER", help="a second solution file, drawn beside the first"
    )
    view = p.add_mutually_exclusive_group()
    view.add_argument("--detailed", action="store_true", help="one row and memory band per request")
    view.add_argument(
        "--aggregate", action="store_true", help="lanes and aggregate memory (large instances)"
    )
    p.add_argument("--title", help="figure title (default: instance name, size and M)")
    p.add_argument("--dpi", type=int, default=120, help="resolution of PNG files (default 120)")


def _load(path: str, inst: Instance) -> Solution:
    sol = load_solution(path)
    if sol.instance != inst.name:
        raise FormatError(
            f"is a solution of instance {sol.instance!r}, not {inst.name!r}",
            file=path,
            location="instance",
        )
    idx, unknown = sol.schedule.indices(inst)
    if unknown:  # the verifier reports these; a picture cannot place them
        k = int((idx < 0).argmax())
        raise FormatError(
            f"names request {sol.schedule.request_ids[k]!r}, which is not in instance "
            f"{inst.name!r}",
            file=path,
            location=f"runs[{k}].request",
        )
    return sol


def run(args: argparse.Namespace) -> int:
    from kvopt.plot import output_format, plot_solutions, require_matplotlib

    output_format(args.out)
    require_matplotlib()
    if not 10 <= args.dpi <= MAX_DPI:
        raise FormatError(f"--dpi must be in [10, {MAX_DPI}], got {args.dpi}")
    t0 = time.perf_counter()
    inst = load_instance(args.instance)
    sols = [_load(args.solution, inst)]
    if args.compare:
        sols.append(_load(args.compare, inst))
    detailed = True if args.detailed else (False if args.aggregate else None)
    paths = [args.solution] + ([args.compare] if args.compare else [])
    insts = [solution_instance(inst, sol, file=p) for sol, p in zip(sols, paths, strict=True)]
    picture = plot_solutions(inst, sols, instances=insts, detailed=detailed, title=args.title)
    picture.save(args.out, dpi=args.dpi)
    bad = [p for p in picture.panels if not p.report.feasible]
    for p in bad:
        print(
            f"kvopt plot: warning: {p.label}'s schedule is infeasible "
            f"({len(p.report.violations)} violation(s); see kvopt verify)",
            file=sys.stderr,
        )
    print(f"wrote {args.out} ({time.perf_counter() - t0:.2f} s)")
    return 1 if bad else 0

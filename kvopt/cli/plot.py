"""Draw a solution: a Gantt chart above the memory profile, on one time axis.

The picture's format is the suffix of --out (.png, .svg or .pdf). --html FILE writes an
interactive page instead (or as well): one self-contained HTML file to open in a
browser, with hover details per run, zoom, and a table of the metrics (no matplotlib
needed). With --compare, a
second solution of the same instance is drawn beside the first (e.g. a policy next to
the optimum); a solution whose status is "optimal" is the optimum the other one's ratio
refers to. Small instances get one row and one memory band per request, large ones
lanes and the aggregate memory (--detailed / --aggregate force either).

Exit codes: 0 picture written, 1 picture written but a schedule is infeasible (its
violations are drawn, e.g. memory above M) or a file's claimed objective or lower
bound is false (warned about as kvopt verify does), 2 bad input (missing or malformed file, a
solution of another instance, unknown format, matplotlib missing for --out, neither
--out nor --html given).
"""

from __future__ import annotations

import argparse
import sys
import time

from kvopt.cli.conventions import STDOUT, add_out, human_stream, one_stdout
from kvopt.errors import FormatError
from kvopt.files import check_output
from kvopt.io import Solution, check_solution_of, load_instance, load_solution, solution_instance
from kvopt.model import Instance
from kvopt.text import escape
from kvopt.verify import false_claims

NAME = "plot"
#: Largest --dpi: a figure at 2400 dpi is already ~25000 pixels wide.
MAX_DPI = 2400
HELP = "draw a solution (Gantt chart + memory profile) to a PNG/SVG/PDF file or an HTML page"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("instance", metavar="INSTANCE", help="instance file (JSON)")
    p.add_argument("solution", metavar="SOLUTION", help="solution file (JSON)")
    add_out(p, "picture file to write (.png, .svg, .pdf)", aliases=("-o",))
    p.add_argument(
        "--html", metavar="FILE", help="interactive page to write (one self-contained HTML file)"
    )
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
    check_solution_of(inst, sol, file=path)  # a picture cannot place unknown requests
    return sol


def _warnings(panels: list, sols: list[Solution]) -> list[str]:
    """What ``kvopt verify`` would object to: infeasible schedules and false claims."""
    out = []
    for panel, sol in zip(panels, sols, strict=True):
        who = escape(panel.label)
        if not panel.report.feasible:
            out.append(
                f"{who}'s schedule is infeasible ({len(panel.report.violations)} "
                f"violation(s); see kvopt verify)"
            )
        out += [f"{who}: {c}" for c in false_claims(panel.report, sol.objective, sol.lower_bound)]
    return out


def run(args: argparse.Namespace) -> int:
    from kvopt.plot import output_format, require_matplotlib

    if not args.out and not args.html:
        raise FormatError("give --out FILE (a picture), --html FILE (a page), or both")
    one_stdout("plot", out=args.out, html=args.html)
    for path in filter(None, (args.out, args.html)):
        if path != STDOUT:
            check_output(path)  # before drawing anything
    if args.out:
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
    panels = []
    if args.out:
        from kvopt.plot import plot_solutions

        picture = plot_solutions(inst, sols, instances=insts, detailed=detailed, title=args.title)
        picture.save(args.out, dpi=args.dpi)
        panels = picture.panels
        print(
            f"wrote {escape(args.out)} ({time.perf_counter() - t0:.2f} s)",
            file=human_stream(args.out, args.html),
        )
    if args.html:
        from kvopt.plot_html import write_html

        t1 = time.perf_counter()
        page = write_html(
            inst, sols, args.html, instances=insts, detailed=detailed, title=args.title
        )
        panels = panels or page.panels
        print(
            f"wrote {escape(args.html)} ({time.perf_counter() - t1:.2f} s)",
            file=human_stream(args.out, args.html),
        )
    warnings = _warnings(panels, sols)
    for w in warnings:
        print(f"kvopt plot: warning: {w}", file=sys.stderr)
    return 1 if warnings else 0

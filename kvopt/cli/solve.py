"""Solve instance files exactly with the MILP (Pyomo + HiGHS) and/or CP-SAT.

Prints one row per instance and solver: name, n, M, solver, objective, proven lower
bound, relative gap, status (``optimal`` only when proven) and seconds. With ``--out
DIR`` each result is written, as soon as it is known, to ``DIR/<name>.sol.json``
(``DIR/<name>.milp.sol.json`` and ``DIR/<name>.cpsat.sol.json`` with ``--solver
both``). Solves run in worker processes (``--jobs``); Ctrl-C stops them and keeps the
files already written.

Exit codes: 0 done, 1 the two solvers of ``--solver both`` disagree (two different
proven optima, or an objective below the other's proven bound), 2 bad input, 130
interrupted.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from kvopt.errors import InstanceError, KvoptError
from kvopt.files import check_output, ensure_directory
from kvopt.io import load_instance, save_solution
from kvopt.solve import SOLVERS

NAME = "solve"
HELP = "optimal schedules with a certificate (MILP and/or CP-SAT)"

#: Every registered backend, and "both" (MILP and CP-SAT, which must agree).
SOLVER_CHOICES = (*SOLVERS, "both")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("instances", metavar="FILE", nargs="+", help="instance file(s) (JSON)")
    p.add_argument("--solver", choices=SOLVER_CHOICES, default="milp", help="default: milp")
    p.add_argument(
        "--time-limit", type=float, default=60.0, metavar="S", help="seconds per solve (60)"
    )
    p.add_argument("--threads", type=int, default=1, metavar="K", help="threads per solve (1)")
    p.add_argument("--gap", type=float, default=0.0, help="relative gap to stop at (0: prove)")
    p.add_argument("--seed", type=int, default=0, help="solver random seed (0)")
    p.add_argument("--out", metavar="DIR", help="write solution files into DIR")
    p.add_argument("--jobs", type=int, default=1, metavar="J", help="parallel solves (1)")


def _detach() -> None:
    """Worker start-up: leave the terminal's process group and ignore SIGINT.

    Ctrl-C then reaches only the parent, which kills the workers itself; a worker is
    never interrupted half-way through handing back a result.
    """
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _solve_task(task: tuple) -> tuple:
    path, solver, time_limit, threads, gap, seed = task
    from kvopt.solve import solve

    result = solve(
        load_instance(path),
        solver,
        time_limit=time_limit,
        threads=threads,
        gap=gap,
        seed=seed,
    )
    return path, solver, result


def _fmt(x: float | None, digits: int = 0) -> str:
    """A table cell: integral values (objectives, proven bounds) exactly, others short."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if digits:
        return f"{x:.{digits}f}"
    if float(x).is_integer() and abs(x) < 2**53:
        return str(int(x))
    return f"{x:g}"


def _check_args(args: argparse.Namespace) -> None:
    if not args.time_limit > 0:
        raise KvoptError(f"--time-limit must be > 0, got {args.time_limit}")
    if args.threads < 1 or args.jobs < 1:
        raise KvoptError("--threads and --jobs must be >= 1")
    if not 0 <= args.gap < 1:
        raise KvoptError(f"--gap must be in [0, 1), got {args.gap}")


def disagreement(a, b) -> str | None:
    """Why two results for one instance contradict each other, or ``None``."""
    if a.status == b.status == "optimal" and a.objective != b.objective:
        return f"proven optima differ: {a.solver} {a.objective}, {b.solver} {b.objective}"
    for x, y in ((a, b), (b, a)):
        proven = x.lower_bound is not None and y.objective is not None
        if proven and y.objective < math.ceil(x.lower_bound - 1e-6):
            return (
                f"{y.solver} found objective {y.objective} below the bound "
                f"{_fmt(x.lower_bound)} {x.solver} proved"
            )
    return None


def _plain_file_name(name: str) -> bool:
    """Whether ``name`` is a single path component (solution files are named after it)."""
    return (
        name not in (".", "..")
        and "/" not in name
        and "\\" not in name
        and all(ch.isprintable() for ch in name)
    )


def run(args: argparse.Namespace) -> int:
    _check_args(args)
    instances = {}
    names = {}
    for path in args.instances:
        inst = load_instance(path)  # bad files: KvoptError -> one line, exit 2
        if inst.name in names:
            raise KvoptError(
                f"{path}: instance name {inst.name!r} is also the name in {names[inst.name]}"
            )
        if args.out and not _plain_file_name(inst.name):
            raise InstanceError(
                f"{inst.name!r} cannot name a file in --out (no path separators, control "
                f"characters, '.' or '..')",
                file=path,
                field="name",
            )
        names[inst.name] = path
        instances[path] = inst
    solvers = ["milp", "cpsat"] if args.solver == "both" else [args.solver]
    out = Path(args.out) if args.out else None
    if out is not None:
        ensure_directory(out)
    width = max(8, *(len(i.name) for i in instances.values()))
    header = (
        f"{'instance':<{width}} {'n':>5} {'M':>7} {'solver':<11} {'objective':>10} "
        f"{'bound':>10} {'gap':>7} {'status':<9} {'seconds':>8}"
    )
    print(header)
    print("-" * len(header), flush=True)
    tasks = [
        (p, s, args.time_limit, args.threads, args.gap, args.seed)
        for p in args.instances
        for s in solvers
    ]
    results: dict[str, dict[str, object]] = {}
    pool = ProcessPoolExecutor(min(args.jobs, len(tasks)), initializer=_detach)
    try:
        for future in as_completed([pool.submit(_solve_task, task) for task in tasks]):
            path, solver, res = future.result()
            inst = instances[path]
            results.setdefault(path, {})[solver] = res
            if out is not None:
                suffix = f".{solver}.sol.json" if len(solvers) > 1 else ".sol.json"
                save_solution(res.to_solution(), out / f"{inst.name}{suffix}")
            gap = res.gap
            print(
                f"{inst.name:<{width}} {inst.n:>5} {inst.memory:>7} {solver:<11} "
                f"{_fmt(res.objective):>10} {_fmt(res.lower_bound):>10} "
                f"{(f'{100 * gap:.2f}%' if gap is not None else '-'):>7} {res.status:<9} "
                f"{res.runtime:>8.2f}",
                flush=True,
            )
    except BaseException:  # Ctrl-C (or a failing solve): stop the workers, keep the files
        for child in multiprocessing.active_children():
            child.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    bad = 0
    for path, by in results.items():
        if len(by) == 2:
            why = disagreement(by["milp"], by["cpsat"])
            if why:
                bad += 1
                print(f"kvopt solve: DISAGREEMENT on {path}: {why}", file=sys.stderr)
    return 1 if bad else 0

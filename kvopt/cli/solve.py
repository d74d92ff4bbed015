"""Solve instance files exactly with the MILP (Pyomo + HiGHS) and/or CP-SAT.

Prints one row per instance and solver: name, n, M, solver, objective, proven lower
bound, relative gap, status (``optimal`` only when proven) and seconds. With ``--out
DIR`` each result is written, as soon as it is known, to ``DIR/<name>.sol.json``
(``DIR/<name>.milp.sol.json`` and ``DIR/<name>.cpsat.sol.json`` with ``--solver
both``); ``--out -`` prints each solution file as one JSON line on standard output and
the table on standard error. ``--json`` prints the rows as JSON instead of the table.
A warning says when ``--jobs`` x ``--threads`` exceeds the CPU count. Solves run in
worker processes (``--jobs``); Ctrl-C stops them and keeps the
files already written.

``--config FILE.toml`` gives the solve options (``kvopt.config``): the common ones
(``time_limit``, ``threads``, ``gap``, ``seed``, the levers such as ``primal``) at the
top, each backend's own in a table named after it (``[milp]``, ``[cpsat]``); a flag
given on the command line wins over the file, the file over the flags' defaults.

Exit codes: 0 done, 1 the two solvers of ``--solver both`` disagree (two different
proven optima, or an objective below the other's proven bound) or a worker process
was killed from outside (e.g. by the out-of-memory killer; one line names the unfinished
solves, the files written are kept), 2 bad input, 130 interrupted. The workers die with
``kvopt solve``, even when it is killed with ``kill -9``.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from kvopt.cli.conventions import (
    STDOUT,
    add_json,
    add_out,
    emit_json,
    human_stream,
    one_stdout,
    warn_oversubscribed,
)
from kvopt.config import load_options
from kvopt.errors import InstanceError, KvoptError
from kvopt.files import check_output, ensure_directory
from kvopt.io import load_instance, save_solution, solution_document
from kvopt.model import Instance
from kvopt.options import SolveOptions
from kvopt.report_table import StreamingTable
from kvopt.solve import SOLVERS
from kvopt.text import escape
from kvopt.workers import stop_workers, worker_pool

NAME = "solve"
HELP = "optimal schedules with a certificate (MILP and/or CP-SAT)"

#: Every registered backend, and "both" (MILP and CP-SAT, which must agree).
SOLVER_CHOICES = (*SOLVERS, "both")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("instances", metavar="FILE", nargs="+", help="instance file(s) (JSON)")
    p.add_argument(
        "--solver",
        choices=SOLVER_CHOICES,
        default="milp",
        help=f"one of: {', '.join(SOLVER_CHOICES)} (default: milp)",
    )
    p.add_argument("--time-limit", type=float, metavar="S", help="seconds per solve (60)")
    p.add_argument("--threads", type=int, metavar="K", help="threads per solve (1)")
    p.add_argument("--gap", type=float, help="relative gap to stop at (0: prove)")
    p.add_argument("--seed", type=int, help="solver random seed (0)")
    p.add_argument(
        "--config", metavar="FILE", help="solve options from a TOML file (flags win over it)"
    )
    add_out(p, "write solution files into DIR", directory=True)
    p.add_argument("--jobs", type=int, default=1, metavar="J", help="parallel solves (1)")
    add_json(p, "one object per instance and solver")


#: The command line's options where neither a flag nor ``--config`` sets one.
CLI_DEFAULTS = SolveOptions(time_limit=60.0)
#: Flag (argparse destination) -> option field.
FLAGS = {"time_limit": "time_limit", "threads": "threads", "gap": "gap", "seed": "seed"}


def _solve_task(task: tuple) -> tuple:
    path, instance, solver, options = task
    from kvopt.solve import solve

    return path, solver, solve(instance, solver, options)


def solve_options(args: argparse.Namespace) -> SolveOptions:
    """The flags' defaults, overridden by ``--config``, overridden by the flags given."""
    options = load_options(args.config, base=CLI_DEFAULTS) if args.config else CLI_DEFAULTS
    given = {f: getattr(args, a) for a, f in FLAGS.items() if getattr(args, a) is not None}
    return dataclasses.replace(options, **given)


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
    if args.time_limit is not None and not args.time_limit > 0:
        raise KvoptError(f"--time-limit must be > 0, got {args.time_limit}")
    if (args.threads is not None and args.threads < 1) or args.jobs < 1:
        raise KvoptError("--threads and --jobs must be >= 1")
    if args.gap is not None and not 0 <= args.gap < 1:
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


def _load(args: argparse.Namespace) -> dict[str, Instance]:
    """Every instance, by path: names unique and, with ``--out``, usable as file names."""
    instances: dict[str, Instance] = {}
    names: dict[str, str] = {}
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
    return instances


def _targets(
    out: Path | None, instances: dict[str, Instance], solvers: list[str]
) -> dict[tuple[str, str], Path]:
    """The solution file of each (instance path, solver), each checked before any solve."""
    if out is None or str(out) == STDOUT:
        return {}
    ensure_directory(out)
    targets = {}
    for path, inst in instances.items():
        for solver in solvers:
            suffix = f".{solver}.sol.json" if len(solvers) > 1 else ".sol.json"
            targets[path, solver] = out / f"{inst.name}{suffix}"
            check_output(targets[path, solver])  # e.g. a name too long for the file system
    return targets


def _broken_pool_message(pending: list[tuple[str, str]], written: int) -> str:
    """One line for a worker killed from outside (e.g. by the out-of-memory killer)."""
    shown = ", ".join(f"{escape(p)} ({s})" for p, s in pending[:3])
    more = f" and {len(pending) - 3} more" if len(pending) > 3 else ""
    return (
        f"kvopt solve: error: a worker process died (killed from outside, e.g. by the "
        f"out-of-memory killer) with {len(pending)} solve(s) unfinished: {shown}{more}; "
        f"the {written} solution file(s) already written are kept"
    )


def _table(instances: dict[str, Instance]) -> StreamingTable:
    width = max(8, *(len(escape(i.name)) for i in instances.values()))
    columns = [("instance", width, "left"), ("n", 5, "right"), ("M", 7, "right")]
    columns += [("solver", 11, "left"), ("objective", 10, "right"), ("bound", 10, "right")]
    columns += [("gap", 7, "right"), ("status", 9, "left"), ("seconds", 8, "right")]
    return StreamingTable(columns)


def _row(inst: Instance, solver: str, res) -> dict:
    """One row of the table (and of ``--json``)."""
    return {
        "instance": inst.name,
        "n": inst.n,
        "memory": inst.memory,
        "solver": solver,
        "objective": res.objective,
        "lower_bound": res.lower_bound,
        "gap": res.gap,
        "status": str(res.status),
        "seconds": round(res.runtime, 3),
    }


def _cells(row: dict) -> list:
    gap = row["gap"]
    return [
        escape(row["instance"]), row["n"], row["memory"], row["solver"], _fmt(row["objective"]),
        _fmt(row["lower_bound"]), f"{100 * gap:.2f}%" if gap is not None else "-",
        row["status"], f"{row['seconds']:.2f}",
    ]  # fmt: skip


def run(args: argparse.Namespace) -> int:
    _check_args(args)
    one_stdout("solve", out=args.out, json=args.json)
    options = solve_options(args)
    warn_oversubscribed("solve", min(args.jobs, len(args.instances)), options.threads or 1)
    instances = _load(args)
    solvers = ["milp", "cpsat"] if args.solver == "both" else [args.solver]
    targets = _targets(Path(args.out) if args.out else None, instances, solvers)
    table, rows = _table(instances), []
    stream = human_stream(args.out)
    if not args.json:
        print(table.header(), file=stream, flush=True)
    tasks = [(p, instances[p], s, options) for p in args.instances for s in solvers]
    results: dict[str, dict[str, object]] = {}
    pool = worker_pool(min(args.jobs, len(tasks)))
    try:
        for future in as_completed([pool.submit(_solve_task, task) for task in tasks]):
            try:
                path, solver, res = future.result()
            except BrokenProcessPool:
                done = {(p, s) for p, by in results.items() for s in by}
                pending = [(t[0], t[2]) for t in tasks if (t[0], t[2]) not in done]
                print(_broken_pool_message(pending, len(done) if targets else 0), file=sys.stderr)
                stop_workers(pool)
                return 1
            inst = instances[path]
            results.setdefault(path, {})[solver] = res
            if targets:
                save_solution(res.to_solution(), targets[path, solver], instance=inst)
            elif args.out == STDOUT:
                emit_json(solution_document(res.to_solution(), inst), STDOUT, indent=None)
            rows.append(_row(inst, solver, res))
            if not args.json:
                print(table.row(_cells(rows[-1])), file=stream, flush=True)
    except BaseException:  # Ctrl-C (or a failing solve): stop the workers, keep the files
        stop_workers(pool)
        raise
    pool.shutdown()
    if args.json:
        emit_json(rows, STDOUT)
    bad = 0
    for path, by in results.items():
        if len(by) == 2:
            why = disagreement(by["milp"], by["cpsat"])
            if why:
                bad += 1
                print(f"kvopt solve: DISAGREEMENT on {escape(path)}: {why}", file=sys.stderr)
    return 1 if bad else 0

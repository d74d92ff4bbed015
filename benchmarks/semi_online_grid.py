"""The semi-online algorithm against both exact solvers on every case of a grid.

The grid of issue 6: identical requests, all at time 0, ``s <= 4``, ``o <= 6``,
``s + o <= M <= s + o + 15``, ``n <= 14`` (5,376 cases). For each case the semi-online
optimum (:mod:`kvopt.semi_online`) is compared with the proven optima of the MILP and
CP-SAT backends (``threads=1``, ``seed=0``, default models). A case passes iff both
solvers report ``optimal`` with exactly the semi-online objective; every schedule is
checked by ``kvopt.verify`` inside ``kvopt.solve``.

Every finished case is appended to the CSV at once, so a stopped run loses nothing
and ``--resume`` skips the cases already in the file. The default test run checks the
cases with ``n <= 10`` through :func:`check_cases` (``tests/test_semi_online.py``);
the whole grid runs here (or with ``KVOPT_SLOW=1``).

``--aggregation K`` instead times the MILP with and without ``aggregate`` (one count
per group of identical requests) on every K-th grid case, one process.

Usage::

    python -m benchmarks.semi_online_grid [--n-max 14] [--processes 2]
        [--out benchmarks/results/semi_online_grid.csv] [--resume]
    python -m benchmarks.semi_online_grid --aggregation 50
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

import kvopt
from kvopt.model import Instance

Case = tuple[int, int, int, int]  # (n, s, o, M)

GRID: list[Case] = [
    (n, s, o, M)
    for s in range(1, 5)
    for o in range(1, 7)
    for M in range(s + o, s + o + 16)
    for n in range(1, 15)
]
SOLVERS = ("milp", "cpsat")
FIELDS = ["n", "s", "o", "M", "semi_online"] + [
    f"{name}_{what}" for name in SOLVERS for what in ("status", "objective", "seconds")
]


def identical(n: int, s: int, o: int, M: int) -> Instance:
    """``n`` identical requests (prompt ``s``, output ``o``) at time 0, memory ``M``."""
    return Instance.from_arrays(
        f"grid-{n}-{s}-{o}-{M}",
        M,
        arrival=np.zeros(n, dtype=np.int64),
        prompt=np.full(n, s),
        output=np.full(n, o),
    )


def check_case(case: Case) -> dict:
    """One row: the semi-online objective and each solver's status, objective, time."""
    inst = identical(*case)
    row: dict = dict(zip(("n", "s", "o", "M"), case, strict=True))
    row["semi_online"] = kvopt.solve(inst, "semi-online").objective
    for name in SOLVERS:
        began = time.perf_counter()
        # primal=0: the models are checked here, not the warm-start search
        res = kvopt.solve(inst, name, threads=1, seed=0, time_limit=120, primal=0)
        row[f"{name}_status"] = res.status
        row[f"{name}_objective"] = res.objective
        row[f"{name}_seconds"] = round(time.perf_counter() - began, 4)
    return row


def agrees(row: dict) -> bool:
    """Both solvers proved optimality with the semi-online objective."""
    return all(
        row[f"{name}_status"] == "optimal" and int(row[f"{name}_objective"]) == row["semi_online"]
        for name in SOLVERS
    )


def check_cases(cases: Iterable[Case], processes: int = 2) -> Iterator[dict]:
    """Rows of :func:`check_case`, in the order they finish, on ``processes`` processes.

    Uses the ``spawn`` start method: HiGHS and CP-SAT start threads, which a forked
    child must not inherit.
    """
    cases = list(cases)
    if processes <= 1:
        yield from map(check_case, cases)
        return
    with mp.get_context("spawn").Pool(processes) as pool:
        yield from pool.imap_unordered(check_case, cases, chunksize=16)


def aggregation(step: int) -> None:
    """Mean and worst seconds of the MILP per grid case, aggregated or not."""
    cases = GRID[::step]
    kvopt.solve(identical(2, 1, 1, 4), "milp")  # imports and first-call set-up
    print("| MILP model | cases | mean (s) | worst (s) | all optimal and equal |")
    print("|---|---|---|---|---|")
    objectives: dict[bool, list[int]] = {}
    for aggregate in (True, False):
        times, objectives[aggregate] = [], []
        ok = True
        for case in cases:
            began = time.perf_counter()
            res = kvopt.solve(identical(*case), "milp", threads=1, seed=0, aggregate=aggregate)
            times.append(time.perf_counter() - began)
            objectives[aggregate].append(res.objective)
            ok &= res.status == "optimal"
        label = "aggregated (default)" if aggregate else "per request, ordered twins"
        same = ok and (not objectives.get(True) or objectives[True] == objectives[aggregate])
        print(
            f"| {label} | {len(cases)} | {np.mean(times):.3f} | {max(times):.2f} | "
            f"{'yes' if same else 'NO'} |"
        )


def _done(path: Path) -> set[Case]:
    if not path.exists():
        return set()
    with path.open(newline="") as f:
        return {(int(r["n"]), int(r["s"]), int(r["o"]), int(r["M"])) for r in csv.DictReader(f)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-max", type=int, default=14)
    ap.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/semi_online_grid.csv"))
    ap.add_argument("--resume", action="store_true", help="skip the cases already in --out")
    ap.add_argument("--aggregation", type=int, metavar="K", help="time the MILP models instead")
    args = ap.parse_args()
    if args.aggregation:
        aggregation(args.aggregation)
        return
    done = _done(args.out) if args.resume else set()
    todo = [c for c in GRID if c[0] <= args.n_max and c not in done]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fresh = not args.resume or not args.out.exists()
    began = time.perf_counter()
    bad = 0
    with args.out.open("w" if fresh else "a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        if fresh:
            writer.writeheader()
        for row in check_cases(todo, args.processes):
            writer.writerow(row)
            f.flush()
            if not agrees(row):
                bad += 1
                print("DISAGREE", row, flush=True)
    wall = time.perf_counter() - began
    print(
        f"{len(todo)} cases checked ({len(done)} already in {args.out}), {bad} disagreements, "
        f"{wall:.0f} s on {args.processes} processes"
    )
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()

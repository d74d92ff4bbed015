"""How far does the exact semi-online algorithm scale? Prints Markdown tables.

Three measurements (see ``models/semi_online.md``):

1. the closed forms at ``n = 10^6``, ``o = 200`` (all at once; prompt-dominated),
   end to end through ``kvopt.solve(..., "semi-online")`` including verification;
2. the exact staircase search as ``o`` grows (``s = 2``, ``M = 3 (s + o)``,
   ``n = 40``) and as ``n`` grows (``s = 2``, ``o = 6``, ``M = 40``): states expanded
   and seconds, stopped at ``--max-states``;
3. greedy (MC-SF's rule) against the optimum on a few instances.

Usage::

    python benchmarks/semi_online.py [--max-states 300000]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

import kvopt
from kvopt import semi_online as so
from kvopt.model import Instance


def identical(n: int, s: int, o: int, M: int) -> Instance:
    return Instance.from_arrays(
        "bench", M, arrival=np.zeros(n, np.int64), prompt=np.full(n, s), output=np.full(n, o)
    )


def closed_forms() -> None:
    print("| case | n | s | o | M | method | objective | solve + verify (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for label, (n, s, o, M) in {
        "prompt-dominated (L = 4)": (1_000_000, 1000, 200, 4999),
        "prompt-dominated (L = 50)": (1_000_000, 10_000, 200, 510_000),
        "all at once": (1_000_000, 10, 200, 210_000_000),
    }.items():
        inst = identical(n, s, o, M)
        t = time.perf_counter()
        res = kvopt.solve(inst, "semi-online")
        dt = time.perf_counter() - t
        print(
            f"| {label} | {n:,} | {s} | {o} | {M:,} | {res.metadata['method']} | "
            f"{res.objective:,} | {dt:.2f} |"
        )


def search_row(n: int, s: int, o: int, M: int, max_states: int) -> str:
    t = time.perf_counter()
    try:
        counts, expanded = so._staircase_search(n, s, o, M, max_states, None)
        result = f"{so.objective_of_counts(counts) + n * o:,}"
    except so._SearchLimit as stop:
        expanded, result = stop.expanded, f"stopped (bound {stop.bound + n * o:,})"
    dt = time.perf_counter() - t
    W = M // (s + 1)
    return f"| {n} | {s} | {o} | {M} | {W} | {result} | {expanded:,} | {dt:.2f} |"


def search(max_states: int) -> None:
    head = "| n | s | o | M | W | optimal total latency | states expanded | seconds |"
    print(head)
    print("|---|---|---|---|---|---|---|---|")
    for o in (2, 3, 4, 5, 6, 8, 10, 12):
        print(search_row(40, 2, o, 3 * (2 + o), max_states))
    print()
    print(head)
    print("|---|---|---|---|---|---|---|---|")
    for n in (25, 50, 100, 200, 400, 800):
        print(search_row(n, 2, 6, 40, max_states))


def greedy() -> None:
    print("| n | s | o | M | greedy total latency | optimal | ratio |")
    print("|---|---|---|---|---|---|---|")
    for n, s, o, M in [
        (7, 1, 2, 10),
        (1000, 1, 2, 10),
        (1000, 5, 2, 26),
        (60, 1, 3, 20),
        (60, 2, 5, 23),
        (40, 2, 10, 60),
    ]:
        g = so.objective_of_counts(so.greedy_counts(n, s, o, M)) + n * o
        opt = so.optimal_total_latency(n, s, o, M, max_states=5_000_000)
        print(f"| {n} | {s} | {o} | {M} | {g:,} | {opt:,} | {g / opt:.4f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-states", type=int, default=300_000)
    args = ap.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, python "
        f"{platform.python_version()}\n"
    )
    closed_forms()
    print()
    search(args.max_states)
    print()
    greedy()


if __name__ == "__main__":
    main()

"""How many groups can a reachable staircase have, and how large is the minimal automaton?

Evidence for ``proofs/semi_online_fixed_q.md`` (deterministic; prints Markdown):

1. for fixed ``q = floor(M / (s + o))`` and growing ``o``: the largest number of groups
   of any reachable staircase, over the prompts ``s`` given and every ``M`` in
   ``[q (s + o), (q + 1)(s + o))`` (every ``--step``-th), next to the proven bound
   ``N* <= 4q + 2``, with the largest ``K`` met;
2. a family with ``q`` growing with ``o`` (``s = 1``, ``M = q (s + o) + (s + o) // 2``,
   ``q = o // 2``): staircases ``K`` and states of the minimal automaton
   (:mod:`kvopt.semi_online_quotient`), which no valid deletion rule can undercut.

Usage::

    python -m benchmarks.semi_online_groups [--only fixed|growing]
"""

from __future__ import annotations

import argparse
import time

from kvopt.solvers.semi_online import dp as so
from kvopt.solvers.semi_online import quotient as sq

#: ``(q, outputs, prompts, M step)`` rows of the first table.
FIXED = [
    (1, (8, 16, 32, 64, 96), (1,), 1),
    (1, (8, 16, 32), (2, 3), 1),
    (2, (8, 12, 16, 20), (1, 2), 1),
    (2, (24, 32), (1,), 2),
    (3, (6, 8, 10, 12), (1, 2), 1),
    (4, (6, 8), (1,), 1),
]


def largest(q: int, o: int, prompts: tuple[int, ...], step: int) -> tuple:
    """``(groups, s, M, K, staircase, N*)`` of the largest reachable staircase."""
    best: tuple = (0,)
    for s in prompts:
        c = s + o
        for M in range(q * c, (q + 1) * c, step):
            if so.is_prompt_dominated(s, o, M):
                continue
            order: list = []
            so.enumerate_staircases(s, o, M, so.MAX_STATES, staircases=order)
            big = max(order, key=len)
            if len(big) > best[0]:
                best = (len(big), s, M, len(order), big, so.window_bound(s, o, M))
    return best


def fixed() -> None:
    print("| q | o | prompts s | M step | most groups | at (s, M) | K there | N* there | 4q + 2 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for q, outputs, prompts, step in FIXED:
        for o in outputs:
            g, s, M, K, _, bound = largest(q, o, prompts, step)
            print(
                f"| {q} | {o} | {', '.join(map(str, prompts))} | {step} | {g} | ({s}, {M}) | "
                f"{K:,} | {bound} | {4 * q + 2} |",
                flush=True,
            )


def growing() -> None:
    print("| o | q | M | W | staircases K | minimal states | enumerate + minimise CPU (s) |")
    print("|---|---|---|---|---|---|---|")
    for o in range(2, 15):
        s = 1
        q = o // 2
        M = q * (s + o) + (s + o) // 2
        began = time.process_time()
        try:
            nxt = so.enumerate_staircases(s, o, M, so.MAX_STATES)
        except so.SearchLimit:
            print(f"| {o} | {q} | {M} | {M // (s + 1)} | > {so.MAX_STATES:,} | - | - |")
            break
        small = sq.minimise(nxt)
        cpu = time.process_time() - began
        print(
            f"| {o} | {q} | {M} | {M // (s + 1)} | {nxt.shape[0]:,} | {small.shape[0]:,} | "
            f"{cpu:.1f} |",
            flush=True,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["fixed", "growing"])
    args = ap.parse_args()
    for name, part in {"fixed": fixed, "growing": growing}.items():
        if args.only in (None, name):
            part()
            print()


if __name__ == "__main__":
    main()

"""Minimal automata of two families with q growing with o (issue 18, item 3).

Family A (as in ``benchmarks/semi_online_groups.py --only growing``): ``s = 1``,
``q = floor(o / 2)``, ``M = q (o + 1) + floor((o + 1) / 2)``; no closed form known.
Family B: ``q = floor(o / 2)``, ``s = q (o - 1) + 1``, ``M = q (s + o)``, which is
prompt-dominated, so ``Z*(n)`` has a closed form. For each: the size of the minimal
automaton of the feasible move sequences (a lower bound for every valid deletion
rule), and for B the binomial ``C(o - 1 + q, q)`` that Proposition 7 of
``proofs/semi_online_complexity.md`` says it equals. Deterministic; prints a
Markdown table with the CPU seconds of enumerating and minimising both.

Usage::

    python -m benchmarks.semi_online_complexity [--o-max 14]
"""

from __future__ import annotations

import argparse
import time
from math import comb

from kvopt.solvers.semi_online import dp as so
from kvopt.solvers.semi_online.quotient import minimise


def minimal_states(s: int, o: int, M: int) -> int:
    return int(minimise(so.enumerate_staircases(s, o, M, 4_000_000)).shape[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--o-max", type=int, default=14)
    args = ap.parse_args()
    print("| o | q | A: minimal states | B: (s, M) | B: minimal states | C(o-1+q, q) | CPU s |")
    print("|---|---|---|---|---|---|---|")
    for o in range(4, args.o_max + 1):
        q = o // 2
        start = time.process_time()
        a = minimal_states(1, o, q * (o + 1) + (o + 1) // 2)
        s = q * (o - 1) + 1
        M = q * (s + o)
        assert so.is_prompt_dominated(s, o, M)
        b = minimal_states(s, o, M)
        cpu = time.process_time() - start
        print(f"| {o} | {q} | {a:,} | ({s}, {M}) | {b:,} | {comb(o - 1 + q, q):,} | {cpu:.1f} |")


if __name__ == "__main__":
    main()

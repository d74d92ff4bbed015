"""The identical-stream optimum against MILP, CP-SAT and the exhaustive search on a grid.

Cases: identical requests (prompt ``s``, output ``o``) with arrivals drawn uniformly
from ``0 .. spread`` (deterministic seeds), ``s <= 3``, ``o <= 4``,
``s + o <= M <= s + o + 6``. For each case :mod:`kvopt.identical_stream` must equal the
proven optimum of both exact solvers and, for ``n <= 6``, the exhaustive search of
``tests/helpers/exhaustive.py``; a solver that reaches its 60 s limit without a proof is counted
as unproven (its objective and bound are still checked against ours). Every schedule
is verified inside ``kvopt.solve``.

Usage::

    python -m benchmarks.identical_stream_grid [--n-max 9] [--seeds 2] [--exhaustive-n 6]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator

import numpy as np

import kvopt
from kvopt.model import Instance


def cases(n_max: int, seeds: int) -> Iterator[Instance]:
    """The grid, one instance per (s, o, M, n, seed)."""
    for s in range(1, 4):
        for o in range(1, 5):
            for M in range(s + o, s + o + 7):
                for n in range(2, n_max + 1):
                    for seed in range(seeds):
                        rng = np.random.default_rng([s, o, M, n, seed])
                        a = np.sort(rng.integers(0, 2 * o + 2, size=n))
                        yield Instance.from_arrays(
                            f"stream-{s}-{o}-{M}-{n}-{seed}",
                            M,
                            arrival=a,
                            prompt=np.full(n, s),
                            output=np.full(n, o),
                        )


def check(inst: Instance, exhaustive_n: int) -> tuple[list[str], list[str]]:
    """Contradictions with the references, and solver runs that proved nothing.

    A contradiction: a proven optimum other than ours, a schedule better than ours, or
    a proven bound above ours. A solver that stops at its time limit with our objective
    and a bound below it is *unproven*, not a contradiction.
    """
    from tests.helpers.exhaustive import exhaustive_optimum

    best = kvopt.solve(inst, "identical-stream").objective
    bad, unproven = [], []
    for name in ("milp", "cpsat"):
        res = kvopt.solve(inst, name, time_limit=60)
        lb = res.lower_bound if res.lower_bound is not None else float("-inf")
        wrong = res.objective is not None and res.objective < best
        if wrong or lb > best or (res.status == "optimal" and res.objective != best):
            bad.append(f"{inst.name}: {name} {res.status} {res.objective} (bound {lb}) vs {best}")
        elif res.status != "optimal":
            unproven.append(f"{inst.name}: {name} {res.status} {res.objective} (bound {lb})")
    if inst.n <= exhaustive_n and exhaustive_optimum(inst)[0] != best:
        bad.append(f"{inst.name}: exhaustive != {best}")
    return bad, unproven


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n-max", type=int, default=9)
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--exhaustive-n", type=int, default=6)
    args = p.parse_args()
    t0, c0, count, bad, unproven = time.perf_counter(), time.process_time(), 0, [], []
    for inst in cases(args.n_max, args.seeds):
        b, u = check(inst, args.exhaustive_n)
        bad, unproven, count = bad + b, unproven + u, count + 1
    for line in bad + unproven:
        print(line)
    print(
        f"{count} cases, {len(bad)} contradictions, {len(unproven)} solver runs unproven "
        f"at the time limit, {time.perf_counter() - t0:.1f} s wall, "
        f"{time.process_time() - c0:.1f} s CPU"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How far the exact identical-stream optimum goes: time and states per case.

For each (s, o, M), load and n: one ``stochastic`` instance (Bernoulli arrivals, seed
1), solved by ``kvopt.solve(instance, "identical-stream")`` (the schedule verified inside),
with wall and CPU seconds (``time.process_time``), the staircases seen, the widest layer
and the states stored. A case that exceeds the limits (or ``--time-limit``) is reported
as refused with the reason.

Usage::

    python -m benchmarks.identical_stream_speed [--n 1000,10000] [--time-limit 120]
"""

from __future__ import annotations

import argparse
import time

import kvopt
from kvopt.generators import generate
from kvopt.solvers.semi_online.stream import StreamError

CASES = [(2, 20, 66), (1, 10, 40), (2, 10, 60), (5, 20, 150), (1, 50, 120)]
LOADS = (0.5, 0.9, 1.0)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", default="1000,10000")
    p.add_argument("--time-limit", type=float, default=120.0)
    p.add_argument("--cases", default=None, help="s:o:M,... (default: the built-in list)")
    args = p.parse_args()
    cases = (
        [tuple(int(v) for v in c.split(":")) for c in args.cases.split(",")]
        if args.cases
        else CASES
    )
    print("| s | o | M | load | n | latency | wall s | CPU s | staircases | widest | states |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for s, o, M in cases:
        for load in LOADS:
            for n in (int(x) for x in args.n.split(",")):
                inst = generate("stochastic", seed=1, n=n, types=f"{s}:{o}", memory=M, load=load)
                t0, c0 = time.perf_counter(), time.process_time()
                try:
                    res = kvopt.solve(inst, "identical-stream", time_limit=args.time_limit)
                except StreamError as e:
                    print(f"| {s} | {o} | {M} | {load} | {n} | refused: {e} |", flush=True)
                    continue
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                m = res.metadata
                print(
                    f"| {s} | {o} | {M} | {load} | {n} | {res.objective} | {wall:.1f} | "
                    f"{cpu:.1f} | {m['staircases']} | {m['widest_layer']} | {m['states']} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

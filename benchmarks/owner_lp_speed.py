"""Owner LP variants on P1 instances: row dropping, refill cliques, alternating row and
column solves (issue 14).

For each ``paper1-synthetic`` seed (n drawn in [40, 60] as P1 does, or ``--n``) it builds
the safe windows and the warm start once (:func:`kvopt.solvers.common.prepare`), then runs
:class:`kvopt.solvers.owner_lp.OwnerLP` to completion (or ``--time-limit``) once per
variant, and prints the proven bound, whether the LP converged, LP solves, rows left
and dropped, columns, and CPU seconds (CPU time, so that a shared machine still gives
comparable numbers; wall time is printed too).

Usage::

    python benchmarks/owner_lp_speed.py [--seeds 2,3] [--arrivals zero] [--n N]
        [--variants keep,drop,drop+refill] [--time-limit S]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kvopt  # noqa: E402
from kvopt.solvers.common import prepare  # noqa: E402
from kvopt.solvers.owner_lp import OwnerLP  # noqa: E402

VARIANTS = {
    "keep": {"drop_after": None, "refill": 0, "alternate": False},
    "drop": {"drop_after": 3, "refill": 0, "alternate": False},
    "drop+refill": {"drop_after": 3, "refill": 3, "alternate": False},
    "alternate": {"drop_after": 3, "refill": 0, "alternate": True},
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="2,3")
    ap.add_argument("--arrivals", default="zero")
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--variants", default="drop,alternate")
    ap.add_argument("--time-limit", type=float, default=None)
    args = ap.parse_args()
    print(
        "| seed | n | variant | bound | converged | LP solves | rows (dropped) | columns "
        "| CPU s | wall s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for seed in [int(s) for s in args.seeds.split(",")]:
        extra = {} if args.n is None else {"n": args.n}
        inst = kvopt.generate("paper1-synthetic", seed=seed, arrivals=args.arrivals, **extra)
        prepared = prepare(inst, None, time_limit=20, lp_windows=False)
        for name in args.variants.split(","):
            lp = OwnerLP(inst, prepared.windows, prepared.start, **VARIANTS[name])
            cpu = time.process_time()
            res = lp.run(time_limit=args.time_limit)
            cpu = time.process_time() - cpu
            print(
                f"| {seed} | {inst.n} | {name} | {res.bound} | {res.complete} "
                f"| {res.iterations} | {res.rows} ({lp.dropped}) | {res.columns} "
                f"| {cpu:.1f} | {res.seconds:.1f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

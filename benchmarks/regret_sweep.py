"""The regret sweep of issue 17, timed: policies x horizons x seeds through ``kvopt regret``.

Runs the ``kvopt regret`` command (same code path, same store) for one load and reports
its table plus wall time and CPU time (this process and its worker processes, from
``resource.getrusage``). Rerunning with the same ``--store`` resumes.

Usage::

    python -m benchmarks.regret_sweep --load 0.9 [--policies cc,wait,nested-wait,mcsf]
        [--horizons 100,1000,10000] [--seeds 20] [--jobs 2] [--out DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import time
from pathlib import Path

from kvopt.cli import main as kvopt_main


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (user + system)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--load", type=float, required=True)
    p.add_argument("--policies", default="cc,wait,nested-wait,mcsf")
    p.add_argument("--horizons", default="100,1000,10000")
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--types", default="2:20")
    p.add_argument("--memory", type=int, default=66)
    p.add_argument("--out", default="benchmarks/results")
    args = p.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"regret-{args.types.replace(':', '_')}-m{args.memory}-load{args.load}"
    argv = ["regret", "--family", "stochastic", "--set", f"load={args.load}"]
    argv += ["--set", f"types={args.types}", "--set", f"memory={args.memory}"]
    for name in args.policies.split(","):
        argv += ["--policy", name]
    argv += ["--horizons", args.horizons, "--seeds", str(args.seeds), "--jobs", str(args.jobs)]
    argv += ["--store", f"{stem}.sqlite", "--plot", f"{stem}.png", "--json"]
    t0, c0 = time.perf_counter(), cpu_seconds()
    with open(f"{stem}.json", "w", encoding="utf-8") as f, contextlib.redirect_stdout(f):
        code = kvopt_main(argv)
    print(f"wall {time.perf_counter() - t0:.1f} s, CPU {cpu_seconds() - c0:.1f} s, exit {code}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())

"""Does the time limit hold at any size? Wall time, CPU time and peak memory of
``kvopt solve --time-limit S`` by n (issue 13, item 1).

Each row runs ``kvopt solve`` as a separate process on ``kvopt generate poisson --n N
--seed 1`` (M = 54,067, the a100-tp2 default) and measures it with ``/usr/bin/time``-like
resource accounting (``os.wait4``): wall seconds, CPU seconds (the process and its
children) and peak resident memory.

Usage::

    python benchmarks/time_limits.py [--n 50,500,2000,10000] [--time-limit 10]
        [--solver milp,cpsat]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(cmd: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds, peak RSS (MB) and the last output line of ``cmd``."""
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - began
    cpu = usage.ru_utime + usage.ru_stime
    lines = [x for x in out.splitlines() if x.strip()]
    return wall, cpu, usage.ru_maxrss // 1024, (lines[-1] if lines else f"status {status}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="50,500,2000,10000")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--solver", default="milp,cpsat")
    args = ap.parse_args()
    kvopt = str(Path(sys.executable).with_name("kvopt"))
    print("| n | solver | limit s | wall s | CPU s | peak MB | result row |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(x) for x in args.n.split(",")]:
            path = os.path.join(tmp, f"p{n}.json")
            subprocess.run(
                [kvopt, "generate", "poisson", "--n", str(n), "--seed", "1", "--out", path],
                check=True,
                capture_output=True,
            )
            for solver in args.solver.split(","):
                cmd = [kvopt, "solve", path, "--solver", solver]
                cmd += ["--time-limit", str(args.time_limit)]
                wall, cpu, mb, last = run(cmd)
                row = " ".join(last.split())
                print(
                    f"| {n} | {solver} | {args.time_limit:g} | {wall:.1f} | {cpu:.1f} | {mb} "
                    f"| `{row}` |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())

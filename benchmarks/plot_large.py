"""How long `kvopt plot` takes on a large schedule (aggregate view).

Builds a feasible schedule of N requests in "waves" (each wave starts up to 90 requests
together, all of which fit; every 10th request also has an evicted run of one round in
the previous wave's reserved capacity), checks it with the verifier, and times the
picture (verification, lanes, image, memory envelope, PNG written).

    python benchmarks/plot_large.py --n 100000 --out /tmp/large.png [--cli]

With ``--cli`` it also writes the instance and solution files and times the command
``kvopt plot INSTANCE SOLUTION --out FILE`` end to end (loading the files included).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from kvopt.cli import main as kvopt_main
from kvopt.io import Solution, save_instance, save_solution
from kvopt.model import Instance
from kvopt.plot import plot_solutions
from kvopt.schedule import Schedule
from kvopt.verify import verify


def wave_schedule(n: int, seed: int = 0) -> tuple[Instance, Schedule]:
    """A feasible schedule of ``n`` requests (prompt, output <= 50; M = 10,000)."""
    rng = np.random.default_rng(seed)
    per_wave, wave_len, memory = 90, 50, 10_000
    prompt = rng.integers(1, 51, n)
    output = rng.integers(1, 51, n)
    wave = np.arange(n) // per_wave
    start = wave * wave_len + 1
    arrival = np.maximum(0, start - rng.integers(0, 2 * wave_len, n))
    inst = Instance.from_arrays("waves", memory, arrival=arrival, prompt=prompt, output=output)
    evict = np.flatnonzero((np.arange(n) % 10 == 0) & (arrival < start - wave_len) & (output > 1))
    idx = np.concatenate((np.arange(n), evict))
    st = np.concatenate((start, start[evict] - wave_len))
    en = np.concatenate((start + output, start[evict] - wave_len + 1))
    return inst, Schedule.from_indices(inst, idx, st, en)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--out", default="/tmp/kvopt-plot-large.png")
    ap.add_argument("--cli", action="store_true", help="also time `kvopt plot` on files")
    args = ap.parse_args()
    inst, sched = wave_schedule(args.n)
    t0 = time.perf_counter()
    report = verify(inst, sched)
    t1 = time.perf_counter()
    picture = plot_solutions(inst, [sched], labels=["waves"])
    t2 = time.perf_counter()
    picture.save(args.out)
    t3 = time.perf_counter()
    p = picture.panels[0]
    print(
        f"n={inst.n} runs={len(sched)} horizon={report.makespan} lanes={p.rows} "
        f"evicted={report.evicted_runs}: verify {t1 - t0:.2f} s, panel+figure {t2 - t1:.2f} s, "
        f"save {t3 - t2:.2f} s, total {t3 - t0:.2f} s -> {args.out}"
    )
    if args.cli:
        with tempfile.TemporaryDirectory() as tmp:
            ipath, spath = Path(tmp) / "waves.json", Path(tmp) / "waves.sol.json"
            save_instance(inst, ipath)
            sol = Solution(inst.name, "waves", "feasible", report.objective, None, 0.0, sched)
            save_solution(sol, spath)
            t0 = time.perf_counter()
            rc = kvopt_main(["plot", str(ipath), str(spath), "--out", args.out])
            print(
                f"kvopt plot (files, {len(sched)} runs): {time.perf_counter() - t0:.2f} s, rc {rc}"
            )


if __name__ == "__main__":
    main()

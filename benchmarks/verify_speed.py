"""How fast is the verifier? Verifies a feasible schedule of about 10^6 runs.

The schedule runs requests back to back in ``lanes`` parallel lanes (so memory never
exceeds ``lanes * max(prompt + output)``); a tenth of the requests are first evicted
after a random number of rounds and restarted in their lane, so the schedule also has
incomplete runs. Three timings are reported: verifying a schedule built from request
positions (the simulator's and solvers' path), one built from string ids (the path of a
loaded solution file), and writing + loading + verifying the solution file.

Usage::

    python benchmarks/verify_speed.py [--runs 1000000] [--seed 0] [--file]
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from kvopt import Instance, Schedule, Solution, load_solution, save_solution, verify


def build(runs: int, lanes: int, rng: np.random.Generator) -> tuple[Instance, Schedule]:
    n = int(runs / 1.1)
    prompt = rng.integers(1, 101, n)
    output = rng.integers(1, 101, n)
    evicted = rng.random(n) < 0.1
    partial = np.where(evicted, np.maximum(1, (rng.random(n) * output).astype(np.int64)), 0)
    partial = np.minimum(partial, output - 1)
    evicted &= partial > 0
    lane = rng.integers(0, lanes, n)
    busy = partial + output  # rounds a request occupies its lane
    order = np.lexsort((np.arange(n), lane))
    # start of each request in its lane: cumulative busy time of earlier requests in it
    cum = np.cumsum(busy[order])
    lane_sorted = lane[order]
    first_in_lane = np.r_[True, lane_sorted[1:] != lane_sorted[:-1]]
    lane_offset = np.maximum.accumulate(np.where(first_in_lane, cum - busy[order], 0))
    begin = np.empty(n, dtype=np.int64)
    begin[order] = cum - busy[order] - lane_offset
    arrival = np.maximum(0, begin - rng.integers(0, 50, n))
    inst = Instance.from_arrays("bench", lanes * 200, arrival=arrival, prompt=prompt, output=output)
    idx_ev = np.flatnonzero(evicted)
    index = np.concatenate([idx_ev, np.arange(n)])
    start = np.concatenate([begin[idx_ev], begin + partial])
    end = np.concatenate([begin[idx_ev] + partial[idx_ev], begin + partial + output])
    return inst, Schedule.from_indices(inst, index, start, end)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1_000_000)
    ap.add_argument("--lanes", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--file", action="store_true", help="also time the JSON round trip")
    args = ap.parse_args()
    inst, sched = build(args.runs, args.lanes, np.random.default_rng(args.seed))
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"instance: {inst.n} requests, M = {inst.memory}; schedule: {len(sched)} runs")

    t = time.perf_counter()
    r = verify(inst, sched)
    t_idx = time.perf_counter() - t
    by_ids = Schedule.from_arrays(sched.request_ids, sched.start, sched.end)
    t = time.perf_counter()
    r2 = verify(inst, by_ids)
    t_ids = time.perf_counter() - t
    assert r.objective == r2.objective
    print(
        f"feasible, objective {r.objective}, makespan {r.makespan}, peak memory "
        f"{r.peak_memory}, evicted runs {r.evicted_runs}"
    )
    print(f"verify (request positions)   {t_idx:7.2f} s")
    print(f"verify (request ids)         {t_ids:7.2f} s")
    t = time.perf_counter()
    prof = r.memory_profile
    print(f"dense memory profile         {time.perf_counter() - t:7.2f} s  ({prof.size} rounds)")
    if args.file:
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "bench.sol.json"
            t = time.perf_counter()
            save_solution(Solution("bench", "bench", "feasible", r.objective, None, 0.0, sched), p)
            t_save = time.perf_counter() - t
            t = time.perf_counter()
            sol = load_solution(p)
            verify(inst, sol.schedule)
            t_load = time.perf_counter() - t
        print(f"write solution file          {t_save:7.2f} s")
        print(f"load + verify solution file  {t_load:7.2f} s")


if __name__ == "__main__":
    main()

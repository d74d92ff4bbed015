"""Speed of the simulator: MC-SF and vLLM-like on LMSYS-like traces.

Usage (from the repository root)::

    python benchmarks/policies.py                     # 10,000 requests, MC-SF (+ vLLM)
    python benchmarks/policies.py --n 1000000 --policies mcsf vllm

The lengths are generated here (seeded ``numpy.random.Generator``), not by kvopt's
instance generators: lognormal prompts (mean about 460 tokens) and outputs (mean about
210 tokens), as in LMSYS-Chat-1M measured in tokens, clipped so that every request fits
M = 16,492. Arrivals are Poisson in rounds at ``--rate`` requests per round; the default
0.2 exceeds what the machine can serve (about 0.14 per round), so the server stays
saturated and the queue grows. Prints one row per policy: requests, rounds simulated,
events, wall-clock and CPU seconds (simulation + verification; on a shared machine the
CPU time is the steadier figure), CPU microseconds per request, and the peak memory of
the process (``resource.getrusage``; run one policy per process to attribute it).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kvopt.model import Instance  # noqa: E402
from kvopt.policies import make_policy  # noqa: E402
from kvopt.simulate import simulate  # noqa: E402

M = 16_492


def lmsys_like(n: int, rate: float, seed: int) -> Instance:
    """``n`` requests with LMSYS-like lengths and Poisson arrivals (rounds)."""
    rng = np.random.default_rng(seed)
    sigma_p, sigma_o = 1.0, 0.9
    prompt = rng.lognormal(np.log(460) - sigma_p**2 / 2, sigma_p, n)
    output = rng.lognormal(np.log(210) - sigma_o**2 / 2, sigma_o, n)
    prompt = np.clip(np.rint(prompt), 1, 8192).astype(np.int64)
    output = np.clip(np.rint(output), 1, 4096).astype(np.int64)
    gaps = rng.exponential(1.0 / rate, n)
    arrival = np.floor(np.cumsum(gaps)).astype(np.int64)
    return Instance.from_arrays(f"lmsys-like-{n}", M, arrival=arrival, prompt=prompt, output=output)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--rate", type=float, default=0.2, help="arrivals per round")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--policies", nargs="+", default=["mcsf", "vllm"])
    p.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    inst = lmsys_like(args.n, args.rate, args.seed)
    gen = time.perf_counter() - t0
    print(
        f"n = {inst.n}, M = {M}, prompt mean {inst.prompt.mean():.0f}, output mean "
        f"{inst.output.mean():.0f}, rate {args.rate}/round, generated in {gen:.2f} s"
    )
    head = "policy | requests | rounds | events | evicted runs | wall s | CPU s | CPU us/request"
    print(f"| {head} | peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.policies:
        best, cpu = None, float("inf")
        for _ in range(args.repeat):
            c0 = time.process_time()
            res = simulate(inst, make_policy(name))
            c1 = time.process_time() - c0
            if c1 < cpu:
                best, cpu = res, c1
        assert best is not None
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        r = best.report
        print(
            f"| {name} | {inst.n:,} | {r.makespan:,} | {best.events:,} | {r.evicted_runs:,} | "
            f"{best.runtime:.2f} | {cpu:.2f} | {1e6 * cpu / inst.n:.1f} | {rss:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

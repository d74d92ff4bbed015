"""Time ``kvopt.compare``: six policies on 10,000 Azure-conversation requests.

Usage::

    python benchmarks/compare_speed.py [--n 10000] [--jobs 2]

Generates ``trace --trace azure-conv-2023 --n N --noise 0.2`` (a100-tp2 time model, so the
figures are in seconds and energy is computed), runs :func:`kvopt.compare` with six
policies and prints the table, the wall time and the CPU time of this process plus its
worker processes (the machine may be shared: CPU time is the figure to compare).
"""

from __future__ import annotations

import argparse
import resource
import time

import kvopt

POLICIES = [
    "mcsf:overflow=evict",
    "mc-benchmark:overflow=evict",
    "fcfs",
    "sf",
    "vllm",
    "vllm:eviction=sglang",
]


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    inst = kvopt.generate(
        "trace", seed=1, trace="azure-conv-2023", n=args.n, noise=0.2, name="azure-conv-10k"
    )
    wall0, cpu0 = time.perf_counter(), cpu_seconds()
    table = kvopt.compare(inst, POLICIES, time_model="a100-tp2-llama2-70b", jobs=args.jobs)
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    print(table.format())
    sims = ", ".join(f"{r.record['policy']} {r.runtime:.2f} s" for r in table.runs)
    print(f"\n{inst.n} requests, {len(POLICIES)} policies, jobs={args.jobs}")
    print(f"wall {wall:.2f} s, CPU {cpu:.2f} s (this process + workers)")
    print(f"simulation + verification per policy: {sims}")


if __name__ == "__main__":
    main()

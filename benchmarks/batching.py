"""Mixed vs prefill-first batching on the Azure 2023 conversation trace (issue 21).

Usage::

    python benchmarks/batching.py [--n 2000 10000]

For each n: the first n requests of ``azure-conv-2023``, prompts cut so that prompt +
output <= 4096 (as Vidur does), M = 54,067 (``a100-tp2-llama2-70b``), policy ``vllm``
(1 % watermark), time model ``a100-tp2-llama2-70b``; simulated once with
``batching="mixed"`` and once with ``"prefill-first"`` (``models/batching.md``). Prints
latency / TTFT percentiles and makespan in seconds, restarts (evicted runs), and the
simulation's wall and CPU time. Vidur itself is not run here (no checkout offline).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from kvopt.generators import generate
from kvopt.model import Instance
from kvopt.simulate import BATCHINGS, simulate

MODEL = "a100-tp2-llama2-70b"
MAX_TOKENS = 4096


def vidur_like_trace(n: int) -> Instance:
    """The first ``n`` requests, prompts cut to ``prompt + output <= 4096``, M = 54,067."""
    raw = generate("trace", seed=0, trace="azure-conv-2023", n=n, sample="head", memory=10**6)
    output = np.minimum(raw.output, MAX_TOKENS - 1)
    prompt = np.maximum(np.minimum(raw.prompt, MAX_TOKENS - output), 1)
    return Instance.from_arrays(
        f"azure-conv-2023-head{n}-cut{MAX_TOKENS}",
        54_067,
        arrival=raw.arrival,
        prompt=prompt,
        output=output,
        arrival_time=raw.arrival_time,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[2000, 10000])
    args = ap.parse_args()
    keys = ("mean", "p50", "p90", "p99")
    print(
        "| n | batching | " + " | ".join(f"{k} latency (s)" for k in keys)
        + " | mean TTFT (s) | p99 TTFT (s) | makespan (s) | restarts | wall (s) | CPU (s) |"
    )  # fmt: skip
    print("|" + "---|" * 12)
    for n in args.n:
        inst = vidur_like_trace(n)
        for batching in BATCHINGS:
            w0, c0 = time.perf_counter(), time.process_time()
            res = simulate(inst, "vllm", MODEL, batching=batching)
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            s = res.summary()
            lat = " | ".join(f"{s[f'{k}_latency_seconds']:.1f}" for k in keys)
            print(
                f"| {n} | {batching} | {lat} | {s['mean_ttft_seconds']:.1f} | "
                f"{s['p99_ttft_seconds']:.1f} | {s['makespan_seconds']:.0f} | "
                f"{res.evictions} | {wall:.3f} | {cpu:.3f} |"
            )


if __name__ == "__main__":
    main()

"""Mixed vs prefill-first batching on the Azure 2023 conversation trace (issue 21).

Usage::

    python benchmarks/batching.py [--n 2000 10000]

For each n: the first n requests of ``azure-conv-2023``, prompts cut so that prompt +
output <= 4096 (as Vidur does), M = 54,067 (``a100-tp2-llama2-70b``), policy ``vllm``
(1 % watermark), time model ``a100-tp2-llama2-70b``; simulated with each engine of
:data:`ENGINES` (``models/batching.md``): mixed, prefill-first, then adding 16-token
blocks, the batch caps and recompute one at a time, and chunked prefill. Prints
latency / TTFT percentiles and makespan in seconds, restarts (evicted runs), and the
simulation's wall and CPU time. Vidur itself is run by ``vidur_side_by_side.py``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from kvopt.generators import generate
from kvopt.model import Instance
from kvopt.simulate import simulate

MODEL = "a100-tp2-llama2-70b"
MAX_TOKENS = 4096

#: The engines compared, each adding one setting to the one before (models/batching.md);
#: the chunked rows use the token budget given.
ENGINES: tuple[tuple[str, dict], ...] = (
    ("mixed", {}),
    ("prefill-first", {"batching": "prefill-first"}),
    ("+ 16-token blocks", {"batching": "prefill-first", "block_size": 16}),
    (
        "+ caps 128 / 4096 padded",
        {"batching": "prefill-first", "block_size": 16, "max_requests": 128,
         "max_tokens": 4096, "token_cap": "padded"},
    ),
    (
        "+ recompute (Vidur's vLLM)",
        {"batching": "prefill-first", "block_size": 16, "max_requests": 128,
         "max_tokens": 4096, "token_cap": "padded", "recompute": True},
    ),
    ("chunked 512, blocks, 128", {"batching": "chunked", "max_tokens": 512, "block_size": 16,
                                  "max_requests": 128}),
    ("chunked 4096, blocks, 128", {"batching": "chunked", "max_tokens": 4096,
                                   "block_size": 16, "max_requests": 128}),
)  # fmt: skip


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
        for batching, engine in ENGINES:
            w0, c0 = time.perf_counter(), time.process_time()
            res = simulate(inst, "vllm", MODEL, **engine)
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

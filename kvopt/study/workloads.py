"""The workloads of P1's real-trace study, as kvopt instances.

P1 (arXiv 2502.07115, ``models/literature.md``, "Real trace") replays 10,000
LMSYS-Chat-1M conversations on Llama-2-70B with two A100s (M = 16,492) at Poisson rates
of 50 (high demand) and 10 (low demand) requests per second. The data set is gated; P1
reports only prompt mean 40.6 / median 11 and output mean 85.3 / median 45, probably in
**words**. Two workloads stand in for it:

* ``lmsys``: a **reconstruction**. Prompt and output lengths in tokens are independent
  lognormals whose mean and median are P1's figures times ``tokens_per_word`` (default
  4/3, the usual 0.75 words per token of English BPE vocabularies; a parameter): the
  lognormal with median m and mean mu has ``sigma = sqrt(2 ln(mu / m))`` (1.616 for
  prompts, 1.131 for outputs, whatever the factor). Drawn by kvopt's ``poisson`` family
  (rounded to integers >= 1; requests above min(M, 4096) redrawn), with Poisson arrivals
  at ``rate`` per second.
* ``azure-conv``: the shipped Azure LLM inference 2023 conversation trace (its own
  lengths in tokens; a window of ``n`` consecutive requests at a random start), its
  arrival times rescaled so that the window's mean rate is ``rate`` (the arrival
  pattern is the trace's, not Poisson); requests above M are clipped (recorded in the
  metadata).

Both can carry noisy point predictions of the output (``noise``: relative error uniform
in ``[-noise, noise]``, :mod:`kvopt.generators.predictions`), drawn from their own
random stream so the requests are the same with and without them.
"""

from __future__ import annotations

import functools
from typing import Any

from kvopt.errors import KvoptError
from kvopt.generators import generate
from kvopt.model import Instance

#: Workload names.
WORKLOADS = ("lmsys", "azure-conv")

#: P1's reported LMSYS-Chat-1M length statistics (probably words).
P1_PROMPT_MEAN, P1_PROMPT_MEDIAN = 40.6, 11.0
P1_OUTPUT_MEAN, P1_OUTPUT_MEDIAN = 85.3, 45.0

#: Default tokens per word (0.75 words per token).
TOKENS_PER_WORD = 4 / 3

#: P1's KV capacity in tokens.
P1_MEMORY = 16_492


@functools.lru_cache(maxsize=4)
def make_workload(
    workload: str,
    *,
    rate: float,
    n: int,
    seed: int,
    memory: int = P1_MEMORY,
    tokens_per_word: float = TOKENS_PER_WORD,
    noise: float | None = None,
    time_model: str = "a100-tp2-llama2-70b",
) -> Instance:
    """The instance of ``workload`` at ``rate`` requests per second.

    Parameters
    ----------
    workload
        One of :data:`WORKLOADS`.
    rate
        Mean arrival rate in requests per second.
    n
        Number of requests.
    seed
        Seed of the instance (lengths and arrivals, or the trace window).
    memory
        KV capacity M in tokens.
    tokens_per_word
        Tokens per word converting P1's word statistics (``lmsys`` only).
    noise
        Relative noise of point predictions of the output, or ``None`` (no predictions).
    time_model
        The time model converting seconds to rounds.

    The last few instances are kept per process (instances are immutable): the
    study's consecutive trials simulate the same instance with other policies.

    Raises
    ------
    KvoptError
        For an unknown workload or impossible parameters (a GeneratorError).
    """
    if workload not in WORKLOADS:
        raise KvoptError(f"unknown workload {workload!r} (known: {', '.join(WORKLOADS)})")
    if not tokens_per_word > 0:
        raise KvoptError(f"tokens_per_word must be > 0, got {tokens_per_word}")
    pred: dict[str, Any] = {} if noise is None else {"noise": noise}
    name = f"{workload}-rate{rate:g}-s{seed}"
    if workload == "lmsys":
        return generate(
            "poisson", seed, name=name, n=n, rate=rate, memory=memory, lengths="lmsys",
            prompt_mean=P1_PROMPT_MEAN * tokens_per_word,
            output_mean=P1_OUTPUT_MEAN * tokens_per_word,
            time_model=time_model, **pred,
        )  # fmt: skip
    common = dict(trace="azure-conv-2023", n=n, sample="window", overflow="clip")
    first = generate("trace", seed, memory=memory, time_model=time_model, **common)
    t = first.arrival_time
    span = float(t.max() - t.min()) if n > 1 else 0.0
    scale = rate * span / (n - 1) if span > 0 else 1.0
    return generate(
        "trace", seed, name=name, memory=memory, time_model=time_model,
        rate_scale=scale, **common, **pred,
    )  # fmt: skip

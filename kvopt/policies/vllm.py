"""vLLM-like and SGLang-like scheduling: watermark admission, eviction on overflow."""

from __future__ import annotations

from kvopt.policies.base import check_choice, check_fraction
from kvopt.policies.greedy import GreedyPolicy


class VLLM(GreedyPolicy):
    """First-come first-served with a free-memory watermark and recompute eviction.

    Source: Vidur's executable vLLM scheduler semantics (literature.md [A, code]): new
    requests are admitted in queue order only while a watermark of free memory (1 % of
    M by default) remains after admission, i.e. next-round memory <= (1 - watermark) M.
    When the running requests cannot all grow, ``eviction="vllm"`` evicts the most
    recently arrived running request (recompute) and puts it at the front of the queue;
    ``eviction="sglang"`` evicts the one with the fewest tokens produced and puts it at
    the tail. Block-granular memory, batch caps and the batch semantics are engine
    settings of the simulator (``models/batching.md``), which this policy honours.

    Parameters
    ----------
    eviction
        ``"vllm"`` (default) or ``"sglang"``.
    watermark
        Fraction of M that must stay free after an admission, in [0, 1).
    """

    name = "vllm"
    source = (
        "Vidur's vLLM scheduler: watermark 1 %, evict latest arrival, re-queue at front; "
        "SGLang: evict fewest produced, re-queue at tail [A, code]"
    )
    order = "arrival"
    parameter_help = {
        "eviction": "vllm (latest arrival first, re-queue at front) or sglang (fewest "
        "tokens produced first, re-queue at tail)",
        "watermark": "fraction of M kept free after an admission, 0 <= watermark < 1",
    }

    def __init__(self, *, eviction: str = "vllm", watermark: float = 0.01) -> None:
        self.eviction = check_choice("eviction", eviction, ("vllm", "sglang"))
        self.watermark = check_fraction("watermark", watermark, 0.0, 1.0, open_high=True)
        self.alpha = self.watermark
        if eviction == "vllm":
            self.evict_order, self.requeue = "latest-arrival", "front"
        else:
            self.evict_order, self.requeue = "fewest-produced", "tail"

"""MC-SF: memory-constrained shortest-first (P1, literature.md)."""

from __future__ import annotations

from kvopt.policies.lookahead import LookaheadPolicy


class MCSF(LookaheadPolicy):
    """Memory-Constrained Shortest-First.

    Source: Jaillet, Jiang, Mellou, Molinaro, Podimata, Zhou, *Online Scheduling for LLM
    Inference with KV Cache Constraints*, arXiv 2502.07115 v4/v5 [S2]. Each round, the
    running requests continue; the waiting requests, sorted by predicted output length
    (ties: arrival, then position in the instance: our reconstruction [R]), are
    admitted one by one while
    the running set plus the admitted ones keeps every future round within M, judged
    with the predicted lengths and checked at the predicted completion times.

    With predictions that never underestimate (``predicted >= output``) it never
    overflows. A request that reaches its predicted length unfinished is planned to
    need one more token at a time [R]; with underestimates MC-SF may then overflow,
    which the simulator reports as an error unless ``overflow="evict"``.

    Parameters: ``skip``, ``max_scan`` and ``overflow``, see
    :class:`~kvopt.policies.lookahead.LookaheadPolicy`.
    """

    name = "mcsf"
    source = "P1 (arXiv 2502.07115 v4/v5), MC-SF [S2]; skip-and-continue variant [R]"
    order = "length"
    lengths = "predicted"

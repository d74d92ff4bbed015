"""MC-SF: memory-constrained shortest-first (P1, literature.md)."""

from __future__ import annotations

from kvopt.policies.lookahead import LookaheadPolicy


class MCSF(LookaheadPolicy):
    """Memory-Constrained Shortest-First.

    Source: Jaillet, Jiang, Mellou, Molinaro, Podimata, Zhou, *Online Scheduling for LLM
    Inference with KV Cache Constraints*, arXiv 2502.07115 v4/v5 [S2]. Each round, the
    running requests continue; the waiting requests, sorted by predicted output length
    (ties: arrival, then position in the instance [R]), are admitted one by one while
    the running set plus the admitted ones keeps every future round within M, judged
    with the predicted lengths and checked at the predicted completion times.

    With predictions that never underestimate (``predicted >= output``) it never
    overflows. A request that reaches its predicted length unfinished is planned to
    need one more token at a time [R]; with underestimates MC-SF may then overflow,
    which the simulator reports as an error unless ``overflow="evict"``.

    Parameters
    ----------
    overflow
        ``"raise"`` (default): a round over M is an error (the theory assumes
        predictions that do not underestimate); ``"evict"`` [R]: evict running requests,
        fewest tokens produced first, until the next round fits.
    skip
        ``False`` (the paper): stop at the first request that fails the test (the
        maximal feasible prefix). ``True`` [R]: skip it and try the next ones.
    """

    name = "mcsf"
    source = "P1 (arXiv 2502.07115 v4/v5), MC-SF [S2]; skip-and-continue variant [R]"
    order = "length"
    lengths = "predicted"
    parameter_help = {
        "skip": "false: stop at the first failing request (paper); true: skip it [R]",
        "overflow": "raise (the paper: predictions must not underestimate) or evict [R]",
    }

    def __init__(self, *, skip: bool = False, overflow: str = "raise") -> None:
        super().__init__(skip=skip, overflow=overflow)

"""MC-Benchmark: MC-SF's admission test in arrival order (P1)."""

from __future__ import annotations

from kvopt.policies.lookahead import LookaheadPolicy


class MCBenchmark(LookaheadPolicy):
    """MC-SF's look-ahead admission test with the queue in arrival order.

    Source: P1 (arXiv 2502.07115 v4/v5), the memory-constrained benchmark [S]. Identical
    to :class:`~kvopt.policies.mcsf.MCSF` except that waiting requests are tried in
    arrival order (ties: position in the instance). Never overflows when predictions
    do not underestimate.

    Parameters
    ----------
    overflow
        ``"raise"`` (default): a round over M is an error (the theory assumes
        predictions that do not underestimate); ``"evict"`` [R]: evict running requests,
        fewest tokens produced first, until the next round fits.
    skip
        ``False``: stop at the first request that fails the test; ``True`` [R]: skip it.
    """

    name = "mc-benchmark"
    source = "P1 (arXiv 2502.07115 v4/v5), MC-Benchmark [S]"
    order = "arrival"
    lengths = "predicted"
    parameter_help = {
        "skip": "false: stop at the first failing request; true: skip it [R]",
        "overflow": "raise (the paper: predictions must not underestimate) or evict [R]",
    }

    def __init__(self, *, skip: bool = False, overflow: str = "raise") -> None:
        super().__init__(skip=skip, overflow=overflow)

"""MC-Benchmark: MC-SF's admission test in arrival order (P1)."""

from __future__ import annotations

from kvopt.policies.lookahead import LookaheadPolicy


class MCBenchmark(LookaheadPolicy):
    """MC-SF's look-ahead admission test with the queue in arrival order.

    Source: P1 (arXiv 2502.07115 v4/v5), the memory-constrained benchmark [S]. Identical
    to :class:`~kvopt.policies.mcsf.MCSF` except that waiting requests are tried in
    arrival order (ties: position in the instance). Never overflows when predictions
    do not underestimate.

    Parameters: ``skip``, ``max_scan`` and ``overflow``, see
    :class:`~kvopt.policies.lookahead.LookaheadPolicy`.
    """

    name = "mc-benchmark"
    source = "P1 (arXiv 2502.07115 v4/v5), MC-Benchmark [S]"
    order = "arrival"
    lengths = "predicted"

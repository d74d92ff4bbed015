"""A_max: plan with the upper end of each prediction interval (P2)."""

from __future__ import annotations

from kvopt.policies.lookahead import LookaheadPolicy


class AMax(LookaheadPolicy):
    """MC-SF's admission test with every output length taken as the interval's upper end.

    Source: Chen, Ye, Zhou, *Adaptively Robust LLM Inference Optimization under
    Prediction Uncertainty*, arXiv 2508.14544 (P2) [A]; that it uses exactly MC-SF's
    test and shortest-upper-end-first order is our reconstruction [R]. Since
    ``output <= output_hi`` it never overflows. Without an interval in the instance it
    uses the point prediction, or the true output (see the result's metadata).

    Parameters: ``skip``, ``max_scan`` and ``overflow``, see
    :class:`~kvopt.policies.lookahead.LookaheadPolicy`.
    """

    name = "amax"
    source = "P2 (arXiv 2508.14544), A_max [A]; MC-SF test with u [R]"
    order = "length"
    lengths = "output_hi"

"""A_max: plan with the upper end of each prediction interval (P2)."""

from __future__ import annotations

from kvopt.policies.lookahead import LookaheadPolicy


class AMax(LookaheadPolicy):
    """MC-SF's admission test with every output length taken as the interval's upper end.

    Source: Chen, Ye, Zhou, *Adaptively Robust LLM Inference Optimization under
    Prediction Uncertainty*, arXiv 2508.14544 (P2) [A]; that it uses exactly MC-SF's
    test and shortest-upper-end-first order is [R]. Since ``output <= output_hi`` it
    never overflows. Without an interval in the instance it uses the point prediction,
    or the true output (see the result's metadata).

    Parameters
    ----------
    overflow
        ``"raise"`` (default): a round over M is an error (the theory assumes
        predictions that do not underestimate); ``"evict"`` [R]: evict running requests,
        fewest tokens produced first, until the next round fits.
    skip
        ``False``: stop at the first request that fails the test; ``True`` [R]: skip it.
    """

    name = "amax"
    source = "P2 (arXiv 2508.14544), A_max [A]; MC-SF test with u [R]"
    order = "length"
    lengths = "output_hi"
    parameter_help = {
        "skip": "false: stop at the first failing request; true: skip it [R]",
        "overflow": "raise (the paper: predictions must not underestimate) or evict [R]",
    }

    def __init__(self, *, skip: bool = False, overflow: str = "raise") -> None:
        super().__init__(skip=skip, overflow=overflow)

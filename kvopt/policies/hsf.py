"""H-SF: hindsight (clairvoyant) shortest-first, the benchmark of P2."""

from __future__ import annotations

from kvopt.policies.lookahead import LookaheadPolicy


class HSF(LookaheadPolicy):
    """Hindsight shortest-first: MC-SF with the true output lengths.

    Source: Chen, Ye, Zhou, arXiv 2508.14544 (P2) [S]: the ratios of A_max and A_min
    are stated against this schedule. Clairvoyant: it reads the true output lengths,
    so it never overflows.

    Parameters: ``skip``, ``max_scan`` and ``overflow``, see
    :class:`~kvopt.policies.lookahead.LookaheadPolicy`.
    """

    name = "h-sf"
    source = "P2 (arXiv 2508.14544), H-SF = MC-SF with true lengths [S]"
    clairvoyant = True
    order = "length"
    lengths = "output"

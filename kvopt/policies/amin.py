"""A_min: plan with a rising pseudo lower bound, evict on overflow (P2)."""

from __future__ import annotations

from kvopt.policies.base import check_choice
from kvopt.policies.eviction import EVICTION_ORDERS
from kvopt.policies.lookahead import LookaheadPolicy


class AMin(LookaheadPolicy):
    """Plan with a pseudo lower bound that rises as tokens are produced; evict on overflow.

    Source: Chen, Ye, Zhou, arXiv 2508.14544 (P2) [A/S]: every request is treated as if
    its output were ``l~_i``, starting at the interval's lower end; admission is
    shortest-``l~`` first; when the next round would overflow, running requests are
    evicted in an order based on their accumulated length until it fits. The exact
    rules are unknown; this is our reconstruction [R], with the open choices as
    parameters:

    - admission uses MC-SF's look-ahead test with the lengths ``l~`` [R];
    - a running request that reaches ``l~`` unfinished, or an evicted one that produced
      ``p`` tokens, raises ``l~`` per ``refine``;
    - evicted requests restart from scratch and re-enter the queue by ``l~``.

    Parameters
    ----------
    evict_order
        Default ``"fewest-produced"`` (smallest accumulated length first) [R]; see
        :mod:`kvopt.policies.eviction`.
    refine
        ``"increment"`` (default [R]): ``l~ = produced + 1``; ``"double"``:
        ``l~ = max(produced + 1, min(2 l~, u))``.
    skip, max_scan
        As for :class:`~kvopt.policies.lookahead.LookaheadPolicy`.
    """

    name = "amin"
    source = "P2 (arXiv 2508.14544), A_min [A/S]; refinement and eviction rules [R]"
    may_evict = True
    order = "length"
    lengths = "output_lo"
    parameter_help = {
        "evict_order": "which running request to evict first: " + ", ".join(EVICTION_ORDERS),
        "refine": "how the pseudo lower bound rises: increment (produced + 1) or double",
        "skip": "false: stop at the first failing request; true: skip it [R]",
        "max_scan": "with skip: try at most this many waiting requests per boundary (0: all) [R]",
    }

    def __init__(
        self,
        *,
        evict_order: str = "fewest-produced",
        refine: str = "increment",
        skip: bool = False,
        max_scan: int = 0,
    ) -> None:
        super().__init__(skip=skip, max_scan=max_scan)
        self.evict_order = check_choice("evict_order", evict_order, EVICTION_ORDERS)
        self.refine = check_choice("refine", refine, ("increment", "double"))

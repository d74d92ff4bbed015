"""FCFS without look-ahead: admit in arrival order while the next round fits."""

from __future__ import annotations

from kvopt.policies.base import check_bool, check_choice
from kvopt.policies.eviction import EVICTION_ORDERS
from kvopt.policies.greedy import GreedyPolicy


class FCFS(GreedyPolicy):
    """First-come first-served, admitting while the next round fits.

    Source: the FCFS baseline of P3 (Wang, Ye, Zhou, arXiv 2508.06133) [A/S]. Without
    look-ahead a running batch can outgrow M in a later round; the policy then evicts
    (recompute) like vLLM [R]: this is :class:`~kvopt.policies.alpha_greedy.AlphaGreedy`
    with ``alpha = 0``. Evicted requests return to their arrival position.

    Parameters
    ----------
    skip
        ``False``: stop at the first request that does not fit; ``True``: skip it.
    evict_order
        Which running request to evict first (default ``"latest-arrival"``).
    """

    name = "fcfs"
    source = "P3 (arXiv 2508.06133) FCFS baseline [A/S]; eviction on overflow [R]"
    order = "arrival"
    parameter_help = {
        "skip": "false: stop at the first request that does not fit; true: skip it",
        "evict_order": "which running request to evict first: " + ", ".join(EVICTION_ORDERS),
    }

    def __init__(self, *, skip: bool = False, evict_order: str = "latest-arrival") -> None:
        self.skip = check_bool("skip", skip)
        self.evict_order = check_choice("evict_order", evict_order, EVICTION_ORDERS)

"""alpha-protection greedy: P1's memory-protected benchmark (reconstruction)."""

from __future__ import annotations

from kvopt.policies.base import check_choice, check_fraction
from kvopt.policies.eviction import EVICTION_ORDERS
from kvopt.policies.greedy import GreedyPolicy


class AlphaGreedy(GreedyPolicy):
    """Admit in arrival order while next-round memory stays <= (1 - alpha) M; clear on overflow.

    Source: the alpha-protection greedy benchmark of P1's real-trace study (arXiv
    2502.07115) [S]; its exact semantics are our reconstruction [R]: running requests
    always continue; when the next round would exceed M, running requests are evicted
    (restarted from scratch) in ``evict_order`` until it fits, and return to their
    arrival position in the queue.

    Parameters
    ----------
    alpha
        Protected fraction of memory, in [0, 1) (P1 uses 0.1 to 0.3).
    evict_order
        Which running request to evict first (default ``"latest-arrival"``, vLLM's rule).
    """

    name = "alpha-greedy"
    source = "P1 (arXiv 2502.07115) alpha-protection greedy [S]; semantics [R]"
    order = "arrival"
    parameter_help = {
        "alpha": "admission cap (1 - alpha) M, 0 <= alpha < 1",
        "evict_order": "which running request to evict first: " + ", ".join(EVICTION_ORDERS),
    }

    def __init__(self, *, alpha: float = 0.2, evict_order: str = "latest-arrival") -> None:
        self.alpha = check_fraction("alpha", alpha, 0.0, 1.0, open_high=True)
        self.evict_order = check_choice("evict_order", evict_order, EVICTION_ORDERS)

"""alpha-protection phi-clearing: P1's benchmark that clears a fraction on overflow."""

from __future__ import annotations

from kvopt.policies.base import PolicyError, check_choice, check_fraction
from kvopt.policies.eviction import EVICTION_ORDERS
from kvopt.policies.greedy import GreedyPolicy


class AlphaClearing(GreedyPolicy):
    """alpha-protection admission; on overflow evict a fraction phi of the running requests.

    Source: the alpha-protection phi-clearing benchmark of P1's real-trace study (arXiv
    2502.07115) [S]; its semantics are our reconstruction [R]: admission as
    :class:`~kvopt.policies.alpha_greedy.AlphaGreedy`; when the next round would exceed
    M, evict ``ceil(phi * running)`` requests in ``evict_order`` — more if that is not
    enough to fit — and return them to their arrival position.

    Parameters
    ----------
    alpha
        Protected fraction of memory, in [0, 1).
    phi
        Fraction of the running requests cleared on overflow, in (0, 1].
    evict_order
        Which running request to evict first (default ``"latest-arrival"``).
    """

    name = "alpha-clearing"
    source = "P1 (arXiv 2502.07115) alpha-protection phi-clearing [S]; semantics [R]"
    order = "arrival"
    parameter_help = {
        "alpha": "admission cap (1 - alpha) M, 0 <= alpha < 1",
        "phi": "fraction of the running requests evicted on overflow, 0 < phi <= 1",
        "evict_order": "which running request to evict first: " + ", ".join(EVICTION_ORDERS),
    }

    def __init__(
        self, *, alpha: float = 0.2, phi: float = 0.2, evict_order: str = "latest-arrival"
    ) -> None:
        self.alpha = check_fraction("alpha", alpha, 0.0, 1.0, open_high=True)
        self.phi = check_fraction("phi", phi, 0.0, 1.0)
        if self.phi == 0.0:
            raise PolicyError("parameter 'phi' must be > 0, got 0.0")
        self.clear_fraction = self.phi
        self.evict_order = check_choice("evict_order", evict_order, EVICTION_ORDERS)

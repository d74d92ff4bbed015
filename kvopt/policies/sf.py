"""SF without look-ahead: admit shortest predicted output first while the next round fits."""

from __future__ import annotations

from kvopt.policies.greedy import NoLookahead


class SF(NoLookahead):
    """Shortest (predicted) output first, admitting while the next round fits.

    Source: the shortest-first baseline of P3 (Wang, Ye, Zhou, arXiv 2508.06133) [A/S];
    eviction on overflow is our reconstruction [R] (see
    :class:`~kvopt.policies.greedy.NoLookahead`, which also lists the parameters
    ``skip`` and ``evict_order``). Ties: arrival order.
    """

    name = "sf"
    source = "P3 (arXiv 2508.06133) shortest-first baseline [A/S]; eviction on overflow [R]"
    order = "predicted"

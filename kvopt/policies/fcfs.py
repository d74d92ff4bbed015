"""FCFS without look-ahead: admit in arrival order while the next round fits."""

from __future__ import annotations

from kvopt.policies.greedy import NoLookahead


class FCFS(NoLookahead):
    """First-come first-served, admitting while the next round fits.

    Source: the FCFS baseline of P3 (Wang, Ye, Zhou, arXiv 2508.06133) [A/S]; eviction
    on overflow is our reconstruction [R] (see
    :class:`~kvopt.policies.greedy.NoLookahead`, which also lists the parameters
    ``skip`` and ``evict_order``). This is
    :class:`~kvopt.policies.alpha_greedy.AlphaGreedy` with ``alpha = 0``.
    """

    name = "fcfs"
    source = "P3 (arXiv 2508.06133) FCFS baseline [A/S]; eviction on overflow [R]"
    order = "arrival"

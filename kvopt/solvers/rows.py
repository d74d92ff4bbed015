"""Valid inequalities over the start pairs ``(i, k)``: the owner rows and the refill cliques.

Both families are written over the pairs that run in one round ``t``. A pair ``(i, k)``
(request ``i`` started at ``k``) runs in round ``t`` iff ``k < t <= k + o_i``; there it
holds ``g = s_i + t - k`` tokens, its owner capacity is ``cap = cap_i(k + o_i - t)``
(:func:`kvopt.owner.capacity`) and its peak is ``p = s_i + o_i``. Each row gives every such
pair a coefficient from ``(g, cap, p)`` and the capacity ``M``, and has a right-hand side:

* :class:`OwnerRow` ``(t, theta)``: ``sum [g - (cap - theta)^+] x <= theta``
  (``proofs/owner_lp.md``; ``theta = M`` is the plain memory row);
* :class:`RefillRow` ``(t, h, q)``: ``sum x <= q`` over the pairs with ``g >= h`` and
  ``p > M - q h`` (``proofs/refill_cliques.md``).

Pairs that do not run in ``t`` have coefficient 0 in both. The rows are plain named tuples,
so they print, compare and hash as their numbers; the LP, the MILP and CP-SAT take either.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class OwnerRow(NamedTuple):
    """The owner row of round ``round`` at level ``theta`` (``models/owner_lp.md``)."""

    round: int
    theta: int

    @property
    def rhs(self) -> int:
        """The right-hand side ``theta``."""
        return self.theta

    def coefficients(self, g: np.ndarray, cap: np.ndarray, p: np.ndarray, memory: int):
        """``g - (cap - theta)^+`` for pairs running in the round (element-wise)."""
        del p, memory
        return g - np.maximum(cap - self.theta, 0)


class RefillRow(NamedTuple):
    """The refill clique of round ``round``: at most ``count`` of the pairs holding at
    least ``height`` tokens in the round whose peak exceeds ``M - count * height``."""

    round: int
    height: int
    count: int

    @property
    def rhs(self) -> int:
        """The right-hand side ``q`` (``count``)."""
        return self.count

    def coefficients(self, g: np.ndarray, cap: np.ndarray, p: np.ndarray, memory: int):
        """1 for a pair in the clique, 0 otherwise (element-wise)."""
        del cap
        tall = np.asarray(g) >= self.height
        member = tall & (np.asarray(p) > memory - self.count * self.height)
        return member.astype(np.int64)


Row = OwnerRow | RefillRow


def most_violated_refill(
    g: np.ndarray, p: np.ndarray, x: np.ndarray, memory: int, t: int, counts: int, tol: float
) -> RefillRow | None:
    """The most violated refill clique of round ``t`` with ``q <= counts``, or ``None``.

    ``g``, ``p`` and ``x`` describe the pairs running in the round. For a fixed ``q`` the
    clique of height ``h`` grows in its peak condition and shrinks in its memory
    condition as ``h`` increases; between two consecutive memory values of the pairs the
    memory condition selects the same pairs, so the largest ``h`` of each interval, a
    memory value itself, is best. Every ``(q, h)`` with ``h`` among the memory values of
    pairs with ``x > 0`` is therefore tried, which makes the separation exact. A row is
    returned when its violation exceeds ``tol (1 + q)``; of several, the largest relative
    violation ``(lhs - q) / (1 + q)`` wins.
    """
    used = x > 1e-9
    if not used.any():
        return None
    gu, pu, xu = g[used], p[used], x[used]
    best, found = tol, None
    heights = np.unique(gu)
    for q in range(1, counts + 1):
        if xu.sum() <= q + tol:
            break
        member = (gu[None, :] >= heights[:, None]) & (pu[None, :] > memory - q * heights[:, None])
        lhs = member.astype(np.float64) @ xu
        j = int(np.argmax(lhs))
        score = (float(lhs[j]) - q) / (1 + q)
        if score > best:
            best, found = score, RefillRow(int(t), int(heights[j]), q)
    return found

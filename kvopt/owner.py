"""The owner lemma and the owner-capacity bound (``proofs/owner_bounds.md``).

In a round ``t`` in which requests run, the **owner** is the running request that
completes first (ties by index). If it completes ``d = c_i - t`` rounds later, the memory
held in round ``t`` is at most :func:`capacity` ``cap_i(d)``:

* alone in the batch, the owner holds ``p_i - d`` (``p_i = s_i + o_i``);
* with ``c >= 2`` requests, each of them still runs in round ``c_i`` and holds ``d``
  tokens more there than in ``t``, so ``m(t) <= M - c d <= M - 2 d``; this needs room for
  the owner's peak and one more request: ``p_i + sigma_i + 1 + d <= M`` with
  ``sigma_i = min_{j != i} s_j``.

``cap_i`` is non-increasing in ``d``. A request owns at most one round at each distance
``d = 0 .. o_i - 1``, so the rounds it owns hold at most ``G_i(x) = sum_{d < x} cap_i(d)``
tokens when it owns ``x`` of them. The **owner-capacity bound** on the ``k``-th smallest
completion time follows: the requests ``S`` completing by ``C_(k)`` own every round in
which one of them runs, these rounds lie in ``(a(S), C_(k)]`` and hold all of ``S``'s
memory work ``w_i = s_i o_i + o_i (o_i + 1) / 2``, so

    C_(k) >= beta_k = min { a(S) + sum_{i in S} x_i :
                            |S| >= k, 0 <= x_i <= o_i, sum_{i in S} (G_i(x_i) - w_i) >= 0 }

with ``a(S) = min_{i in S} a_i``. :func:`completion_bounds` computes every ``beta_k`` by
one dynamic program over the requests in decreasing arrival order, with state (number of
requests in ``S``, ``sum x``) and value ``max sum (G_i(x_i) - w_i)``; integers throughout.
"""

from __future__ import annotations

import numpy as np

from kvopt.bounds import work
from kvopt.model import Instance

#: "Impossible" in the dynamic program (far below any reachable value, no overflow).
_NEG = -(2**62)


def other_prompt_min(instance: Instance) -> np.ndarray:
    """``sigma_i = min_{j != i} s_j`` per request (``M`` where ``i`` is alone)."""
    s = instance.prompt
    if instance.n < 2:
        return np.full(instance.n, instance.memory, dtype=np.int64)
    order = np.argsort(s, kind="stable")
    first, second = int(s[order[0]]), int(s[order[1]])
    out = np.full(instance.n, first, dtype=np.int64)
    out[order[0]] = second
    return out


def capacity(
    p: int | np.ndarray, sigma: int | np.ndarray, memory: int, d: np.ndarray
) -> np.ndarray:
    """``cap_i(d)``: the most memory a round owned by ``i`` at distance ``d`` can hold.

    Element-wise: ``p``, ``sigma`` and ``d`` may be arrays of one shape.

    Parameters
    ----------
    p
        ``s_i + o_i``, the owner's memory in its last round.
    sigma
        ``min_{j != i} s_j`` (any value ``<=`` it is also valid, but weaker).
    memory
        ``M``.
    d
        Distances ``c_i - t`` (``0 <= d < o_i``).
    """
    d = np.asarray(d, dtype=np.int64)
    shared = p + sigma + 1 + d <= memory
    return np.where(shared, memory - 2 * d, p - d)


def capacity_at(p: int, sigma: int, memory: int, d: int) -> int:
    """:func:`capacity` of one round, in plain integers (the rows' coefficient loops)."""
    return memory - 2 * d if p + sigma + 1 + d <= memory else p - d


def owned_capacity(instance: Instance, i: int, sigma: int | None = None) -> np.ndarray:
    """``G_i(x)`` for ``x = 0 .. o_i``: memory that ``x`` rounds owned by ``i`` can hold."""
    if sigma is None:
        sigma = int(other_prompt_min(instance)[i])
    o = int(instance.output[i])
    p = int(instance.prompt[i]) + o
    cap = capacity(p, sigma, instance.memory, np.arange(o))
    return np.concatenate(([0], np.cumsum(cap)))


def completion_bounds(instance: Instance, horizon: int | None = None) -> np.ndarray:
    """``beta_k`` for ``k = 1 .. n``: lower bounds on the ``k``-th smallest completion time.

    Parameters
    ----------
    instance
        The instance.
    horizon
        Largest ``sum x`` the program tracks (default ``sum_i o_i``). Any value at least
        ``C_max - min a`` of some feasible schedule gives the same bounds; a smaller one
        makes ``beta_k`` report that schedule's completions less precisely but never
        unsafely: where no set fits, ``beta_k`` is ``min a + horizon + 1``.

    Returns
    -------
    numpy.ndarray
        Non-decreasing ``int64`` array of length ``n``.
    """
    n = instance.n
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    a, o = instance.arrival, instance.output
    h = int(o.sum()) if horizon is None else int(horizon)
    w = work(instance)
    sigma = other_prompt_min(instance)
    best = np.full(n + 1, int(a.min()) + h + 1, dtype=np.int64)  # best[c]: min over |S| = c
    table = np.full((n + 1, h + 1), _NEG, dtype=np.int64)  # sets of later arrivals
    table[0, 0] = 0
    for i in np.argsort(-a, kind="stable").tolist():
        gain = owned_capacity(instance, i, int(sigma[i])) - int(w[i])  # h_i(x), x=0..o_i
        incl = np.full_like(table, _NEG)
        for x in range(min(int(o[i]), h) + 1):
            np.maximum(incl[1:, x:], table[:-1, : h + 1 - x] + int(gain[x]), out=incl[1:, x:])
        ok = incl >= 0
        reach = ok.any(axis=1)
        first = np.where(reach, ok.argmax(axis=1), h + 1)  # smallest sum x per |S|
        np.minimum(best, int(a[i]) + first, out=best)
        np.maximum(table, incl, out=table)
    # |S| >= k: suffix minimum over the set sizes
    beta = np.minimum.accumulate(best[1:][::-1])[::-1]
    return beta.astype(np.int64)


def owner_capacity_bound(instance: Instance, horizon: int | None = None) -> int:
    """The owner-capacity bound on the minimum total latency.

    ``sum_k max(beta_k, ceil(W_k / M), R_(k)) - sum_i a_i``, where ``beta_k`` is
    :func:`completion_bounds`, ``W_k`` the sum of the ``k`` smallest memory works and
    ``R_(k)`` the ``k``-th smallest ``a_i + o_i``: every term bounds the ``k``-th
    smallest completion time. Never below :func:`kvopt.bounds.area_bound`.
    """
    if instance.n == 0:
        return 0
    by_area = -(-np.cumsum(np.sort(work(instance))) // instance.memory)
    by_release = np.sort(instance.arrival + instance.output)
    per_k = np.maximum(np.maximum(by_area, by_release), completion_bounds(instance, horizon))
    return int(per_k.sum() - instance.arrival.sum())

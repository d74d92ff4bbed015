"""Safe start windows: for each request, a range of start times that keeps every optimum.

Two upper limits on the start ``k_i`` of request ``i`` hold in *every* optimal schedule
(``proofs/start_windows.md``):

* **no idle round** (``A = max_j a_j``): ``k_i <= A + sum_{j != i} o_j``;
* **latency budget**: if ``UB`` is the total latency of any feasible schedule and
  ``LB_{-i}`` a lower bound on the optimum of the instance without ``i``, then
  ``k_i <= a_i - o_i + UB - LB_{-i}``.

With the lower limit ``k_i >= a_i`` they give the window ``[earliest_i, latest_i]``
that both exact models use instead of one common horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kvopt.model import Instance
from kvopt.trivial_bounds import work


@dataclass(frozen=True)
class StartWindows:
    """Earliest and latest start time of every request (instance order, inclusive).

    ``horizon`` is the last round any request can run in: ``max_i (latest_i + o_i)``.
    """

    earliest: np.ndarray
    latest: np.ndarray
    horizon: int

    def size(self) -> int:
        """Number of (request, start) pairs in the windows."""
        return int((self.latest - self.earliest + 1).sum())


def no_idle_latest(instance: Instance) -> np.ndarray:
    """``max_j a_j + sum_{j != i} o_j`` for every request ``i``."""
    if instance.n == 0:
        return np.zeros(0, dtype=np.int64)
    o = instance.output
    return int(instance.arrival.max()) + int(o.sum()) - o


def others_lower_bounds(instance: Instance) -> np.ndarray:
    """``LB_{-i}``: :func:`kvopt.trivial_bounds.trivial_lower_bound` of the instance without ``i``.

    Computed from the sorted works and releases of the whole instance: removing ``i``
    shifts the prefix sums after its position, so each ``LB_{-i}`` costs ``O(n)`` numpy
    operations and no new instance (``tests/test_solvers_horizon.py`` compares it with
    the definition).
    """
    n = instance.n
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    m = instance.memory
    a, o = instance.arrival, instance.output
    w = work(instance)
    w_order = np.argsort(w, kind="stable")
    w_pos = np.empty(n, dtype=np.int64)
    w_pos[w_order] = np.arange(n)
    prefix = np.cumsum(w[w_order])
    r = a + o
    r_sorted = np.sort(r, kind="stable")
    r_pos = np.empty(n, dtype=np.int64)
    r_pos[np.argsort(r, kind="stable")] = np.arange(n)
    k = np.arange(n - 1)
    out = np.empty(n, dtype=np.int64)
    total_o, total_a = int(o.sum()), int(a.sum())
    for i in range(n):
        work_k = np.where(k < w_pos[i], prefix[k], prefix[k + 1] - w[i])
        rel_k = np.where(k < r_pos[i], r_sorted[k], r_sorted[k + 1])
        area = int(np.maximum(-(-work_k // m), rel_k).sum()) - (total_a - int(a[i]))
        out[i] = max(total_o - int(o[i]), area)
    return out


def budget_latest(
    instance: Instance, upper_bound: int, others: np.ndarray | None = None
) -> np.ndarray:
    """``a_i - o_i + UB - LB_{-i}`` for every request ``i``.

    ``others`` gives ``LB_{-i}``; default :func:`others_lower_bounds`.
    """
    if others is None:
        others = others_lower_bounds(instance)
    return instance.arrival - instance.output + upper_bound - np.asarray(others)


def start_windows(
    instance: Instance, upper_bound: int | None = None, others: np.ndarray | None = None
) -> StartWindows:
    """The safe start windows of ``instance``.

    Parameters
    ----------
    instance
        The instance.
    upper_bound
        Total latency of a feasible schedule (tightens the windows), or ``None`` for
        the no-idle limit only. A value below the optimum is reported only when it
        empties a window (``proofs/start_windows.md``).
    others
        ``LB_{-i}`` per request (default :func:`others_lower_bounds`); any lower bound on
        the others' total latency in every optimal schedule is safe.

    Returns
    -------
    StartWindows
        ``earliest = a`` and ``latest = min(no-idle limit, budget limit)``.

    Raises
    ------
    ValueError
        If some window is empty (then ``upper_bound`` is below the optimum).
    """
    latest = no_idle_latest(instance)
    if upper_bound is not None and instance.n:
        latest = np.minimum(latest, budget_latest(instance, upper_bound, others))
    earliest = np.asarray(instance.arrival, dtype=np.int64).copy()
    if (latest < earliest).any():
        i = int(np.flatnonzero(latest < earliest)[0])
        raise ValueError(
            f"upper bound {upper_bound} is below the optimum (request {instance.ids[i]!r} "
            "has an empty start window): it is not the total latency of a feasible schedule"
        )
    return StartWindows(earliest, latest, _last_round(instance, latest))


def plain_windows(instance: Instance, horizon: int | None = None) -> StartWindows:
    """Windows of the plain time-indexed model: ``a_i <= k_i <= H - o_i``.

    ``H`` defaults to ``max_j a_j + sum_j o_j``, the safe horizon of ``models/README.md``.
    """
    if horizon is None:
        horizon = int(instance.arrival.max() + instance.output.sum()) if instance.n else 0
    earliest = np.asarray(instance.arrival, dtype=np.int64).copy()
    latest = np.maximum(earliest, horizon - instance.output)
    return StartWindows(earliest, latest, _last_round(instance, latest))


def _last_round(instance: Instance, latest: np.ndarray) -> int:
    return int((latest + instance.output).max()) if instance.n else 0

"""Average latency as a function of requests served, and its fitted slope.

P1 plots, for its real-trace runs, the average latency of the requests served so far
against their number, and compares how fast it grows. Here the curve is
``L(k) = (l_1 + ... + l_k) / k`` with the requests taken in **arrival order** (the k
first requests of the trace; ``order="completion"`` takes them in the order they
finish instead): a queue that grows linearly makes ``L`` grow linearly. Its slope is
the least-squares line through ``(k, L(k))`` for ``k`` in the fit window
``[ceil(fit_from * n), n]`` (default ``fit_from = 0.2``: the first fifth, the warm-up,
is left out). The normal equations use correctly rounded sums (``math.fsum``) and
exact integer sums of k, so the slope is the same on every processor (and fast:
:func:`kvopt.numeric.exact_line` takes seconds on 10^4 points). Units: seconds per
request.
"""

from __future__ import annotations

import math

import numpy as np

from kvopt.numeric import significant

#: Orders in which requests are counted as served.
ORDERS = ("arrival", "completion")


def latency_curve(
    latency: np.ndarray, arrival: np.ndarray, completion: np.ndarray, order: str = "arrival"
) -> np.ndarray:
    """``L(k)``, k = 1..n: the mean latency of the first k requests in ``order``.

    Ties keep the instance's order (stable sort).
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, got {order!r}")
    key = arrival if order == "arrival" else completion
    lat = np.asarray(latency, dtype=np.float64)[np.argsort(key, kind="stable")]
    return np.cumsum(lat) / np.arange(1, lat.size + 1)


def fit_window(n: int, fit_from: float) -> tuple[int, int]:
    """The 1-based range ``[lo, n]`` of k that the slope is fitted on."""
    if not 0 <= fit_from < 1:
        raise ValueError(f"fit_from must be in [0, 1), got {fit_from}")
    return max(1, math.ceil(fit_from * n)), n


def fit_slope(curve: np.ndarray, fit_from: float = 0.2) -> tuple[float, float]:
    """Intercept and slope of the least-squares line through ``(k, curve[k-1])``.

    Only ``k`` in :func:`fit_window` count; both are rounded to 12 significant digits.
    """
    lo, hi = fit_window(len(curve), fit_from)
    if hi - lo < 1:
        raise ValueError(f"the fit window [{lo}, {hi}] needs at least two points")
    y = np.asarray(curve, dtype=np.float64)[lo - 1 : hi]
    k = np.arange(lo, hi + 1, dtype=np.float64)
    m = hi - lo + 1
    sx = (lo + hi) * m // 2  # exact integers
    sxx = (hi * (hi + 1) * (2 * hi + 1) - (lo - 1) * lo * (2 * lo - 1)) // 6
    sy, sxy = math.fsum(y.tolist()), math.fsum((k * y).tolist())
    det = m * sxx - sx * sx
    b1 = (m * sxy - sx * sy) / det
    b0 = (sy - b1 * sx) / m
    return significant(b0), significant(b1)


def checkpoints(n: int, points: int = 100) -> np.ndarray:
    """``points`` evenly spread k in ``1..n`` (always ending at n) for stored curves."""
    return np.unique(np.ceil(np.linspace(n / points, n, min(points, n))).astype(np.int64))

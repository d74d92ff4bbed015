"""Floating-point results that do not depend on the processor.

numpy picks SIMD kernels and BLAS/LAPACK code paths at run time by processor
(``NPY_DISABLE_CPU_FEATURES``, ``OPENBLAS_CORETYPE``); reductions such as ``mean`` or a
least-squares fit through LAPACK may then differ in the last bits between two machines.
Anything kvopt stores, ships or compares exactly is computed here instead:

* :func:`exact_mean`, :func:`exact_line` and :func:`exact_interp` compute in exact
  arithmetic (``math.fsum``, rationals) and round once, to the nearest double: the
  answer is the same double on every IEEE-754 machine.
* :func:`significant` rounds a derived constant to :data:`SIGNIFICANT` significant
  digits where it is produced, so that stored files carry short, stable numbers.

Element-wise numpy arithmetic (``+``, ``*``, ``/`` of two arrays) is correctly rounded
per element whatever the kernel, and needs none of this.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from fractions import Fraction

import numpy as np

#: Significant digits kept of derived constants (time-model coefficients, round
#: durations) where they are produced.
SIGNIFICANT = 12


def significant(x: float, digits: int = SIGNIFICANT) -> float:
    """``x`` rounded to ``digits`` significant decimal digits (decimal round-trip).

    Python's float formatting is correctly rounded, so the result is the same on every
    machine. Non-finite values and zero are returned unchanged.
    """
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return x
    return float(f"{x:.{digits - 1}e}")


def exact_mean(values: Iterable[float] | np.ndarray) -> float:
    """The mean, correctly rounded (``math.fsum`` of the values over their count).

    Integer arrays are summed exactly as Python integers.

    Raises
    ------
    ValueError
        If there are no values.
    """
    arr = np.asarray(values)
    if arr.size == 0:
        raise ValueError("the mean of no values")
    if np.issubdtype(arr.dtype, np.integer):
        return float(Fraction(sum(int(v) for v in arr.ravel().tolist()), arr.size))
    return math.fsum(arr.ravel().tolist()) / arr.size


def exact_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares intercept and slope of ``y ~ intercept + slope * x``, exactly.

    The normal equations are solved in rational arithmetic from the exact values of the
    doubles, and each coefficient is rounded once to the nearest double.

    Raises
    ------
    ValueError
        If fewer than two points are given, the arrays differ in length, or all ``x``
        are equal (the line is not determined).
    """
    xs = [Fraction(float(v)) for v in np.asarray(x).ravel().tolist()]
    ys = [Fraction(float(v)) for v in np.asarray(y).ravel().tolist()]
    if len(xs) != len(ys):
        raise ValueError(f"x and y differ in length ({len(xs)} and {len(ys)})")
    if len(xs) < 2:
        raise ValueError("a line needs at least two points")
    n = len(xs)
    sx, sy = sum(xs), sum(ys)
    sxx = sum(v * v for v in xs)
    sxy = sum(u * v for u, v in zip(xs, ys, strict=True))
    det = n * sxx - sx * sx
    if det == 0:
        raise ValueError("all x are equal: the line is not determined")
    slope = (n * sxy - sx * sy) / det
    intercept = (sy - slope * sx) / n
    return float(intercept), float(slope)


def exact_interp(x: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """Piecewise-linear interpolation of ``(xp, fp)`` at ``x``, each value exact.

    As :func:`numpy.interp` (constant beyond the end points), but every value is computed
    in rational arithmetic from the exact doubles and rounded once to the nearest
    double, so it is the same on every machine.

    Parameters
    ----------
    x
        Where to interpolate.
    xp, fp
        The points: ``xp`` strictly increasing, ``fp`` of the same length.

    Raises
    ------
    ValueError
        If there are no points, the lengths differ or ``xp`` is not strictly increasing.
    """
    xs = [Fraction(float(v)) for v in np.asarray(xp).ravel().tolist()]
    fs = [Fraction(float(v)) for v in np.asarray(fp).ravel().tolist()]
    if not xs or len(xs) != len(fs):
        raise ValueError(f"xp and fp must be non-empty and of one length ({len(xs)}, {len(fs)})")
    if any(b <= a for a, b in zip(xs, xs[1:], strict=False)):
        raise ValueError("xp must be strictly increasing")
    out = []
    for v in np.asarray(x, dtype=np.float64).ravel().tolist():
        q = Fraction(v)
        j = bisect.bisect_right(xs, q)
        if j == 0:
            out.append(float(fs[0]))
        elif j == len(xs):
            out.append(float(fs[-1]))
        else:
            x0, x1, f0, f1 = xs[j - 1], xs[j], fs[j - 1], fs[j]
            out.append(float(f0 + (f1 - f0) * (q - x0) / (x1 - x0)))
    return np.array(out, dtype=np.float64).reshape(np.shape(x))

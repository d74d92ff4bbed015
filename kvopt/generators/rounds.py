"""From seconds to rounds: the mean round duration a time model gives a workload.

Instances keep integer round arrivals (what the exact solvers and the unit-time policies
use) and, when generated from seconds, the arrival times themselves (``arrival_time``).
``models/README.md`` lets a simulator with a calibrated time model place an arrival in
seconds exactly ("the first round that begins at or after it"); a static instance needs one
fixed conversion instead. kvopt uses the **steady-state round duration** ``d`` and sets
``a_i = ceil(t_i / d)`` (the first round boundary at or after ``t_i``).

``d`` solves Little's law for the mean batch under arrival rate ``lam`` (requests per
second) with mean prompt ``s`` and mean output ``o``: a request spends ``o`` rounds in the
batch, ``o - 1`` of them decoding, its prompt is prefilled once, and it holds on average
``s + (o + 1) / 2`` tokens. With ``g = lam (c_dec (o - 1) + c_pre s + c_ctx o (s + (o+1)/2))``
(busy seconds per second that each second of arrivals brings):

* **light load** (``g < 1`` and the mean batch fits in M): ``d = base / (1 - g)``;
* **saturated** otherwise: the cache is full (M tokens held), ``B = M / (s + (o+1)/2)``
  requests run and ``B / o`` start per round, so
  ``d = base + c_dec B (o - 1) / o + c_pre B s / o + c_ctx M``.

The two coincide at the boundary. ``d`` and the mean batch are rounded to
:data:`kvopt.numeric.SIGNIFICANT` significant digits (the same on every processor).
This is a reconstruction (a mean-value estimate that ignores queueing variability);
pass ``round_seconds`` to the generators to impose ``d``.
With the unit time model ``d = 1``: seconds are rounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kvopt.generators.base import GeneratorError
from kvopt.model import MAX_VALUE
from kvopt.numeric import significant
from kvopt.time_model import TimeModel


@dataclass(frozen=True)
class RoundEstimate:
    """The steady-state round duration and the state it assumes."""

    seconds: float
    regime: str  # "light" or "saturated"
    batch: float  # mean number of requests in the batch


def _coefficients(tm: TimeModel) -> tuple[float, float, float, float]:
    base = tm.round_duration(0, 0, 0)
    return (
        base,
        tm.round_duration(1, 0, 0) - base,
        tm.round_duration(0, 1, 0) - base,
        tm.round_duration(0, 0, 1) - base,
    )


def steady_round_seconds(
    tm: TimeModel, rate: float, prompt_mean: float, output_mean: float, memory: int
) -> RoundEstimate:
    """The steady-state round duration (see the module docstring).

    Parameters
    ----------
    tm
        A time model whose round duration is linear in the batch (every registered one).
    rate
        Arrival rate in requests per second (> 0).
    prompt_mean, output_mean
        Mean prompt and output lengths (tokens).
    memory
        The KV capacity M (tokens).
    """
    base, c_dec, c_pre, c_ctx = _coefficients(tm)
    s, o = float(prompt_mean), float(output_mean)
    held = s + (o + 1) / 2
    g = rate * (c_dec * (o - 1) + c_pre * s + c_ctx * o * held)
    if g < 1:
        d = base / (1 - g)
        batch = rate * d * o
        if batch * held <= memory:
            return RoundEstimate(significant(d), "light", significant(batch))
    batch = memory / held
    d = base + c_dec * batch * (o - 1) / o + c_pre * batch * s / o + c_ctx * memory
    return RoundEstimate(significant(d), "saturated", significant(batch))


def seconds_to_rounds(times: np.ndarray, round_seconds: float) -> np.ndarray:
    """``ceil(t / d)``: the first round boundary at or after each time (int64).

    A relative tolerance of 1e-9 keeps times that are exact multiples of ``d`` on their
    boundary despite floating-point rounding.
    """
    q = np.asarray(times, dtype=np.float64) / round_seconds
    r = np.ceil(q - 1e-9 * np.maximum(q, 1.0))
    bad = np.flatnonzero(~(r <= MAX_VALUE))  # also NaN; the int64 cast would wrap silently
    if bad.size:
        i = int(bad[0])
        raise GeneratorError(
            f"arrival time {float(np.asarray(times)[i]):.4g} s is round {r[i]:.4g} with "
            f"rounds of {round_seconds:.4g} s, beyond the largest round 2**53 - 1; use a "
            f"higher arrival rate or fewer requests"
        )
    return r.astype(np.int64).clip(min=0)

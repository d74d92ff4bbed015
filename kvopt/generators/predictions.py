"""Predictions of the output length, added to an instance of any family.

**Point predictions** with relative noise ``eps``: ``pred_i = round(o_i (1 + eps z_i))``
with ``z_i`` uniform on ``[-1, 1]`` (``bias="symmetric"``), ``[0, 1]`` (``"over"``: never
below the truth, the assumption of MC-SF's analysis) or ``[-1, 0]`` (``"under"``); then
clipped to ``[1, M - s_i]`` (every request fits alone, so a larger prediction carries no
information; the number clipped is recorded in the metadata).

**Intervals** ``[lo_i, hi_i]`` with accuracy ``alpha = lo / hi`` containing the true
``o_i``: the truth sits at position ``theta`` in the interval, ``o = lo + theta (hi - lo)``,
so ``hi = o / (alpha + theta (1 - alpha))`` and ``lo = alpha hi``. Placement rules:

* ``uniform``: ``theta`` uniform on [0, 1] per request (default);
* ``center``: ``theta = 1/2``;
* ``lower``: ``theta = 0`` (the truth is the lower end: the worst case for a policy that
  plans with ``hi``, 𝒜_max);
* ``upper``: ``theta = 1`` (the truth is the upper end).

Then ``hi = max(o, ceil(hi))`` and ``lo = clip(floor(lo), 1, o)`` so that
``lo <= o <= hi`` holds exactly after rounding; ``hi`` is finally capped at ``M - s_i``
(recorded in the metadata: those intervals are tighter than ``alpha``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kvopt.generators.base import GeneratorError
from kvopt.model import Instance

BIASES = ("symmetric", "over", "under")
PLACEMENTS = ("uniform", "center", "lower", "upper")


def point_predictions(
    instance: Instance, rng: np.random.Generator, eps: float, bias: str = "symmetric"
) -> tuple[np.ndarray, int]:
    """Noisy point predictions and the number clipped to ``[1, M - s]``."""
    if not eps >= 0:
        raise GeneratorError(f"prediction noise must be >= 0, got {eps}")
    if bias not in BIASES:
        raise GeneratorError(f"prediction bias must be one of {', '.join(BIASES)}, got {bias!r}")
    lo, hi = {"symmetric": (-1.0, 1.0), "over": (0.0, 1.0), "under": (-1.0, 0.0)}[bias]
    o = instance.output
    z = rng.uniform(lo, hi, size=instance.n)
    raw = np.rint(o * (1 + eps * z)).astype(np.int64)
    cap = instance.memory - instance.prompt
    pred = np.clip(raw, 1, cap)
    return pred, int(np.count_nonzero(pred != raw))


def interval_predictions(
    instance: Instance, rng: np.random.Generator, alpha: float, placement: str = "uniform"
) -> tuple[np.ndarray, np.ndarray, int]:
    """Intervals ``(lo, hi)`` of accuracy ``alpha`` around the outputs, and the number
    whose upper end was capped at ``M - s``."""
    if not 0 < alpha <= 1:
        raise GeneratorError(f"interval accuracy alpha must be in (0, 1], got {alpha}")
    if placement not in PLACEMENTS:
        raise GeneratorError(
            f"interval placement must be one of {', '.join(PLACEMENTS)}, got {placement!r}"
        )
    n, o = instance.n, instance.output
    if placement == "uniform":
        theta = rng.uniform(0.0, 1.0, size=n)
    else:
        theta = np.full(n, {"center": 0.5, "lower": 0.0, "upper": 1.0}[placement])
    hi_real = o / (alpha + theta * (1 - alpha))
    hi = np.maximum(o, np.ceil(hi_real - 1e-9)).astype(np.int64)
    lo = np.clip(np.floor(alpha * hi_real + 1e-9), 1, o).astype(np.int64)
    cap = instance.memory - instance.prompt
    capped = int(np.count_nonzero(hi > cap))
    return lo, np.minimum(hi, cap), capped


def add_predictions(
    instance: Instance,
    rng: np.random.Generator,
    *,
    noise: float | None = None,
    bias: str = "symmetric",
    interval: float | None = None,
    placement: str = "uniform",
) -> Instance:
    """``instance`` with point predictions (``noise``) and/or intervals (``interval``)."""
    if noise is None and interval is None:
        return instance
    cols: dict[str, Any] = {}
    meta = dict(instance.metadata)
    info: dict[str, Any] = {}
    if noise is not None:
        cols["predicted"], clipped = point_predictions(instance, rng, noise, bias)
        info.update(noise=noise, bias=bias, point_clipped=clipped)
    if interval is not None:
        cols["output_lo"], cols["output_hi"], capped = interval_predictions(
            instance, rng, interval, placement
        )
        info.update(interval_accuracy=interval, placement=placement, interval_capped=capped)
    meta["predictions"] = info
    return instance.replace(metadata=meta, **cols)

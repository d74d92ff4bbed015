"""Prompt and output length distributions for generated workloads.

* ``lmsys``: independent lognormals with the given means. The shapes (sigma) default to
  the mean/median ratios of LMSYS-Chat-1M reported in ``literature.md`` (prompt mean
  40.6, median 11 -> sigma = sqrt(2 ln(40.6/11)) = 1.616; output 85.3 vs 45 -> 1.131),
  scaled to token means of 462 (prompt) and 210 (output). A reconstruction: the data set
  is gated and only these summary figures are known.
* ``uniform``: integers uniform on ``[1, 2 mean - 1]`` (so the mean is ``mean``).
* ``constant``: every request has ``round(mean)``.

Lengths are integers >= 1. A request whose peak ``prompt + output`` exceeds the limit
(the smaller of M and the model's context) is handled by ``overflow``: ``resample`` draws
it again (a truncated distribution), ``clip`` cuts the prompt to ``limit - 1`` and then the
output to ``limit - prompt``, ``error`` refuses.
"""

from __future__ import annotations

import math

import numpy as np

from kvopt.generators.base import GeneratorError

DISTRIBUTIONS = ("lmsys", "uniform", "constant")
LMSYS_PROMPT_SIGMA = math.sqrt(2 * math.log(40.6 / 11))
LMSYS_OUTPUT_SIGMA = math.sqrt(2 * math.log(85.3 / 45))


def _draw(rng: np.random.Generator, kind: str, mean: float, sigma: float, n: int) -> np.ndarray:
    if kind == "lmsys":
        mu = math.log(mean) - sigma**2 / 2
        x = np.rint(rng.lognormal(mu, sigma, size=n))
    elif kind == "uniform":
        hi = max(1, round(2 * mean - 1))
        x = rng.integers(1, hi, endpoint=True, size=n)
    else:
        x = np.full(n, round(mean))
    return np.maximum(x, 1).astype(np.int64)


def draw_lengths(
    rng: np.random.Generator,
    n: int,
    kind: str,
    prompt_mean: float,
    output_mean: float,
    prompt_sigma: float,
    output_sigma: float,
    limit: int,
    overflow: str,
    family: str = "poisson",
) -> tuple[np.ndarray, np.ndarray, int]:
    """``n`` prompt and output lengths with ``prompt + output <= limit``.

    Returns the prompts, the outputs and how many requests were resampled or clipped.
    """
    s = _draw(rng, kind, prompt_mean, prompt_sigma, n)
    o = _draw(rng, kind, output_mean, output_sigma, n)
    bad = np.flatnonzero(s + o > limit)
    touched = int(bad.size)
    if not bad.size:
        return s, o, 0
    if overflow == "error" or kind == "constant":
        i = int(bad[0])
        raise GeneratorError(
            f"{family}: {bad.size} request(s) have prompt + output > {limit} (first: "
            f"{s[i]} + {o[i]}); raise the memory, lower the means, or use overflow=clip "
            f"or overflow=resample"
        )
    if overflow == "clip":
        s = np.minimum(s, limit - 1)
        o = np.minimum(o, limit - s)
        return s, o, touched
    for _ in range(1000):
        s[bad] = _draw(rng, kind, prompt_mean, prompt_sigma, bad.size)
        o[bad] = _draw(rng, kind, output_mean, output_sigma, bad.size)
        bad = bad[s[bad] + o[bad] > limit]
        if not bad.size:
            return s, o, touched
    raise GeneratorError(
        f"{family}: could not draw lengths with prompt + output <= {limit} in 1000 "
        f"attempts; the limit is far below the means"
    )

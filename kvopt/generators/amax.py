"""``amax-family``: identical requests whose true output is the lower end of the interval.

A reconstruction after P2 (``literature.md``, "𝒜_max family" [R]); the argument is in
``proofs/amax_family.md``. n requests at time 0, prompt s, true output ``o = lo`` and
interval ``[lo, hi]`` with ``hi = round(lo / alpha)`` (the effective accuracy ``lo / hi`` is
recorded). M is a common multiple of ``s + lo`` and ``s + hi`` (default: the least one),
so that:

* **𝒜_max** (MC-SF's admission test with every output taken as ``hi``) starts batches of
  ``k_max = M / (s + hi)`` requests, one batch every ``lo`` rounds;
* **H-SF** (MC-SF knowing the outputs) starts batches of ``k_hsf = M / (s + lo)``.

A schedule of batches of k every ``lo`` rounds has total latency
``lo * sum_i (floor(i / k) + 1)``, so the ratio tends to ``k_hsf / k_max =
(s + hi) / (s + lo)``, about ``1 / alpha`` when s is small against lo.
"""

from __future__ import annotations

import math

import numpy as np

from kvopt.generators.base import Param, at_least, require
from kvopt.model import Instance

NAME = "amax-family"
DESCRIPTION = "n identical requests with o = lo of [lo, lo/alpha]: A_max packs ~1/alpha fewer"
PARAMS = (
    Param("alpha", float, 0.5, "interval accuracy lo / hi, in (0, 1]"),
    Param("n", int, 100, "number of requests"),
    Param("lower", int, 12, "true output o = lo"),
    Param("prompt", int, 1, "prompt size s"),
    Param("memory", int, None, "KV capacity M, a multiple of s+lo and s+hi (default: lcm)"),
)


def batch_objective(n: int, k: int, length: int) -> int:
    """Total latency of n requests at 0 run in batches of k, each lasting ``length``."""
    q, r = divmod(n, k)
    return length * (k * q * (q + 1) // 2 + r * (q + 1))


def batch_starts(n: int, k: int, length: int) -> np.ndarray:
    """Start times of the batch schedule (request i in batch ``i // k``)."""
    return (np.arange(n) // k * length).astype(np.int64)


def build(
    rng: np.random.Generator,
    name: str,
    *,
    alpha: float,
    n: int,
    lower: int,
    prompt: int,
    memory: int | None,
) -> Instance:
    require(0 < alpha <= 1, NAME, f"alpha must be in (0, 1], got {alpha}")
    at_least(NAME, "n", n, 1)
    at_least(NAME, "lower", lower, 1)
    at_least(NAME, "prompt", prompt, 1)
    hi = max(lower, round(lower / alpha))
    need = math.lcm(prompt + lower, prompt + hi)
    if memory is None:
        memory = need
    require(
        memory % need == 0,
        NAME,
        f"memory M = {memory} must be a multiple of lcm(s + lo, s + hi) = {need} "
        f"(s = {prompt}, lo = {lower}, hi = {hi})",
    )
    k_max, k_hsf = memory // (prompt + hi), memory // (prompt + lower)
    meta = {
        "upper": hi,
        "alpha_effective": lower / hi,
        "targets": ["amax"],
        "batch_amax": k_max,
        "batch_hsf": k_hsf,
        "amax_objective": batch_objective(n, k_max, lower),
        "hsf_objective": batch_objective(n, k_hsf, lower),
    }
    full = np.full(n, lower, dtype=np.int64)
    return Instance.from_arrays(
        name,
        memory,
        arrival=np.zeros(n, dtype=np.int64),
        prompt=np.full(n, prompt, dtype=np.int64),
        output=full,
        output_lo=full,
        output_hi=np.full(n, hi, dtype=np.int64),
        metadata=meta,
    )

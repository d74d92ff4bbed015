"""``blocking-thin``: the lower-bound family against FCFS, SF and MC-SF (P3, P1).

A reconstruction (``literature.md``, "Lower-bound constructions" [R]); the argument is in
``proofs/blocking_thin.md``. All requests arrive at 0:

* ``B = ceil(sqrt(M))`` **blockers** with ``s = M - 2, o = 1`` (ids ``b1..bB``, listed
  first): a blocker holds M - 1 tokens in its only round, so it runs alone;
* ``T = floor(M / 3)`` **thin** requests with ``s = 1, o = 2`` (ids ``t1..tT``): all of
  them fit together (3T <= M).

FCFS (blockers are listed first), SF and MC-SF (blockers are shorter: o = 1 < 2) run the
blockers one per round, then the thin ones: ``B(B+1)/2 + T(B+2)``. The optimum runs the
thin ones first: ``2T + B(B+1)/2 + 2B``. The ratio tends to ``(2/7) sqrt(M)``.
"""

from __future__ import annotations

import math

import numpy as np

from kvopt.generators.base import Param, at_least, require
from kvopt.model import Instance

NAME = "blocking-thin"
DESCRIPTION = "blockers (s=M-2, o=1) and thin requests (s=1, o=2) at 0: FCFS/SF/MC-SF ~ sqrt(M)"
PARAMS = (
    Param("memory", int, 100, "KV capacity M (>= 3)"),
    Param("blockers", int, None, "number of blockers (default: ceil(sqrt(M)))"),
    Param("thin", int, None, "number of thin requests (default and maximum: floor(M/3))"),
)


def counts(memory: int, blockers: int | None = None, thin: int | None = None) -> tuple[int, int]:
    """The numbers (B, T) of blockers and thin requests."""
    b = math.isqrt(memory - 1) + 1 if blockers is None else blockers  # ceil(sqrt(M))
    return b, memory // 3 if thin is None else thin


def policy_objective(b: int, t: int) -> int:
    """Total latency when the blockers run first, one per round, then the thin ones."""
    return b * (b + 1) // 2 + t * (b + 2)


def optimal_objective(b: int, t: int) -> int:
    """The optimal total latency (thin ones first, for T >= 2; see the proof)."""
    return 2 * t + b * (b + 1) // 2 + 2 * b


def blockers_first_starts(b: int, t: int) -> np.ndarray:
    """Start times of the policies' schedule, in instance order (blockers, then thin)."""
    return np.concatenate([np.arange(b), np.full(t, b)]).astype(np.int64)


def thin_first_starts(b: int, t: int) -> np.ndarray:
    """Start times of the optimal schedule, in instance order."""
    return np.concatenate([2 + np.arange(b), np.zeros(t)]).astype(np.int64)


def build(
    rng: np.random.Generator, name: str, *, memory: int, blockers: int | None, thin: int | None
) -> Instance:
    at_least(NAME, "memory", memory, 3)
    at_least(NAME, "blockers", blockers, 1)
    at_least(NAME, "thin", thin, 1)
    b, t = counts(memory, blockers, thin)
    require(
        3 * t <= memory,
        NAME,
        f"thin = {t} requests need 3 x {t} = {3 * t} tokens together, more than M = {memory}",
    )
    meta = {
        "blockers": b,
        "thin": t,
        "targets": ["fcfs", "sf", "mcsf"],
        "policy_objective": policy_objective(b, t),
        "optimal_objective": optimal_objective(b, t) if t >= 2 else None,
    }
    return Instance.from_arrays(
        name,
        memory,
        ids=[f"b{i + 1}" for i in range(b)] + [f"t{i + 1}" for i in range(t)],
        arrival=np.zeros(b + t, dtype=np.int64),
        prompt=np.concatenate([np.full(b, memory - 2), np.ones(t)]).astype(np.int64),
        output=np.concatenate([np.ones(b), np.full(t, 2)]).astype(np.int64),
        metadata=meta,
    )

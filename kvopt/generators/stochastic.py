"""``stochastic``: K request types arriving by a known random process, per round.

The stochastic-arrival model of ``models/stochastic.md``. Request type k has a prompt
``s_k`` and an output ``o_k`` (or outputs uniform on ``[lo_k, hi_k]``: lengths from a
distribution) and arrives at rate ``lambda_k`` per round: at every round boundary
``t = 0, 1, 2, ...`` either one type-k request arrives with probability ``lambda_k``
(``arrivals=bernoulli``, needs ``lambda_k <= 1``) or a Poisson(``lambda_k``) number of
them (``arrivals=poisson``), independently over types and rounds. Requests arriving at
the same boundary are listed by type.

The horizon is ``n`` requests (the first n of the stream; the last boundary's arrivals
are cut to reach n) or ``rounds`` boundaries ``0 .. rounds-1`` (then n is random).

Rates are given as a total ``rate`` (split over the types by ``mix``) or as an offered
``load`` ``rho = sum_k lambda_k w_k / M`` with ``w_k = s_k o_k + o_k (o_k + 1) / 2`` the
token-rounds of memory one type-k request occupies (``E[o]`` terms for a range): the
memory work arriving per round relative to M, the quantity ``kvopt info`` reports.
``rho < 1`` is light load, ``rho`` near 1 heavy load.

``types`` is written ``s:o`` or ``s:lo-hi``, comma-separated, e.g. ``2:20`` (one type)
or ``1:4,2:12-20``. The metadata records the types, the per-type rates, the load and the
arrival process, so policies and the regret command can use the known process.
"""

from __future__ import annotations

import numpy as np

from kvopt.generators.base import GeneratorError, Param, at_least, require
from kvopt.model import Instance

NAME = "stochastic"
DESCRIPTION = "K request types with Bernoulli or Poisson arrivals per round (regret model)"
PARAMS = (
    Param("types", str, "2:20", "request types s:o or s:lo-hi, comma-separated"),
    Param("mix", str, None, "type probabilities, comma-separated (default: equal)"),
    Param("rate", float, None, "total arrivals per round (default: from load)"),
    Param("load", float, None, "offered load rho = sum_k lambda_k w_k / M (default 0.8)"),
    Param("arrivals", str, "bernoulli", "arrivals per round and type", ("bernoulli", "poisson")),
    Param("n", int, None, "horizon in requests (default 100 unless rounds is given)"),
    Param("rounds", int, None, "horizon in round boundaries 0 .. rounds-1"),
    Param("memory", int, 66, "KV capacity M"),
)


def parse_types(text: str) -> list[tuple[int, int, int]]:
    """``"s:o,s:lo-hi"`` -> ``[(s, lo, hi), ...]`` (``lo == hi`` for a fixed output)."""
    out = []
    for item in text.split(","):
        s, sep, o = item.strip().partition(":")
        lo, _, hi = o.partition("-")
        try:
            vals = (int(s), int(lo), int(hi or lo))
        except ValueError:
            raise GeneratorError(
                f"{NAME}: types must be s:o or s:lo-hi separated by commas, got {item!r}"
            ) from None
        require(bool(sep), NAME, f"types must be s:o or s:lo-hi, got {item!r}")
        require(min(vals) >= 1, NAME, f"type {item!r}: lengths must be >= 1")
        require(vals[1] <= vals[2], NAME, f"type {item!r}: lo must be <= hi")
        out.append(vals)
    return out


def _floats(text: str, what: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise GeneratorError(f"{NAME}: {what} must be numbers separated by commas") from None


def type_work(types: list[tuple[int, int, int]]) -> np.ndarray:
    """Expected token-rounds ``E[s o + o (o + 1) / 2]`` of one request of each type."""
    out = []
    for s, lo, hi in types:
        o = np.arange(lo, hi + 1, dtype=np.float64)
        out.append(float(np.mean(s * o + o * (o + 1) / 2)))
    return np.array(out)


def type_rates(
    types: list[tuple[int, int, int]],
    mix: str | None,
    rate: float | None,
    load: float | None,
    memory: int,
) -> np.ndarray:
    """Per-type arrival rates per round from ``mix`` and ``rate`` or ``load``."""
    K = len(types)
    p = np.full(K, 1.0 / K) if mix is None else np.array(_floats(mix, "mix"))
    require(p.size == K, NAME, f"mix has {p.size} entries for {K} types")
    require(bool((p >= 0).all()) and p.sum() > 0, NAME, "mix must be >= 0 and not all 0")
    p = p / p.sum()
    require(rate is None or load is None, NAME, "give rate or load, not both")
    if rate is None:
        load = 0.8 if load is None else load
        require(load > 0, NAME, f"load must be > 0, got {load}")
        rate = load * memory / float(np.dot(p, type_work(types)))
    require(rate > 0, NAME, f"rate must be > 0, got {rate}")
    return p * rate


def _counts(rng: np.random.Generator, lam: np.ndarray, rounds: int, process: str) -> np.ndarray:
    """Arrivals per (round, type): Bernoulli or Poisson, shape ``(rounds, K)``."""
    if process == "bernoulli":
        return (rng.random((rounds, lam.size)) < lam).astype(np.int64)
    return rng.poisson(lam, size=(rounds, lam.size)).astype(np.int64)


def build(
    rng: np.random.Generator,
    name: str,
    *,
    types: str,
    mix: str | None,
    rate: float | None,
    load: float | None,
    arrivals: str,
    n: int | None,
    rounds: int | None,
    memory: int,
) -> Instance:
    kinds = parse_types(types)
    at_least(NAME, "memory", memory, 2)
    for s, _, hi in kinds:
        require(s + hi <= memory, NAME, f"type {s}:{hi} needs {s + hi} > M = {memory} tokens")
    lam = type_rates(kinds, mix, rate, load, memory)
    if arrivals == "bernoulli":
        require(bool((lam <= 1).all()), NAME, f"bernoulli needs rates <= 1, got {lam.max():.4g}")
    require(n is None or rounds is None, NAME, "give n or rounds, not both")
    at_least(NAME, "n", n, 1)
    at_least(NAME, "rounds", rounds, 1)
    if rounds is not None:
        counts = _counts(rng, lam, rounds, arrivals)
    else:
        n = 100 if n is None else n
        blocks, total = [], 0
        block = max(16, int(1.2 * n / lam.sum()) + 16)
        while total < n:
            blocks.append(_counts(rng, lam, block, arrivals))
            total += int(blocks[-1].sum())
        counts = np.concatenate(blocks)
    t_idx, k_idx = np.nonzero(counts)
    rep = counts[t_idx, k_idx]
    arrival = np.repeat(t_idx, rep).astype(np.int64)
    kind = np.repeat(k_idx, rep).astype(np.int64)
    if n is not None:
        arrival, kind = arrival[:n], kind[:n]
    table = np.array(kinds, dtype=np.int64).reshape(-1, 3)
    lo, hi = table[kind, 1], table[kind, 2]
    output = lo + np.floor(rng.random(kind.size) * (hi - lo + 1)).astype(np.int64)
    w = type_work(kinds)
    meta = {
        "types": [list(map(int, k)) for k in kinds],
        "rates": [round(float(x), 12) for x in lam],
        "load": round(float(np.dot(lam, w) / memory), 12),
        "arrivals": arrivals,
        "type": kind.tolist(),
    }
    return Instance.from_arrays(
        name, memory, arrival=arrival, prompt=table[kind, 0], output=output, metadata=meta
    )

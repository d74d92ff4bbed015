"""``poisson``: Poisson arrivals in seconds, lengths from a named distribution.

Requests arrive as a Poisson process of ``rate`` requests per **second** (the first at 0);
prompt and output lengths come from :mod:`kvopt.generators.lengths`. The seconds are kept
(``arrival_time``) and converted to rounds through a time model
(:mod:`kvopt.generators.rounds`): ``a_i = ceil(t_i / d)`` with ``d`` the steady-state round
duration of this workload on that hardware, so that "rate 50 on 2 x A100" means 50
requests per second of the calibrated A100 time, not 50 per round. The memory defaults to
the time model's KV capacity (54,067 tokens for ``a100-tp2-llama2-70b``); P1 used
M = 16,492.
"""

from __future__ import annotations

import numpy as np

from kvopt.generators.base import GeneratorError, Param, at_least, poisson_times, require
from kvopt.generators.lengths import (
    DISTRIBUTIONS,
    LMSYS_OUTPUT_SIGMA,
    LMSYS_PROMPT_SIGMA,
    draw_lengths,
)
from kvopt.generators.rounds import seconds_to_rounds, steady_round_seconds
from kvopt.model import Instance
from kvopt.numeric import exact_mean
from kvopt.time_model import get_time_model

NAME = "poisson"
DESCRIPTION = "Poisson arrivals in seconds (rate per second), calibrated to a time model"
PARAMS = (
    Param("n", int, 1000, "number of requests"),
    Param("rate", float, 10.0, "arrival rate in requests per second"),
    Param("lengths", str, "lmsys", "length distribution", DISTRIBUTIONS),
    Param("prompt_mean", float, 462.0, "mean prompt length (tokens)"),
    Param("output_mean", float, 210.0, "mean output length (tokens)"),
    Param("prompt_sigma", float, LMSYS_PROMPT_SIGMA, "lognormal shape of prompts (lmsys)"),
    Param("output_sigma", float, LMSYS_OUTPUT_SIGMA, "lognormal shape of outputs (lmsys)"),
    Param("context", int, 4096, "model context: prompt + output <= context (Llama-2: 4096)"),
    Param(
        "overflow",
        str,
        "resample",
        "requests longer than min(M, context)",
        ("resample", "clip", "error"),
    ),
    Param("time_model", str, "a100-tp2-llama2-70b", "time model converting seconds to rounds"),
    Param("memory", int, None, "KV capacity M (default: the time model's)"),
    Param("round_seconds", float, None, "impose the round duration (default: steady state)"),
)


def memory_of(family: str, tm, memory: int | None) -> int:
    """``memory``, or the time model's KV capacity."""
    if memory is None:
        memory = getattr(tm, "memory", None)
        if memory is None:
            raise GeneratorError(f"{family}: time model {tm.name!r} has no memory: give memory")
    at_least(family, "memory", memory, 2)
    return int(memory)


def rounds_of(
    family: str,
    tm,
    times: np.ndarray,
    prompt: np.ndarray,
    output: np.ndarray,
    memory: int,
    round_seconds: float | None,
    rate: float | None = None,
) -> tuple[np.ndarray, dict]:
    """Round arrivals for ``times`` (seconds) and the conversion's metadata.

    ``rate`` (requests per second) defaults to the empirical rate of ``times``.
    """
    if round_seconds is not None:
        require(round_seconds > 0, family, f"round_seconds must be > 0, got {round_seconds}")
        est = {"round_seconds": round_seconds, "regime": "given"}
    else:
        if rate is None:
            span = float(times.max() - times.min()) if times.size > 1 else 0.0
            # everything at once (or one request): the saturated state
            rate = (times.size - 1) / span if span > 0 else 1e12
        e = steady_round_seconds(tm, rate, exact_mean(prompt), exact_mean(output), memory)
        round_seconds = e.seconds
        est = {"round_seconds": e.seconds, "regime": e.regime, "mean_batch": e.batch}
    est["time_model"] = tm.name
    return seconds_to_rounds(times, round_seconds), est


def build(
    rng: np.random.Generator,
    name: str,
    *,
    n: int,
    rate: float,
    lengths: str,
    prompt_mean: float,
    output_mean: float,
    prompt_sigma: float,
    output_sigma: float,
    context: int,
    overflow: str,
    time_model: str,
    memory: int | None,
    round_seconds: float | None,
) -> Instance:
    at_least(NAME, "n", n, 1)
    require(rate > 0, NAME, f"rate must be > 0 requests per second, got {rate}")
    require(prompt_mean >= 1 and output_mean >= 1, NAME, "prompt_mean and output_mean must be >= 1")
    require(prompt_sigma >= 0 and output_sigma >= 0, NAME, "sigmas must be >= 0")
    at_least(NAME, "context", context, 2)
    tm = get_time_model(time_model)
    memory = memory_of(NAME, tm, memory)
    limit = min(memory, context)
    s, o, touched = draw_lengths(
        rng, n, lengths, prompt_mean, output_mean, prompt_sigma, output_sigma, limit, overflow
    )
    times = poisson_times(rng, n, rate)
    a, conv = rounds_of(NAME, tm, times, s, o, memory, round_seconds, rate)
    meta = {"memory": memory, "overflow_" + overflow: touched, "conversion": conv}
    return Instance.from_arrays(
        name, memory, arrival=a, prompt=s, output=o, arrival_time=times, metadata=meta
    )

"""``paper1-synthetic``: P1's comparison against the hindsight optimum.

``literature.md`` [S]: M ~ U[30, 50], s ~ U[1, 5], o ~ U[1, M - s], n in [40, 60], all
requests at time 0 or Poisson arrivals with a rate in [0.5, 1.5] per round; 200 trials
per arrival model. All draws are integers, uniform on the closed ranges. With Poisson
arrivals the requests follow a Poisson process of ``rate`` requests per round starting at
0 and join the first round boundary at or after their arrival (``a_i = ceil(t_i)``), so
the number arriving at each boundary k >= 1 is Poisson(rate). When ``rate`` is not given
it is drawn uniformly from [0.5, 1.5] (the paper's range; how the paper chose it per
trial is not known: a reconstruction).
"""

from __future__ import annotations

import numpy as np

from kvopt.generators.base import Param, at_least, poisson_times, require
from kvopt.generators.rounds import seconds_to_rounds
from kvopt.model import Instance

NAME = "paper1-synthetic"
DESCRIPTION = "P1's synthetic family: M ~ U[30,50], s ~ U[1,5], o ~ U[1,M-s], n in [40,60]"
PARAMS = (
    Param("n", int, None, "number of requests (default: drawn from [n_min, n_max])"),
    Param("n_min", int, 40, "smallest n drawn"),
    Param("n_max", int, 60, "largest n drawn"),
    Param("memory", int, None, "KV capacity M (default: drawn from [memory_min, memory_max])"),
    Param("memory_min", int, 30, "smallest M drawn"),
    Param("memory_max", int, 50, "largest M drawn"),
    Param("prompt_max", int, 5, "prompts are uniform on [1, prompt_max]"),
    Param("arrivals", str, "zero", "all at time 0, or a Poisson process", ("zero", "poisson")),
    Param("rate", float, None, "Poisson rate per round (default: drawn from [0.5, 1.5])"),
)


def build(
    rng: np.random.Generator,
    name: str,
    *,
    n: int | None,
    n_min: int,
    n_max: int,
    memory: int | None,
    memory_min: int,
    memory_max: int,
    prompt_max: int,
    arrivals: str,
    rate: float | None,
) -> Instance:
    at_least(NAME, "n", n, 1)
    at_least(NAME, "n_min", n_min, 1)
    require(n_min <= n_max, NAME, f"n_min = {n_min} must be <= n_max = {n_max}")
    at_least(NAME, "memory_min", memory_min, 2)
    require(
        memory_min <= memory_max,
        NAME,
        f"memory_min = {memory_min} must be <= memory_max = {memory_max}",
    )
    at_least(NAME, "prompt_max", prompt_max, 1)
    if rate is not None:
        require(rate > 0, NAME, f"rate must be > 0, got {rate}")
        require(arrivals == "poisson", NAME, "rate is only used with arrivals=poisson")
    if memory is None:
        memory = int(rng.integers(memory_min, memory_max, endpoint=True))
    require(
        prompt_max < memory,
        NAME,
        f"prompt_max = {prompt_max} leaves no room for an output in memory M = {memory}",
    )
    if n is None:
        n = int(rng.integers(n_min, n_max, endpoint=True))
    s = rng.integers(1, prompt_max, endpoint=True, size=n)
    o = rng.integers(1, memory - s, endpoint=True)
    meta = {"memory": memory, "n": n}
    if arrivals == "poisson":
        if rate is None:
            rate = float(rng.uniform(0.5, 1.5))
        a = seconds_to_rounds(poisson_times(rng, n, rate), 1.0)
        meta["rate"] = rate
    else:
        a = np.zeros(n, dtype=np.int64)
    return Instance.from_arrays(name, memory, arrival=a, prompt=s, output=o, metadata=meta)

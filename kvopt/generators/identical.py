"""``identical``: n identical requests (s, o), all at time 0 (the semi-online family).

P1 (v1/v2) claims a polynomial-time exact algorithm when all prompts are known at time 0;
``literature.md`` records that with identical requests the greedy "start as many as stay
feasible" rule is not optimal (s=1, o=2, M=10, n=7).
"""

from __future__ import annotations

import numpy as np

from kvopt.generators.base import Param, at_least, require
from kvopt.model import Instance

NAME = "identical"
DESCRIPTION = "n identical requests (prompt s, output o) at time 0"
PARAMS = (
    Param("n", int, 7, "number of requests"),
    Param("prompt", int, 1, "prompt size s of every request"),
    Param("output", int, 2, "output length o of every request"),
    Param("memory", int, 10, "KV capacity M"),
)


def build(rng: np.random.Generator, name: str, *, n: int, prompt: int, output: int, memory: int):
    at_least(NAME, "n", n, 1)
    at_least(NAME, "prompt", prompt, 1)
    at_least(NAME, "output", output, 1)
    require(
        prompt + output <= memory,
        NAME,
        f"prompt + output = {prompt + output} exceeds memory M = {memory}: no request can run",
    )
    return Instance.from_arrays(
        name,
        memory,
        arrival=np.zeros(n, dtype=np.int64),
        prompt=np.full(n, prompt, dtype=np.int64),
        output=np.full(n, output, dtype=np.int64),
    )

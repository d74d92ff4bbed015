"""Which running requests an evicting policy gives up first when memory runs out.

An evicted request loses all its progress (recompute) and waits again; see
``models/README.md`` ("Eviction"). Orders (keys sorted ascending, the first is evicted
first; ties broken by later arrival):

- ``"latest-arrival"``: the most recently arrived running request first (Vidur's
  vLLM-like rule, literature.md);
- ``"fewest-produced"``: the request with the fewest tokens produced so far (the most
  recently started) first, which is SGLang's rule and vLLM V1's "last admitted";
- ``"most-produced"``: the request with the most tokens produced first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

#: The eviction orders a policy may be given.
EVICTION_ORDERS = ("latest-arrival", "fewest-produced", "most-produced")


def choose_victims(
    order: str,
    running: Mapping[int, int],
    arrival_seq: Sequence[int],
    prompt: Sequence[int],
    t: int,
    excess: int,
    fraction: float = 0.0,
    block: int = 1,
) -> list[int]:
    """Running requests to evict at boundary ``t``, in eviction order.

    Parameters
    ----------
    order
        One of :data:`EVICTION_ORDERS`.
    running
        Request -> start of its current run.
    arrival_seq
        Arrival rank of each request (larger is later).
    prompt
        Prompt sizes.
    t
        The boundary; a request started at ``k`` would hold ``prompt + t + 1 - k``
        tokens in round ``t + 1``.
    excess
        Tokens to free for round ``t + 1`` to fit (``<= 0``: none).
    fraction
        Evict at least ``ceil(fraction * len(running))`` requests (phi-clearing), and in
        any case enough to free ``excess`` tokens.
    block
        KV block size: an evicted request frees its tokens rounded up to whole blocks.
    """
    if order == "latest-arrival":
        ranked = sorted(running, key=lambda i: -arrival_seq[i])
    elif order == "fewest-produced":
        ranked = sorted(running, key=lambda i: (-running[i], -arrival_seq[i]))
    elif order == "most-produced":
        ranked = sorted(running, key=lambda i: (running[i], -arrival_seq[i]))
    else:  # pragma: no cover - validated by the policies' constructors
        raise ValueError(order)
    at_least = math.ceil(fraction * len(running)) if excess > 0 else 0
    out: list[int] = []
    for i in ranked:
        if excess <= 0 and len(out) >= at_least:
            break
        out.append(i)
        held = prompt[i] + t + 1 - running[i]
        excess -= held if block == 1 else held + (-held) % block
    return out

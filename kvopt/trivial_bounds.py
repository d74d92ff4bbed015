"""Lower bounds on the optimal total latency that cost next to nothing to compute.

Both bounds hold for every feasible schedule, with or without eviction:

* **output bound**: a request cannot complete before ``a_i + o_i``, so its latency is at
  least ``o_i`` and ``OPT >= sum_i o_i``;
* **area bound**: a run of request ``i`` occupies ``w_i = s_i o_i + o_i (o_i + 1) / 2``
  token-rounds of memory, and at most ``M t`` token-rounds fit in rounds ``1..t``. So the
  ``k``-th completion time is at least ``ceil(W_k / M)``, where ``W_k`` is the sum of the
  ``k`` smallest ``w_i``; it is also at least the ``k``-th smallest ``a_i + o_i``. The
  bound sums, over ``k``, the larger of the two, and subtracts ``sum_i a_i``.

See ``proofs/trivial_bounds.md`` for the argument.
"""

from __future__ import annotations

import numpy as np

from kvopt.model import Instance


def work(instance: Instance) -> np.ndarray:
    """Token-rounds of memory one complete run of each request occupies."""
    o = instance.output
    return instance.prompt * o + o * (o + 1) // 2


def output_bound(instance: Instance) -> int:
    """``sum_i o_i``: every latency is at least the output length."""
    return int(instance.output.sum())


def area_bound(instance: Instance) -> int:
    """The memory-area bound on total latency (never below :func:`output_bound`)."""
    if instance.n == 0:
        return 0
    w = np.sort(work(instance))
    by_area = -(-np.cumsum(w) // instance.memory)  # ceil(W_k / M)
    by_release = np.sort(instance.arrival + instance.output)
    return int(np.maximum(by_area, by_release).sum() - instance.arrival.sum())


def trivial_lower_bound(instance: Instance) -> int:
    """The best of the cheap bounds."""
    return max(output_bound(instance), area_bound(instance))

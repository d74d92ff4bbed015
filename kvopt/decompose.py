"""Independent blocks of an instance: parts that no optimal schedule lets interact.

Sort the requests by arrival and cut before request ``j`` whenever
``a_j >= A + W``, where ``A`` is the latest arrival and ``W`` the total output of the
requests before the cut (in the current block). Then the minimum total latency of the
instance is the sum of the blocks' minima, and the blocks' optimal schedules side by
side are an optimal schedule of the instance (``proofs/independent_blocks.md``).

Each block is also shifted in time so that its first arrival is 0: total latency
``sum (c_i - a_i)`` does not change under a common shift of arrivals and starts. So an
instance whose arrivals are huge (say ``2**52``) or far apart costs the exact solvers
only the rounds its blocks need.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kvopt.model import Instance, Request


@dataclass(frozen=True)
class Block:
    """Requests (instance positions, arrival order) that form one independent part, and
    ``shift``, their first arrival."""

    index: np.ndarray
    shift: int


def independent_blocks(instance: Instance) -> list[Block]:
    """The independent blocks of ``instance`` in arrival order (one block if none cut)."""
    if instance.n == 0:
        return []
    order = np.argsort(instance.arrival, kind="stable")
    a, o = instance.arrival[order].tolist(), instance.output[order].tolist()
    cuts, work = [0], 0  # work: total output of the current block before ``pos``
    for pos in range(1, instance.n):
        work += o[pos - 1]
        if a[pos] >= a[pos - 1] + work:  # a[pos - 1]: the block's latest arrival
            cuts.append(pos)
            work = 0
    cuts.append(instance.n)
    return [Block(order[x:y], a[x]) for x, y in zip(cuts[:-1], cuts[1:], strict=True)]


def block_instance(instance: Instance, block: Block, number: int) -> Instance:
    """The requests of ``block`` as an instance of their own, arrivals shifted by
    ``-block.shift`` (ids, prompts and outputs kept; predictions are not needed by the
    exact solvers and are dropped)."""
    reqs = [
        Request(
            instance.ids[i],
            int(instance.arrival[i]) - block.shift,
            int(instance.prompt[i]),
            int(instance.output[i]),
        )
        for i in block.index.tolist()
    ]
    return Instance(f"{instance.name}#block{number}", instance.memory, reqs)


def needs_blocks(blocks: list[Block]) -> bool:
    """Whether solving block by block changes anything (more than one block, or a shift)."""
    return len(blocks) > 1 or (len(blocks) == 1 and blocks[0].shift != 0)

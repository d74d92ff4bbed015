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
    a = instance.arrival.astype(object)  # Python integers: arrivals may be near 2**63
    o = instance.output
    order = np.argsort(instance.arrival, kind="stable")
    blocks, first, latest, work = [], 0, None, 0
    for pos, i in enumerate(order.tolist()):
        if latest is not None and a[i] >= latest + work:
            blocks.append(order[first:pos])
            first, work = pos, 0
        latest = a[i]  # arrival order: the latest arrival of the block so far
        work += int(o[i])
    blocks.append(order[first:])
    return [Block(b, int(min(a[j] for j in b.tolist()))) for b in blocks]


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

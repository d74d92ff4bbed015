"""Solving an instance block by block (:mod:`kvopt.decompose`) and merging the results."""

from __future__ import annotations

import time

from kvopt.backends import get_solver
from kvopt.decompose import Block, block_instance
from kvopt.model import Instance
from kvopt.options import SolveOptions
from kvopt.result import Result, Status
from kvopt.schedule import Run, Schedule

#: Backends that are solved block by block (their models are indexed by rounds).
BLOCKWISE = frozenset({"milp", "cpsat"})


def solve_blocks(
    instance: Instance, blocks: list[Block], solver: str, opts: SolveOptions
) -> Result:
    """Solve each block with ``solver`` and put the answers together.

    The blocks are solved in arrival order; each gets the time left times its share of
    the output still to solve. The objective and the lower bound are the sums over the
    blocks (the minimum is the sum of the blocks' minima); the status is ``optimal`` if
    every block is proven, otherwise the weakest block's status; without a schedule for
    some block there is none for the instance.
    """
    began = time.perf_counter()
    backend = get_solver(solver)
    work = [int(instance.output[b.index].sum()) for b in blocks]
    parts: list[tuple[Block, Result]] = []
    for j, block in enumerate(blocks):
        limit = opts.time_limit
        if limit is not None:
            left = max(0.0, limit - (time.perf_counter() - began))
            limit = max(0.01, left * work[j] / sum(work[j:]))
        sub = block_instance(instance, block, j)
        res = backend(sub, **opts.replace(solver, time_limit=limit).keywords(solver))
        parts.append((block, res))
    return _merge(instance, solver, parts, time.perf_counter() - began)


def _merge(
    instance: Instance, solver: str, parts: list[tuple[Block, Result]], runtime: float
) -> Result:
    results = [r for _, r in parts]
    statuses = [r.status for r in results]
    if all(s is Status.OPTIMAL for s in statuses):
        status = Status.OPTIMAL
    else:
        order = [Status.INFEASIBLE, Status.UNKNOWN, Status.FEASIBLE]
        status = next(s for s in order if s in statuses)
    schedule = None
    if all(r.schedule is not None for r in results):
        schedule = Schedule(
            Run(run.request, run.start + block.shift, run.end + block.shift)
            for block, r in parts
            for run in r.schedule
        )
    bounds = [r.lower_bound for r in results]
    sizes = [(r.variables, r.constraints) for r in results]
    largest = max(range(len(parts)), key=lambda j: parts[j][0].index.size)
    summary = [
        {
            "requests": int(b.index.size),
            "shift": b.shift,
            "status": str(r.status),
            "objective": r.objective,
            "lower_bound": r.lower_bound,
        }
        for b, r in parts
    ]
    if len(parts) == 1:  # only shifted: the backend's own metadata, as without blocks
        metadata = {**results[0].metadata, "blocks": summary}
    else:
        ends = {r.metadata.get("termination") for r in results}
        metadata = {
            "termination": ends.pop() if len(ends) == 1 else "per block",
            "blocks": summary,
            "largest_block": results[largest].metadata,
        }
    return Result(
        instance=instance.name,
        solver=solver,
        status=status,
        objective=None if schedule is None else sum(r.objective for r in results),
        lower_bound=None if None in bounds else sum(bounds),
        runtime=runtime,
        schedule=schedule,
        variables=_total([v for v, _ in sizes]),
        constraints=_total([c for _, c in sizes]),
        metadata=metadata,
    )


def _total(sizes: list[int | None]) -> int | None:
    """The total size of the models built (``None`` if no block built one)."""
    built = [x for x in sizes if x is not None]
    return sum(built) if built else None

"""Independent blocks (proofs/independent_blocks.md, kvopt/decompose.py, kvopt/blockwise.py)."""

from __future__ import annotations

import time

import numpy as np
import pytest

import kvopt
from kvopt import Instance, Request
from kvopt.decompose import independent_blocks, needs_blocks
from tests.helpers.exhaustive import exhaustive_optimum


def _gapped(rng: np.random.Generator) -> Instance:
    reqs, t = [], 0
    for b in range(int(rng.integers(2, 4))):
        for j in range(int(rng.integers(1, 3))):
            reqs.append(
                Request(
                    f"b{b}r{j}",
                    t + int(rng.integers(0, 3)),
                    int(rng.integers(1, 4)),
                    int(rng.integers(1, 5)),
                )
            )
        t += int(rng.integers(0, 14))  # sometimes a cut, sometimes not
    return Instance("gapped", 8, reqs)


@pytest.mark.parametrize("solver", ["milp", "cpsat"])
def test_blockwise_equals_the_exhaustive_optimum(solver):
    rng = np.random.default_rng(3)
    split = 0
    for _ in range(12):
        inst = _gapped(rng)
        opt, _ = exhaustive_optimum(inst)
        res = kvopt.solve(inst, solver, time_limit=20, seed=0)
        assert res.status == "optimal" and res.objective == opt
        assert kvopt.verify(inst, res.schedule, allow_eviction=False).objective == opt
        split += len(independent_blocks(inst)) > 1
    assert split >= 4


def test_cuts_are_where_the_rule_says():
    # arrivals 0, 2 with outputs 3 + 4: c at 8 < 2 + 7 joins; then 8 + 8 = 16: d at 16 cuts
    # (e at 17 < 16 + 2 joins d)
    reqs = [Request("a", 0, 1, 3), Request("b", 2, 1, 4), Request("c", 8, 1, 1)]
    reqs += [Request("e", 17, 1, 1), Request("d", 16, 1, 2)]
    blocks = independent_blocks(Instance("cuts", 10, reqs))
    assert [b.index.tolist() for b in blocks] == [[0, 1, 2], [4, 3]]
    assert [b.shift for b in blocks] == [0, 16]
    assert not needs_blocks(independent_blocks(Instance("one", 10, reqs[:2])))


@pytest.mark.parametrize("far", [2**52, 2**53 - 10])  # the largest arrivals a file may hold
def test_far_arrivals_are_solved_without_their_rounds(far):
    inst = Instance("far", 10, [Request("a", 0, 2, 3), Request("b", far, 3, 2)])
    began = time.perf_counter()
    for solver in ("milp", "cpsat"):
        res = kvopt.solve(inst, solver, time_limit=10)
        assert res.status == "optimal" and res.objective == 5 and res.lower_bound == 5
        assert dict((r.request, r.start) for r in res.schedule) == {"a": 0, "b": far}
    assert time.perf_counter() - began < 20

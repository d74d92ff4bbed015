"""The refill cliques (proofs/refill_cliques.md, kvopt/solvers/rows.py): valid on every
feasible schedule, separated exactly, and never lifting a bound above a proven optimum."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

import kvopt
from kvopt.solvers.common import prepare
from kvopt.solvers.horizon import plain_windows
from kvopt.solvers.owner_lp import (
    coefficients_of,
    most_violated_clique,
    owner_lp_bound,
    window_columns,
)
from kvopt.solvers.rows import RefillRow
from tests.helpers.columns import schedule_columns
from tests.helpers.exhaustive import exhaustive_optimum
from tests.helpers.strategies import feasible_cases, random_small_instance


@settings(max_examples=150, deadline=None)
@given(feasible_cases())
def test_every_refill_clique_holds_on_feasible_schedules(case):
    inst, sched = case
    cols, x = schedule_columns(inst, sched)
    for t in range(1, cols.rounds + 1):
        for q in range(1, 4):
            for h in range(1, inst.memory + 1):
                c, coef = coefficients_of(cols, RefillRow(t, h, q))
                assert float(coef @ x[c]) <= q
        assert most_violated_clique(cols, t, x, 3, 1e-9) is None


def test_a_clique_is_violated_where_q_plus_one_tall_requests_overlap():
    # three requests with peak 8 > M - 1*h for h = 3 cannot overlap two at a time when
    # each holds 3 tokens: a fractional point that puts weight 1.5 on them is cut off
    inst = kvopt.Instance(
        "three-tall", 10, [kvopt.Request(f"r{i}", arrival=0, prompt=2, output=6) for i in range(3)]
    )
    cols = window_columns(inst, plain_windows(inst, 20))
    x = np.zeros(cols.request.size)
    for i in range(3):
        x[cols.first[i]] = 0.5  # each starts at 0 with weight 1/2
    row = most_violated_clique(cols, 3, x, 3, 1e-9)
    assert row is not None and row.count == 1
    c, coef = coefficients_of(cols, row)
    assert float(coef @ x[c]) > row.rhs


def test_separation_finds_the_most_violated_clique():
    rng = np.random.default_rng(15)
    found = 0
    for _ in range(6):
        inst = random_small_instance(rng, 5, zero=bool(rng.integers(2)))
        cols = window_columns(inst, plain_windows(inst))
        for _ in range(30):
            x = rng.random(cols.request.size) * (rng.random(cols.request.size) < 0.3)
            for t in range(1, cols.rounds + 1):
                best = max(
                    (float(coef @ x[c]) - q) / (1 + q)
                    for q in range(1, 4)
                    for h in range(1, inst.memory + 1)
                    for c, coef in [coefficients_of(cols, RefillRow(t, h, q))]
                )
                row = most_violated_clique(cols, t, x, 3, 1e-9)
                if best > 1e-6:
                    assert row is not None
                    c, coef = coefficients_of(cols, row)
                    got = (float(coef @ x[c]) - row.rhs) / (1 + row.rhs)
                    assert abs(got - best) <= 1e-9
                    found += 1
                else:
                    assert row is None
    assert found > 10


def test_owner_lp_with_cliques_never_above_proven_optima():
    rng = np.random.default_rng(31)
    for _ in range(30):
        inst = random_small_instance(rng, int(rng.integers(2, 6)), bool(rng.integers(2)))
        opt, _ = exhaustive_optimum(inst)
        prepared = prepare(inst, None, lp_windows=False)
        plain = owner_lp_bound(inst, prepared.windows, prepared.start)
        both = owner_lp_bound(inst, prepared.windows, prepared.start, refill=3)
        assert both.complete and plain.complete
        assert plain.bound <= both.bound <= opt

"""The owner LP (models/owner_lp.md, proofs/owner_lp.md): valid rows, exact separation,
a Lagrangian bound that is valid for any duals, and agreement with proven optima."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import kvopt
from kvopt import Instance
from kvopt.solvers.common import prepare
from kvopt.solvers.horizon import plain_windows
from kvopt.solvers.lp_bound import lp_value
from kvopt.solvers.owner_lp import (
    SCALE_BITS,
    OwnerLP,
    lagrangian_bound,
    most_violated,
    owner_lp_bound,
    reduced_costs,
    row_coefficients,
    window_columns,
)
from kvopt.solvers.rows import OwnerRow, RefillRow
from tests.helpers.columns import schedule_columns
from tests.helpers.exhaustive import exhaustive_optimum
from tests.helpers.strategies import feasible_cases, random_small_instance


@settings(max_examples=150, deadline=None)
@given(feasible_cases())
def test_every_owner_row_holds_on_feasible_schedules(case):
    inst, sched = case
    cols, x = schedule_columns(inst, sched)
    for t in range(1, cols.rounds + 1):
        for theta in range(inst.memory + 1):
            c, coef = row_coefficients(cols, t, theta)
            assert float(coef @ x[c]) <= theta
        assert most_violated(cols, t, x, 1e-9) is None


def test_separation_finds_the_most_violated_theta():
    rng = np.random.default_rng(5)
    inst = random_small_instance(rng, 5, zero=True)
    cols = window_columns(inst, plain_windows(inst))
    found = 0
    for _ in range(200):
        x = rng.random(cols.request.size) * (rng.random(cols.request.size) < 0.2)
        for t in range(1, cols.rounds + 1):
            viol = [
                float(coef @ x[c]) - theta
                for theta in range(inst.memory + 1)
                for c, coef in [row_coefficients(cols, t, theta)]
            ]
            theta = most_violated(cols, t, x, 1e-9)
            if max(viol) > 1e-6 * (1 + inst.memory):
                assert theta is not None
                assert viol[theta] == pytest.approx(max(viol), abs=1e-9)
                found += 1
    assert found > 20


@pytest.mark.parametrize("zero", [True, False])
def test_never_above_proven_optima_and_at_least_the_lp(zero):
    rng = np.random.default_rng(21 if zero else 22)
    gains = 0
    for _ in range(25):
        inst = random_small_instance(rng, int(rng.integers(2, 6)), zero)
        opt, _ = exhaustive_optimum(inst)
        prepared = prepare(inst, None, lp_windows=False)
        res = owner_lp_bound(inst, prepared.windows, prepared.start)
        lp = lp_value(inst, prepared)
        assert res.complete and res.bound is not None
        assert res.bound <= opt
        assert res.bound >= lp - 1e-3
        gains += res.bound > np.ceil(lp - 1e-6)
    assert gains >= 5


def test_lagrangian_bound_is_valid_for_any_duals():
    rng = np.random.default_rng(9)
    for _ in range(20):
        inst = random_small_instance(rng, 4, zero=bool(rng.integers(2)))
        opt, _ = exhaustive_optimum(inst)
        cols = window_columns(inst, plain_windows(inst))
        rows = [
            OwnerRow(int(rng.integers(1, cols.rounds + 1)), int(rng.integers(0, inst.memory + 1)))
            for _ in range(15)
        ] + [
            RefillRow(
                int(rng.integers(1, cols.rounds + 1)),
                int(rng.integers(1, inst.memory + 1)),
                int(rng.integers(1, 4)),
            )
            for _ in range(10)
        ]
        duals = -rng.exponential(2.0, len(rows)) * (rng.random(len(rows)) < 0.7)
        pi = np.floor(-duals * (1 << SCALE_BITS)).astype(np.int64)
        acc = reduced_costs(cols, rows, pi)
        assert lagrangian_bound(cols, rows, pi, acc) <= opt


def test_two_requests_that_cannot_share_are_proven_serial():
    inst = Instance.from_arrays("two", 6, arrival=[0, 0], prompt=[2, 2], output=[2, 2])
    prepared = prepare(inst, None, lp_windows=False)
    res = owner_lp_bound(inst, prepared.windows, prepared.start)
    assert res.complete and res.bound == 6


def test_milp_with_owner_rows_agrees_with_exhaustive_search():
    rng = np.random.default_rng(31)
    for k in range(8):
        inst = random_small_instance(rng, int(rng.integers(3, 7)), zero=k % 2 == 0)
        opt, _ = exhaustive_optimum(inst)
        res = kvopt.solve(inst, "milp", stop_at_bound=False)
        assert (res.status, res.objective, res.lower_bound) == ("optimal", opt, opt)
        kvopt.verify(inst, res.schedule, allow_eviction=False)


def test_time_limit_stops_the_loop_with_a_valid_bound():
    inst = kvopt.generate("paper1-synthetic", seed=3, n=30)
    prepared = prepare(inst, None, lp_windows=False)
    res = owner_lp_bound(inst, prepared.windows, prepared.start, time_limit=1.0)
    assert res.seconds < 3.0
    assert res.bound is None or res.bound <= prepared.upper_bound


@pytest.mark.parametrize("zero", [True, False])
def test_alternating_solves_reach_the_same_owner_lp(zero):
    """Rows and columns in separate solves (the default) and together end at the same
    LP optimum, never above a proven optimum."""
    rng = np.random.default_rng(31 if zero else 32)
    for _ in range(15):
        inst = random_small_instance(rng, int(rng.integers(3, 7)), zero)
        opt, _ = exhaustive_optimum(inst)
        prepared = prepare(inst, None, lp_windows=False)
        got = []
        for alternate in (True, False):
            lp = OwnerLP(inst, prepared.windows, prepared.start, alternate=alternate)
            res = lp.run()
            assert res.complete and res.bound is not None and res.bound <= opt
            got.append((res.bound, res.lp_value))
        assert abs(got[0][0] - got[1][0]) <= 1
        assert got[0][1] == pytest.approx(got[1][1], abs=1e-5 * (1 + got[1][1]))

"""A backend's wrong answer is caught and reported as a solver failure (exit 1)."""

from __future__ import annotations

import pytest

from kvopt import Instance, Request, Schedule, save_instance, solve
from kvopt.cli import main
from kvopt.errors import SolverError
from kvopt.result import Result
from kvopt.solve import SOLVERS

TINY = Instance("tiny", 10, [Request("a", 0, 3, 2), Request("b", 0, 4, 3)])


def infeasible_backend(instance, **_):
    """Both requests at 0: round 2 holds 5 + 6 = 11 > 10."""
    sched = Schedule.from_starts(instance, [0, 0])
    return Result(instance.name, "bad", "optimal", 5, 5.0, 0.0, sched)


def lying_backend(instance, **_):
    sched = Schedule.from_starts(instance, [0, 2])  # feasible, total latency 2 + 5 = 7
    return Result(instance.name, "liar", "optimal", 7, 9.0, 0.0, sched)


@pytest.fixture
def fake_solvers(monkeypatch):
    monkeypatch.setitem(SOLVERS, "bad", "tests.test_solver_errors:infeasible_backend")
    monkeypatch.setitem(SOLVERS, "liar", "tests.test_solver_errors:lying_backend")


def test_infeasible_schedule_from_a_backend_is_a_solver_error(fake_solvers):
    with pytest.raises(SolverError, match="infeasible schedule.*round 2"):
        solve(TINY, "bad")


def test_bound_above_a_verified_objective_is_a_solver_error(fake_solvers):
    with pytest.raises(SolverError, match="lower bound 9.0 above"):
        solve(TINY, "liar")


def test_cli_reports_a_solver_failure_with_exit_1(monkeypatch, tmp_path, capsys):
    import kvopt.cli.solve as solve_cmd

    def failing_run(args):
        raise SolverError("solver 'x' returned an infeasible schedule")

    monkeypatch.setattr(solve_cmd, "run", failing_run)
    p = tmp_path / "tiny.json"
    save_instance(TINY, p)
    assert main(["solve", str(p)]) == 1
    err = capsys.readouterr().err
    assert err == "kvopt solve: solver failure: solver 'x' returned an infeasible schedule\n"


def big_memory_instance(exponent: int) -> Instance:
    M = 2**exponent
    return Instance.from_arrays(
        f"big{exponent}",
        M,
        arrival=[i % 2 for i in range(4)],
        prompt=[M // 2 - 3 + i for i in range(4)],
        output=[3 + i % 3 for i in range(4)],
    )


def test_milp_is_right_at_a_memory_of_millions_of_tokens():
    """With HiGHS's default integrality tolerance the MILP returned a schedule over M
    here (M = 2**24); the tolerance now scales with M."""
    inst = big_memory_instance(24)
    milp, cpsat = solve(inst, "milp", time_limit=30), solve(inst, "cpsat", time_limit=30)
    assert milp.status == cpsat.status == "optimal"
    assert milp.objective == cpsat.objective == 27


def test_milp_at_an_extreme_memory_is_right_or_fails_loudly():
    inst = big_memory_instance(45)
    try:
        res = solve(inst, "milp", time_limit=30)
    except SolverError:
        return
    assert res.objective == solve(inst, "cpsat", time_limit=30).objective

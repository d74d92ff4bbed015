"""One result type for solves, simulations and solution files; its Status and summary."""

from __future__ import annotations

import io
import json
import pickle

import pytest

import kvopt
from kvopt import Instance, Result, Schedule, Status
from kvopt.io import Solution, load_solution, save_solution

TINY = Instance.from_arrays("tiny", 10, arrival=[0, 0], prompt=[3, 4], output=[2, 3])


def test_the_old_names_are_the_one_type():
    assert Solution is Result and kvopt.Solution is kvopt.Result
    assert kvopt.simulate(TINY, kvopt.make_policy("fcfs")).to_solution().__class__ is Result


def test_status_is_an_enum_that_reads_as_its_string():
    res = Result("tiny", "hand", "optimal", 7, 7.0, 0.0, Schedule.from_starts(TINY, [0, 2]))
    assert res.status is Status.OPTIMAL
    assert res.status == "optimal" and f"{res.status}" == "optimal" and str(res.status) == "optimal"
    assert [s.value for s in Status] == ["optimal", "feasible", "infeasible", "unknown"]
    with pytest.raises(ValueError, match="status must be one of"):
        Result("tiny", "hand", "proven", 7, 7.0, 0.0, None)


def test_a_solve_round_trips_through_a_solution_file(tmp_path):
    res = kvopt.solve(TINY, "cpsat", time_limit=10)
    assert res.status is Status.OPTIMAL and res.variables is not None
    save_solution(res.to_solution(), tmp_path / "t.sol.json", instance=TINY)
    back = load_solution(tmp_path / "t.sol.json")
    assert back.status is Status.OPTIMAL
    assert (back.objective, back.lower_bound) == (res.objective, res.lower_bound)
    assert back.metadata["variables"] == res.variables  # the model size lives in metadata
    assert sorted(back.schedule.runs) == sorted(res.schedule.runs)
    assert json.loads(json.dumps(res.to_dict()))["status"] == "optimal"
    assert pickle.loads(pickle.dumps(res)).status is Status.OPTIMAL  # crosses to workers


def test_a_result_without_a_schedule_writes_no_runs():
    res = Result("tiny", "cpsat", Status.UNKNOWN, None, 5.0, 1.5, None)
    assert res.to_dict()["runs"] == [] and res.to_dict()["objective"] is None
    assert res.gap is None


def test_summary_is_readable():
    res = Result("tiny", "milp", "feasible", 1200, 1000.0, 2.345, None, 30, 40)
    text = res.summary()
    assert text.splitlines()[0] == "milp on tiny: feasible"
    assert "objective    1,200" in text and "lower bound  1,000  (gap 16.67 %)" in text
    assert "runtime      2.35 s" in text and "30 variables, 40 constraints" in text
    proven = kvopt.solve(TINY, "milp", time_limit=10).summary()
    assert proven.splitlines()[0] == "milp on tiny: optimal (proven)"


def test_show_versions_names_the_libraries():
    out = io.StringIO()
    kvopt.show_versions(out)
    names = [line.split(":")[0] for line in out.getvalue().splitlines()]
    assert names == ["kvopt", "python", "numpy", "pyomo", "highspy", "ortools", "platform"]
    assert f"kvopt:    {kvopt.__version__}" in out.getvalue()

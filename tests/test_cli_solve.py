"""``kvopt solve``: table, solution files, agreement check, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kvopt
from kvopt.cli import main
from kvopt.cli import solve as cli_solve
from kvopt.result import Result

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "instances" / "example6.json"


def test_solve_both_writes_verified_solutions(tmp_path, capsys):
    rc = main(["solve", str(EXAMPLE), "--solver", "both", "--out", str(tmp_path)])
    assert rc == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == [
        "instance",
        "n",
        "M",
        "solver",
        "objective",
        "bound",
        "gap",
        "status",
        "seconds",
    ]
    rows = [line.split() for line in out[2:]]
    assert sorted(r[3] for r in rows) == ["cpsat", "milp"]
    assert all(r[4] == "31" and r[7] == "optimal" for r in rows)
    inst = kvopt.load_instance(EXAMPLE)
    for solver in ("milp", "cpsat"):
        sol = kvopt.load_solution(tmp_path / f"example6.{solver}.sol.json")
        assert sol.status == "optimal" and sol.solver == solver
        assert kvopt.verify(inst, sol.schedule, allow_eviction=False).objective == 31
    assert main(["verify", str(EXAMPLE), str(tmp_path / "example6.milp.sol.json")]) == 0


def test_single_solver_with_jobs_names_files_by_instance(tmp_path, capsys):
    second = tmp_path / "small.json"
    second.write_text(
        json.dumps(
            {
                "name": "small",
                "memory": 10,
                "requests": [
                    {"id": "a", "arrival": 0, "prompt": 4, "output": 3},
                    {"id": "b", "arrival": 0, "prompt": 4, "output": 3},
                ],
            }
        )
    )
    out = tmp_path / "out"
    rc = main(
        [
            "solve",
            str(EXAMPLE),
            str(second),
            "--solver",
            "cpsat",
            "--jobs",
            "2",
            "--time-limit",
            "20",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    assert {p.name for p in out.iterdir()} == {"example6.sol.json", "small.sol.json"}
    assert kvopt.load_solution(out / "small.sol.json").objective == 3 + 6


def test_bad_file_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["solve", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.json" in err[0]


@pytest.mark.parametrize("args", [["--time-limit", "0"], ["--jobs", "0"], ["--gap", "2"]])
def test_bad_options_exit_2(args, capsys):
    assert main(["solve", str(EXAMPLE), *args]) == 2


def test_duplicate_instance_names_exit_2(tmp_path, capsys):
    copy = tmp_path / "copy.json"
    copy.write_text(EXAMPLE.read_text())
    assert main(["solve", str(EXAMPLE), str(copy)]) == 2
    assert "example6" in capsys.readouterr().err


def _result(solver, status, objective, bound):
    return Result("x", solver, status, objective, bound, 0.0, None)


def test_disagreement_detects_contradictions():
    agree = cli_solve.disagreement(
        _result("milp", "optimal", 10, 10.0), _result("cpsat", "optimal", 10, 10.0)
    )
    assert agree is None
    assert "differ" in cli_solve.disagreement(
        _result("milp", "optimal", 10, 10.0), _result("cpsat", "optimal", 11, 11.0)
    )
    assert "below the bound" in cli_solve.disagreement(
        _result("milp", "feasible", 9, 5.0), _result("cpsat", "feasible", 12, 10.0)
    )
    assert (
        cli_solve.disagreement(
            _result("milp", "feasible", 12, 5.0), _result("cpsat", "feasible", 11, 9.0)
        )
        is None
    )


def test_disagreement_makes_exit_code_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli_solve, "disagreement", lambda a, b: "forced for the test")
    rc = main(["solve", str(EXAMPLE), "--solver", "both", "--out", str(tmp_path)])
    assert rc == 1
    assert "DISAGREEMENT" in capsys.readouterr().err
    assert (tmp_path / "example6.milp.sol.json").exists()


def test_ctrl_c_stops_and_keeps_written_files(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    import numpy as np

    rng = np.random.default_rng(0)
    big = kvopt.Instance.from_arrays(
        "big", 30, arrival=np.zeros(25, int), prompt=rng.integers(1, 11, 25),
        output=rng.integers(1, 11, 25),
    )  # fmt: skip
    kvopt.save_instance(big, tmp_path / "big.json")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "kvopt", "solve", str(EXAMPLE), str(tmp_path / "big.json"),
           "--solver", "both", "--time-limit", "60", "--out", str(out)]  # fmt: skip
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines = [proc.stdout.readline() for _ in range(4)]  # header, rule, example6 twice
    assert all("example6" in line for line in lines[2:])
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "interrupted" in err
    assert {p.name for p in out.iterdir()} == {"example6.milp.sol.json", "example6.cpsat.sol.json"}


def test_large_objectives_are_printed_exactly(tmp_path, capsys):
    """A 10^5-request semi-online optimum is printed as an integer, not as 3.35e+11."""
    path = tmp_path / "big.json"
    assert main(["generate", "identical", "--n", "100000", "--prompt", "1", "--output",
                 "200", "--memory", "402", "--seed", "0", "--out", str(path)]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["solve", str(path), "--solver", "semi-online"]) == 0
    row = capsys.readouterr().out.splitlines()[2].split()
    from kvopt.solvers.semi_online import dp as semi_online

    expected = semi_online.optimal_total_latency(100_000, 1, 200, 402)
    assert row[4] == row[5] == str(expected) and row[7] == "optimal"
    assert cli_solve._fmt(2.5) == "2.5" and cli_solve._fmt(None) == "-"

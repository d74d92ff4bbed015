"""The command line: exit codes, one-line errors, help on every command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kvopt.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "instances" / "example6.json"
EXAMPLE_SOL = ROOT / "instances" / "example6.sol.json"


def test_verify_feasible(capsys):
    assert main(["verify", str(EXAMPLE), str(EXAMPLE_SOL)]) == 0
    out = capsys.readouterr().out
    assert "feasible" in out and "objective (total latency)  42" in out


def test_verify_json(capsys):
    assert main(["verify", str(EXAMPLE), str(EXAMPLE_SOL), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["feasible"] and d["objective"] == 42 and d["violations"] == []


def test_verify_infeasible_names_round_and_overflow(tmp_path, capsys):
    d = json.loads(EXAMPLE_SOL.read_text())
    d["runs"][2]["start"], d["runs"][2]["end"] = 0, 3  # r3 alongside r1 and r2
    bad = tmp_path / "bad.sol.json"
    bad.write_text(json.dumps(d))
    assert main(["verify", str(EXAMPLE), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "INFEASIBLE" in out and "round 2: memory 15 > M = 12 (over by 3 tokens)" in out


def test_verify_wrong_claimed_objective(tmp_path, capsys):
    d = json.loads(EXAMPLE_SOL.read_text())
    d["objective"] = 41
    p = tmp_path / "claim.sol.json"
    p.write_text(json.dumps(d))
    assert main(["verify", str(EXAMPLE), str(p)]) == 1
    assert "claims objective 41" in capsys.readouterr().out


def test_verify_solution_of_other_instance(tmp_path, capsys):
    d = json.loads(EXAMPLE_SOL.read_text())
    d["instance"] = "other"
    p = tmp_path / "o.sol.json"
    p.write_text(json.dumps(d))
    assert main(["verify", str(EXAMPLE), str(p)]) == 2
    err = capsys.readouterr().err
    assert "not 'example6'" in err and err.count("\n") == 1


def test_malformed_file_exit_2_one_line(tmp_path, capsys):
    p = tmp_path / "m.json"
    p.write_text('{"name": "m", "memory": 5, "requests": [{"id": "a"}]}')
    assert main(["verify", str(p), str(EXAMPLE_SOL)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(p) in err and "requests[0]" in err and "missing key 'arrival'" in err


def test_info(capsys):
    assert main(["info", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "n = 6, M = 12" in out and "lower bounds" in out
    assert main(["info", "--json", str(EXAMPLE)]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["lower_bounds"]["sum_output"] == 21


def test_unknown_command_and_missing_argument(capsys):
    with pytest.raises(SystemExit) as e:
        main(["frobnicate"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["verify", str(EXAMPLE)])
    assert e.value.code == 2


@pytest.mark.parametrize("command", [m.NAME for m in COMMANDS])
def test_help_on_every_command(command, capsys):
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    assert e.value.code == 0
    assert "usage: kvopt " + command in capsys.readouterr().out


def test_console_entry_point_runs_as_module():
    r = subprocess.run(
        [sys.executable, "-m", "kvopt", "verify", str(EXAMPLE), str(EXAMPLE_SOL)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "kvopt", "info", "nope.json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr and "no such file" in r.stderr

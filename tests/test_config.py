"""Solve options from TOML (kvopt.config) and ``kvopt solve --config``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kvopt
from kvopt.cli import build_parser, main
from kvopt.cli import solve as cli_solve
from kvopt.config import load_options
from kvopt.errors import FormatError
from kvopt.options import SolveOptions

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "instances" / "example6.json"

GOOD = """\
time_limit = 30
threads = 2
primal = 0
[milp]
mip_solver = "highs"
aggregate = false
solver_options = { presolve = "off" }
[cpsat]
time_indexed = false
"""


def test_a_file_gives_the_common_fields_and_each_backends_own(tmp_path):
    p = tmp_path / "solve.toml"
    p.write_text(GOOD)
    opts = load_options(p)
    assert (opts.time_limit, opts.threads, opts.primal) == (30, 2, 0)
    milp = opts.keywords("milp")
    assert milp["aggregate"] is False and milp["solver_options"] == {"presolve": "off"}
    assert milp["primal"] == 0 and milp["threads"] == 2
    assert opts.keywords("cpsat")["time_indexed"] is False and "aggregate" not in opts.keywords(
        "cpsat"
    )


def test_fields_the_file_leaves_out_come_from_the_base(tmp_path):
    p = tmp_path / "solve.toml"
    p.write_text("[milp]\naggregate = false\n")
    opts = load_options(p, base=SolveOptions(time_limit=60.0, seed=4))
    assert (opts.time_limit, opts.seed) == (60.0, 4)


@pytest.mark.parametrize(
    ("text", "place", "problem"),
    [
        ("time_limit = \n", "line 1 column 14", "invalid TOML"),
        ("[milp\n", "line 1 column 6", "invalid TOML"),
        ("threads = 1\nthreads = 2\n", "line 2 column", "invalid TOML"),
        ("time_limit = -3\n", "time_limit", "must be a number of seconds > 0, got -3"),
        ("time_limt = 3\n", "time_limt", "unknown key (allowed: time_limit"),
        ("initial = 3\n", "initial", "unknown key"),
        ("milp = 3\n", "milp", "must be a table of milp's fields"),
        ("[milp]\naggregat = true\n", "milp.aggregat", "unknown option for solver 'milp'"),
        ("[cpsat]\ntime_indexed = 'yes'\n", "cpsat.time_indexed", "must be a boolean"),
        ("[milp]\nseed = 3\n", "milp.seed", "is a common option"),
    ],
)
def test_a_bad_file_is_one_error_naming_the_file_the_place_and_the_problem(
    tmp_path, text, place, problem
):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(FormatError) as err:
        load_options(p)
    assert err.value.file == str(p) and place in err.value.location
    assert problem in err.value.message


def test_not_utf8_and_not_a_file(tmp_path):
    p = tmp_path / "latin.toml"
    p.write_bytes(b"# caf\xe9\n")
    with pytest.raises(FormatError, match="not UTF-8"):
        load_options(p)
    with pytest.raises(FormatError, match="directory"):
        load_options(tmp_path)


def _options(*argv: str) -> SolveOptions:
    return cli_solve.solve_options(build_parser().parse_args(["solve", str(EXAMPLE), *argv]))


def test_flags_win_over_the_file_and_the_file_over_the_defaults(tmp_path):
    p = tmp_path / "solve.toml"
    p.write_text("time_limit = 7\nseed = 5\n")
    assert _options().time_limit == 60.0 and _options().seed == 0  # the CLI's defaults
    assert (_options("--config", str(p)).time_limit, _options("--config", str(p)).seed) == (7, 5)
    opts = _options("--config", str(p), "--time-limit", "9")
    assert (opts.time_limit, opts.seed) == (9.0, 5)


def test_solve_with_a_config_file_uses_its_backend_fields(tmp_path, capsys):
    p = tmp_path / "solve.toml"
    p.write_text("stop_at_bound = false\n[milp]\naggregate = false\n")
    assert main(["solve", str(EXAMPLE), "--config", str(p), "--out", str(tmp_path)]) == 0
    sol = json.loads((tmp_path / "example6.sol.json").read_text())
    assert sol["status"] == "optimal" and sol["metadata"]["options"]["aggregate"] is False


def test_a_bad_config_file_is_one_line_and_exit_2(tmp_path, capsys):
    p = tmp_path / "bad.toml"
    p.write_text("[milp]\naggregate = 'no'\n")
    assert main(["solve", str(EXAMPLE), "--config", str(p)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"kvopt solve: error: {p}: milp.aggregate: must be a boolean, got 'no'",
    ]


def test_the_worker_solves_the_instance_the_command_loaded(tmp_path, monkeypatch, capsys):
    """The file is read once, by the command: removed after loading, it is not missed."""
    path = tmp_path / "once.json"
    path.write_text(EXAMPLE.read_text())
    reads = []

    def load_then_remove(p):
        reads.append(p)
        inst = kvopt.load_instance(p)
        Path(p).unlink()
        return inst

    monkeypatch.setattr(cli_solve, "load_instance", load_then_remove)
    assert main(["solve", str(path), "--solver", "cpsat"]) == 0
    assert reads == [str(path)] and "optimal" in capsys.readouterr().out

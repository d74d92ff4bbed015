"""Hostile and edge-case input for every command: one clear line, the right exit code,
no traceback, no half-written file; and every file a command writes verifies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kvopt.cli import main
from kvopt.errors import OutputError
from kvopt.files import write_atomic

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "instances" / "example6.json"


def _instance(tmp_path: Path, requests: list[dict], memory: int = 10, name: str = "t") -> Path:
    p = tmp_path / f"{name}.json"
    p.write_text(json.dumps({"name": name, "memory": memory, "requests": requests}))
    return p


@pytest.fixture
def blocker(tmp_path: Path) -> Path:
    """A regular file standing where an output directory would have to be."""
    p = tmp_path / "blocker"
    p.write_text("x")
    return p


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", str(EXAMPLE), "--policy", "mcsf", "--oracle", "--out", "{b}/x.sol.json"],
        ["solve", str(EXAMPLE), "--time-limit", "5", "--out", "{b}/sub"],
        ["solve", str(EXAMPLE), "--time-limit", "5", "--out", "{b}"],
        ["generate", "identical", "--n", "2", "--seed", "0", "--out", "{b}/x.json"],
    ],
)
def test_unwritable_output_path_is_one_line_exit_2(argv, blocker, capsys):
    argv = [a.replace("{b}", str(blocker)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert str(blocker) in err and "a file is in the way" in err
    assert blocker.read_text() == "x"


def test_output_path_that_is_a_directory(tmp_path, capsys):
    assert (
        main(["simulate", str(EXAMPLE), "--policy", "sf", "--oracle", "--out", str(tmp_path)]) == 2
    )
    assert f"{tmp_path}: is a directory" in capsys.readouterr().err


def test_plot_to_unwritable_path(tmp_path, blocker, capsys):
    sol = tmp_path / "s.json"
    assert main(["simulate", str(EXAMPLE), "--policy", "fcfs", "--out", str(sol)]) == 0
    assert main(["plot", str(EXAMPLE), str(sol), "--out", f"{blocker}/p.png"]) == 2
    assert "a file is in the way" in capsys.readouterr().err


def test_write_atomic_leaves_nothing_when_the_writer_fails(tmp_path):
    target = tmp_path / "out.png"
    target.write_text("old")

    def half(tmp: str) -> None:
        Path(tmp).write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, half)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.png"]
    with pytest.raises(OutputError, match="cannot write"):
        write_atomic(target, lambda tmp: (_ for _ in ()).throw(OSError(28, "No space")))
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


def test_simulate_empty_instance_with_time_model(tmp_path, capsys):
    inst = _instance(tmp_path, [])
    sol = tmp_path / "e.sol.json"
    argv = ["simulate", str(inst), "--policy", "mcsf", "--oracle", "--time-model", "unit"]
    assert main([*argv, "--out", str(sol)]) == 0
    assert main(["verify", str(inst), str(sol)]) == 0


@pytest.mark.parametrize(
    ("memory", "request_", "needle"),
    [
        (10**30, {"prompt": 1, "output": 1}, "field 'memory': must be an integer <= 2**53 - 1"),
        (10, {"prompt": 2**64, "output": 1}, "request 'a': field 'prompt': must be an integer"),
        (10, {"arrival": 10**18, "prompt": 1, "output": 1}, "field 'arrival'"),
        # fits int64 value by value, but the memory area s*o + o(o+1)/2 would overflow
        (10**12, {"prompt": 2, "output": 10**11}, "too large for exact 64-bit arithmetic"),
    ],
)
def test_huge_numbers_in_an_instance_are_a_clean_error(tmp_path, capsys, memory, request_, needle):
    inst = _instance(tmp_path, [{"id": "a", "arrival": 0, **request_}], memory=memory)
    assert main(["info", str(inst)]) == 2
    err = capsys.readouterr().err
    assert str(inst) in err and needle in err


def _solution_with_first_run(tmp_path: Path, start: int, end: int) -> Path:
    d = json.loads((ROOT / "instances" / "example6.sol.json").read_text())
    d["runs"][0].update(start=start, end=end)
    d["objective"] = d["lower_bound"] = None  # moving a run falsifies the claims
    p = tmp_path / "s.json"
    p.write_text(json.dumps(d))
    return p


def test_huge_run_start_in_a_solution_is_a_clean_error(tmp_path, capsys):
    sol = _solution_with_first_run(tmp_path, 10**30, 10**30 + 6)
    assert main(["verify", str(EXAMPLE), str(sol)]) == 2
    assert f"{sol}: runs[0].start: must be an integer of magnitude" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("start", "code"),
    [(10**15, 0), (-5, 1), (-(2**53) + 1, 1)],  # far but feasible; negative: infeasible
)
def test_plot_draws_runs_far_away_or_before_round_one(tmp_path, start, code):
    sol = _solution_with_first_run(tmp_path, start, start + 6 if start > 0 else 5)
    out = tmp_path / "p.png"
    assert main(["plot", str(EXAMPLE), str(sol), "--out", str(out)]) == code
    assert out.stat().st_size > 0


def test_dense_profile_matches_pointwise_profile_with_negative_starts():
    from kvopt.io import load_instance
    from kvopt.schedule import Schedule
    from kvopt.verify import verify

    inst = load_instance(EXAMPLE)
    for first in (-3, -(2**52)):
        sched = Schedule.from_indices(inst, [0, 1, 2], [first, 1, 0], [4, 3, 3])
        rep = verify(inst, sched, strict=False)
        T = rep.memory_profile.size
        assert rep.memory_profile.tolist() == rep.memory_at(range(1, T + 1)).tolist()


@pytest.mark.parametrize("family", ["poisson", "paper1-synthetic"])
def test_generate_arrivals_beyond_the_last_round_are_an_error_not_round_zero(
    tmp_path, capsys, family
):
    out = tmp_path / "g.json"
    extra = ["--arrivals", "poisson"] if family == "paper1-synthetic" else ["--n", "5"]
    assert main(["generate", family, *extra, "--rate", "1e-300", "--out", str(out)]) == 2
    assert "beyond the largest round" in capsys.readouterr().err and not out.exists()


def _ratio(*extra: str) -> list[str]:
    return ["ratio", "--policy", "fcfs", "--family", "paper1-synthetic", "--set", "n=4"] + [
        "--trials",
        "2",
        "--time-limit",
        "5",
        "--no-progress",
        *extra,
    ]


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--solver", "nope"], "unknown solver 'nope'"),
        (["--plot", "{tmp}/r.xyz"], "cannot tell the picture format"),
    ],
)
def test_ratio_rejects_bad_options_before_any_trial_runs(
    tmp_path, capsys, monkeypatch, extra, needle
):
    import kvopt.cli.ratio as ratio_cli

    def no_sweep(*args, **kwargs):
        raise AssertionError("the sweep ran although an option was bad")

    monkeypatch.setattr(ratio_cli, "run_sweep", no_sweep)
    assert main(_ratio(*[e.replace("{tmp}", str(tmp_path)) for e in extra])) == 2
    assert needle in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["adversary", "--policy", "mcsf", "--sizes", "3,4", "--out", "{b}/x"], "in the way"),
        (["adversary", "--policy", "mcsf", "--sizes", "3,4", "--json", "{b}/x.json"], "in the way"),
        (["adversary", "--policy", "mcsf", "--sizes", "3,4", "--out", "{b}"], "is a file"),
        (["bounds", "--check", "mcsf", "--instances", "1", "--out", "{b}/x"], "in the way"),
        (["bounds", "--check", "mcsf", "--instances", "1", "--json", "{b}/x.json"], "in the way"),
        (["bounds", "--check", "mcsf", "--instances", "1", "--seed", "-1"], "--seed must be >= 0"),
        (_ratio("--csv", "{b}/x.csv"), "in the way"),
    ],
)
def test_long_commands_check_outputs_before_computing(argv, needle, blocker, capsys, monkeypatch):
    import kvopt.cli.adversary as adversary_cli
    import kvopt.cli.paper_bounds as bounds_cli
    import kvopt.cli.ratio as ratio_cli

    def computed(*args, **kwargs):
        raise AssertionError("computed although an output cannot be written")

    for mod, name in (
        (adversary_cli, "adaptive_rows"),
        (bounds_cli, "check_mcsf"),
        (ratio_cli, "run_sweep"),
    ):
        monkeypatch.setattr(mod, name, computed)
    assert main([a.replace("{b}", str(blocker)) for a in argv]) == 2
    assert needle in capsys.readouterr().err


def test_plot_names_the_file_of_a_run_for_an_unknown_request(tmp_path, capsys):
    d = json.loads((ROOT / "instances" / "example6.sol.json").read_text())
    d["runs"].append({"request": "zz", "start": 0, "end": 1})
    sol = tmp_path / "s.json"
    sol.write_text(json.dumps(d))
    assert main(["plot", str(EXAMPLE), str(sol), "--out", str(tmp_path / "p.png")]) == 2
    assert f"{sol}: runs[6].request: names request 'zz'" in capsys.readouterr().err


def test_plot_rejects_a_dpi_too_large_to_render(tmp_path, capsys):
    sol = str(ROOT / "instances" / "example6.sol.json")
    argv = ["plot", str(EXAMPLE), sol, "--out", str(tmp_path / "p.png"), "--dpi", "100000"]
    assert main(argv) == 2
    assert "--dpi must be in [10, 2400]" in capsys.readouterr().err


@pytest.mark.parametrize("value", [10**30, 2**53])
def test_huge_arrival_rounds_in_a_solution_name_the_file(tmp_path, capsys, value):
    inst = _instance(
        tmp_path,
        [
            {"id": "a", "arrival": 0, "prompt": 2, "output": 2, "arrival_time": 0.0},
            {"id": "b", "arrival": 1, "prompt": 2, "output": 2, "arrival_time": 0.5},
        ],
    )
    sol = tmp_path / "s.json"
    argv = ["simulate", str(inst), "--policy", "fcfs", "--time-model", "unit", "--out", str(sol)]
    assert main(argv) == 0
    d = json.loads(sol.read_text())
    assert "arrival_rounds" in d["metadata"]
    d["metadata"]["arrival_rounds"] = [0, value]
    sol.write_text(json.dumps(d))
    capsys.readouterr()
    assert main(["verify", str(inst), str(sol)]) == 2
    assert f"{sol}: metadata.arrival_rounds: must be a list" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["../escaped", "a/b", "a\nb", ".."])
def test_solve_out_never_writes_outside_the_directory(tmp_path, capsys, name):
    inst = _instance(tmp_path, [{"id": "a", "arrival": 0, "prompt": 2, "output": 3}])
    d = json.loads(inst.read_text())
    d["name"] = name
    inst.write_text(json.dumps(d))
    out = tmp_path / "deep" / "out"
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert main(["solve", str(inst), "--time-limit", "5", "--out", str(out)]) == 2
    assert f"{inst}: field 'name'" in capsys.readouterr().err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_an_input_too_large_for_memory_is_one_line(tmp_path, capsys):
    out = tmp_path / "g.json"
    assert main(["generate", "identical", "--n", str(10**12), "--out", str(out)]) == 2
    assert "out of memory" in capsys.readouterr().err and not out.exists()


def test_deeply_nested_json_is_a_format_error(tmp_path, capsys):
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000)
    assert main(["info", str(p)]) == 2
    assert f"{p}: invalid JSON: nested too deeply" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("cell", "needle"),
    [
        ("1e30", "prompt must be a whole number of tokens"),
        ("inf", "prompt must be a whole number of tokens"),
        ("2.5", "prompt must be a whole number of tokens"),
        ("x", "prompt is not a number"),
    ],
)
def test_trace_csv_token_counts_are_checked(tmp_path, capsys, cell, needle):
    csv_path = tmp_path / "t.csv"
    csv_path.write_text(f"arrival_time,prompt,output\n0,5.0,5\n1,{cell},3\n")
    out = tmp_path / "t.json"
    assert main(["generate", "trace", "--trace", str(csv_path), "--out", str(out)]) == 2
    assert f"{csv_path}: row 2: {needle}" in capsys.readouterr().err and not out.exists()


def test_trace_csv_that_is_not_text(tmp_path, capsys):
    csv_path = tmp_path / "t.csv"
    csv_path.write_bytes(b"\xff\xfe\x00\x01")
    assert main(["generate", "trace", "--trace", str(csv_path), "--out", str(tmp_path / "o")]) == 2
    assert f"{csv_path}: not UTF-8 text" in capsys.readouterr().err


def test_verify_rejects_a_lower_bound_above_the_schedules_latency(tmp_path, capsys):
    d = json.loads((ROOT / "instances" / "example6.sol.json").read_text())
    d["lower_bound"] = 100  # the schedule's total latency is 42
    sol = tmp_path / "s.json"
    sol.write_text(json.dumps(d))
    assert main(["verify", str(EXAMPLE), str(sol)]) == 1
    assert "claims lower bound 100, above the total latency 42" in capsys.readouterr().out
    d["lower_bound"] = 42
    sol.write_text(json.dumps(d))
    assert main(["verify", str(EXAMPLE), str(sol)]) == 0


def test_errors_survive_the_trip_back_from_a_worker_process():
    """`kvopt solve` and `kvopt ratio` run solves in worker processes; an error raised
    there is pickled back. ScheduleError used not to unpickle, so the pool broke with a
    BrokenProcessPool traceback instead of the verifier's one-line message."""
    import pickle

    from kvopt.errors import FormatError, InstanceError, ScheduleError, Violation

    errors = [
        InstanceError("must be >= 1", file="f.json", request="r1", field="prompt"),
        FormatError("invalid JSON", file="f.json", location="line 1 column 2"),
        OutputError("cannot write", file="out.json"),
        ScheduleError([Violation("memory", "round 4: memory 13 > M = 12", round=4, amount=1)]),
    ]
    for e in errors:
        back = pickle.loads(pickle.dumps(e))
        assert type(back) is type(e) and str(back) == str(e)
    back = pickle.loads(pickle.dumps(errors[-1]))
    assert back.violations[0].round == 4 and back.violations[0].kind == "memory"
    assert pickle.loads(pickle.dumps(errors[0])).field == "prompt"

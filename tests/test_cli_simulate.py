"""``kvopt simulate`` and ``kvopt policies``: outputs, exit codes, one-line errors."""

from __future__ import annotations

import json

import pytest

from kvopt.cli import main
from kvopt.io import load_instance, load_solution, save_instance
from kvopt.model import Instance
from kvopt.policies import POLICIES
from kvopt.verify import verify


@pytest.fixture
def instance_file(tmp_path):
    inst = Instance.from_arrays(
        "cli", 12, arrival=[0, 0, 1, 2], prompt=[3, 2, 4, 1], output=[4, 5, 2, 6]
    )
    path = tmp_path / "cli.json"
    save_instance(inst, path)
    return path


def test_simulate_writes_a_verified_solution_with_metrics(instance_file, tmp_path, capsys):
    out = tmp_path / "out" / "sol.json"
    argv = ["simulate", str(instance_file), "--policy", "mcsf", "--oracle", "--out", str(out)]
    assert main(argv) == 0
    sol = load_solution(out)
    inst = load_instance(instance_file)
    report = verify(inst, sol.schedule, allow_eviction=False)
    assert sol.solver == "mcsf" and sol.objective == report.objective
    assert sol.metrics["objective"] == report.objective
    assert sol.metadata["perfect_predictions"] is True
    assert "wrote" in capsys.readouterr().out


def test_simulate_with_parameters_time_model_and_json(instance_file, tmp_path, capsys):
    out = tmp_path / "sol.json"
    argv = ["simulate", str(instance_file), "--policy", "vllm:eviction=sglang,watermark=0"]
    argv += ["--time-model", "unit", "--out", str(out), "--json"]
    assert main(argv) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["mean_latency_seconds"] == pytest.approx(metrics["mean_latency"])
    sol = load_solution(out)
    assert sol.metadata["params"] == {"eviction": "sglang", "watermark": 0.0}
    assert sol.metadata["time_model"] == "unit"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--policy", "nope"], "unknown policy 'nope'"),
        (["--policy", "mcsf:alpha=1"], "no parameter 'alpha'"),
        (["--policy", "mcsf:skip=maybe"], "true or false"),
        (["--policy", "alpha-greedy:alpha=x"], "must be a number"),
        (["--policy", "alpha-greedy:alpha=2"], "alpha"),
        (["--policy", "sorted-f:exact_limit=1.5"], "must be an integer"),
        (["--policy", "mcsf:skip"], "KEY=VALUE"),
        (["--policy", "mcsf", "--time-model", "warp"], "unknown time model"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(instance_file, tmp_path, capsys, extra, message):
    out = tmp_path / "never.json"
    assert main(["simulate", str(instance_file), *extra, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not out.exists()


def test_deprecated_set_still_sets_a_policy_parameter_with_a_warning(
    instance_file, tmp_path, capsys
):
    out = tmp_path / "sol.json"
    argv = ["simulate", str(instance_file), "--policy", "vllm", "--set", "eviction=sglang"]
    assert main([*argv, "--out", str(out)]) == 0
    assert "--set KEY=VALUE is deprecated" in capsys.readouterr().err
    assert load_solution(out).metadata["params"]["eviction"] == "sglang"


def test_out_dash_writes_the_solution_to_stdout_and_the_summary_to_stderr(
    instance_file, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert main(["simulate", str(instance_file), "--policy", "fcfs", "--out", "-"]) == 0
    cap = capsys.readouterr()
    doc = json.loads(cap.out)
    assert doc["solver"] == "fcfs" and "instance_digest" in doc["metadata"]
    assert "policy fcfs" in cap.err and not (tmp_path / "-").exists()
    assert main(["simulate", str(instance_file), "--policy", "fcfs", "--out", "-", "--json"]) == 2
    assert "cannot both write to standard output" in capsys.readouterr().err


def test_missing_instance_exits_2(tmp_path, capsys):
    code = main(["simulate", str(tmp_path / "x.json"), "--policy", "mcsf", "--out", "y.json"])
    assert code == 2
    assert "no such file" in capsys.readouterr().err


def test_overflow_exits_1(tmp_path, capsys):
    inst = Instance.from_arrays(
        "o", 10, arrival=[0, 0], prompt=[2, 2], output=[6, 6], predicted=[1, 1]
    )
    path = tmp_path / "o.json"
    save_instance(inst, path)
    out = tmp_path / "sol.json"
    assert main(["simulate", str(path), "--policy", "mcsf", "--out", str(out)]) == 1
    assert "overflows the memory" in capsys.readouterr().err
    assert not out.exists()


def test_policies_lists_every_policy_with_parameters(capsys):
    assert main(["policies"]) == 0
    text = capsys.readouterr().out
    for name in POLICIES:
        assert f"\n{name}  (" in "\n" + text
    assert "fcfs:evict_order=latest-arrival" in text and "source:" in text
    assert main(["policies", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["name"] for d in data] == list(POLICIES)
    vllm = next(d for d in data if d["name"] == "vllm")
    assert vllm["may_evict"] and vllm["parameters"]["watermark"]["default"] == 0.01

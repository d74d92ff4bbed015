"""kvopt compare and kvopt.compare: verified rows, oracle refusal and labels, files, plot."""

from __future__ import annotations

import csv
import io
import json
import warnings

import numpy as np
import pytest

import kvopt
from kvopt.cli import main
from kvopt.compare import COLUMNS, compare
from kvopt.policies import POLICIES, make_policy
from kvopt.policies.oracle import OracleWarning, is_oracle, plans_with_predictions


@pytest.fixture(scope="module")
def timed_instance():
    inst = kvopt.generate("poisson", seed=3, n=120, rate=8.0, memory=16492, noise=0.2)
    assert inst.has_predictions and inst.arrival_time is not None
    return inst


@pytest.fixture
def timed_file(tmp_path, timed_instance):
    path = tmp_path / "timed.json"
    kvopt.save_instance(timed_instance, path)
    return path


POLICY_SET = ["mcsf:overflow=evict", "vllm", "fcfs", "vllm:eviction=sglang"]


def test_rows_are_the_simulations_in_seconds_with_energy(timed_instance):
    table = compare(timed_instance, POLICY_SET, time_model="a100-tp2-llama2-70b", jobs=1)
    assert table.unit == "seconds" and [r["policy"] for r in table.to_records()] == POLICY_SET
    for rec, spec in zip(table.to_records(), POLICY_SET, strict=True):
        res = kvopt.simulate(timed_instance, spec, "a100-tp2-llama2-70b", oracle=False)
        lat = res.latency_seconds
        assert rec["mean_latency"] == pytest.approx(lat.mean(), rel=1e-9)
        assert rec["p90_latency"] == pytest.approx(np.percentile(lat, 90), rel=1e-9)
        assert rec["p99_latency"] == pytest.approx(np.percentile(lat, 99), rel=1e-9)
        assert rec["evicted_runs"] == res.report.evicted_runs
        assert rec["objective"] == res.report.objective
        assert rec["energy_joules"] == res.summary()["energy_joules"] > 0
        assert rec["oracle"] is False and rec["unit"] == "seconds"
        assert set(rec) == {*COLUMNS, "unit"}


def test_parallel_equals_serial_and_rounds_without_a_time_model(timed_instance):
    a = compare(timed_instance, POLICY_SET, jobs=1)
    b = compare(timed_instance, POLICY_SET, jobs=2)
    assert a.to_records() == b.to_records()
    assert a.unit == "rounds"
    rec = a.to_records()[1]
    res = kvopt.simulate(timed_instance, "vllm")
    assert rec["mean_latency"] == pytest.approx(res.report.mean_latency)
    assert rec["energy_joules"] is None


def test_prediction_policies_are_refused_without_predictions_unless_oracle(capsys, tmp_path):
    inst = kvopt.load_instance("instances/example6.json")
    with pytest.raises(kvopt.KvoptError, match="--noise EPS or --interval ALPHA.*--oracle"):
        compare(inst, ["fcfs", "mcsf"])
    table = compare(inst, ["fcfs", "mcsf", "h-sf"], oracle=True)
    assert [r["oracle"] for r in table.to_records()] == [False, True, True]
    text = table.format()
    assert "oracle = the policy saw true output lengths" in text
    code = main(["compare", "instances/example6.json", "--policy", "sf", "--policy", "fcfs"])
    err = capsys.readouterr().err
    assert code == 2 and "--oracle" in err and "\n" not in err.strip()
    code = main(["simulate", "instances/example6.json", "--policy", "sf", "--out", "x.json"])
    assert code == 2 and "--interval" in capsys.readouterr().err


def test_python_simulate_warns_and_records_oracle():
    inst = kvopt.load_instance("instances/example6.json")
    with pytest.warns(OracleWarning, match="no predictions"):
        res = kvopt.simulate(inst, "mcsf")
    assert res.metadata["oracle"] is True
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert kvopt.simulate(inst, "mcsf", oracle=True).metadata["oracle"] is True
        assert kvopt.simulate(inst, "fcfs").metadata["oracle"] is False
    with pytest.raises(kvopt.KvoptError, match="--oracle"):
        kvopt.simulate(inst, "amax", oracle=False)


def test_which_policies_plan_with_predictions():
    uses = {name for name, cls in POLICIES.items() if plans_with_predictions(cls)}
    assert uses == {"mcsf", "mc-benchmark", "sf", "amax", "amin", "cc", "wait"}
    inst = kvopt.load_instance("instances/example6.json")
    assert {n for n in POLICIES if is_oracle(make_policy(n), inst)} == uses | {"h-sf", "sorted-f"}


def test_simulate_accepts_names_as_the_cli_does(timed_instance):
    res = kvopt.simulate(timed_instance, "vllm:eviction=sglang", time_model="h100-tp2-llama2-70b")
    assert (
        res.params["eviction"] == "sglang" and res.metadata["time_model"] == "h100-tp2-llama2-70b"
    )
    assert res.summary()["power_model"] == "h100-sxm5-80gb x2"
    with pytest.raises(kvopt.KvoptError, match="unknown time model"):
        kvopt.simulate(timed_instance, "fcfs", time_model="warp")
    with pytest.raises(kvopt.KvoptError, match="TimeModel or a name"):
        kvopt.simulate(timed_instance, "fcfs", time_model=3)
    for name in ("compare", "CompareTable", "POLICIES", "TIME_MODELS", "FAMILIES", "TRACES",
                 "TRACE_FORMATS", "POWER_MODELS", "make_policy", "get_time_model"):  # fmt: skip
        assert name in kvopt.__all__ and hasattr(kvopt, name)


def test_cli_table_csv_json_and_plot(timed_file, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    csv_path, json_path, png = tmp_path / "c.csv", tmp_path / "c.json", tmp_path / "c.png"
    argv = ["compare", str(timed_file), "--time-model", "a100-tp2-llama2-70b", "--jobs", "2"]
    for p in POLICY_SET:
        argv += ["--policy", p]
    argv += ["--csv", str(csv_path), "--json", str(json_path), "--plot", str(png)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "mean lat (s)" in out and "J/token" in out and "vllm:eviction=sglang" in out
    data = json.loads(json_path.read_text())
    assert data["unit"] == "seconds" and len(data["records"]) == 4
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text())))
    assert [r["policy"] for r in rows] == POLICY_SET
    assert float(rows[0]["mean_latency"]) == pytest.approx(data["records"][0]["mean_latency"])
    assert png.stat().st_size > 10_000


def test_cli_json_to_stdout_and_errors(timed_file, capsys, tmp_path):
    argv = ["compare", str(timed_file), "--policy", "fcfs", "--policy", "vllm", "--json", "-"]
    assert main(argv) == 0
    assert [r["policy"] for r in json.loads(capsys.readouterr().out)["records"]] == ["fcfs", "vllm"]
    bad = [
        (["--policy", "nope"], "unknown policy"),
        (["--policy", "vllm:eviction=x"], "eviction"),
        (["--policy", "fcfs", "--plot", str(tmp_path / "x.gif")], "picture format"),
        (["--policy", "fcfs", "--jobs", "0"], "--jobs"),
    ]
    for extra, message in bad:
        assert main(["compare", str(timed_file), *extra]) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and "\n" not in err


def test_cli_overflow_is_exit_1(tmp_path, capsys):
    inst = kvopt.Instance.from_arrays(
        "o", 10, arrival=[0, 0], prompt=[2, 2], output=[6, 6], predicted=[1, 1]
    )
    path = tmp_path / "o.json"
    kvopt.save_instance(inst, path)
    assert main(["compare", str(path), "--policy", "mcsf", "--jobs", "1"]) == 1
    assert "overflows the memory" in capsys.readouterr().err


def test_plot_draws_one_cdf_per_policy_from_the_latencies(timed_instance, tmp_path):
    pytest.importorskip("matplotlib")
    table = compare(timed_instance, ["fcfs", "mcsf:overflow=evict"], time_model="unit")
    pic = table.plot(tmp_path / "p.svg")
    assert pic.labels == ["fcfs", "mcsf:overflow=evict"]
    for (xs, ys), run in zip(pic.cdf, table.runs, strict=True):
        assert xs.tolist() == sorted(run.series.latency.tolist()) and ys[-1] == 1.0
    s = table.runs[0].series
    assert s.queue.min() >= 0 and s.memory.max() <= s.limit


def test_progress_bar_draws_only_when_asked():
    from kvopt.report_table import progress_bar, render_table

    buf = io.StringIO()
    with progress_bar(3, "policies", enabled=True, stream=buf) as advance:
        for _ in range(3):
            advance()
    assert "policies" in buf.getvalue() and "3/3" in buf.getvalue()
    quiet = io.StringIO()
    with progress_bar(3, "policies", stream=quiet) as advance:  # not a terminal: silent
        advance()
    assert quiet.getvalue() == ""
    text = render_table(["name", "x"], [["a", 1.23456], ["bb", None]])
    lines = text.splitlines()
    assert lines[0].split() == ["name", "x"] and lines[1].split() == ["a", "1.235"]
    assert lines[2].split() == ["bb", "-"]


def test_cli_prints_the_oracle_warning_as_one_line():
    from kvopt.cli import _one_line

    fmt = _one_line("ratio")
    assert fmt(OracleWarning("policy 'mcsf' ..."), OracleWarning, "trial.py", 3) == (
        "kvopt ratio: warning: policy 'mcsf' ...\n"
    )
    other = fmt(UserWarning("x"), UserWarning, "f.py", 7)
    assert "f.py:7" in other and "UserWarning" in other


def test_saved_schedules_pass_kvopt_verify(timed_file, tmp_path, capsys):
    out = tmp_path / "sols"
    argv = ["compare", str(timed_file), "--policy", "fcfs", "--policy", "vllm:eviction=sglang"]
    argv += ["--time-model", "a100-tp2-llama2-70b", "--jobs", "2", "--out", str(out)]
    assert main(argv) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == ["poisson-s3.fcfs.sol.json", "poisson-s3.vllm-eviction-sglang.sol.json"]
    capsys.readouterr()
    for name in files:
        assert main(["verify", str(timed_file), str(out / name)]) == 0
        assert "feasible" in capsys.readouterr().out

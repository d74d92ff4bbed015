"""benchmarks/vidur_side_by_side.py on a faked Vidur output: parsing, flags, ratio table."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks import vidur_side_by_side as sbs
from kvopt.calibration import fit_time_model
from kvopt.model import Instance

ROOT = Path(__file__).resolve().parents[1]


def _fake_vidur_output(root: Path, e2e, ttft, restarts) -> Path:
    """A Vidur-like output tree: <root>/<timestamp>/request_metrics.csv (shuffled ids)."""
    run = root / "2026-12-02_00-00-00-000000"
    run.mkdir(parents=True)
    path = run / "request_metrics.csv"
    order = [2, 0, 1] + list(range(3, len(e2e)))
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Request Id", "request_e2e_time", "prefill_e2e_time", "request_num_restarts"])
        for i in order:
            w.writerow([i, e2e[i], ttft[i], restarts[i]])
    return root


def test_parsing_and_ratio_table(tmp_path):
    e2e = np.array([10.0, 20.0, 30.0, 40.0])
    ttft = np.array([1.0, 2.0, 3.0, 4.0])
    arrival = np.array([0.0, 5.0, 6.0, 7.0])
    out = _fake_vidur_output(tmp_path / "out", e2e, ttft, [0, 2, 1, 0])
    vd = sbs.read_vidur_metrics(sbs.find_request_metrics(out), arrival)
    assert vd["mean_latency"] == 25.0 and vd["mean_ttft"] == 2.5
    assert vd["p50_latency"] == 25.0 and vd["p99_latency"] == pytest.approx(39.7)
    assert vd["makespan"] == 47.0 and vd["restarts"] == 3.0  # last: 7 + 40
    kv = dict(vd, mean_latency=25.5, p99_latency=39.7 * 0.96, restarts=6.0)
    table = sbs.ratio_table(vd, kv)
    lines = table.splitlines()
    assert len(lines) == 2 + len(sbs.ROWS)
    assert "| mean latency (s) | 25 | 25.5 | 1.020 | +2.0 % |" in lines
    assert "| restarts | 3 | 6 | 2.000 | +100.0 % |" in lines
    assert "-4.0 %" in table
    assert not sbs.within(vd, kv)  # p99 is 4 % off
    assert sbs.within(vd, dict(kv, p99_latency=39.7 * 0.98))


def test_missing_output_is_one_clear_message(tmp_path):
    with pytest.raises(SystemExit, match="no request_metrics.csv"):
        sbs.find_request_metrics(tmp_path)


def test_trace_profile_and_flags(tmp_path):
    inst = Instance.from_arrays(
        "t", 54_067, arrival=[0, 0, 1], prompt=[5, 7, 9], output=[3, 2, 1],
        arrival_time=[10.5, 10.75, 12.0],
    )  # fmt: skip
    trace = tmp_path / "trace.csv"
    sbs.write_vidur_trace(inst, trace)
    rows = list(csv.DictReader(trace.read_text().splitlines()))
    assert [float(r["arrived_at"]) for r in rows] == [0.0, 0.25, 1.5]
    assert [int(r["num_prefill_tokens"]) for r in rows] == [5, 7, 9]
    att = tmp_path / "attention.csv"
    sbs.write_standin_attention(att, c_ctx=8e-8)
    prof = list(csv.DictReader(att.read_text().splitlines()))
    dec = [r for r in prof if r["prefill_chunk_size"] == "0"]
    r = next(r for r in dec if r["batch_size"] == "4" and r["kv_cache_size"] == "1024")
    # per layer: 8e-8 s x 4 x 1024 tokens / 80 layers, in ms
    assert float(r["time_stats.attn_decode.median"]) == pytest.approx(8e-5 * 4 * 1024 / 80)
    assert {r["block_size"] for r in prof} == {"16"}
    args = sbs.vidur_arguments(trace, att, tmp_path / "o", inst.memory)
    flag = dict(zip(args[::1], args[1:] + [""], strict=True))
    assert flag["--vllm_scheduler_config_num_blocks"] == "3379"  # 54,067 // 16
    assert flag["--vllm_scheduler_config_batch_size_cap"] == "128"
    assert flag["--vllm_scheduler_config_max_tokens_in_batch"] == "4096"
    assert "--no-metrics_config_store_plots" in args


def test_parse_only_run_prints_the_table(tmp_path):
    # the whole script with --vidur-output: kvopt runs, the faked Vidur output is parsed
    from benchmarks.batching import vidur_like_trace

    n = 60
    inst = vidur_like_trace(n)
    e2e = np.linspace(5.0, 50.0, n)
    out = _fake_vidur_output(tmp_path / "vo", e2e, e2e / 10, [0] * n)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "vidur_side_by_side.py"), "--n", str(n),
         "--vidur-output", str(out)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "| p99 latency (s) |" in proc.stdout and "within 3 %" in proc.stdout
    assert inst.n == n


def test_kvopt_models_of_the_benchmark():
    # the default is the registered interpolated-all-reduce fit, the same as refitting
    default = sbs.kvopt_model(None)
    assert default.name == "a100-tp2-llama2-70b-interpolated-all-reduce"
    assert default == fit_time_model("a100-tp2-llama2-70b", all_reduce="interpolated").model
    line = sbs.kvopt_model(None, "a100-tp2-llama2-70b")
    assert line.name == "a100-tp2-llama2-70b" and line.c_dec < default.c_dec
    diag = sbs.kvopt_model(55.79)
    assert diag.base == pytest.approx(0.05579) and diag.c_dec == default.c_dec

"""kvopt regret: exact and bracketed regret, resuming, intervals, fits and outputs."""

from __future__ import annotations

import json

import pytest

from kvopt.cli import main
from kvopt.ratio.regret import RegretSpec, regret_bracket, regret_trial
from kvopt.ratio.regret_report import RegretRow, growth, mean_ci, summarize
from kvopt.ratio.trial import PolicySpec


def spec(params, **kw):
    return RegretSpec("stochastic", params, (PolicySpec("mcsf"), PolicySpec("cc")), 0, 7,
                      10.0, horizon=params.get("n", 0), **kw)  # fmt: skip


def test_identical_streams_have_exact_regret():
    rec = regret_trial(spec({"n": 60, "types": "1:8", "memory": 30, "load": 0.9}))
    assert rec["opt"]["status"] == "optimal" and rec["opt"]["source"] == "identical-stream"
    lo, hi = regret_bracket(rec, "mcsf")
    assert lo == hi >= 0


def test_mixed_types_exact_when_small_bracketed_when_large():
    small = regret_trial(spec({"n": 8, "types": "1:2,2:4", "memory": 12, "load": 0.9}))
    assert small["opt"]["status"] == "optimal"
    big = regret_trial(spec({"n": 120, "types": "1:2,2:4", "memory": 12, "load": 0.9},
                            exact_max_n=40, lp_max_n=0))  # fmt: skip
    assert big["opt"]["status"] == "bound"
    lo, hi = regret_bracket(big, "cc")
    assert lo <= hi and lo <= 0 or lo >= 0  # a bracket, ALG - UB may be negative
    assert big["opt"]["lower_bound"] <= big["opt"]["objective"]


def test_mean_ci_and_growth():
    m, half = mean_ci([1.0, 2.0, 3.0])
    assert m == 2.0 and half == pytest.approx(4.303 * 1.0 / 3**0.5, rel=1e-3)
    rows = [RegretRow("p", h, 3, 3, 5.0 * h, 5.0 * h, 0, 0, 0, 0) for h in (10, 100, 1000)]
    assert growth(rows, "p") == pytest.approx(1.0)
    flat = [RegretRow("q", h, 3, 3, 7.0, 7.0, 0, 0, 0, 0) for h in (10, 100)]
    assert growth(flat, "q") == pytest.approx(0.0, abs=1e-9)


def test_summarize_brackets_the_mean():
    recs = [
        {"horizon": 10, "n": 10, "alg": {"p": 50}, "opt": {"status": "bound", "objective": 45,
                                                         "lower_bound": 40.2}},
        {"horizon": 10, "n": 10, "alg": {"p": 30}, "opt": {"status": "optimal", "objective": 30,
                                                         "lower_bound": 30.0}},
    ]  # fmt: skip
    (row,) = summarize(recs, ["p"])
    assert (row.mean_lo, row.mean_hi, row.exact, row.is_exact) == (2.5, 4.5, 1, False)


def test_cli_runs_resumes_and_writes(tmp_path, capsys):
    args = ["regret", "--policy", "cc", "--policy", "fcfs", "--family", "stochastic",
            "--set", "load=0.9", "--set", "types=1:8", "--set", "memory=30",
            "--horizons", "10,40", "--seeds", "3",
            "--store", str(tmp_path / "r.sqlite"), "--json", str(tmp_path / "r.json"),
            "--plot", str(tmp_path / "r.png")]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "6 run now" in out and "growth cc" in out
    doc = json.loads((tmp_path / "r.json").read_text())
    assert len(doc["trials"]) == 6 and {r["horizon"] for r in doc["rows"]} == {10, 40}
    assert all(t["opt"]["status"] == "optimal" for t in doc["trials"])
    assert (tmp_path / "r.png").stat().st_size > 0
    assert main(args) == 0
    assert "0 run now" in capsys.readouterr().out


@pytest.mark.parametrize(
    "extra, message",
    [(["--horizons", "10,x"], "--horizons expects"), (["--set", "n=5"], "do not also pass")],
)
def test_cli_bad_input_is_one_line(extra, message, capsys):
    args = ["regret", "--policy", "cc", "--family", "stochastic", "--seeds", "1"]
    assert main(args + extra) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1

import csv
import io
import json

import pytest

from kvopt.ratio.report import format_table, summarize, to_csv, to_json, trial_ratios, write_outputs


def rec(trial, alg, status, obj, lb):
    return {
        "trial": trial,
        "seed": 100 + trial,
        "instance": f"i{trial}",
        "n": 3,
        "memory": 10,
        "alg": alg,
        "opt": {"status": status, "objective": obj, "lower_bound": lb, "source": "x"},
    }


RECORDS = [
    rec(0, {"a": 10, "b": 12}, "optimal", 10, 10.0),
    rec(1, {"a": 22, "b": 20}, "optimal", 20, 20.0),
    rec(2, {"a": 30, "b": 33}, "bound", 30, 25.0),  # uncertified: a in [1, 1.2]
]


def test_exact_and_estimated_ratios_are_kept_apart():
    s = {x.policy: x for x in summarize(RECORDS, ["a", "b"])}
    a, b = s["a"], s["b"]
    assert (a.trials, a.certified, a.uncertified, a.alg_is_opt) == (3, 2, 1, 1)
    assert (a.beaten, b.beaten) == (1, 2)  # a: trial 1; b: trials 0 and 2
    assert a.mean == pytest.approx((1.0 + 1.1) / 2) and a.max == pytest.approx(1.1)
    assert a.worst_trial == 1 and a.median == pytest.approx(1.05)
    assert a.ub_est_mean == pytest.approx(30 / 25) and a.ub_est_max == pytest.approx(1.2)
    assert a.mean_lo == pytest.approx((1.0 + 1.1 + 1.0) / 3)
    assert a.mean_hi == pytest.approx((1.0 + 1.1 + 1.2) / 3)
    assert b.alg_is_opt == 1 and b.max == pytest.approx(1.2) and b.worst_trial == 0
    # the certified mean never includes an uncertified trial
    assert a.mean < a.mean_hi


def test_no_certified_trial_gives_dashes():
    s = summarize([RECORDS[2]], ["a"])[0]
    assert s.certified == 0 and s.mean is None and s.worst_trial is None
    table = format_table([s])
    assert "UPPER ESTIMATE" in table and " - " in table


def test_trial_ratios_rows():
    r = {x.policy: x for x in trial_ratios(RECORDS[2])}
    assert r["a"].ratio is None and r["a"].ratio_hi == pytest.approx(1.2)


def test_csv_and_json(tmp_path):
    rows = list(csv.DictReader(io.StringIO(to_csv(RECORDS))))
    assert len(rows) == 6
    kinds = {(r["trial"], r["policy"]): r["ratio_kind"] for r in rows}
    assert kinds[("0", "a")] == "exact" and kinds[("2", "b")] == "upper-estimate"
    doc = json.loads(to_json({"family": "f"}, summarize(RECORDS, ["a", "b"]), RECORDS))
    assert doc["sweep"] == {"family": "f"} and len(doc["trials"]) == 3
    assert doc["summary"][0]["policy"] == "a"


def test_write_outputs_with_plot(tmp_path):
    pytest.importorskip("matplotlib")
    paths = {k: str(tmp_path / f"out.{k}") for k in ("csv", "json", "png")}
    write_outputs(
        {"family": "f"},
        RECORDS,
        ["a", "b"],
        csv_path=paths["csv"],
        json_path=paths["json"],
        plot_path=paths["png"],
    )
    with open(paths["png"], "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    with open(paths["json"]) as f:
        assert json.load(f)["summary"][1]["policy"] == "b"

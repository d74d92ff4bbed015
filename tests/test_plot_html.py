"""Tests of kvopt.plot_html and `kvopt plot --html`: the page's data against the verifier,
self-containedness, size at 10^4 requests, escaping, and the command's exit codes.

The page in a real browser: ``tests/test_plot_html_browser.py``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from kvopt.cli import main
from kvopt.io import Solution, load_instance, load_solution, save_solution
from kvopt.model import Instance
from kvopt.plot_html import HTML_TIME_BINS, render_html, write_html
from kvopt.schedule import Schedule
from kvopt.verify import verify

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "instances" / "example6.json"
EX_SOL = ROOT / "instances" / "example6.sol.json"


def page_data(text: str) -> dict:
    """The JSON block the page's script draws from."""
    m = re.search(r'<script type="application/json" id="kvopt-data">(.*?)</script>', text, re.S)
    assert m, "no data block in the page"
    return json.loads(m.group(1))


def evicting(inst: Instance) -> Schedule:
    """example6's shipped schedule plus an evicted run of r5 in round 5 (feasible)."""
    sched = Schedule([*load_solution(EX_SOL).schedule, ("r5", 4, 5)])
    verify(inst, sched)
    return sched


def waves(n: int, per_wave: int = 90, seed: int = 1) -> tuple[Instance, Schedule]:
    """A feasible schedule of ``n`` requests in waves of 50 rounds (every 10th request is
    also evicted once, in the previous wave)."""
    rng = np.random.default_rng(seed)
    prompt, output = rng.integers(1, 51, n), rng.integers(2, 51, n)
    start = (np.arange(n) // per_wave) * 50 + 51
    arrival = np.maximum(0, start - rng.integers(0, 100, n))
    inst = Instance.from_arrays("waves", 10_000, arrival=arrival, prompt=prompt, output=output)
    ev = np.flatnonzero((np.arange(n) % 10 == 0) & (arrival <= start - 50))
    idx = np.concatenate((np.arange(n), ev))
    sched = Schedule.from_indices(
        inst,
        idx,
        np.concatenate((start, start[ev] - 50)),
        np.concatenate((start + output, start[ev] - 49)),
    )
    verify(inst, sched)  # at most 90 * 100 + 9 * 51 <= 10,000 tokens in a round
    return inst, sched


# -- the data drawn is the verifier's --------------------------------------------------


def test_page_data_is_the_verifiers_report():
    inst = load_instance(EX)
    sched = evicting(inst)
    rep = verify(inst, sched)
    page = render_html(inst, {"with eviction": sched})
    d = page_data(page.text)
    (s,) = d["schedules"]
    assert d["memory"] == 12 and d["ids"] == list(inst.ids) and d["detailed"] is True
    assert s["label"] == "with eviction"
    assert s["start"] == rep.start.tolist()
    assert (s["ev_request"], s["ev_start"], s["ev_end"]) == ([4], [4], [5])
    assert s["memory"]["width"] == 1 and s["memory"]["values"] == rep.memory_profile.tolist()
    assert d["horizon"] == rep.makespan == 15
    assert page.panels[0].report.objective == rep.objective == 42


def test_every_run_is_drawn_even_a_repeated_complete_one():
    inst = load_instance(EX)
    sched = Schedule([*load_solution(EX_SOL).schedule, ("r6", 3, 4)])  # r6's run twice
    rep = verify(inst, sched, strict=False)
    assert not rep.feasible
    (s,) = page_data(render_html(inst, [sched]).text)["schedules"]
    assert (s["ev_request"], s["ev_start"], s["ev_end"]) == ([5], [3], [4])
    assert s["memory"]["values"] == rep.memory_profile.tolist()  # counts both copies


def test_long_horizons_keep_the_peak_of_every_group_of_rounds():
    inst, sched = waves(2000, per_wave=10)
    rep = verify(inst, sched)
    assert rep.makespan > HTML_TIME_BINS  # otherwise nothing is grouped
    (s,) = page_data(render_html(inst, [sched], detailed=False).text)["schedules"]
    w, values = s["memory"]["width"], np.array(s["memory"]["values"])
    prof = rep.memory_profile
    assert w > 1 and values.size == -(-prof.size // w) <= HTML_TIME_BINS
    padded = np.concatenate((prof, np.zeros(values.size * w - prof.size, dtype=prof.dtype)))
    assert np.array_equal(values, padded.reshape(-1, w).max(axis=1))
    assert max(values) == rep.peak_memory


def test_lanes_never_overlap_and_evicted_runs_are_listed():
    inst, sched = waves(3000)
    page = render_html(inst, [sched], labels=["waves"])
    (s,) = page_data(page.text)["schedules"]
    rep = page.panels[0].report
    assert page_data(page.text)["detailed"] is False  # 3000 > DETAIL_LIMIT: lanes
    assert len(s["ev_request"]) == rep.evicted_runs > 0
    row, span = np.array(s["row"]), page.panels[0].span
    for lane in np.unique(row)[:50]:
        lo, hi = span[row == lane].T
        order = np.argsort(lo)
        assert np.all(lo[order][1:] >= hi[order][:-1])  # spans in one lane are disjoint
    assert s["rows"] == row.max() + 1 < inst.n


def test_comparison_shares_the_axis_and_reports_the_ratio():
    inst = load_instance(EX)
    best = Schedule.from_starts(inst, np.array([7, 0, 0, 2, 4, 3]))
    opt = Solution("example6", "milp", "optimal", 31, 31, 0.1, best)
    assert verify(inst, best).objective == 31
    page = render_html(inst, [load_solution(EX_SOL), opt], labels=["earliest fit", "optimum"])
    d = page_data(page.text)
    assert [s["label"] for s in d["schedules"]] == ["earliest fit", "optimum"]
    assert d["horizon"] == 15  # the longer schedule's makespan, for both columns
    assert d["top"] == 12
    table = re.search(r'<table id="kvopt-metrics">.*?</table>', page.text, re.S).group(0)
    assert "1.355 × OPT (31)" in table and "1.000 × OPT (31)" in table
    assert table.count("<tr>") == 3  # heading + one row per schedule


def test_page_is_self_contained():
    inst, sched = waves(500)
    text = render_html(inst, [sched]).text
    assert text.startswith("<!DOCTYPE html>")
    for needle in ("src=", "href=", "http:", "https:", "@import", "url(", "<link", "<iframe"):
        assert needle not in text, f"the page refers to something outside it: {needle}"
    assert text.count("<script>") == 2  # the error hook and the drawing code, inline


def test_names_cannot_break_out_of_the_page():
    evil = "</script><script>alert(1)</script>"
    inst = Instance.from_arrays(
        "x<b>", 10, arrival=[0, 0], prompt=[1, 2], output=[2, 3], ids=[evil, "<!--"]
    )
    sched = Schedule.from_starts(inst, np.array([0, 0]))
    text = render_html(inst, {evil: sched}, title="<i>t</i>").text
    assert "alert(1)</script>" not in text and "<i>t</i>" not in text and "x<b>" not in text
    d = page_data(text)
    assert d["ids"] == [evil, "<!--"] and d["schedules"][0]["label"] == evil


def test_differing_arrival_rounds_go_with_their_schedule():
    inst = load_instance(EX)
    sol = load_solution(EX_SOL)
    late = inst.replace(arrival=np.minimum(inst.arrival + 1, [0, 0, 6, 8, 10, 3]))
    d = page_data(render_html(inst, [sol, sol], instances=[inst, late]).text)
    assert "arrival" not in d["schedules"][0]
    assert d["schedules"][1]["arrival"] == late.arrival.tolist()


def test_ten_thousand_requests_stay_small_and_fast(tmp_path):
    import time

    inst, sched = waves(10_000)
    t0 = time.process_time()
    page = write_html(inst, [sched], tmp_path / "big.html")
    cpu = time.process_time() - t0
    size = (tmp_path / "big.html").stat().st_size
    assert size < 600_000, f"the page of 10^4 requests has {size} bytes"
    assert cpu < 3.0
    assert page.panels[0].rows < 400  # lanes, not one row per request


# -- the command -----------------------------------------------------------------------


def test_cli_writes_the_page_without_matplotlib(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # an import of it would fail
    out = tmp_path / "sub" / "ex6.html"
    assert main(["plot", str(EX), str(EX_SOL), "--html", str(out), "--compare", str(EX_SOL)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    d = page_data(out.read_text(encoding="utf-8"))
    assert len(d["schedules"]) == 2


def test_cli_picture_and_page_together(tmp_path):
    pytest.importorskip("matplotlib")
    png, page = tmp_path / "a.png", tmp_path / "a.html"
    assert main(["plot", str(EX), str(EX_SOL), "--out", str(png), "--html", str(page)]) == 0
    assert png.stat().st_size > 5_000 and page.stat().st_size > 5_000


def test_cli_infeasible_schedule_is_drawn_with_exit_1(tmp_path, capsys):
    inst = load_instance(EX)
    bad = Schedule.from_starts(inst, inst.arrival)  # peak 22 > M = 12
    sol_path = tmp_path / "bad.sol.json"
    save_solution(Solution("example6", "greedy", "feasible", None, None, 0.0, bad), sol_path)
    out = tmp_path / "bad.html"
    assert main(["plot", str(EX), str(sol_path), "--html", str(out)]) == 1
    assert "infeasible" in capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert "INFEASIBLE" in text and "no (" in text and "round" in text


def one_line_exit_2(rc: int, err: str, message: str) -> None:
    assert rc == 2 and message in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) <= 2  # argparse adds "(see kvopt plot --help)"


def test_cli_needs_a_picture_or_a_page(capsys):
    rc = main(["plot", str(EX), str(EX_SOL)])
    one_line_exit_2(rc, capsys.readouterr().err, "give --out FILE")


def test_cli_unwritable_page_is_exit_2_before_any_picture(tmp_path, capsys):
    png = tmp_path / "a.png"
    rc = main(["plot", str(EX), str(EX_SOL), "--out", str(png), "--html", str(tmp_path)])
    one_line_exit_2(rc, capsys.readouterr().err, "is a directory")
    assert not png.exists()


def test_cli_detailed_and_aggregate_exclude_each_other(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(
            [
                "plot",
                str(EX),
                str(EX_SOL),
                "--html",
                str(tmp_path / "x.html"),
                "--detailed",
                "--aggregate",
            ]
        )
    one_line_exit_2(e.value.code, capsys.readouterr().err, "not allowed with")


def test_cli_missing_instance_is_exit_2(tmp_path, capsys):
    rc = main(
        ["plot", str(tmp_path / "none.json"), str(EX_SOL), "--html", str(tmp_path / "p.html")]
    )
    err = capsys.readouterr().err
    assert rc == 2 and "none.json" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "p.html").exists()


# -- the browser tests' harness ----------------------------------------------------------


def test_a_missing_browser_skips_locally_and_fails_in_ci(monkeypatch):
    from tests.helpers import browser

    monkeypatch.setenv("KVOPT_CHROMIUM", "no-such-browser-kvopt")
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("KVOPT_REQUIRE_BROWSER", raising=False)
    assert browser.find_chromium() is None and browser.available() is False
    with pytest.raises(pytest.skip.Exception, match="no-such-browser-kvopt"):
        browser.chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required in CI"):
        browser.available()


def test_the_page_script_parses():
    """A syntax check without a browser (node, where installed; the browser tests run it)."""
    import shutil
    import subprocess

    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed (the browser tests run the script)")
    script = ROOT / "kvopt" / "data" / "html" / "plot.js"
    proc = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr

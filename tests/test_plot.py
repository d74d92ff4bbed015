"""Tests of kvopt.plot and `kvopt plot`: files, drawn data against the verifier, errors."""

from __future__ import annotations

import struct
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from kvopt.cli import main  # noqa: E402
from kvopt.errors import KvoptError  # noqa: E402
from kvopt.io import Solution, load_instance, load_solution, save_solution  # noqa: E402
from kvopt.model import Instance  # noqa: E402
from kvopt.plot import (  # noqa: E402
    EVICTED,
    RUNNING,
    WAITING,
    lanes,
    plot_solution,
    plot_solutions,
)
from kvopt.schedule import Schedule  # noqa: E402
from kvopt.verify import verify  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "instances" / "example6.json"
EX_SOL = ROOT / "instances" / "example6.sol.json"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (and check the signature)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def evicting_solution() -> Solution:
    """example6's schedule plus a hand-made evicted run of r5 (round 5, one token)."""
    sol = load_solution(EX_SOL)
    sched = Schedule([*sol.schedule, ("r5", 4, 5)])
    inst = load_instance(EX)
    rep = verify(inst, sched)
    return Solution("example6", "hand-evict", "feasible", rep.objective, None, 0.0, sched)


def wave_instance(n: int, seed: int = 1) -> tuple[Instance, Schedule]:
    """A feasible schedule of ``n`` requests in waves of 20, every 7th evicted once."""
    rng = np.random.default_rng(seed)
    prompt = rng.integers(1, 11, n)
    output = rng.integers(2, 11, n)
    wave = np.arange(n) // 20
    start = wave * 10 + 10
    arrival = np.maximum(0, start - rng.integers(0, 25, n))
    inst = Instance.from_arrays("waves", 500, arrival=arrival, prompt=prompt, output=output)
    ev = np.flatnonzero((np.arange(n) % 7 == 0) & (arrival <= start - 10))
    idx = np.concatenate((np.arange(n), ev))
    st = np.concatenate((start, start[ev] - 10))
    en = np.concatenate((start + output, start[ev] - 9))
    sched = Schedule.from_indices(inst, idx, st, en)
    verify(inst, sched)  # feasible by construction: 20 * 20 + 3 * 20 <= 500
    return inst, sched


# -- files ---------------------------------------------------------------------------


def test_png_is_a_valid_image_of_sensible_size(tmp_path):
    out = tmp_path / "ex6.png"
    assert main(["plot", str(EX), str(EX_SOL), "--out", str(out)]) == 0
    w, h = png_size(out)
    assert 600 <= w <= 3000 and 400 <= h <= 2500
    assert out.stat().st_size > 10_000


def test_svg_and_compare_view(tmp_path):
    other = tmp_path / "evict.sol.json"
    save_solution(evicting_solution(), other)
    out = tmp_path / "cmp.svg"
    rc = main(["plot", str(EX), str(other), "--compare", str(EX_SOL), "--out", str(out)])
    assert rc == 0
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    single = tmp_path / "one.svg"
    assert main(["plot", str(EX), str(EX_SOL), "--out", str(single)]) == 0
    w1 = float(ET.parse(single).getroot().get("width").rstrip("pt"))
    w2 = float(root.get("width").rstrip("pt"))
    assert w2 > 1.5 * w1  # two columns side by side


def test_pdf_written(tmp_path):
    out = tmp_path / "ex6.pdf"
    assert main(["plot", str(EX), str(EX_SOL), "--out", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"


# -- drawn data against the verifier -----------------------------------------------------


def _bars(ax, gid):
    (container,) = [c for c in ax.containers if c.get_label() == "_" + gid]
    return np.array(
        [(r.get_x(), r.get_x() + r.get_width(), r.get_y() + r.get_height() / 2) for r in container]
    )


def test_detailed_panel_matches_report():
    inst = load_instance(EX)
    sol = load_solution(EX_SOL)
    pic = plot_solution(inst, sol)
    (p,) = pic.panels
    rep = verify(inst, sol.schedule)
    assert p.detailed and p.rows == inst.n
    # memory: the report's profile, and the stacked bands add up to it
    np.testing.assert_array_equal(p.memory, rep.memory_profile)
    np.testing.assert_array_equal(p.bands.sum(axis=0), rep.memory_profile)
    np.testing.assert_array_equal(p.memory_edges, np.arange(rep.makespan + 1))
    # the top of the drawn stack is the profile
    steps = p.memory_axes.patches
    tops = np.max([s.get_data().values for s in steps], axis=0)
    np.testing.assert_array_equal(tops, rep.memory_profile)
    # the run bars: one per request, from its start to its completion, on its row
    runs = _bars(p.gantt_axes, "runs")
    order = np.argsort(runs[:, 2])
    np.testing.assert_array_equal(runs[order, 0], rep.start)
    np.testing.assert_array_equal(runs[order, 1], rep.completion)
    # the waiting spans: from arrival to completion
    wait = _bars(p.gantt_axes, "waiting")
    np.testing.assert_array_equal(wait[:, 0], inst.arrival)
    np.testing.assert_array_equal(wait[:, 1], rep.completion)
    assert _bars(p.gantt_axes, "evicted").size == 0
    assert "total latency 42" in p.gantt_axes.get_title()


def test_evicted_run_is_hatched_and_in_memory():
    inst = load_instance(EX)
    sol = evicting_solution()
    (p,) = plot_solution(inst, sol).panels
    rep = verify(inst, sol.schedule)
    assert rep.evicted_runs == 1
    ev = _bars(p.gantt_axes, "evicted")
    np.testing.assert_array_equal(ev[:, :2], [[4, 5]])
    assert ev[0, 2] == inst.index("r5")
    (container,) = [c for c in p.gantt_axes.containers if c.get_label() == "_evicted"]
    assert all(r.get_hatch() for r in container)
    # its memory band: r5's prompt + 1 token in round 5, and nothing elsewhere
    (k,) = np.flatnonzero(p.band_evicted)
    assert p.band_request[k] == inst.index("r5")
    expected = np.zeros(rep.makespan, dtype=np.int64)
    expected[4] = inst.prompt[inst.index("r5")] + 1
    np.testing.assert_array_equal(p.bands[k], expected)
    np.testing.assert_array_equal(p.memory, rep.memory_profile)
    assert "1 evicted run" in p.gantt_axes.get_title()


def test_aggregate_view_matches_report():
    inst, sched = wave_instance(600)
    rep = verify(inst, sched)
    pic = plot_solutions(inst, [sched], time_bins=100)
    (p,) = pic.panels
    assert not p.detailed and p.memory_binned
    width = int(p.memory_edges[1] - p.memory_edges[0])
    prof = rep.memory_profile
    padded = np.concatenate((prof, np.zeros(-prof.size % width, dtype=prof.dtype)))
    np.testing.assert_array_equal(p.memory, padded.reshape(-1, width).max(axis=1))
    # lanes: spans in one lane never overlap
    for r in range(p.rows):
        s = p.span[p.row == r]
        s = s[np.argsort(s[:, 0])]
        assert (s[1:, 0] >= s[:-1, 1]).all()
    assert p.rows == _max_overlap(p.span)


def _max_overlap(span):
    ev = sorted([(a, 1) for a in span[:, 0]] + [(b, -1) for b in span[:, 1]])
    cur = best = 0
    for _, d in ev:
        cur += d
        best = max(best, cur)
    return best


def test_lane_image_is_exact_when_every_round_has_a_column():
    inst, sched = wave_instance(120)
    rep = verify(inst, sched)
    (p,) = plot_solutions(inst, [sched], detailed=False).panels
    cols, width, per_row = p.gantt_extent
    assert width == 1 and per_row == 1
    expected = np.zeros_like(p.gantt_image)
    for i in range(inst.n):
        expected[p.row[i], inst.arrival[i] : rep.completion[i]] = WAITING
    for i, s, e, ev in zip(p.run_request, p.run_start, p.run_end, p.run_evicted, strict=True):
        expected[p.row[i], s:e] = EVICTED if ev else RUNNING
    np.testing.assert_array_equal(p.gantt_image, expected)
    assert (p.gantt_image == EVICTED).sum() == rep.wasted_rounds
    np.testing.assert_array_equal(p.memory, rep.memory_profile)


def test_lanes_edge_cases():
    row, rows = lanes(np.array([0, 0, 2, 5]), np.array([2, 3, 5, 6]))
    assert rows == 2
    assert row[0] != row[1] and row[2] == row[0]
    row, rows = lanes(np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    assert rows == 0 and row.size == 0


def test_title_names_optimum_and_ratio():
    inst = load_instance(EX)
    sol = load_solution(EX_SOL)
    ev = evicting_solution()
    # a solution marked optimal is the reference of the other one
    best = Solution("example6", "exact", "optimal", sol.objective, sol.objective, 0.0, sol.schedule)
    pic = plot_solutions(inst, [ev, best])
    assert pic.panels[0].reference_kind == "optimal"
    assert pic.panels[0].ratio == pytest.approx(1.0)
    assert "OPT 42" not in pic.panels[1].gantt_axes.get_title()
    assert "optimal" in pic.panels[1].gantt_axes.get_title()
    # a lower bound only gives an upper estimate of the ratio
    lb = Solution("example6", "heur", "feasible", 42, 40.0, 0.0, sol.schedule)
    (p,) = plot_solution(inst, lb).panels
    assert p.reference_kind == "bound" and p.ratio == pytest.approx(42 / 40)
    assert "ratio <= 1.050" in p.gantt_axes.get_title()


def test_ten_to_the_five_requests_render_in_seconds(tmp_path):
    inst, sched = wave_instance(100_000)
    t0 = time.perf_counter()
    pic = plot_solutions(inst, [sched])
    pic.save(tmp_path / "big.png")
    elapsed = time.perf_counter() - t0
    assert elapsed < 30, elapsed  # about 1 s unloaded; generous for a shared machine
    (p,) = pic.panels
    assert p.gantt_image.shape[0] <= 400 and p.gantt_image.shape[1] <= 1600
    assert png_size(tmp_path / "big.png")[0] >= 600


def test_empty_instance_plots():
    inst = Instance("empty", 10, [])
    (p,) = plot_solutions(inst, [Schedule()]).panels
    assert p.report.objective == 0 and p.memory.size == 0


# -- errors ------------------------------------------------------------------------------


def _one_line_error(capsys, argv, code=2):
    assert main(argv) == code
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err and "Traceback" not in err
    return err


def test_bad_suffix(capsys, tmp_path):
    err = _one_line_error(capsys, ["plot", str(EX), str(EX_SOL), "--out", str(tmp_path / "x.jpg")])
    assert ".jpg" in err and ".png" in err


def test_missing_and_malformed_files(capsys, tmp_path):
    out = str(tmp_path / "x.png")
    assert "no such file" in _one_line_error(capsys, ["plot", str(EX), "nope.json", "--out", out])
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert "invalid JSON" in _one_line_error(capsys, ["plot", str(EX), str(bad), "--out", out])
    assert not Path(out).exists()


def test_solution_of_another_instance(capsys, tmp_path):
    sol = load_solution(EX_SOL)
    sol.instance = "other"
    path = tmp_path / "other.sol.json"
    save_solution(sol, path)
    out = str(tmp_path / "x.png")
    err = _one_line_error(
        capsys, ["plot", str(EX), str(EX_SOL), "--compare", str(path), "--out", out]
    )
    assert "'other'" in err


def test_unknown_request(capsys, tmp_path):
    sol = load_solution(EX_SOL)
    sol.schedule = Schedule([*sol.schedule, ("zz", 0, 1)])
    path = tmp_path / "unknown.sol.json"
    save_solution(sol, path)
    err = _one_line_error(capsys, ["plot", str(EX), str(path), "--out", str(tmp_path / "x.png")])
    assert "'zz'" in err


def test_infeasible_schedule_is_drawn_with_exit_1(capsys, tmp_path):
    sol = load_solution(EX_SOL)
    sol.schedule = Schedule([("r1", 0, 6), ("r2", 0, 2), ("r3", 0, 3)])
    path = tmp_path / "over.sol.json"
    save_solution(sol, path)
    out = tmp_path / "over.png"
    assert main(["plot", str(EX), str(path), "--out", str(out)]) == 1
    assert png_size(out)[0] > 0
    assert "infeasible" in capsys.readouterr().err
    inst = load_instance(EX)
    (p,) = plot_solution(inst, sol).panels
    assert p.memory.max() > inst.memory
    assert "INFEASIBLE" in p.gantt_axes.get_title()


def test_missing_matplotlib_is_one_line(capsys, tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    err = _one_line_error(capsys, ["plot", str(EX), str(EX_SOL), "--out", str(tmp_path / "x.png")])
    assert "pip install 'kvopt[plot]'" in err


def test_module_imports_without_matplotlib_and_says_what_to_install(monkeypatch):
    import importlib

    import kvopt.plot
    from kvopt.errors import KvoptError

    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    mod = importlib.reload(kvopt.plot)  # importing needs numpy only
    with pytest.raises(KvoptError, match=r"pip install 'kvopt\[plot\]'"):
        mod.plot_solutions(load_instance(EX), [load_solution(EX_SOL)])
    monkeypatch.undo()
    importlib.reload(kvopt.plot)


def test_schedules_of_instances_with_other_arrival_rounds():
    inst = load_instance(EX)
    sol = load_solution(EX_SOL)
    late = inst.replace(arrival=inst.arrival + 1)  # e.g. a seconds-mode simulation
    shifted = Schedule([(r, s + 1, e + 1) for r, s, e in sol.schedule])
    best = Solution("example6", "exact", "optimal", 42, 42.0, 0.0, sol.schedule)
    pic = plot_solutions(inst, [best, shifted], instances=[inst, late])
    a, b = pic.panels
    assert a.report.feasible and b.report.feasible  # each checked against its instance
    np.testing.assert_array_equal(b.span[:, 0], late.arrival)
    assert b.ratio is None  # no ratio across different instances
    with pytest.raises(KvoptError, match="requests and M"):
        plot_solutions(inst, [sol, sol], instances=[inst, inst.replace(memory=13)])
    with pytest.raises(KvoptError, match="2 instances for 1 schedules"):
        plot_solutions(inst, [sol], instances=[inst, inst])


def test_cli_view_flags(tmp_path, capsys):
    out = tmp_path / "agg.png"
    assert main(["plot", str(EX), str(EX_SOL), "--out", str(out), "--aggregate"]) == 0
    assert png_size(out)[0] >= 600
    both = ["--detailed", "--aggregate"]
    with pytest.raises(SystemExit) as exc:  # argparse's own usage error
        main(["plot", str(EX), str(EX_SOL), "--out", str(out), *both])
    assert exc.value.code == 2
    assert "not allowed with" in capsys.readouterr().err
    (p,) = plot_solutions(load_instance(EX), [load_solution(EX_SOL)], detailed=False).panels
    assert not p.detailed and p.gantt_image is not None and p.bands is None


def test_forced_detail_on_many_requests_keeps_the_total_memory(monkeypatch):
    import kvopt.plot

    inst, sched = wave_instance(300)
    monkeypatch.setattr(kvopt.plot, "BAND_CELLS", 1000)
    (p,) = kvopt.plot.plot_solutions(inst, [sched], detailed=True).panels
    assert p.detailed and p.bands is None
    np.testing.assert_array_equal(p.memory, verify(inst, sched).memory_profile)

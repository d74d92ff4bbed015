"""The interactive page in a real browser (headless Chromium): it renders, without errors.

Each test writes a page, opens it once (``tests/helpers/browser.py``: DOM after the scripts ran,
console lines, screenshot) and checks that the script finished (``data-kvopt`` on the
body), that the console stayed silent (the page logs nothing when all is well, and
``console.error`` when a self-check fails), that every plot area has drawn pixels, that
the limit M and evicted runs are there in their colours, and that a replayed hover shows
the run's details. Skipped without Chromium, except in CI (see ``tests/helpers/browser.py``).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("matplotlib")  # the screenshot is read with matplotlib.image

from kvopt.io import Solution, load_instance, load_solution  # noqa: E402
from kvopt.plot_html import render_html, write_html  # noqa: E402
from kvopt.schedule import Schedule  # noqa: E402
from tests.helpers.browser import Opened, open_page  # noqa: E402
from tests.test_plot_html import EX, EX_SOL, evicting, waves  # noqa: E402

WHITE = np.array([1.0, 1.0, 1.0])


def rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[k : k + 2], 16) / 255 for k in (1, 3, 5)])


def share(pixels: np.ndarray, color: np.ndarray, tol: float = 0.06) -> float:
    """Fraction of ``pixels`` within ``tol`` of ``color`` in every channel."""
    return float(np.all(np.abs(pixels - color) <= tol, axis=-1).mean())


def drawn(pixels: np.ndarray) -> float:
    """Fraction of pixels that are not the white background."""
    return 1.0 - share(pixels, WHITE, tol=0.02)


def tooltip(opened: Opened) -> str:
    m = re.search(r'<div id="kvopt-tip"[^>]*>(.*?)</div>', opened.dom, re.S)
    text = re.sub(r"<br>", " | ", m.group(1)) if m else ""
    return re.sub(r"<[^>]+>", "", text)


def assert_rendered(opened: Opened, columns: int) -> None:
    assert opened.console == [], f"console output: {opened.console}"
    assert 'data-kvopt="rendered"' in opened.dom, "the page's script did not finish"
    assert not re.search(r"<html[^>]*data-kvopt-error=", opened.dom), "an uncaught error"
    for k in range(columns):
        for kind in ("gantt", "memory"):
            area = opened.region(f"kvopt-{kind}-{k}")
            assert area.shape[0] > 50 and area.shape[1] > 200, f"{kind} {k}: area {area.shape}"
            assert drawn(area) > 0.08, f"{kind} {k}: only {drawn(area):.3f} of it drawn"
        memory = opened.region(f"kvopt-memory-{k}")
        limit = np.all(np.abs(memory - rgb("#c0392b")) <= 0.06, axis=-1).mean(axis=1)
        # (the hover box may cover part of it)
        assert limit.max() > 0.4, f"column {k}: no line for M across the memory panel"


def test_small_comparison_renders_with_hover_details(tmp_path):
    inst = load_instance(EX)
    best = Schedule.from_starts(inst, np.array([7, 0, 0, 2, 4, 3]))
    opt = Solution("example6", "milp", "optimal", 31, 31, 0.0, best)
    page = tmp_path / "ex6.html"
    write_html(inst, {"with eviction": evicting(inst), "optimum": opt}, page)
    # hover r5's evicted run (row 5 of 6, time 4.5 of an axis to 15 * 1.01 + 0.2)
    opened = open_page(page, tmp_path, fragment=f"#hover=0,gantt,{4.5 / 15.35:.4f},0.75")
    assert_rendered(opened, columns=2)
    tip = tooltip(opened)
    for text in ("request r5", "prompt 1, output 5", "evicted run", "start 4, end 5"):
        assert text in tip, f"{text!r} not in the hover box: {tip!r}"
    assert "memory held: 2 in round 5" in tip and "latency 13" in tip  # done at 15, arrived 2
    gantt = opened.region("kvopt-gantt-0")
    assert share(gantt, rgb("#1f77b4")) > 0.01  # r1's run, in its own colour


def test_memory_hover_names_the_round_and_the_band(tmp_path):
    inst = load_instance(EX)
    page = tmp_path / "ex6-one.html"
    write_html(inst, [load_solution(EX_SOL)], page)
    # round 1 (time 0.5), low in the stack: r1 holds 5 of the 8 tokens at the bottom
    opened = open_page(page, tmp_path, fragment=f"#hover=0,memory,{0.5 / 15.35:.4f},0.97")
    assert_rendered(opened, columns=1)
    tip = tooltip(opened)
    assert "round 1: 8 tokens held" in tip and "M = 12, free 4" in tip, tip
    assert "request r1 holds 5" in tip, tip


def test_a_range_in_the_address_zooms_every_column(tmp_path):
    inst = load_instance(EX)
    page = tmp_path / "ex6-zoom.html"
    sol = load_solution(EX_SOL)
    write_html(inst, [sol, sol], page)
    zoomed = open_page(page, tmp_path, fragment="#view=0,5")
    assert_rendered(zoomed, columns=2)
    blue = rgb("#1f77b4")  # r1's run, [0, 6]: 39% of the whole axis (to 15.35), all of [0, 5]
    for k in range(2):
        x, y, w, h = zoomed.box(f"kvopt-gantt-{k}")
        middle = y + h // 12  # the middle of row r1 (first of six)
        assert share(zoomed.image[middle, x : x + w, :3], blue) > 0.95


def test_ten_thousand_requests_in_lanes_render(tmp_path):
    inst, sched = waves(10_000)
    page = tmp_path / "big.html"
    write_html(inst, {"waves": sched, "again": sched}, page)
    opened = open_page(page, tmp_path, fragment="#hover=1,gantt,0.5,0.5")
    assert_rendered(opened, columns=2)
    for k in range(2):
        gantt = opened.region(f"kvopt-gantt-{k}")
        assert share(gantt, rgb("#3b75af")) > 0.05, "runs in lanes"
        assert share(gantt, rgb("#e1812c")) > 0.001, "evicted runs marked"
    assert "request " in tooltip(opened) and "latency" in tooltip(opened)


@pytest.mark.parametrize("detailed", [True, False], ids=["requests", "lanes"])
def test_infeasible_schedules_render_with_the_overflow_in_red(tmp_path, detailed):
    inst = load_instance(EX)
    on_arrival = Schedule.from_starts(inst, inst.arrival)  # 22 tokens in round 4 > M = 12
    twice = Schedule([*load_solution(EX_SOL).schedule, ("r6", 3, 4)])  # r6's run twice
    page = tmp_path / f"bad-{detailed}.html"
    write_html(inst, {"on arrival": on_arrival, "r6 twice": twice}, page, detailed=detailed)
    opened = open_page(page, tmp_path)
    assert_rendered(opened, columns=2)  # the bands still add up: no console error
    memory = opened.region("kvopt-memory-0")
    if not detailed:  # the columns above M are drawn in red
        assert share(memory, rgb("#e74c3c")) > 0.01


def test_a_failing_self_check_is_caught(tmp_path):
    """The harness can fail: a page whose memory does not add up logs a console error."""
    inst = load_instance(EX)
    text = render_html(inst, [load_solution(EX_SOL)]).text
    broken = text.replace('"values":[', '"values":[1000,', 1)
    assert broken != text
    page = tmp_path / "broken.html"
    page.write_text(broken, encoding="utf-8")
    opened = open_page(page, tmp_path)
    assert any("do not add up" in line for line in opened.console), opened.console
    with pytest.raises(AssertionError, match="console"):
        assert_rendered(opened, columns=1)

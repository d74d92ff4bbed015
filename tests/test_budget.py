"""The model-size budget (kvopt/solvers/budget.py): a loaded machine refuses earlier."""

from __future__ import annotations

import time

import kvopt
from kvopt.solvers.budget import model_entries, model_refusal, slowdown
from kvopt.solvers.common import prepare


def _busy(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_slowdown_is_wall_over_cpu_time():
    wall, cpu = time.perf_counter(), time.process_time()
    assert slowdown(wall, cpu) == 1.0  # too little CPU time to tell
    _busy(0.1)
    assert slowdown(wall, cpu) < 1.5
    time.sleep(0.3)  # the process waits, as it does when the core is shared
    assert slowdown(wall, cpu) > 2.5


def test_a_model_that_fits_on_an_idle_core_is_refused_when_the_core_is_shared():
    inst = kvopt.generate("paper1-synthetic", seed=1, n=12, arrivals="zero")
    windows = prepare(inst, None, lp_windows=False).windows
    rate = 1e-5
    # exactly enough time on an idle core: build = half of the time left
    left = 2 * model_entries(inst, windows) * rate * 1.01
    assert model_refusal(inst, windows, left, rate) is None
    why = model_refusal(inst, windows, left, rate, slowdown=3.0)
    assert why is not None and "3.0x the idle time" in why

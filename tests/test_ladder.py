"""The bound ladder (kvopt/solvers/ladder.py) and ``kvopt bound``: every rung is a proven
lower bound, stronger rungs are not weaker where they converge, and the limit covers all."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

import kvopt
from kvopt.cli import main
from kvopt.solvers.ladder import RUNGS, bound_ladder
from tests.helpers.exhaustive import exhaustive_optimum
from tests.helpers.strategies import random_small_instance

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "instances" / "example6.json"


def test_every_rung_is_at_most_the_optimum_and_the_lps_are_ordered():
    rng = np.random.default_rng(41)
    for _ in range(12):
        inst = random_small_instance(rng, int(rng.integers(2, 6)), bool(rng.integers(2)))
        opt, _ = exhaustive_optimum(inst)
        ladder = {r.name: r for r in bound_ladder(inst)}
        assert list(ladder) == list(RUNGS)
        assert all(r.complete and r.value <= opt for r in ladder.values())
        assert ladder["output"].value <= ladder["area"].value
        assert ladder["lp"].value <= ladder["owner-lp"].value <= ladder["owner-lp-refill"].value


def test_kvopt_bound_prints_every_rung(capsys):
    assert main(["bound", str(EXAMPLE)]) == 0
    lines = capsys.readouterr().out.splitlines()
    values = {line.split()[0]: int(line.split()[1]) for line in lines[2:]}
    assert list(values) == list(RUNGS)
    assert max(values.values()) <= 31  # the proven optimum of example6
    assert main(["bound", str(EXAMPLE), "--json", "--rung", "area"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert [b["rung"] for b in got["bounds"]] == ["area"]


def test_the_time_limit_covers_the_whole_ladder():
    inst = kvopt.generate("paper1-synthetic", seed=1, n=60, arrivals="zero")
    began = time.perf_counter()
    ladder = bound_ladder(inst, time_limit=3.0)
    # the LP's set-up (about 2 s idle) is not interruptible; before the limit covered the
    # ladder, this took 25 s
    assert time.perf_counter() - began < 3.0 + 7.0
    assert any(not r.complete for r in ladder)


def test_bad_time_limit_is_one_line(capsys):
    assert main(["bound", str(EXAMPLE), "--time-limit", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--time-limit" in err

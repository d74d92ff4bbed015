"""Processor-independent floats: exact means and fits, rounding where produced."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from kvopt.model import Instance
from kvopt.numeric import SIGNIFICANT, exact_interp, exact_line, exact_mean, significant

RESTRICTED = {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL X86_V3"}


def test_exact_line_recovers_an_exact_line():
    x = np.arange(1.0, 65.0)
    assert exact_line(x, 3.0 + 0.5 * x) == (3.0, 0.5)


def test_exact_line_agrees_with_least_squares():
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 4096, 200)
    y = 0.05 + 3e-4 * x + rng.normal(0, 1e-3, 200)
    slope, intercept = np.polyfit(x, y, 1)
    b, a = exact_line(x, y)
    assert b == pytest.approx(intercept, rel=1e-9) and a == pytest.approx(slope, rel=1e-9)


@pytest.mark.parametrize(
    ("x", "y", "match"),
    [
        ([1.0], [2.0], "two points"),
        ([1.0, 1.0], [2.0, 3.0], "all x"),
        ([1.0, 2.0], [1.0], "length"),
    ],
)
def test_exact_line_refuses_undetermined_lines(x, y, match):
    with pytest.raises(ValueError, match=match):
        exact_line(np.array(x), np.array(y))


def test_exact_mean_is_correctly_rounded():
    values = [1e16, 1.0, -1e16, 1.0]  # naive left-to-right summation gives 1.0 / 4
    assert exact_mean(values) == 0.5
    assert exact_mean(np.array([2**62, 2**62, 1], dtype=np.int64)) == float((2**63 + 1) / 3)
    with pytest.raises(ValueError):
        exact_mean([])


def test_significant_rounds_to_the_documented_digits():
    assert significant(0.08413044186200666) == 0.084130441862
    assert significant(0.08413044186200665) == 0.084130441862
    assert significant(123456789.123456789, 3) == 123000000.0
    assert significant(0.0) == 0.0 and math.isinf(significant(math.inf))
    x = significant(math.pi)
    assert significant(x) == x and len(repr(x).replace(".", "")) <= SIGNIFICANT + 1


def test_instance_differences_name_the_field_and_both_values():
    a = Instance.from_arrays(
        "x", 10, arrival=[0, 0], prompt=[1, 2], output=[3, 4], metadata={"c": {"d": 0.25}}
    )
    b = a.replace(prompt=[1, 3], metadata={"c": {"d": 0.5}})
    assert a != b
    assert a.differences(b) == [
        "prompt[1] (id r1): 2 != 3",
        "metadata.c.d: 0.25 != 0.5",
    ]
    assert a.differences(a) == [] and a == a.replace()


_PROBE = """
import json
from kvopt.calibration import VARIANTS, calibrated_time_model
from kvopt.generators import generate
from kvopt.io import instance_to_dict
fits = {k: list(vars(calibrated_time_model(k)).values()) for k in sorted(VARIANTS)}
inst = generate("poisson", seed=3, n=50, rate=10.0, time_model="a100-tp2-llama2-70b")
print(json.dumps({"fits": fits, "instance": instance_to_dict(inst)}))
"""


@pytest.mark.shipped_data
def test_fits_and_generated_instances_do_not_depend_on_cpu_dispatch():
    def probe(extra: dict[str, str]) -> dict:
        env = {**os.environ, **extra}
        out = subprocess.run(
            [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout)

    assert probe(RESTRICTED) == probe({})


def test_exact_interp_agrees_with_numpy_and_is_exact():
    xp = np.array([0.0, 1.0, 3.0, 10.0])
    fp = np.array([1.0, 2.0, 0.0, 7.0])
    x = np.array([-1.0, 0.0, 0.5, 2.0, 3.0, 6.5, 10.0, 12.0])
    got = exact_interp(x, xp, fp)
    assert got.tolist() == [1.0, 1.0, 1.5, 1.0, 0.0, 3.5, 7.0, 7.0]
    rng = np.random.default_rng(3)
    xs = np.sort(rng.uniform(0, 1e6, 50))
    fs = rng.uniform(0, 1, 50)
    q = rng.uniform(-1e5, 1.1e6, 500)
    assert exact_interp(q, xs, fs) == pytest.approx(np.interp(q, xs, fs), rel=1e-12, abs=1e-15)
    # one rational value rounded once: 1/3 of the way from 0 to 1
    assert exact_interp(np.array([1.0]), np.array([0.0, 3.0]), np.array([0.0, 1.0]))[0] == 1 / 3


@pytest.mark.parametrize(
    ("xp", "fp", "match"),
    [
        ([], [], "non-empty"),
        ([0.0, 1.0], [1.0], "one length"),
        ([1.0, 1.0], [0.0, 1.0], "increasing"),
    ],
)
def test_exact_interp_rejects_bad_points(xp, fp, match):
    with pytest.raises(ValueError, match=match):
        exact_interp(np.array([0.5]), np.array(xp), np.array(fp))

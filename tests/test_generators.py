"""Every generator: deterministic, valid, round-trips through files, rejects bad input."""

import math

import numpy as np
import pytest

from kvopt.generators import FAMILIES, GeneratorError, generate
from kvopt.generators.rounds import seconds_to_rounds, steady_round_seconds
from kvopt.io import load_instance, save_instance
from kvopt.time_model import UNIT, get_time_model

SMALL = {
    "paper1-synthetic": {"arrivals": "poisson"},
    "poisson": {"n": 200, "rate": 20.0, "noise": 0.2},
    "trace": {"n": 200, "interval": 0.5},
    "identical": {"n": 5},
    "blocking-thin": {"memory": 30},
    "amax-family": {"alpha": 0.25, "n": 30},
    "stochastic": {"n": 50, "types": "1:4,2:3-6", "memory": 20, "arrivals": "poisson"},
}
RANDOM = ("paper1-synthetic", "poisson", "trace", "stochastic")


def test_every_family_is_covered():
    assert set(SMALL) == set(FAMILIES)


@pytest.mark.parametrize("family", sorted(SMALL))
def test_deterministic_and_round_trips(family, tmp_path):
    a = generate(family, seed=7, **SMALL[family])
    b = generate(family, seed=7, **SMALL[family])
    assert a == b
    assert a.metadata["generator"] == family and a.metadata["seed"] == 7
    path = tmp_path / "inst.json"
    save_instance(a, path)
    assert load_instance(path) == a
    if family in RANDOM:
        assert generate(family, seed=8, **SMALL[family]) != a


def test_generator_argument_is_accepted():
    a = generate("paper1-synthetic", seed=np.random.default_rng(3))
    b = generate("paper1-synthetic", seed=np.random.default_rng(3))
    assert a == b and a.metadata["seed"] is None


@pytest.mark.parametrize(
    ("family", "params", "message"),
    [
        ("nope", {}, "unknown family"),
        ("identical", {"colour": 1}, "unknown parameter"),
        ("identical", {"n": "3"}, "must be of type int"),
        ("identical", {"prompt": 5, "output": 6, "memory": 10}, "exceeds memory"),
        ("identical", {"n": 0}, "n must be >= 1"),
        ("paper1-synthetic", {"memory": 5, "prompt_max": 5}, "no room"),
        ("paper1-synthetic", {"n_min": 9, "n_max": 3}, "n_min"),
        ("paper1-synthetic", {"rate": 1.0}, "only used with arrivals=poisson"),
        ("paper1-synthetic", {"arrivals": "burst"}, "must be one of"),
        ("poisson", {"rate": 0.0}, "rate must be > 0"),
        ("poisson", {"time_model": "unit"}, "has no memory"),
        ("poisson", {"lengths": "constant", "prompt_mean": 5000.0}, "prompt \\+ output >"),
        ("poisson", {"rate": float("inf")}, "finite"),
        ("trace", {"n": 10**6}, "exceeds the"),
        ("trace", {"rate_scale": -1.0}, "rate_scale"),
        ("blocking-thin", {"memory": 2}, "memory must be >= 3"),
        ("blocking-thin", {"memory": 30, "thin": 11}, "more than M"),
        ("amax-family", {"alpha": 0.0}, "alpha must be in"),
        ("amax-family", {"memory": 100}, "multiple of lcm"),
        ("identical", {"noise": -0.1}, "noise must be >= 0"),
        ("identical", {"interval": 1.5}, "alpha must be in"),
    ],
)
def test_rejects_impossible_parameters(family, params, message):
    with pytest.raises(GeneratorError, match=message):
        generate(family, seed=0, **params)


def test_bad_seed():
    with pytest.raises(GeneratorError, match="seed"):
        generate("identical", seed=-1)


def test_paper1_ranges():
    for seed in range(30):
        inst = generate("paper1-synthetic", seed=seed)
        assert 30 <= inst.memory <= 50 and 40 <= inst.n <= 60
        assert inst.prompt.min() >= 1 and inst.prompt.max() <= 5
        assert np.all(inst.output <= inst.memory - inst.prompt)
        assert not inst.arrival.any()


def test_paper1_poisson_rate_per_round():
    inst = generate("paper1-synthetic", seed=1, n=4000, arrivals="poisson", rate=1.5)
    counts = np.bincount(inst.arrival)[1:-1]  # complete rounds after the first arrival
    assert counts.mean() == pytest.approx(1.5, rel=0.05)
    assert inst.metadata["rate"] == 1.5


def test_poisson_lengths_and_rounds():
    big = {"memory": 10**7, "context": 10**7}
    inst = generate("poisson", seed=2, n=40000, rate=5.0, **big)
    assert inst.prompt.mean() == pytest.approx(462, rel=0.05)
    assert inst.output.mean() == pytest.approx(210, rel=0.05)
    assert np.median(inst.prompt) < inst.prompt.mean()  # lognormal skew
    t = inst.arrival_time
    assert (len(t) - 1) / t[-1] == pytest.approx(5.0, rel=0.03)
    d = inst.metadata["conversion"]["round_seconds"]
    assert np.array_equal(inst.arrival, np.ceil(t / d - 1e-9).astype(int))
    uni = generate("poisson", seed=2, n=20000, lengths="uniform", **big)
    assert uni.prompt.mean() == pytest.approx(462, rel=0.03)
    assert uni.prompt.max() <= 923
    const = generate("poisson", seed=2, n=10, lengths="constant")
    assert set(const.prompt) == {462} and set(const.output) == {210}


def test_poisson_overflow_modes():
    kw = {"n": 3000, "memory": 2000, "context": 4096}
    res = generate("poisson", seed=4, overflow="resample", **kw)
    clip = generate("poisson", seed=4, overflow="clip", **kw)
    assert res.peak.max() <= 2000 and clip.peak.max() <= 2000
    assert res.metadata["overflow_resample"] > 0
    assert clip.metadata["overflow_clip"] == res.metadata["overflow_resample"]
    with pytest.raises(GeneratorError, match="overflow=clip"):
        generate("poisson", seed=4, overflow="error", **kw)


def test_steady_round_seconds():
    tm = get_time_model("a100-tp2-llama2-70b")
    low = steady_round_seconds(tm, 0.5, 462, 210, 54067)
    high = steady_round_seconds(tm, 50.0, 462, 210, 54067)
    assert low.regime == "light" and high.regime == "saturated"
    assert tm.base < low.seconds < high.seconds
    # continuity at the boundary between the regimes
    lo, hi = 0.01, 50.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if steady_round_seconds(tm, mid, 462, 210, 54067).regime == "light":
            lo = mid
        else:
            hi = mid
    a = steady_round_seconds(tm, lo, 462, 210, 54067).seconds
    b = steady_round_seconds(tm, hi, 462, 210, 54067).seconds
    assert a == pytest.approx(b, rel=1e-6)
    assert steady_round_seconds(UNIT, 3.0, 10, 10, 100).seconds == 1.0
    assert list(seconds_to_rounds(np.array([0.0, 0.5, 1.0, 1.0000001, 3.0]), 0.5)) == [
        0,
        1,
        2,
        3,
        6,
    ]


def test_given_round_seconds():
    inst = generate("poisson", seed=0, n=50, round_seconds=0.1)
    assert inst.metadata["conversion"]["regime"] == "given"
    assert np.array_equal(inst.arrival, seconds_to_rounds(inst.arrival_time, 0.1))
    with pytest.raises(GeneratorError, match="round_seconds"):
        generate("poisson", seed=0, n=5, round_seconds=0.0)


def test_predictions_points():
    base = generate("identical", seed=0, n=50, prompt=1, output=20, memory=100)
    assert base.predicted is None
    exact = generate("identical", seed=0, n=50, prompt=1, output=20, memory=100, noise=0.0)
    assert np.array_equal(exact.predicted, exact.output)
    over = generate("paper1-synthetic", seed=3, noise=0.5, bias="over")  # never below the truth
    assert np.all(over.predicted >= over.output)
    assert np.all(over.predicted <= over.memory - over.prompt)
    # the requests do not change when predictions are added
    plain = generate("paper1-synthetic", seed=3)
    assert np.array_equal(plain.output, over.output)
    sym = generate("identical", seed=1, n=2000, output=100, memory=200, noise=0.3)
    rel = sym.predicted / sym.output - 1
    assert rel.min() >= -0.3 - 1e-9 and rel.max() <= 0.3 + 1e-9 and abs(rel.mean()) < 0.02


@pytest.mark.parametrize("placement", ["uniform", "center", "lower", "upper"])
def test_predictions_intervals(placement):
    inst = generate(
        "identical",
        seed=0,
        n=200,
        prompt=1,
        output=40,
        memory=1000,
        interval=0.25,
        placement=placement,
    )
    lo, hi, o = inst.output_lo, inst.output_hi, inst.output
    assert np.all((lo <= o) & (o <= hi))
    assert np.allclose(lo / hi, 0.25, atol=0.03)
    if placement == "lower":
        assert np.all(lo == o) and np.all(hi == 160)
    if placement == "upper":
        assert np.all(hi == o) and np.all(lo == 10)


def test_interval_capped_at_memory():
    inst = generate(
        "identical", seed=0, n=3, prompt=1, output=8, memory=10, interval=0.5, placement="lower"
    )
    assert np.all(inst.output_hi == 9)
    assert inst.metadata["predictions"]["interval_capped"] == 3


def test_bad_prediction_options():
    with pytest.raises(GeneratorError, match="must be one of"):
        generate("identical", noise=0.1, bias="sideways")
    with pytest.raises(GeneratorError, match="must be one of"):
        generate("identical", interval=0.5, placement="middle")


def test_amax_effective_alpha():
    inst = generate("amax-family", seed=0, alpha=0.3, lower=12)
    assert inst.metadata["upper"] == 40
    assert inst.metadata["alpha_effective"] == pytest.approx(0.3)
    assert inst.memory == math.lcm(13, 41)

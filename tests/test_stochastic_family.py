"""The stochastic-arrival family: rates, horizons, determinism and bad parameters."""

from __future__ import annotations

import numpy as np
import pytest

from kvopt.generators import GeneratorError, generate
from kvopt.generators.stochastic import type_work


def test_load_sets_the_rates_and_is_recorded():
    inst = generate("stochastic", seed=0, n=20000, types="2:20", memory=66, load=0.5)
    lam = inst.metadata["rates"][0]
    assert lam == pytest.approx(0.5 * 66 / (2 * 20 + 210))
    assert inst.metadata["load"] == pytest.approx(0.5)
    # Bernoulli arrivals: at most one per round and type, empirical rate close to lam
    counts = np.bincount(inst.arrival)
    assert counts.max() == 1
    assert inst.n / (inst.arrival[-1] + 1) == pytest.approx(lam, rel=0.05)


def test_mixed_types_poisson_and_round_horizon():
    inst = generate(
        "stochastic",
        seed=1,
        rounds=3000,
        types="1:4,2:12-20",
        mix="1,3",
        rate=0.5,
        arrivals="poisson",
        memory=60,
    )
    assert inst.arrival.max() < 3000
    kinds = np.array(inst.metadata["type"])
    assert set(inst.prompt[kinds == 0].tolist()) == {1}
    assert inst.output[kinds == 1].min() >= 12 and inst.output[kinds == 1].max() <= 20
    assert (kinds == 1).mean() == pytest.approx(0.75, abs=0.05)
    assert inst.n / 3000 == pytest.approx(0.5, rel=0.08)
    expected = np.mean([2 * o + o * (o + 1) / 2 for o in range(12, 21)])
    assert type_work([(2, 12, 20)])[0] == pytest.approx(expected)


def test_same_seed_same_instance():
    a = generate("stochastic", seed=5, n=300, types="1:3,2:6", memory=30, load=0.9)
    b = generate("stochastic", seed=5, n=300, types="1:3,2:6", memory=30, load=0.9)
    assert a == b and a.n == 300


@pytest.mark.parametrize(
    "params, message",
    [
        ({"types": "2:x"}, "types must be"),
        ({"types": "2:30-20"}, "lo must be <= hi"),
        ({"types": "60:20"}, "needs 80 > M"),
        ({"mix": "1,2"}, "mix has 2 entries"),
        ({"rate": 1.0, "load": 0.5}, "not both"),
        ({"rate": 2.0}, "bernoulli needs rates <= 1"),
        ({"n": 10, "rounds": 10}, "n or rounds"),
    ],
)
def test_bad_parameters_are_one_line(params, message):
    with pytest.raises(GeneratorError, match=message):
        generate("stochastic", seed=0, **params)

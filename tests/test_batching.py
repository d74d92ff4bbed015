"""Batch semantics of the calibrated-time simulation (models/batching.md)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvopt.cli import main
from kvopt.errors import KvoptError
from kvopt.generators import generate
from kvopt.model import Instance
from kvopt.policies import make_policy
from kvopt.simulate import simulate
from kvopt.time_model import UNIT, LinearTimeModel
from kvopt.verify import verify
from tests.test_simulate import instances

A100 = "a100-tp2-llama2-70b"

# Computed on main before the batching option existed (commit 44cdbf1): the default must
# reproduce them.
PINNED = {
    "seconds": {
        "objective": 111259,
        "evicted_runs": 17,
        "mean_latency_seconds": 59.670078743,
        "p99_latency_seconds": 176.967971259,
        "mean_ttft_seconds": 47.402897164,
        "makespan_seconds": 231.640565949,
        "energy_joules": 102944.943432,
    },
    "rounds": {
        "objective": 106374,
        "evicted_runs": 16,
        "mean_latency_seconds": 56.393411335,
        "p99_latency_seconds": 171.02874624,
        "mean_ttft_seconds": 44.141786505,
        "makespan_seconds": 231.416848561,
        "energy_joules": 102958.119828,
    },
}


def _trace(mode: str):
    inst = generate(
        "trace", seed=0, trace="azure-conv-2023", n=120, sample="head", memory=8000,
        overflow="clip",
    )  # fmt: skip
    return inst if mode == "seconds" else inst.replace(arrival_time=None)


@pytest.mark.parametrize("mode", ["seconds", "rounds"])
@pytest.mark.parametrize("batching", [None, "mixed"])
def test_default_batching_reproduces_the_metrics_before_the_option(mode, batching):
    kw = {} if batching is None else {"batching": batching}
    res = simulate(_trace(mode), "vllm", A100, **kw)
    summary = res.summary()
    for key, value in PINNED[mode].items():
        assert summary[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
    assert "batching" not in res.metadata


@pytest.mark.parametrize("mode", ["seconds", "rounds"])
def test_prefill_first_is_slower_in_seconds(mode):
    inst = _trace(mode)
    mixed = simulate(inst, "vllm", A100)
    first = simulate(inst, "vllm", A100, batching="prefill-first")
    assert verify(first.instance, first.schedule, allow_eviction=True).feasible
    a, b = mixed.summary(), first.summary()
    for key in ("mean_latency_seconds", "p99_latency_seconds", "makespan_seconds"):
        assert b[key] > a[key] * 1.005, key  # admissions with running decodes pay a base
    assert first.metadata["batching"] == "prefill-first"
    assert b.get("energy_joules") is None  # the energy model sums mixed rounds
    if mode == "rounds":  # the same schedule in model rounds
        assert first.objective == mixed.objective
        assert first.schedule == mixed.schedule


def _stepped_clock(res, model, prefill_first: bool) -> tuple[np.ndarray, np.ndarray]:
    """Seconds at each boundary and at each round's first token, round by round."""
    prof = res.report.profile
    horizon = res.report.makespan
    t0 = int(res.instance.arrival.min())
    clock = np.zeros(horizon + 1)
    token = np.zeros(horizon + 1)
    for r in range(t0 + 1, horizon + 1):
        batch = prof.batch(r)
        first = prof.start[batch] + 1 == r
        dec, pre = int((~first).sum()), int(prof.prompt[batch][first].sum())
        kv = int(res.report.memory_at(r)[0])
        if prefill_first and first.any() and dec:
            kv_new = pre + int(first.sum())
            p = model.round_duration(0, pre, kv_new)
            token[r] = clock[r - 1] + p
            clock[r] = token[r] + model.round_duration(dec, 0, kv - kv_new)
        else:
            clock[r] = clock[r - 1] + model.round_duration(dec, pre, kv)
            token[r] = clock[r]
    return clock, token


@settings(max_examples=30, deadline=None)
@given(instances(predictions=("none",)), st.sampled_from(["mcsf", "vllm", "fcfs"]))
def test_prefill_first_matches_a_round_by_round_reference(inst, name):
    model = LinearTimeModel("test", base=0.05, c_dec=0.001, c_pre=0.0003, c_ctx=1e-5)
    mixed = simulate(inst, make_policy(name), model)
    res = simulate(inst, make_policy(name), model, batching="prefill-first")
    assert res.schedule == mixed.schedule  # rounds: unchanged
    clock, token = _stepped_clock(res, model, True)
    a, c = res.instance.arrival, res.report.completion
    np.testing.assert_allclose(res.latency_seconds, clock[c] - clock[a], atol=1e-9)
    first = res.report.first_start + 1
    np.testing.assert_allclose(res.ttft_seconds, token[first] - clock[a], atol=1e-9)
    assert res.makespan_seconds == pytest.approx(clock[res.report.makespan])
    assert res.makespan_seconds >= mixed.makespan_seconds - 1e-9


def test_prefill_first_stalls_the_decodes_by_the_prefill_pass():
    # r0 decodes alone; r1 is admitted at boundary 2: in prefill-first its prefill pass
    # (1 + 0.1 * 10 = 2 s) runs alone, then r0's decode (1 + 0.5 = 1.5 s).
    model = LinearTimeModel("t", base=1.0, c_dec=0.5, c_pre=0.1)
    inst = Instance.from_arrays("s", 100, arrival=[0, 2], prompt=[5, 10], output=[4, 2])
    mixed = simulate(inst, make_policy("fcfs"), model)
    first = simulate(inst, make_policy("fcfs"), model, batching="prefill-first")
    # mixed: rounds 1: 1.5 (r0 prefill), 2: 1.5, 3: 1 + 0.5 + 1.0 = 2.5, 4: 2.0
    np.testing.assert_allclose(mixed.latency_seconds, [7.5, 4.5])
    np.testing.assert_allclose(first.latency_seconds, [8.5, 5.5])
    np.testing.assert_allclose(first.ttft_seconds, [1.5, 2.0])
    np.testing.assert_allclose(mixed.ttft_seconds, [1.5, 2.5])


@pytest.mark.parametrize("model", [None, UNIT, "unit"])
def test_prefill_first_is_refused_without_a_calibrated_time_model(model):
    inst = _trace("rounds")
    with pytest.raises(KvoptError, match="needs a calibrated time model"):
        simulate(inst, "vllm", model, batching="prefill-first")


def test_unknown_batching_is_refused():
    with pytest.raises(KvoptError, match="unknown batching 'sarathi'"):
        simulate(_trace("rounds"), "vllm", A100, batching="sarathi")


def test_cli_batching(tmp_path, capsys):
    src = tmp_path / "t.json"
    assert main(["generate", "trace", "--n", "30", "--sample", "head", "--out", str(src)]) == 0
    out = tmp_path / "o.json"
    args = ["simulate", str(src), "--policy", "vllm", "--out", str(out)]
    capsys.readouterr()
    assert main([*args, "--batching", "prefill-first"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs a calibrated time model" in err
    assert main([*args, "--time-model", A100, "--batching", "prefill-first", "--json"]) == 0
    assert '"mean_latency_seconds"' in capsys.readouterr().out
    cmp = ["compare", str(src), "--policy", "vllm", "--time-model", A100, "--jobs", "1"]
    assert main([*cmp, "--batching", "prefill-first", "--no-progress"]) == 0
    capsys.readouterr()
    no_model = ["compare", str(src), "--policy", "vllm", "--jobs", "1", "--no-progress"]
    assert main([*no_model, "--batching", "prefill-first"]) == 2
    assert "needs a calibrated time model" in capsys.readouterr().err


# Computed on main before the simulator became a class with one method per event (commit
# c145be7): objective, evicted runs, events, mean latency and makespan in seconds.
PINNED_POLICIES = {
    "mcsf:overflow=evict": (86929, 0, 196, 47.834403324, 215.191892512),
    "fcfs": (114167, 39, 233, 64.505632735, 241.177740411),
    "sf": (93253, 76, 252, 55.822628168, 242.121820488),
    "alpha-clearing": (142770, 0, 205, 72.026335697, 259.346603385),
    "nested-wait": (113314, 2, 546, 59.261967367, 302.1530771),
    "mc-benchmark": (109250, 0, 201, 57.331296204, 226.475301708),
}


@pytest.mark.parametrize("name", sorted(PINNED_POLICIES))
def test_simulator_class_reproduces_main_for_every_kind_of_policy(name):
    res = simulate(_trace("seconds"), name, A100, oracle=True)
    s = res.summary()
    got = (
        res.objective,
        res.evictions,
        res.events,
        s["mean_latency_seconds"],
        s["makespan_seconds"],
    )
    assert got[:3] == PINNED_POLICIES[name][:3]
    assert got[3:] == pytest.approx(PINNED_POLICIES[name][3:], rel=1e-9)

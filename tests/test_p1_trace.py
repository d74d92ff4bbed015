"""P1's real-trace study at small scale: resume from the store, verified schedules, fits."""

from __future__ import annotations

import numpy as np
import pytest

import kvopt
from kvopt.ratio.store import Store
from kvopt.study.curves import checkpoints, fit_slope, latency_curve
from kvopt.study.grid import study_policies
from kvopt.study.p1_trace import StudyConfig, run_study, simulate_spec, study_sweeps
from kvopt.study.summary import best_rows, policy_rows, ratio_rows
from kvopt.study.workloads import make_workload

POLICIES = study_policies(alphas=(0.1, 0.3), phis=(0.2,), watermarks=(0.01,))


def small(seeds: int = 1, **kw) -> StudyConfig:
    kw.setdefault("rates", (50.0,))
    return StudyConfig(n=30, seeds=seeds, policies=POLICIES, **kw)


def test_study_resumes_from_the_store_and_every_schedule_verifies(tmp_path):
    path = tmp_path / "study.sqlite"
    with Store(path) as store:
        records, counts = run_study(small(), store)
    per_seed = len(POLICIES) * 2  # 2 workloads, 1 rate
    assert counts == {"ran": per_seed, "skipped": 0} and len(records) == per_seed
    with Store(path) as store:
        again, counts = run_study(small(), store)
        assert counts == {"ran": 0, "skipped": per_seed} and again == records
        more, counts = run_study(small(seeds=2), store)  # only the new seed runs
    assert counts == {"ran": per_seed, "skipped": per_seed} and len(more) == 2 * per_seed
    by_trial = {(r["workload"], r["rate"], r["trial"]): r for r in more}
    for sweep in study_sweeps(small(seeds=2)):
        for spec in sweep.specs():
            res = simulate_spec(spec)
            report = kvopt.verify(res.instance, res.schedule)
            rec = by_trial[(spec.workload, spec.rate, spec.trial)]
            assert report.objective == rec["objective"] and rec["policy"] == spec.policy.label
            assert rec["energy_per_request_joules"] > 0


def test_summary_picks_the_best_benchmark_and_reports_ratios():
    with Store() as store:
        records, _ = run_study(small(workloads=("lmsys",), rates=(50.0,)), store)
    rows = policy_rows(records)
    bench = [r for r in rows if r["family"] != "mcsf"]
    best = best_rows(rows)[("lmsys", 50.0, "benchmark")]
    assert best["mean_latency_seconds"] == min(r["mean_latency_seconds"] for r in bench)
    ratios = ratio_rows(rows, {50.0: 1 / 3})
    assert {r["mcsf"] for r in ratios} == {"mcsf-oracle", "mcsf-noisy"}
    mc = next(r for r in rows if r["policy"] == "mcsf-oracle")
    oracle = next(r for r in ratios if r["mcsf"] == "mcsf-oracle")
    assert oracle["slope_ratio"] == pytest.approx(mc["slope"] / best["slope"], rel=1e-9)


def test_slope_fit_recovers_a_known_line():
    # latencies c + b (2j - 1) have running means exactly c + b k
    c, b, n = 3.5, 0.25, 1000
    j = np.arange(1, n + 1, dtype=np.float64)
    curve = latency_curve(c + b * (2 * j - 1), j, j[::-1])
    assert curve == pytest.approx(c + b * j, rel=1e-12)
    intercept, slope = fit_slope(curve, fit_from=0.2)
    assert slope == pytest.approx(b, rel=1e-9) and intercept == pytest.approx(c, rel=1e-9)
    # completion order reverses the requests here: the running means of b (2(n - j) + 1) + c
    rev = latency_curve(c + b * (2 * j - 1), j, j[::-1], order="completion")
    assert rev[0] == pytest.approx(c + b * (2 * n - 1))
    assert list(checkpoints(n, 4)) == [250, 500, 750, 1000]
    with pytest.raises(ValueError):
        fit_slope(curve, fit_from=1.0)


def test_lmsys_reconstruction_matches_p1s_medians_and_means():
    inst = make_workload("lmsys", rate=10.0, n=5_000, seed=3, tokens_per_word=1.0)
    assert np.median(inst.prompt) == pytest.approx(11, abs=1)
    assert np.median(inst.output) == pytest.approx(45, rel=0.05)
    assert inst.output.mean() == pytest.approx(85.3, rel=0.08)
    azure = make_workload("azure-conv", rate=50.0, n=500, seed=1)
    t = azure.arrival_time
    assert (azure.n - 1) / (t.max() - t.min()) == pytest.approx(50.0, rel=1e-9)


def test_bad_configuration_is_one_error():
    with pytest.raises(kvopt.KvoptError, match="unknown workload"):
        StudyConfig(workloads=("sharegpt",))
    with pytest.raises(kvopt.KvoptError, match="rates"):
        StudyConfig(rates=(0.0,))

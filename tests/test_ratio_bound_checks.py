import numpy as np
import pytest

from kvopt import Instance, verify
from kvopt.ratio.bound_checks import (
    Finding,
    _against_opt,
    amax_lower,
    amax_upper,
    check_amax,
    check_amin,
    check_mcsf,
    check_sorted_f,
    format_finding,
    sample_interval,
    sample_mcsf,
    sample_sorted_f,
)
from kvopt.ratio.trial import certify
from tests.helpers.ratio_toy import brute_solve, one_at_a_time


def toy_run(factor=1.0):
    def run(inst, name):
        obj = int(verify(inst, one_at_a_time(inst)).objective)
        return int(obj * factor) if name in ("amax", "amin") else obj

    return run


def toy_certify(inst, upper):
    return certify(inst, solvers=("brute",), upper=upper, solve_fn=brute_solve)


def test_samplers_satisfy_the_hypotheses():
    rng = np.random.default_rng(0)
    for _ in range(30):
        m = sample_mcsf(rng)
        assert not m.arrival.any() and len(set(m.prompt.tolist())) == 1
        assert m.memory >= 2 * (m.prompt + m.predicted).max()
        assert (m.predicted == m.output).all()
        i = sample_interval(rng, 0.25)
        assert len(set(i.output_lo.tolist())) == 1 and len(set(i.output_hi.tolist())) == 1
        assert (i.output_lo <= i.output).all() and (i.output <= i.output_hi).all()
        assert i.metadata["alpha"] >= 0.25 and not i.arrival.any()
        s = sample_sorted_f(rng)
        assert not s.arrival.any() and (s.prompt + s.output).max() <= s.memory


def test_curves():
    assert amax_upper(1.0) == amax_lower(1.0) == 1.0
    assert amax_lower(0.25) == pytest.approx(4 * 3 / 2)
    assert amax_upper(0.25) == pytest.approx(4 * 5 / 2)


def small_mcsf(rng):  # tiny, so the exhaustive search in the toy certificate stays fast
    o = rng.integers(1, 3, endpoint=True, size=3)
    s = int(rng.integers(1, 3))
    return Instance.from_arrays(
        "tiny", 2 * (s + int(o.max())), arrival=[0, 0, 0], prompt=[s] * 3, output=o
    )


def test_check_against_opt_held_violated_inconclusive():
    rng = np.random.default_rng(1)
    insts = [small_mcsf(rng) for _ in range(4)]
    held = _against_opt(Finding("x", "", ""), 9216.0, "p", insts, toy_run(), toy_certify)
    assert held.held is True and held.certified == 4 and held.worst_ratio >= 1.0
    assert held.worst_instance.metadata["opt_status"] == "optimal"
    bad = _against_opt(Finding("x", "", ""), 1.0, "p", insts, toy_run(), toy_certify)
    # M >= 2 max(s + o): any two requests fit together, so one-at-a-time is not optimal
    assert bad.worst_ratio > 1.0 and bad.held is False and bad.verdict == "VIOLATED"

    def no_proof(inst, upper):
        return {"status": "bound", "objective": upper["p"], "lower_bound": 0.5 * upper["p"]}

    unc = _against_opt(Finding("x", "", ""), 1.5, "p", insts, toy_run(), no_proof)
    assert unc.held is None and unc.verdict == "inconclusive" and unc.worst_ratio == 2.0


def test_mcsf_and_sorted_f_checks_run_on_tiny_cases():
    rng = np.random.default_rng(2)
    f = check_mcsf(rng, 0, toy_run(), toy_certify)
    assert f.instances == 0 and f.held is True
    g = check_sorted_f(rng, 0, toy_run(), toy_certify)
    assert "48" in g.bound and "verdict" in format_finding(g)


def test_amax_check_flags_a_violation_and_passes_otherwise():
    rng = np.random.default_rng(3)
    ok = check_amax(rng, 3, toy_run(1.0), [1.0, 0.5])
    assert ok.held is True and ok.instances == 6 and len(ok.rows) == 2
    bad = check_amax(rng, 3, toy_run(50.0), [1.0, 0.5])
    assert bad.held is False and bad.verdict == "VIOLATED"
    assert "alpha" in bad.worst_kind


def test_amin_check_reports_growth_without_a_verdict():
    rng = np.random.default_rng(4)
    f = check_amin(rng, 2, toy_run(1.0), [1.0, 0.5, 0.25])
    assert f.held is None and f.verdict == "n/a"
    assert "slope" in f.note and [r["alpha"] for r in f.rows] == [1.0, 0.5, 0.25]

"""The adversarial families' closed forms, checked through the verifier.

proofs/blocking_thin.md and proofs/amax_family.md end with these tests' names.
"""

import itertools
import math

import numpy as np
import pytest

from kvopt import Schedule, ScheduleError, generate, verify
from kvopt.generators import amax, blocking_thin


@pytest.mark.parametrize("memory", [3, 4, 9, 30, 100, 1000, 10_000])
def test_blocking_thin_closed_forms(memory):
    inst = generate("blocking-thin", memory=memory)
    b, t = inst.metadata["blockers"], inst.metadata["thin"]
    assert b == math.ceil(math.sqrt(memory)) and t == memory // 3
    # the policies' schedule (blockers first, one per round) and the optimal one
    policy = verify(inst, Schedule.from_starts(inst, blocking_thin.blockers_first_starts(b, t)))
    opt = verify(inst, Schedule.from_starts(inst, blocking_thin.thin_first_starts(b, t)))
    assert policy.objective == blocking_thin.policy_objective(b, t)
    assert opt.objective == blocking_thin.optimal_objective(b, t)
    assert policy.objective == inst.metadata["policy_objective"]
    # a blocker shares its round with nobody: with a thin request or another blocker the
    # round overflows (the step of the proof that makes OPT's closed form exact)
    starts = blocking_thin.thin_first_starts(b, t)
    for other in (1, b):  # a second blocker, a thin request
        s = starts.copy()
        s[0] = s[other]
        with pytest.raises(ScheduleError, match="memory"):
            verify(inst, Schedule.from_starts(inst, s))


def test_blocking_thin_ratio_grows_like_sqrt_m():
    ratios = {}
    for memory in (100, 10_000, 1_000_000):
        b, t = blocking_thin.counts(memory)
        ratios[memory] = blocking_thin.policy_objective(b, t) / blocking_thin.optimal_objective(
            b, t
        )
    assert ratios[100] > 2.5
    assert ratios[10_000] / math.sqrt(10_000) == pytest.approx(2 / 7, rel=0.05)
    assert ratios[1_000_000] / math.sqrt(1_000_000) == pytest.approx(2 / 7, rel=0.01)


def test_blocking_thin_optimum_by_enumeration():
    """For M = 9 (B = 3 blockers, T = 3 thin) enumerate every non-preemptive schedule with
    starts in 0..6 (blockers and thin requests are interchangeable among themselves, so
    sorted start vectors suffice): none beats the closed form, which is attained."""
    inst = generate("blocking-thin", memory=9)
    b, t = 3, 3
    best = blocking_thin.optimal_objective(b, t)
    found = []
    for blockers in itertools.combinations_with_replacement(range(7), b):
        for thin in itertools.combinations_with_replacement(range(7), t):
            starts = np.array(blockers + thin)
            if sum(blockers) + b + sum(thin) + 2 * t > best:
                continue  # objective = sum of starts + sum of outputs: cannot beat it
            report = verify(inst, Schedule.from_starts(inst, starts), strict=False)
            if report.feasible:
                found.append(report.objective)
    assert found and min(found) == best


@pytest.mark.parametrize(("alpha", "lower", "prompt"), [(0.5, 12, 1), (0.25, 8, 2), (1.0, 5, 1)])
def test_amax_family_closed_forms(alpha, lower, prompt):
    n = 120
    inst = generate("amax-family", alpha=alpha, n=n, lower=lower, prompt=prompt)
    m = inst.metadata
    hi, k_max, k_hsf = m["upper"], m["batch_amax"], m["batch_hsf"]
    assert np.all(inst.output == lower) and np.all(inst.output_hi == hi)
    # batches of k every `lower` rounds are feasible, with the closed-form objective
    for k, key in ((k_max, "amax_objective"), (k_hsf, "hsf_objective")):
        rep = verify(inst, Schedule.from_starts(inst, amax.batch_starts(n, k, lower)))
        assert rep.objective == amax.batch_objective(n, k, lower) == m[key]
    # A_max plans with hi: k_max requests fit under that plan, k_max + 1 do not
    planned = inst.replace(output=inst.output_hi, output_lo=None, output_hi=None)
    verify(planned, Schedule.from_starts(planned, amax.batch_starts(n, k_max, hi)))
    with pytest.raises(ScheduleError, match="memory"):
        verify(planned, Schedule.from_starts(planned, amax.batch_starts(n, k_max + 1, hi)))
    # H-SF knows o = lo: k_hsf fit exactly (M is a multiple of s + lo), k_hsf + 1 do not
    with pytest.raises(ScheduleError, match="memory"):
        verify(inst, Schedule.from_starts(inst, amax.batch_starts(n, k_hsf + 1, lower)))
    assert k_hsf * (prompt + lower) == inst.memory == k_max * (prompt + hi)


def test_amax_ratio_tends_to_one_over_alpha():
    lower, prompt, alpha = 60, 1, 0.25
    inst = generate("amax-family", alpha=alpha, n=1, lower=lower, prompt=prompt)
    k_max, k_hsf = inst.metadata["batch_amax"], inst.metadata["batch_hsf"]
    n = 1000 * k_hsf
    ratio = amax.batch_objective(n, k_max, lower) / amax.batch_objective(n, k_hsf, lower)
    limit = (prompt + inst.metadata["upper"]) / (prompt + lower)
    assert ratio == pytest.approx(limit, rel=1e-2)
    assert limit == pytest.approx(1 / alpha, rel=0.05)

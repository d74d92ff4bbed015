"""Cross-checks between independent parts of kvopt.

No policy may beat a proven optimum (a policy below OPT exposes a bug in the policy, the
simulator, the solver or the verifier), and no lower bound may exceed one.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from kvopt import load_instance, simulate, verify
from kvopt.policies import POLICIES, make_policy
from kvopt.trivial_bounds import trivial_lower_bound

ROOT = Path(__file__).resolve().parents[1]
KNOWN = ROOT / "instances" / "known"


def known_optima() -> list[tuple[str, int]]:
    with open(KNOWN / "optima.csv", newline="") as f:
        return [(row["name"], int(row["optimum"])) for row in csv.DictReader(f)]


OPTIMA = known_optima()


def test_there_are_enough_known_optima():
    assert len(OPTIMA) >= 30


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_no_policy_beats_a_proven_optimum(policy):
    gaps = []
    for name, opt in OPTIMA:
        inst = load_instance(KNOWN / f"{name}.json")
        result = simulate(inst, make_policy(policy))
        report = verify(inst, result.schedule)
        assert report.objective == result.report.objective
        assert report.objective >= opt, f"{policy} beats the optimum of {name}"
        gaps.append(report.objective / opt)
    assert min(gaps) >= 1.0


def test_cheap_bounds_never_exceed_a_proven_optimum():
    for name, opt in OPTIMA:
        inst = load_instance(KNOWN / f"{name}.json")
        assert trivial_lower_bound(inst) <= opt, name


def test_hindsight_shortest_first_is_optimal_somewhere_and_not_everywhere():
    """H-SF (MC-SF with true lengths) is a heuristic: on the known instances it must
    reach the optimum sometimes and miss it sometimes, else one of the two is suspect."""
    hits = 0
    for name, opt in OPTIMA:
        inst = load_instance(KNOWN / f"{name}.json")
        hits += simulate(inst, make_policy("h-sf")).report.objective == opt
    assert 0 < hits < len(OPTIMA)


def test_mcsf_ratio_on_small_random_instances_is_recorded():
    """MC-SF / OPT on small P1-style instances (all at time 0): >= 1, and close to 1 on
    average (P1 reports 1.005 on n = 40..60 with Gurobi); the figures are printed."""
    from kvopt import Instance, solve

    rng = np.random.default_rng(2026)
    ratios = []
    for t in range(12):
        M = int(rng.integers(12, 21))
        n = int(rng.integers(5, 8))
        s = rng.integers(1, 4, n)
        o = np.array([rng.integers(1, M - si + 1) for si in s])
        inst = Instance.from_arrays(
            f"small{t}", M, arrival=np.zeros(n, dtype=int), prompt=s, output=o
        )
        opt = solve(inst, "cpsat", time_limit=30, seed=0)
        assert opt.status == "optimal"
        alg = simulate(inst, make_policy("mcsf")).report.objective
        ratios.append(alg / opt.objective)
    ratios = np.array(ratios)
    print(
        f"MC-SF/OPT on 12 small instances: mean {ratios.mean():.4f}, max {ratios.max():.4f}, "
        f"optimal in {(ratios == 1).sum()}/12"
    )
    assert ratios.min() >= 1.0
    assert ratios.mean() < 1.5


@pytest.mark.parametrize("memory", [10, 30, 100, 400])
def test_blocking_thin_policies_match_the_closed_form(memory):
    """proofs/blocking_thin.md: FCFS, SF and MC-SF run the blockers first."""
    from kvopt import generate

    inst = generate("blocking-thin", memory=memory)
    for policy in ("fcfs", "sf", "mcsf"):
        objective = simulate(inst, make_policy(policy)).report.objective
        assert objective == inst.metadata["policy_objective"], policy


@pytest.mark.parametrize("memory", [10, 16, 25])
def test_blocking_thin_optimum_matches_the_closed_form(memory, solver):
    from kvopt import generate, solve

    inst = generate("blocking-thin", memory=memory)
    res = solve(inst, solver, time_limit=60)
    assert res.status == "optimal"
    assert res.objective == inst.metadata["optimal_objective"], solver


@pytest.mark.parametrize(("alpha", "lower"), [(0.5, 6), (0.25, 4), (1 / 3, 6)])
def test_amax_family_policies_match_the_closed_form(alpha, lower):
    """proofs/amax_family.md: A_max and H-SF start full batches every `lower` rounds."""
    from kvopt import generate

    inst = generate("amax-family", alpha=alpha, n=40, lower=lower)
    assert simulate(inst, make_policy("amax")).report.objective == inst.metadata["amax_objective"]
    assert simulate(inst, make_policy("h-sf")).report.objective == inst.metadata["hsf_objective"]

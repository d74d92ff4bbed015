"""Regret sweeps: E[ALG] - E[hindsight OPT] per policy and horizon, over seeds.

A regret sweep runs, for every horizon (``n`` requests or ``rounds``, the family's
parameter named by ``unit``) and every seed, one trial: generate the instance, simulate
every policy, and pin down the hindsight optimum of that realisation:

* all requests identical (one prompt, one output): the exact optimum of
  :mod:`kvopt.identical_stream` (status ``optimal``);
* otherwise, up to ``exact_max_n`` requests: :func:`kvopt.ratio.trial.certify` (MILP,
  then CP-SAT, within the time limit; the policies' schedules are upper bounds);
* beyond: a bracket, the best policy's total latency above and a certified lower
  bound below, :func:`kvopt.lower_bound` (the owner LP up to ``lp_max_n`` requests,
  the owner-capacity bound beyond; never below the trivial bound).

Policies that plan with predicted lengths see the true outputs when the instance has no
predictions (``oracle=True``; in the stochastic model a request's type, hence its fixed
output, is known at arrival); the record lists them under ``"oracle"``.

Each horizon is one sweep of the ratio lab's store (:class:`kvopt.ratio.store.Store`,
its key includes the horizon and ``"kind": "regret"``), run by
:func:`kvopt.ratio.runner.run_sweep`: resumable, on any executor, with the same
progress bar. Records use the ratio lab's layout plus ``"horizon"``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from kvopt.errors import KvoptError
from kvopt.model import Instance
from kvopt.policies import make_policy
from kvopt.ratio.trial import (
    PolicySpec,
    Sweep,
    TrialSpec,
    certify,
    make_instance,
    trial_record,
)
from kvopt.trivial_bounds import trivial_lower_bound

#: Horizon units: the family parameter a horizon sets.
UNITS = ("n", "rounds")


@dataclass(frozen=True)
class RegretSpec(TrialSpec):
    """A regret trial: a :class:`TrialSpec` with its horizon and OPT limits."""

    horizon: int = 0
    exact_max_n: int = 40
    lp_max_n: int = 500


@dataclass(frozen=True)
class RegretSweep(Sweep):
    """The seeds of one horizon (``params`` holds the horizon as ``unit``)."""

    horizon: int = 0
    exact_max_n: int = 40
    lp_max_n: int = 500

    def config(self) -> dict[str, Any]:
        return {
            **super().config(),
            "kind": "regret",
            "exact_max_n": self.exact_max_n,
            "lp_max_n": self.lp_max_n,
        }

    def specs(self, skip: set[int] | frozenset[int] = frozenset()) -> list[TrialSpec]:
        """The ratio sweep's trials, each with this horizon and these OPT limits."""
        extra = {"horizon": self.horizon, "exact_max_n": self.exact_max_n}
        extra["lp_max_n"] = self.lp_max_n
        return [
            RegretSpec(**{f.name: getattr(s, f.name) for f in fields(s)}, **extra)
            for s in super().specs(skip)
        ]


def horizon_sweeps(
    family: str,
    policies: tuple[PolicySpec, ...],
    horizons: list[int],
    seeds: int,
    *,
    unit: str = "n",
    seed: int = 0,
    params: dict[str, Any] | None = None,
    time_limit: float | None = 10.0,
    exact_max_n: int = 40,
    lp_max_n: int = 500,
) -> list[RegretSweep]:
    """One :class:`RegretSweep` per horizon (validated)."""
    if unit not in UNITS:
        raise KvoptError(f"--unit must be one of {', '.join(UNITS)}, got {unit!r}")
    if not horizons or min(horizons) < 1:
        raise KvoptError(f"horizons must be integers >= 1, got {horizons}")
    params = dict(params or {})
    if unit in params:
        raise KvoptError(f"the horizons set {unit!r}; do not also pass it with --set")
    return [
        RegretSweep(
            family=family,
            policies=policies,
            trials=seeds,
            seed=seed,
            params={**params, unit: int(h)},
            time_limit=time_limit,
            solvers=("identical-stream", "milp", "cpsat"),
            horizon=int(h),
            exact_max_n=exact_max_n,
            lp_max_n=lp_max_n,
        )
        for h in horizons
    ]


def _identical(instance: Instance) -> bool:
    return instance.n > 0 and bool(
        (instance.prompt == instance.prompt[0]).all()
        and (instance.output == instance.output[0]).all()
    )


def hindsight_opt(instance: Instance, spec: RegretSpec, upper: dict[str, int]) -> dict[str, Any]:
    """The hindsight optimum of one realisation, exact or bracketed (module docstring)."""
    from kvopt.solve import solve

    if _identical(instance):
        res = solve(instance, "identical-stream")
        return {
            "status": "optimal",
            "objective": res.objective,
            "lower_bound": float(res.objective),
            "source": "identical-stream",
            "solvers": [{"solver": "identical-stream", "runtime": round(res.runtime, 3)}],
        }
    if instance.n <= spec.exact_max_n:
        return certify(instance, solvers=("milp", "cpsat"), time_limit=spec.time_limit, upper=upper)
    from kvopt.solvers.lp_bound import lower_bound

    source = min(upper, key=upper.__getitem__)
    method = "owner-lp" if instance.n <= spec.lp_max_n else "owner-capacity"
    low = float(lower_bound(instance, time_limit=spec.time_limit, method=method))
    lows = {"trivial": float(trivial_lower_bound(instance)), method: low}
    best = max(lows, key=lows.__getitem__)
    return {
        "status": "bound",
        "objective": upper[source],
        "lower_bound": lows[best],
        "source": source,
        "solvers": [{"solver": best, "lower_bound": lows[best]}],
    }


def regret_trial(spec: TrialSpec) -> dict[str, Any]:
    """One regret trial: generate, simulate every policy, pin down OPT."""
    from kvopt.simulate import simulate

    if not isinstance(spec, RegretSpec):
        raise KvoptError("regret_trial needs a RegretSpec")
    t0 = time.perf_counter()
    inst = make_instance(spec.family, spec.seed, spec.params)
    alg: dict[str, int] = {}
    oracles = []
    for p in spec.policies:
        res = simulate(inst, make_policy(p.name, **dict(p.params)), oracle=True)
        alg[p.label] = int(res.report.objective)
        if res.metadata.get("oracle"):
            oracles.append(p.label)
    opt = hindsight_opt(inst, spec, alg)
    rec = trial_record(spec, inst, alg, opt, time.perf_counter() - t0)
    rec["oracle"] = oracles
    rec["horizon"] = spec.horizon
    rec["load"] = inst.metadata.get("load")
    return rec


def regret_bracket(record: dict[str, Any], policy: str) -> tuple[float, float]:
    """``(ALG - OPT upper, ALG - OPT lower bound)``; equal when OPT is exact."""
    alg = float(record["alg"][policy])
    opt = record["opt"]
    return alg - float(opt["objective"]), alg - float(np.ceil(opt["lower_bound"] - 1e-6))

"""One trial of a ratio sweep: generate an instance, run the policies, certify OPT.

A trial is a pure function of a :class:`TrialSpec` (picklable, so it can run in a
process pool or on a Dask worker) returning a JSON record::

    {"trial": 3, "seed": ..., "instance": "...", "n": 48, "memory": 41,
     "alg": {"mcsf": 1234, "fcfs": 1502},
     "opt": {"status": "optimal" | "bound", "objective": 1230, "lower_bound": 1230.0,
             "source": "cpsat", "solvers": [{"solver": ..., "status": ..., ...}]},
     "runtime": 2.5}

``opt.objective`` is the best total latency known (the exact solvers' schedules *and*
every policy's schedule are upper bounds on OPT: a schedule with evictions keeps its
final runs' completions when the evicted runs are deleted), ``opt.lower_bound`` the best
proven bound (the solvers' bounds, :func:`kvopt.trivial_bounds.trivial_lower_bound` and
:func:`kvopt.owner.owner_capacity_bound`). The
status is ``"optimal"`` exactly when ``ceil(lower_bound) >= objective``: OPT is then
known, and ALG/OPT is an exact ratio. Otherwise the true ratio lies in
``[ALG/objective, ALG/lower_bound]`` and the record says ``"bound"``.

Trial seeds come from ``numpy.random.SeedSequence(seed, spawn_key=(trial,))``: a sweep
is reproducible trial by trial, whatever the order or the machine the trials run on.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kvopt.errors import KvoptError
from kvopt.model import Instance
from kvopt.owner import owner_capacity_bound
from kvopt.schedule import Schedule
from kvopt.trivial_bounds import trivial_lower_bound

#: The exact solvers tried by default, in order; later ones run only if the earlier
#: ones did not prove optimality. The MILP first: it proves more and has the stronger
#: bounds on the P1-like instances we measured (benchmarks/README.md).
DEFAULT_SOLVERS = ("milp", "cpsat")


def trial_seed(seed: int, trial: int) -> int:
    """The seed of trial ``trial`` of a sweep with root ``seed`` (a 63-bit integer)."""
    if seed < 0 or trial < 0:
        raise KvoptError(f"seed and trial must be >= 0, got {seed!r}, {trial!r}")
    ss = np.random.SeedSequence(seed, spawn_key=(trial,))
    return int(ss.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def parse_value(text: str) -> Any:
    """A ``--set`` value: int, float, ``true``/``false``/``none``, or the string."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_assignments(items: Sequence[str], what: str = "--set") -> dict[str, Any]:
    """``["k=v", ...]`` to a dictionary (values through :func:`parse_value`)."""
    out: dict[str, Any] = {}
    for item in items:
        k, sep, v = item.partition("=")
        if not sep or not k.strip():
            raise KvoptError(f"{what} expects key=value, got {item!r}")
        out[k.strip()] = parse_value(v)
    return out


@dataclass(frozen=True)
class PolicySpec:
    """A policy name with parameters, written ``name`` or ``name:key=value,key=value``."""

    name: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def parse(cls, text: str) -> PolicySpec:
        name, _, rest = text.partition(":")
        if not name.strip():
            raise KvoptError(f"empty policy name in {text!r}")
        params = parse_assignments(rest.split(","), "a policy parameter") if rest else {}
        return cls(name.strip(), tuple(sorted(params.items())))

    @property
    def label(self) -> str:
        """How the policy is named in tables: ``name`` or ``name:k=v,...``."""
        if not self.params:
            return self.name
        return self.name + ":" + ",".join(f"{k}={v}" for k, v in self.params)


@dataclass(frozen=True)
class TrialSpec:
    """Everything one trial needs (picklable)."""

    family: str
    params: Mapping[str, Any]
    policies: tuple[PolicySpec, ...]
    trial: int
    seed: int
    time_limit: float | None
    solvers: tuple[str, ...] = DEFAULT_SOLVERS
    lp_bound: bool = False


@dataclass(frozen=True)
class Sweep:
    """A ratio sweep: ``trials`` trials of one family against some policies.

    The configuration except ``trials`` identifies the sweep in a store, so a longer
    sweep extends a shorter one.
    """

    family: str
    policies: tuple[PolicySpec, ...]
    trials: int
    seed: int = 0
    params: Mapping[str, Any] = field(default_factory=dict)
    time_limit: float | None = 10.0
    solvers: tuple[str, ...] = DEFAULT_SOLVERS
    lp_bound: bool = False

    def __post_init__(self) -> None:
        if not self.policies:
            raise KvoptError("a sweep needs at least one policy")
        labels = [p.label for p in self.policies]
        if len(set(labels)) != len(labels):
            raise KvoptError(f"policies given twice: {labels}")
        if self.trials < 0:
            raise KvoptError(f"--trials must be >= 0, got {self.trials}")
        if self.seed < 0:
            raise KvoptError(f"--seed must be >= 0, got {self.seed}")
        if self.time_limit is not None and not self.time_limit > 0:
            raise KvoptError(f"--time-limit must be > 0, got {self.time_limit}")

    def config(self) -> dict[str, Any]:
        """The identifying configuration (JSON-compatible, without ``trials``)."""
        config = {
            "family": self.family,
            "params": dict(self.params),
            "policies": [p.label for p in self.policies],
            "seed": self.seed,
            "time_limit": None if self.time_limit is None else float(self.time_limit),
            "solvers": list(self.solvers),
        }
        if self.lp_bound:  # only when set: sweeps stored without it keep their key
            config["lp_bound"] = True
        return config

    def specs(self, skip: set[int] | frozenset[int] = frozenset()) -> list[TrialSpec]:
        """The trials of the sweep, except those in ``skip``."""
        return [
            TrialSpec(
                self.family,
                dict(self.params),
                self.policies,
                t,
                trial_seed(self.seed, t),
                self.time_limit,
                self.solvers,
                self.lp_bound,
            )
            for t in range(self.trials)
            if t not in skip
        ]


# -- certificates -------------------------------------------------------------------


def combine_certificates(
    uppers: Mapping[str, int | None], lowers: Mapping[str, float | None]
) -> dict[str, Any]:
    """The best known objective and proven bound, and whether they meet.

    Parameters
    ----------
    uppers
        Source name -> total latency of a verified schedule (``None``: no schedule).
    lowers
        Source name -> proven lower bound on OPT (``None``: no bound).
    """
    ups = {k: int(v) for k, v in uppers.items() if v is not None}
    lows = {k: float(v) for k, v in lowers.items() if v is not None}
    source = min(ups, key=ups.__getitem__) if ups else None
    obj = ups[source] if source is not None else None
    lb = max(lows.values()) if lows else None
    if obj is not None and lb is not None and lb > obj + 1e-6 * max(1.0, abs(obj)):
        raise AssertionError(f"lower bound {lb} exceeds a verified objective {obj} ({source})")
    optimal = obj is not None and lb is not None and math.ceil(lb - 1e-6) >= obj
    return {
        "status": "optimal" if optimal else "bound",
        "objective": obj,
        "lower_bound": float(obj) if optimal else lb,
        "source": source,
    }


def certify(
    instance: Instance,
    *,
    solvers: Sequence[str] = DEFAULT_SOLVERS,
    time_limit: float | None = None,
    upper: Mapping[str, int | None] | None = None,
    initial: Schedule | None = None,
    seed: int = 0,
    solve_fn: Callable[..., Any] | None = None,
    lp_bound: bool = False,
) -> dict[str, Any]:
    """OPT of ``instance``, or the best bracket the solvers reach within the time limit.

    Solvers run one after the other, one thread each, and stop as soon as OPT is
    certified (including by a policy's schedule meeting the trivial bound, in which case
    no solver runs).

    Parameters
    ----------
    instance
        The instance.
    solvers
        Names registered with :func:`kvopt.solve`.
    time_limit
        Seconds per solver.
    upper
        Known upper bounds (e.g. the policies' total latencies), by source name.
    initial
        A feasible non-preemptive schedule to warm-start the solvers with.
    seed
        The solvers' random seed.
    solve_fn
        The solve function (default :func:`kvopt.solve.solve`).
    lp_bound
        Also compute :func:`kvopt.lower_bound` (the owner LP, within ``time_limit``)
        when the solvers leave OPT uncertified.
    """
    if solve_fn is None:
        from kvopt.solve import solve as solve_fn
    ups: dict[str, int | None] = dict(upper or {})
    lows: dict[str, float | None] = {
        "trivial": float(trivial_lower_bound(instance)),
        "owner-capacity": float(owner_capacity_bound(instance)),
    }
    runs: list[dict[str, Any]] = []
    best = combine_certificates(ups, lows)
    for name in solvers:
        if best["status"] == "optimal":
            break
        res = solve_fn(instance, name, time_limit=time_limit, threads=1, seed=seed, initial=initial)
        runs.append(
            {
                "solver": name,
                "status": res.status,
                "objective": res.objective,
                "lower_bound": res.lower_bound,
                "runtime": round(float(res.runtime), 3),
            }
        )
        ups[name] = res.objective
        lows[name] = res.lower_bound
        if res.status == "optimal" and res.objective is not None:
            lows[name] = float(res.objective)
        best = combine_certificates(ups, lows)
        if res.schedule is not None and initial is None:
            initial = res.schedule
    if lp_bound and best["status"] != "optimal":
        from kvopt.solvers.lp_bound import lower_bound

        lows["lp"] = float(lower_bound(instance, time_limit=time_limit))
        best = combine_certificates(ups, lows)
        runs.append({"solver": "lp-bound", "lower_bound": lows["lp"]})
    best["solvers"] = runs
    return best


# -- the default trial ----------------------------------------------------------------


def _needs(what: str, issue: str) -> KvoptError:
    return KvoptError(f"kvopt ratio needs {what} ({issue}), which this build does not have")


def make_instance(family: str, seed: int, params: Mapping[str, Any]) -> Instance:
    """``kvopt.generate(family, seed=seed, **params)``."""
    try:
        from kvopt.generators import generate
    except ImportError:
        raise _needs("the instance generators kvopt.generate", "issue 5") from None
    return generate(family, seed=seed, **params)


def check_sweep(sweep: Sweep) -> None:
    """Fail early, with one clear error, on an unknown family, policy, parameter or solver.

    Builds every policy once and generates the first trial's instance, so that a typo
    stops the command before any trial runs instead of failing every trial.
    """
    try:
        from kvopt.policies import make_policy
    except ImportError:
        raise _needs("the simulator and policies", "issue 4") from None
    for p in sweep.policies:
        make_policy(p.name, **dict(p.params))
    from kvopt.solve import get_solver

    for name in sweep.solvers:
        get_solver(name)  # an unknown name: one KvoptError, before any trial fails on it
    make_instance(sweep.family, trial_seed(sweep.seed, 0), sweep.params)


def run_policy(instance: Instance, policy: PolicySpec) -> tuple[int, Schedule]:
    """Simulate ``policy`` on ``instance``: its total latency and schedule.

    Competitive ratios are taken against the hindsight optimum, as in P1's synthetic
    study, where MC-SF knows the output lengths: a policy that plans with predictions
    sees the true outputs when the instance carries none (``oracle=True``), and plans with
    the instance's predictions when it has them (``--noise`` / ``--interval`` families).
    """
    try:
        from kvopt.policies import make_policy
        from kvopt.simulate import simulate
    except ImportError:
        raise _needs("the simulator and policies", "issue 4") from None
    result = simulate(instance, make_policy(policy.name, **dict(policy.params)), oracle=True)
    return int(result.report.objective), result.schedule


def run_trial(spec: TrialSpec) -> dict[str, Any]:
    """The default trial: generate, simulate every policy, certify OPT."""
    t0 = time.perf_counter()
    inst = make_instance(spec.family, spec.seed, spec.params)
    alg: dict[str, int] = {}
    initial: Schedule | None = None
    initial_obj = math.inf
    for p in spec.policies:
        obj, sched = run_policy(inst, p)
        alg[p.label] = obj
        if len(sched) == inst.n and obj < initial_obj:  # non-preemptive: a warm start
            initial, initial_obj = sched, obj
    opt = certify(
        inst,
        solvers=spec.solvers,
        time_limit=spec.time_limit,
        upper=alg,
        initial=initial,
        seed=0,
        lp_bound=spec.lp_bound,
    )
    return trial_record(spec, inst, alg, opt, time.perf_counter() - t0)


def trial_record(
    spec: TrialSpec,
    instance: Instance,
    alg: Mapping[str, int],
    opt: Mapping[str, Any],
    runtime: float,
) -> dict[str, Any]:
    """The JSON record of one trial (the layout in this module's docstring)."""
    return {
        "trial": spec.trial,
        "seed": spec.seed,
        "instance": instance.name,
        "n": instance.n,
        "memory": instance.memory,
        "alg": dict(alg),
        "opt": dict(opt),
        "runtime": round(runtime, 3),
    }

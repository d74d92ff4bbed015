"""P1's real-trace study as a resumable sweep: policies x tuning grids x rates x seeds.

One **trial** is one simulation: a workload (:mod:`kvopt.study.workloads`) at one rate
and seed, one policy configuration (:mod:`kvopt.study.grid`), calibrated time
(``a100-tp2-llama2-70b``) and, as P1 simulated with Vidur's vLLM scheduler,
``batching="prefill-first"`` (kvopt's reconstruction of vLLM v0's prefill-only
admission passes, ``models/batching.md``). Its record holds the mean latency, the
curve of average latency against requests served (at stored checkpoints) and its
fitted slope (:mod:`kvopt.study.curves`), evictions, and the energy
(:func:`kvopt.energy.schedule_energy` with the same batching). Every schedule is
checked by :func:`kvopt.verify` inside :func:`kvopt.simulate`.

One **sweep** of the ratio lab's store (:class:`kvopt.ratio.store.Store`) is one
(workload, rate): its trials are every policy configuration x seed, seed-major (trial
``s * P + p`` is policy ``p`` on seed ``s``), its key the whole configuration except the
number of seeds, so ``seeds=5`` after ``seeds=1`` runs only the new seeds.
:func:`run_study` runs the missing trials on any executor
(:func:`kvopt.ratio.executors.make_executor`: serial, local processes or Dask) through
:func:`kvopt.ratio.runner.run_sweep`, so a killed study resumes where it stopped and
two drivers on one store split the work.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from kvopt.energy import power_model_for, schedule_energy
from kvopt.errors import KvoptError
from kvopt.metrics import clock_start
from kvopt.model import Instance
from kvopt.numeric import significant
from kvopt.ratio.executors import Executor
from kvopt.ratio.runner import run_sweep
from kvopt.ratio.store import Store
from kvopt.ratio.trial import trial_seed
from kvopt.simulate import SimResult, simulate
from kvopt.study.curves import checkpoints, fit_slope, fit_window, latency_curve
from kvopt.study.grid import StudyPolicy, study_policies
from kvopt.study.workloads import P1_MEMORY, TOKENS_PER_WORD, WORKLOADS, make_workload

#: P1's reported slope ratios MC-SF / best benchmark (high demand: 50/s, low: 10/s).
P1_SLOPE_RATIO = {50.0: 1 / 3, 10.0: 1 / 8}


@dataclass(frozen=True)
class StudyConfig:
    """Everything that defines the study (the sweeps' keys are built from it)."""

    workloads: tuple[str, ...] = WORKLOADS
    rates: tuple[float, ...] = (50.0, 10.0)
    seeds: int = 5
    n: int = 10_000
    memory: int = P1_MEMORY
    tokens_per_word: float = TOKENS_PER_WORD
    noise: float = 0.2
    time_model: str = "a100-tp2-llama2-70b"
    batching: str = "prefill-first"
    fit_from: float = 0.2
    order: str = "arrival"
    curve_points: int = 100
    seed: int = 0
    policies: tuple[StudyPolicy, ...] = field(default_factory=study_policies)

    def __post_init__(self) -> None:
        bad = [w for w in self.workloads if w not in WORKLOADS]
        if bad:
            raise KvoptError(f"unknown workload {bad[0]!r} (known: {', '.join(WORKLOADS)})")
        if self.seeds < 1 or self.n < 2:
            raise KvoptError(f"need seeds >= 1 and n >= 2, got {self.seeds}, {self.n}")
        if not self.rates or min(self.rates) <= 0:
            raise KvoptError(f"rates must be > 0 requests per second, got {self.rates}")
        fit_window(self.n, self.fit_from)  # refuses a bad fit_from

    def common(self) -> dict[str, Any]:
        """The JSON-compatible settings shared by every trial."""
        d = asdict(self)
        for k in ("workloads", "rates", "seeds", "policies"):
            d.pop(k)
        return d


@dataclass(frozen=True)
class TraceSpec:
    """One trial: a policy on one (workload, rate, seed) instance (picklable)."""

    trial: int
    seed: int
    seed_index: int
    workload: str
    rate: float
    policy: StudyPolicy
    settings: tuple[tuple[str, Any], ...]

    def setting(self, name: str) -> Any:
        """One of the :meth:`StudyConfig.common` settings."""
        return dict(self.settings)[name]


@dataclass(frozen=True)
class TraceSweep:
    """The trials of one (workload, rate): every policy x seed (the ratio lab's sweep).

    Trials are seed-major, so consecutive trials share their instance
    (:func:`kvopt.study.workloads.make_workload` keeps the last few per process).
    """

    config_: StudyConfig
    workload: str
    rate: float

    @property
    def trials(self) -> int:
        return len(self.config_.policies) * self.config_.seeds

    def config(self) -> dict[str, Any]:
        c = self.config_
        return {
            "kind": "p1-trace",
            "workload": self.workload,
            "rate": float(self.rate),
            "policies": [asdict(p) for p in c.policies],
            **c.common(),
        }

    def specs(self) -> list[TraceSpec]:
        c, settings = self.config_, tuple(sorted(self.config_.common().items()))
        out = []
        for t in range(self.trials):
            s, p = divmod(t, len(c.policies))
            seed = trial_seed(c.seed, s)
            out.append(
                TraceSpec(t, seed, s, self.workload, float(self.rate), c.policies[p], settings)
            )
        return out


def instance_of(spec: TraceSpec) -> Instance:
    """The instance a trial simulates (with predictions only for a noisy MC-SF)."""
    noise = spec.setting("noise") if spec.policy.predictions else None
    return make_workload(
        spec.workload, rate=spec.rate, n=spec.setting("n"), seed=spec.seed,
        memory=spec.setting("memory"), tokens_per_word=spec.setting("tokens_per_word"),
        noise=noise, time_model=spec.setting("time_model"),
    )  # fmt: skip


def simulate_spec(spec: TraceSpec) -> SimResult:
    """Run the trial's simulation (verified by :func:`kvopt.simulate`)."""
    return simulate(
        instance_of(spec),
        spec.policy.spec,
        spec.setting("time_model"),
        oracle=True if spec.policy.oracle else None if spec.policy.predictions else False,
        batching=spec.setting("batching"),
    )


def trial_energy(res: SimResult, batching: str) -> dict[str, float | None]:
    """Joules and joules per request of a simulation under its batch semantics."""
    power = power_model_for(res.time_model)
    if power is None or res.time_model is None or res.makespan_seconds is None:
        return {"energy_joules": None, "energy_per_request_joules": None}
    span = res.makespan_seconds - clock_start(res)
    e = schedule_energy(res.instance, res.schedule, res.time_model, power, span, batching)
    return {"energy_joules": e.joules, "energy_per_request_joules": e.per_request}


def run_trace_trial(spec: TraceSpec) -> dict[str, Any]:
    """The record of one trial (the ratio lab's trial function: module level, picklable)."""
    t0 = time.perf_counter()
    res = simulate_spec(spec)
    lat = res.latency_seconds
    if lat is None:
        raise KvoptError("the study needs a calibrated time model")
    completion = res.report.completion
    fit_from, order = spec.setting("fit_from"), spec.setting("order")
    other = "completion" if order == "arrival" else "arrival"
    curve = latency_curve(lat, res.instance.arrival_time, completion, order)
    alt = latency_curve(lat, res.instance.arrival_time, completion, other)
    b0, b1 = fit_slope(curve, fit_from)
    ks = checkpoints(len(curve), spec.setting("curve_points"))
    return {
        "trial": spec.trial,
        "seed": spec.seed,
        "seed_index": spec.seed_index,
        "workload": spec.workload,
        "rate": spec.rate,
        "policy": spec.policy.label,
        "family": spec.policy.family,
        "oracle": spec.policy.oracle,
        "objective": res.objective,
        "mean_latency_seconds": significant(float(curve[-1])),
        "slope": b1,
        "intercept": b0,
        f"slope_{other}": fit_slope(alt, fit_from)[1],
        "curve_k": ks.tolist(),
        "curve": [significant(float(v)) for v in curve[ks - 1]],
        f"curve_{other}": [significant(float(v)) for v in alt[ks - 1]],
        "evictions": res.evictions,
        "makespan_seconds": significant(float(res.makespan_seconds or 0.0)),
        **trial_energy(res, spec.setting("batching")),
        "runtime": round(time.perf_counter() - t0, 3),
    }


def study_sweeps(config: StudyConfig) -> list[TraceSweep]:
    """One sweep per (workload, rate), in that order."""
    return [TraceSweep(config, w, float(r)) for w in config.workloads for r in config.rates]


def run_study(
    config: StudyConfig,
    store: Store,
    executor_factory: Callable[[], Executor] | None = None,
    progress: bool | None = None,
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Run the missing trials of every sweep; all records, and trials run / skipped.

    Raises
    ------
    KvoptError
        If a trial failed (its error is stored; rerunning retries it).
    """
    records: list[dict[str, Any]] = []
    counts = {"ran": 0, "skipped": 0}
    for sweep in study_sweeps(config):
        ex = executor_factory() if executor_factory is not None else None
        out = run_sweep(sweep, store, trial_fn=run_trace_trial, executor=ex, progress=progress)
        if out.errors:
            trial, msg = next(iter(sorted(out.errors.items())))
            raise KvoptError(
                f"p1-trace: {len(out.errors)} trial(s) failed ({sweep.workload}, rate "
                f"{sweep.rate:g}); first, trial {trial}: {msg}"
            )
        records += out.records
        counts["ran"] += len(out.ran)
        counts["skipped"] += out.skipped
    return records, counts


def mean_curve(recs: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """The checkpoints and the mean over seeds of the stored curves."""
    return np.asarray(recs[0]["curve_k"]), np.mean([r["curve"] for r in recs], axis=0)

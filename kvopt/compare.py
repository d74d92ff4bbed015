"""Compare online policies on one instance: every schedule verified, one table.

:func:`compare` simulates each policy (in parallel processes with ``jobs > 1``), checks
every schedule with :func:`kvopt.verify`, and returns a :class:`CompareTable`: one row
per policy with mean / p50 / p90 / p99 latency, time to first token, throughput, evicted
runs and wasted rounds, mean memory and, when the time model's hardware has a power model
(:mod:`kvopt.energy`), energy per request and per output token. With a time model the
figures are in seconds, without one in rounds (:attr:`CompareTable.unit`). Policies that
see true outputs (clairvoyant, or allowed with ``oracle=True`` to plan with outputs the
instance has no predictions for) are labelled ``oracle`` in every row, table and plot.

Examples
--------
>>> import kvopt
>>> inst = kvopt.load_instance("instances/example6.json")
>>> table = kvopt.compare(inst, ["fcfs", "vllm:eviction=sglang"])
>>> [r["policy"] for r in table.to_records()]
['fcfs', 'vllm:eviction=sglang']
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from kvopt.engine import Engine
from kvopt.errors import KvoptError
from kvopt.files import ensure_directory
from kvopt.io import Solution, save_solution, solution_document
from kvopt.model import Instance
from kvopt.numeric import exact_mean
from kvopt.policies.oracle import check_predictions
from kvopt.policies.spec import label, policy_from_spec
from kvopt.series import Series, series_of
from kvopt.simulate import simulate
from kvopt.time_model import get_time_model
from kvopt.verify import verify

#: Columns of a comparison (records keys), in table order.
COLUMNS = (
    "policy",
    "oracle",
    "mean_latency",
    "p50_latency",
    "p90_latency",
    "p99_latency",
    "mean_ttft",
    "p99_ttft",
    "throughput_requests",
    "throughput_tokens",
    "evicted_runs",
    "wasted_rounds",
    "mean_memory",
    "peak_memory",
    "energy_joules",
    "energy_per_request_joules",
    "energy_per_output_token_joules",
    "objective",
    "makespan",
)


@dataclass(frozen=True)
class PolicyRun:
    """One policy's result in a comparison: its row, the series plots draw, its schedule.

    ``solution`` (the verified schedule in the solution-file format) is kept only when
    :func:`compare` is asked to save the schedules.
    """

    record: dict[str, Any]
    series: Series = field(repr=False)
    runtime: float = 0.0
    solution: Solution | None = field(default=None, repr=False)


def file_stem(label: str) -> str:
    """A policy label as a file-name part: ``vllm:eviction=sglang`` -> ``vllm-eviction-sglang``."""
    return re.sub(r"[^A-Za-z0-9._]+", "-", label).strip("-") or "policy"


def _round_figures(res: Any) -> dict[str, Any]:
    """Row figures in rounds (no time model)."""
    rep = res.report
    lat = rep.latency.astype(np.float64)
    ttft = rep.ttft.astype(np.float64)
    span = max(1, rep.makespan - int(res.instance.arrival.min())) if res.instance.n else 1
    pct = np.percentile(lat, (50, 90, 99)) if lat.size else (None,) * 3
    return {
        "mean_latency": rep.mean_latency,
        "p50_latency": pct[0],
        "p90_latency": pct[1],
        "p99_latency": pct[2],
        "mean_ttft": exact_mean(ttft) if ttft.size else None,
        "p99_ttft": float(np.percentile(ttft, 99)) if ttft.size else None,
        "throughput_requests": res.instance.n / span,
        "throughput_tokens": int(res.instance.output.sum()) / span,
    }


def _second_figures(summary: dict[str, Any]) -> dict[str, Any]:
    """Row figures in seconds, from a timed simulation's summary."""
    keys = ("mean", "p50", "p90", "p99")
    out = {f"{k}_latency": summary.get(f"{k}_latency_seconds") for k in keys}
    out["mean_ttft"] = summary.get("mean_ttft_seconds")
    out["p99_ttft"] = summary.get("p99_ttft_seconds")
    out["throughput_requests"] = summary.get("throughput_requests_per_second")
    out["throughput_tokens"] = summary.get("throughput_tokens_per_second")
    return out


def _rounded(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        return round(float(v), 9)
    if isinstance(v, np.integer):
        return int(v)
    return v


def pack(instance: Instance) -> dict[str, Any]:
    """``instance`` as picklable columns for :meth:`Instance.from_arrays` (worker tasks)."""
    cols = ("arrival", "prompt", "output", "predicted", "output_lo", "output_hi", "arrival_time")
    data: dict[str, Any] = {c: getattr(instance, c) for c in cols}
    data.update(name=instance.name, memory=instance.memory, ids=list(instance.ids))
    data["metadata"] = dict(instance.metadata)
    return data


def run_one(
    instance: Instance | dict[str, Any],
    spec: Any,
    time_model: str | None,
    oracle: bool,
    keep: bool = False,
    engine: Engine | None = None,
) -> PolicyRun:
    """Simulate one policy, verify its schedule again, and build its row (a worker task)."""
    if isinstance(instance, dict):
        instance = Instance.from_arrays(**instance)
    policy = policy_from_spec(spec) if isinstance(spec, str) else spec
    options = (Engine() if engine is None else engine).options()
    res = simulate(instance, policy, time_model, oracle=bool(oracle), **options)
    rep = verify(res.instance, res.schedule, allow_eviction=bool(policy.may_evict))
    summary = res.summary()
    figures = _second_figures(summary) if res.time_model is not None else _round_figures(res)
    record = {
        "policy": spec if isinstance(spec, str) else label(policy),
        "oracle": bool(res.metadata["oracle"]),
        **figures,
        "evicted_runs": rep.evicted_runs,
        "wasted_rounds": rep.wasted_rounds,
        "mean_memory": rep.mean_memory,
        "peak_memory": rep.peak_memory,
        "energy_joules": summary.get("energy_joules"),
        "energy_per_request_joules": summary.get("energy_per_request_joules"),
        "energy_per_output_token_joules": summary.get("energy_per_output_token_joules"),
        "objective": rep.objective,
        "makespan": summary.get("makespan_seconds") if res.time_model else rep.makespan,
    }
    record = {k: _rounded(record[k]) for k in COLUMNS}
    return PolicyRun(record, series_of(res), res.runtime, res.to_solution() if keep else None)


@dataclass
class CompareTable:
    """The result of :func:`compare`: one row per policy, in the order given.

    Attributes
    ----------
    instance
        The instance's name.
    unit
        ``"seconds"`` (with a time model) or ``"rounds"``.
    time_model
        The time model's name, or ``None``.
    runs
        One :class:`PolicyRun` per policy (rows and plot series).
    """

    instance: str
    unit: str
    time_model: str | None
    runs: list[PolicyRun]

    def to_records(self) -> list[dict[str, Any]]:
        """Rows as dictionaries (``pandas.DataFrame(table.to_records())``), with the unit."""
        return [{**r.record, "unit": self.unit} for r in self.runs]

    def to_csv(self, path: str | os.PathLike[str] | None = None) -> str:
        """The records as CSV text; also written to ``path`` when given."""
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=[*COLUMNS, "unit"], lineterminator="\n")
        writer.writeheader()
        for rec in self.to_records():
            writer.writerow({k: "" if v is None else v for k, v in rec.items()})
        text = buf.getvalue()
        if path is not None:
            _write(path, text)
        return text

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The comparison as JSON (instance, unit, time model, records)."""
        data = {
            "instance": self.instance,
            "unit": self.unit,
            "time_model": self.time_model,
            "records": self.to_records(),
        }
        text = json.dumps(data, indent=2) + "\n"
        if path is not None:
            _write(path, text)
        return text

    def format(self, width: int = 200) -> str:
        """The aligned table as text (:mod:`kvopt.report_table`)."""
        from kvopt.report_table import render_comparison

        return render_comparison(self, width=width)

    def __str__(self) -> str:
        return self.format()

    def plot(self, path: str | os.PathLike[str]) -> Any:
        """Latency CDFs, latency, memory and queue over time (:mod:`kvopt.compare_plot`)."""
        from kvopt.compare_plot import plot_comparison

        return plot_comparison(self, path)


def _write(path: str | os.PathLike[str], text: str) -> None:
    from kvopt.files import write_text_atomic

    write_text_atomic(path, text)


def _prepare(instance: Instance, policies: Sequence[Any], oracle: bool) -> list[Any]:
    """Validate every policy and the prediction rule before anything runs."""
    if not policies:
        from kvopt.policies.base import PolicyError

        raise PolicyError("compare needs at least one policy")
    built = []
    for spec in policies:
        policy = policy_from_spec(spec) if isinstance(spec, str) else spec
        check_predictions(policy, instance, bool(oracle))
        built.append(spec if isinstance(spec, str) else policy)
    return built


def compare(
    instance: Instance,
    policies: Sequence[Any],
    *,
    time_model: str | None = None,
    jobs: int | None = None,
    oracle: bool = False,
    progress: Callable[[PolicyRun], None] | None = None,
    out: str | os.PathLike[str] | None = None,
    batching: str = "mixed",
    engine: Engine | None = None,
) -> CompareTable:
    """Simulate ``policies`` on ``instance``, verify every schedule, and tabulate.

    Parameters
    ----------
    instance
        The instance.
    policies
        Names as on the command line (``"mcsf"``, ``"vllm:eviction=sglang"``) or
        :class:`~kvopt.policies.base.Policy` objects.
    time_model
        A registered time model's name: figures in seconds (and energy when its hardware
        has a power model); ``None``: rounds.
    jobs
        Worker processes (default: one per policy, at most the CPU count); 1 runs in
        this process.
    oracle
        Let policies that plan with predictions see true outputs on an instance without
        predictions (otherwise such a policy is refused before anything runs).
    progress
        Called with each :class:`PolicyRun` as it finishes (e.g. to advance a bar).
    out
        A directory: each policy's verified schedule is written there as it finishes,
        ``<instance>.<policy>.sol.json`` (check it with ``kvopt verify``); ``"-"``: each
        solution file as one JSON line on standard output instead.
    batching
        Batch semantics of the calibrated-time simulation (:func:`kvopt.simulate.simulate`,
        ``models/batching.md``): ``"mixed"`` (default), ``"prefill-first"`` or
        ``"chunked"`` (the latter needs ``engine`` for its token budget).
    engine
        All engine settings (:class:`kvopt.engine.Engine`: batching, batch caps, KV
        block size, recompute); when given, ``batching`` must be left at ``"mixed"``.

    Raises
    ------
    PolicyError
        For an unknown policy or parameter, or a prediction-using policy on an instance
        without predictions when ``oracle`` is false.
    SimulationError
        If a policy breaks a rule (e.g. a non-evicting policy overflows).
    """
    specs = _prepare(instance, policies, oracle)
    if time_model is not None:
        get_time_model(time_model)  # an unknown name fails before any work
    if engine is None:
        engine = Engine(batching=batching)
    elif batching != "mixed":
        raise KvoptError("give batching in engine, not both (kvopt.compare)")
    engine.check(get_time_model(time_model) if time_model else None)
    if jobs is None:
        jobs = min(len(specs), os.cpu_count() or 1)
    to_stdout = out is not None and str(out) == "-"
    if out is not None and not to_stdout:
        ensure_directory(out)
    results: list[PolicyRun | None] = [None] * len(specs)

    def finished(k: int, run: PolicyRun) -> None:
        if run.solution is not None and to_stdout:
            print(json.dumps(solution_document(run.solution, instance)), flush=True)
            run = replace(run, solution=None)
        elif run.solution is not None and out is not None:
            stem = f"{instance.name}.{file_stem(run.record['policy'])}.sol.json"
            save_solution(run.solution, Path(out) / stem, instance=instance)
            run = replace(run, solution=None)
        results[k] = run
        if progress is not None:
            progress(run)

    keep = out is not None
    if jobs <= 1 or len(specs) == 1:
        for k, spec in enumerate(specs):
            finished(k, run_one(instance, spec, time_model, oracle, keep, engine))
    else:
        packed = pack(instance)
        with ProcessPoolExecutor(max_workers=min(jobs, len(specs))) as pool:
            futures = {
                pool.submit(run_one, packed, spec, time_model, oracle, keep, engine): k
                for k, spec in enumerate(specs)
            }
            for fut in as_completed(futures):
                finished(futures[fut], fut.result())
    unit = "seconds" if time_model is not None else "rounds"
    return CompareTable(instance.name, unit, time_model, [r for r in results if r])


__all__ = ["COLUMNS", "CompareTable", "PolicyRun", "compare", "run_one"]

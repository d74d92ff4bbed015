"""Run a sweep: skip the stored trials, run the rest anywhere, store each as it ends.

:func:`run_sweep` registers the sweep in the store, claims the missing trials one at a
time as the executor (:mod:`kvopt.ratio.executors`) has room for them
(:class:`~kvopt.ratio.store.Claims`), and writes every outcome to the store the moment
it arrives. Interrupting it (Ctrl-C, a crash, a killed job) loses only the trials in
flight; calling it again with the same sweep runs only those. Several drivers on one
store split the trials between them, and each waits for the others' trials before it
reports, so every driver ends with the whole sweep.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kvopt.ratio.executors import Executor, Serial
from kvopt.ratio.store import DEFAULT_LEASE, Claims, Store
from kvopt.ratio.trial import Sweep, TrialSpec, run_trial
from kvopt.report_table import Progress

TrialFn = Callable[[TrialSpec], dict[str, Any]]


@dataclass
class SweepRun:
    """What :func:`run_sweep` did.

    Attributes
    ----------
    key
        The sweep's key in the store.
    records
        The records of trials ``0 .. trials-1`` that are done (stored before or now).
    ran
        Trials run by this call (successfully or not).
    skipped
        Done trials this call did not run (found in the store, or run meanwhile by
        another driver of the same store).
    errors
        Trial index -> error message, for trials that failed in this call.
    """

    key: str
    records: list[dict[str, Any]]
    ran: list[int] = field(default_factory=list)
    skipped: int = 0
    errors: dict[int, str] = field(default_factory=dict)


def _error_record(spec: TrialSpec, exc: BaseException) -> dict[str, Any]:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return {"trial": spec.trial, "seed": spec.seed, "error": text}


def run_sweep(
    sweep: Sweep,
    store: Store,
    *,
    trial_fn: TrialFn = run_trial,
    executor: Executor | None = None,
    progress: Progress | bool | None = None,
    lease: float = DEFAULT_LEASE,
) -> SweepRun:
    """Run the missing trials of ``sweep``, storing each as soon as it finishes.

    Parameters
    ----------
    sweep
        What to run.
    store
        Where results live; trials already stored as done are skipped, and trials
        claimed by another driver of the same store are left to it (or taken over
        when its lease runs out).
    trial_fn
        ``TrialSpec -> record`` (default :func:`kvopt.ratio.trial.run_trial`). It must
        be picklable (a module-level function) for process pools and Dask.
    executor
        Where to run (default: serially in this process).
    progress
        A :class:`Progress`, ``True``/``False`` to force a bar on standard error or
        not, or ``None`` for a bar only when standard error is a terminal.
    lease
        Seconds a claim of this driver survives without renewal (it is renewed while
        the driver lives): how long others wait before taking over after a crash.
    """
    key = store.register(sweep.config())
    specs = {spec.trial: spec for spec in sweep.specs()}
    todo = sweep.trials - len(store.finished(key) & specs.keys())
    out = SweepRun(key=key, records=[])
    bar = (
        progress
        if isinstance(progress, Progress)
        else Progress(todo, enabled=progress if progress is not None else None)
    )
    executor = executor if executor is not None else Serial()
    try:
        with Claims(store, key, sweep.trials, lease) as claims:
            _drive(claims, executor, trial_fn, specs, out, bar)
    finally:
        executor.close()
        bar.close()
    out.records = store.records(key, limit=sweep.trials)
    out.skipped = len(out.records) - len(set(out.ran) - set(out.errors))
    return out


def _drive(
    claims: Claims,
    executor: Executor,
    trial_fn: TrialFn,
    specs: dict[int, TrialSpec],
    out: SweepRun,
    bar: Progress,
) -> None:
    """Claim trials while the executor has room, store outcomes, wait for the others."""
    store, key = claims.store, claims.key
    running = 0
    while True:
        while running < executor.capacity():
            trial = claims.claim()
            if trial is None:
                break
            executor.submit(trial_fn, specs[trial])
            running += 1
        if not running:
            if not claims.others_running():
                return
            time.sleep(claims.poll)  # another driver's trials: wait for them, or its leases
            continue
        for spec, outcome in executor.finished(timeout=claims.poll):
            running -= 1
            out.ran.append(spec.trial)
            if isinstance(outcome, BaseException):
                rec = _error_record(spec, outcome)
                out.errors[spec.trial] = rec["error"]
                store.put(key, spec.trial, spec.seed, rec, status="error", owner=claims.owner)
                bar.update(failed=True)
            else:
                store.put(key, spec.trial, spec.seed, outcome, owner=claims.owner)
                bar.update()

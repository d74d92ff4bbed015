"""Run a sweep: skip the stored trials, run the rest anywhere, store each as it ends.

:func:`run_sweep` registers the sweep in the store, works out which trials are missing,
hands them to an executor (:mod:`kvopt.ratio.executors`) and writes every outcome to
the store the moment it arrives. Interrupting it (Ctrl-C, a crash, a killed job) loses
only the trials in flight; calling it again with the same sweep runs only those.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kvopt.ratio.executors import Executor, Serial
from kvopt.ratio.progress import Progress
from kvopt.ratio.store import Store
from kvopt.ratio.trial import Sweep, TrialSpec, run_trial

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
        Trials found already done in the store.
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
) -> SweepRun:
    """Run the missing trials of ``sweep``, storing each as soon as it finishes.

    Parameters
    ----------
    sweep
        What to run.
    store
        Where results live; trials already stored as done are skipped.
    trial_fn
        ``TrialSpec -> record`` (default :func:`kvopt.ratio.trial.run_trial`). It must
        be picklable (a module-level function) for process pools and Dask.
    executor
        Where to run (default: serially in this process).
    progress
        A :class:`Progress`, ``True``/``False`` to force a bar on standard error or
        not, or ``None`` for a bar only when standard error is a terminal.
    """
    key = store.register(sweep.config())
    done = store.finished(key)
    todo = sweep.specs(skip=done)
    out = SweepRun(key=key, records=[], skipped=sweep.trials - len(todo))
    bar = (
        progress
        if isinstance(progress, Progress)
        else Progress(len(todo), enabled=progress if progress is not None else None)
    )
    executor = executor if executor is not None else Serial()
    try:
        for spec, outcome in executor.imap(trial_fn, todo):
            out.ran.append(spec.trial)
            if isinstance(outcome, BaseException):
                rec = _error_record(spec, outcome)
                out.errors[spec.trial] = rec["error"]
                store.put(key, spec.trial, spec.seed, rec, status="error")
                bar.update(failed=True)
            else:
                store.put(key, spec.trial, spec.seed, outcome)
                bar.update()
    finally:
        bar.close()
    out.records = store.records(key, limit=sweep.trials)
    return out

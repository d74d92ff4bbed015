"""A toy trial for testing the ratio machinery with the foundation only.

Instances are tiny (3 requests), ALG runs the requests one at a time in arrival order,
and OPT comes from an exhaustive search over start times, every candidate checked by
:func:`kvopt.verify`. Used by the store/runner/executor tests and as a subprocess
target for the kill-and-resume test.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
import time

import numpy as np

from kvopt import Instance, Schedule, verify
from kvopt.ratio import PolicySpec, Store, Sweep, TrialSpec, certify, run_sweep
from kvopt.ratio.trial import trial_record
from kvopt.result import Result


def toy_instance(seed: int) -> Instance:
    rng = np.random.default_rng(seed)
    n = 3
    return Instance.from_arrays(
        f"toy-{seed % 10**6}",
        int(rng.integers(5, 9)),
        arrival=rng.integers(0, 3, n),
        prompt=rng.integers(1, 3, n),
        output=rng.integers(1, 3, n),
    )


def one_at_a_time(inst: Instance) -> Schedule:
    order = np.lexsort((np.arange(inst.n), inst.arrival))
    t, starts = 0, np.zeros(inst.n, dtype=np.int64)
    for i in order:
        starts[i] = t = max(t, int(inst.arrival[i]))
        t += int(inst.output[i])
    return Schedule.from_starts(inst, starts)


def brute_solve(inst: Instance, solver: str, **kw) -> Result:
    horizon = int(inst.arrival.max() + inst.output.sum())
    best, best_s = None, None
    ranges = [range(int(a), horizon + 1) for a in inst.arrival]
    for starts in itertools.product(*ranges):
        s = Schedule.from_starts(inst, list(starts))
        rep = verify(inst, s, allow_eviction=False, strict=False)
        if rep.feasible and (best is None or rep.objective < best):
            best, best_s = rep.objective, s
    return Result(inst.name, solver, "optimal", best, float(best), 0.0, best_s)


def toy_trial(spec: TrialSpec) -> dict:
    log = os.environ.get("KVOPT_TOY_LOG")
    if log:  # "trial pid" when a trial starts: who computed what, for the lease test
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{spec.trial} {os.getpid()}\n")
    delay = float(os.environ.get("KVOPT_TOY_DELAY", "0"))
    if delay:
        time.sleep(delay)
    inst = toy_instance(spec.seed)
    alg = {}
    for p in spec.policies:
        sched = one_at_a_time(inst)
        alg[p.label] = int(verify(inst, sched, allow_eviction=False).objective)
    opt = certify(inst, solvers=("brute",), upper=alg, solve_fn=brute_solve)
    return trial_record(spec, inst, alg, opt, 0.0)


def failing_trial(spec: TrialSpec) -> dict:
    if spec.trial % 3 == 1:
        raise ValueError(f"trial {spec.trial} fails on purpose")
    return toy_trial(spec)


def dying_trial(spec: TrialSpec) -> dict:
    """Trial 1 kills its own worker process, as the out-of-memory killer would."""
    if spec.trial == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return toy_trial(spec)


def toy_sweep(trials: int, seed: int = 7) -> Sweep:
    return Sweep("toy", (PolicySpec("sequential"),), trials, seed=seed, time_limit=1.0)


if __name__ == "__main__":  # python ratio_toy.py STORE TRIALS [LEASE]: a kill target
    lease = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    with Store(sys.argv[1]) as store:
        run = run_sweep(
            toy_sweep(int(sys.argv[2])), store, trial_fn=toy_trial, progress=False, lease=lease
        )
    print(" ".join(map(str, run.ran)))

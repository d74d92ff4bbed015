"""Subprocess targets for ``tests/test_reliability.py``: kvopt commands with slow work.

``python -m tests.helpers.reliability_helpers solve ARGS...`` runs ``kvopt solve ARGS...`` where
the solve of every instance whose file name contains ``slow`` only records its worker's
process id (a file in ``$KVOPT_TEST_PIDS``) and sleeps; ``... ratio ARGS...`` runs
``kvopt ratio ARGS...`` where every trial does so. The tests then kill the parent or a
worker and look at what is left.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from pathlib import Path

from kvopt.cli import main
from kvopt.cli.solve import _solve_task as _real_solve_task
from kvopt.ratio.runner import run_sweep

#: Seconds a slowed task sleeps: far longer than any test waits.
SLEEP = 300


def _sleep_here(kind: str) -> None:
    (Path(os.environ["KVOPT_TEST_PIDS"]) / f"{kind}-{os.getpid()}").write_text("")
    time.sleep(SLEEP)


def slow_solve_task(task: tuple) -> tuple:
    """``kvopt solve``'s task, sleeping for instances named ``*slow*``."""
    if "slow" in Path(task[0]).name:
        _sleep_here("solve")
    return _real_solve_task(task)


def slow_trial(spec) -> dict:
    """A ratio trial that never finishes in a test's time."""
    _sleep_here("trial")
    raise AssertionError("unreachable")


if __name__ == "__main__":
    import kvopt.cli.ratio as ratio_cli
    import kvopt.cli.solve as solve_cli

    command, args = sys.argv[1], sys.argv[2:]
    if command == "solve":
        solve_cli._solve_task = slow_solve_task
        sys.exit(main(["solve", *args]))
    ratio_cli.run_sweep = functools.partial(run_sweep, trial_fn=slow_trial)
    sys.exit(main(["ratio", *args]))

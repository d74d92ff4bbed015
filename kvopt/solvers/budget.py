"""Will it fit? Size, memory and time estimates made before any model is built.

The time-indexed models (MILP and CP-SAT) have one entry per pair ``(i, k)`` of the start
windows and round the pair runs in: ``sum_i (latest_i - earliest_i + 1) o_i`` entries.
Building and solving them costs time and memory roughly in proportion to that number;
the owner-capacity program of :mod:`kvopt.owner` costs ``n^2 (sum o) max o`` integer
operations. The rates below were measured on the 2-core machine of ``benchmarks/``
(``python benchmarks/time_limits.py``; Pyomo and CP-SAT built P1-family models of 0.8 to
6.8 million entries at 5 to 8 microseconds and about 300 bytes per entry, the solvers'
copies take as much again) and are deliberately pessimistic.
"""

from __future__ import annotations

import os
import time

from kvopt.model import Instance
from kvopt.solvers.horizon import StartWindows

#: Seconds to build one entry of the CP-SAT model (and of a CP-SAT LNS window model).
SECONDS_PER_ENTRY = 8e-6
#: Seconds per entry of the Pyomo MILP: building it and handing it to HiGHS through
#: Pyomo's persistent interface (measured 2026-12-02 at n = 60, 1.97 million entries:
#: 37 s to build, 78 s to hand over, under a profiler on a loaded machine).
PYOMO_SECONDS_PER_ENTRY = 3e-5
#: Bytes one entry takes once built and handed to a solver.
BYTES_PER_ENTRY = 1000
#: Seconds per integer operation of the owner-capacity program (numpy, vectorised).
SECONDS_PER_DP_OPERATION = 2e-9


def model_entries(instance: Instance, windows: StartWindows) -> int:
    """``sum_i (latest_i - earliest_i + 1) o_i``: the memory-row entries of the models."""
    width = windows.latest - windows.earliest + 1
    return int((width * instance.output).sum())


def available_memory() -> int:
    """Bytes of physical memory available now (``MemAvailable``; total if unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def model_refusal(
    instance: Instance,
    windows: StartWindows,
    seconds_left: float | None,
    seconds_per_entry: float = SECONDS_PER_ENTRY,
    slowdown: float = 1.0,
) -> str | None:
    """Why a time-indexed model should not be built now, or ``None`` if it fits.

    It does not fit when building it would take more than half of ``seconds_left``
    (``None``: no time check) at ``seconds_per_entry`` times ``slowdown`` (the rates are
    measured on an idle core; :func:`slowdown` says how much slower this process runs
    now), or its memory more than half of the memory available.
    """
    entries = model_entries(instance, windows)
    need = entries * BYTES_PER_ENTRY
    have = available_memory()
    if need > have // 2:
        return (
            f"the model would have {entries:,} entries (about {need / 2**30:.1f} GiB; "
            f"{have / 2**30:.1f} GiB available)"
        )
    build = entries * seconds_per_entry * max(1.0, slowdown)
    if seconds_left is not None and build > 0.5 * seconds_left:
        shared = f" at {max(1.0, slowdown):.1f}x the idle time" if slowdown >= 1.1 else ""
        return (
            f"the model would have {entries:,} entries (about {build:.0f} s to build{shared}; "
            f"{seconds_left:.0f} s left)"
        )
    return None


def slowdown(wall_since: float, cpu_since: float) -> float:
    """Wall time over CPU time of this process since ``(wall_since, cpu_since)``
    (:func:`time.perf_counter`, :func:`time.process_time`), at least 1.

    About 1 on an idle core, about ``k`` when the core is shared ``k`` ways: the factor by
    which single-threaded work takes longer than the idle rates of this module say.
    ``1.0`` when less than 0.05 CPU seconds have passed (too little to tell).
    """
    cpu = time.process_time() - cpu_since
    if cpu < 0.05:
        return 1.0
    return max(1.0, (time.perf_counter() - wall_since) / cpu)


def owner_dp_seconds(instance: Instance) -> float:
    """Estimated seconds of :func:`kvopt.owner.completion_bounds`."""
    n = instance.n
    o = instance.output
    return n * (n + 1) * (int(o.sum()) + 1) * (int(o.max(initial=0)) + 1) * SECONDS_PER_DP_OPERATION

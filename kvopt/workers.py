"""Local worker processes that die with their parent and never take Ctrl-C.

``kvopt solve --jobs J`` and ``kvopt ratio --jobs J`` run their work in a
:class:`concurrent.futures.ProcessPoolExecutor` made by :func:`worker_pool`. Each
worker, when it starts,

* asks the kernel to kill it when the process that created it dies (Linux
  ``prctl(PR_SET_PDEATHSIG, SIGKILL)``; elsewhere a thread that watches the parent), so
  a ``kill -9`` of ``kvopt`` never leaves orphaned solvers running;
* leaves the terminal's process group and ignores SIGINT, so Ctrl-C reaches only the
  parent, which stops the workers itself (:func:`stop_workers`) and is never handed
  half a result.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

#: ``PR_SET_PDEATHSIG`` from ``<linux/prctl.h>``.
_PR_SET_PDEATHSIG = 1
#: Seconds between two looks at the parent where the kernel cannot watch it for us.
WATCH_INTERVAL = 1.0


def process_alive(pid: int) -> bool:
    """Whether a process with id ``pid`` exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):  # someone else's, or no pid at all
        return True
    return True


def _kernel_watch() -> bool:
    """Ask Linux to send SIGKILL to this process when its parent dies.

    Strictly, when the parent *thread* that created it ends: kvopt creates its pools
    and submits to them from the main thread, which lives as long as the process.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while process_alive(parent):
        time.sleep(WATCH_INTERVAL)
    os._exit(1)


def die_with_parent(parent: int) -> None:
    """Make this process end when process ``parent`` ends.

    Parameters
    ----------
    parent
        The process id of the creator (passed in, because by the time this runs the
        creator may already be gone and this process re-parented).
    """
    if not _kernel_watch():
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if not process_alive(parent):  # it died before the watch was set up
        os._exit(1)


def _start_worker(parent: int) -> None:
    """Worker initializer: die with the parent, leave its process group, ignore SIGINT."""
    die_with_parent(parent)
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def worker_pool(jobs: int) -> ProcessPoolExecutor:
    """A process pool of ``jobs`` workers that die with this process."""
    return ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(os.getpid(),))


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's worker processes now and shut it down without waiting."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        if proc.is_alive():
            proc.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    # CPython before 3.13: the pool's manager thread closes its wake-up pipe while the
    # interpreter's exit hook may still write to it (check, then write: gh-125451), which
    # prints an "OSError: Bad file descriptor" traceback after kvopt's one-line error.
    # With the workers killed the thread ends at once: wait for it, briefly.
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:
        manager.join(timeout=5.0)

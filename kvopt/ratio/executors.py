"""Where trials run: in this process, in a local process pool, or on a Dask cluster.

An executor takes work one item at a time and hands back outcomes as they finish:
``capacity()`` says how many items it can run at once, ``submit(fn, item)`` starts
``fn(item)``, ``finished(timeout)`` waits up to ``timeout`` seconds and returns the
``(item, outcome)`` pairs that finished (``outcome`` is ``fn(item)`` or the exception
it raised), and ``close()`` stops what still runs. The sweep runner claims a trial in
the store only when a slot is free and stores each outcome as soon as it is returned,
which is what makes sweeps crash-safe, resumable and shareable between processes.

* :class:`Serial` runs everything here, in order (``--jobs 1``; easiest to debug).
* :class:`LocalPool` uses worker processes that die with this one
  (:func:`kvopt.workers.worker_pool`, ``--jobs J``); a worker killed from outside
  fails its trial and the pool is rebuilt for the next ones.
* :class:`DaskCluster` submits to a ``distributed`` scheduler (``--scheduler
  tcp://host:port``), or to a :class:`distributed.Client` you pass in. Workers need
  the same kvopt installed; they run one trial per task, and one task at a time per
  worker process (see :func:`_serialized`): start workers with ``--nthreads 1``.
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from kvopt.errors import KvoptError
from kvopt.workers import stop_workers, worker_pool


class Executor(Protocol):
    """Runs ``fn(item)`` for submitted items and returns outcomes as they finish."""

    def capacity(self) -> int:
        """How many items may be in flight at once."""
        ...

    def submit(self, fn: Callable[[Any], Any], item: Any) -> None:
        """Start ``fn(item)``."""
        ...

    def finished(self, timeout: float) -> list[tuple[Any, Any]]:
        """Wait up to ``timeout`` seconds; the ``(item, result or exception)`` done."""
        ...

    def close(self) -> None:
        """Stop whatever still runs."""
        ...


def _outcome(fn: Callable[[Any], Any], item: Any) -> Any:
    try:
        return fn(item)
    except KeyboardInterrupt:
        raise
    except Exception as e:  # recorded per trial, the sweep goes on
        return e


class Serial:
    """Run the trials one after the other in this process."""

    def __init__(self) -> None:
        self._queue: list[tuple[Callable[[Any], Any], Any]] = []

    def capacity(self) -> int:
        return 1

    def submit(self, fn: Callable[[Any], Any], item: Any) -> None:
        self._queue.append((fn, item))

    def finished(self, timeout: float) -> list[tuple[Any, Any]]:
        out = [(item, _outcome(fn, item)) for fn, item in self._queue]
        self._queue.clear()
        return out

    def close(self) -> None:
        self._queue.clear()


class LocalPool:
    """Run the trials in ``jobs`` worker processes on this machine."""

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise KvoptError(f"--jobs must be >= 1, got {jobs}")
        self.jobs = jobs
        self._pool: cf.ProcessPoolExecutor | None = None
        self._futures: dict[cf.Future, Any] = {}

    def capacity(self) -> int:
        return self.jobs

    def submit(self, fn: Callable[[Any], Any], item: Any) -> None:
        if self._pool is None:
            self._pool = worker_pool(self.jobs)
        try:
            fut = self._pool.submit(fn, item)
        except BrokenProcessPool:  # a worker was killed: its trial failed, go on afresh
            stop_workers(self._pool)
            self._pool = worker_pool(self.jobs)
            fut = self._pool.submit(fn, item)
        self._futures[fut] = item

    def finished(self, timeout: float) -> list[tuple[Any, Any]]:
        done, _ = cf.wait(self._futures, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        out = []
        for fut in done:
            exc = fut.exception()
            out.append((self._futures.pop(fut), exc if exc is not None else fut.result()))
        return out

    def close(self) -> None:  # also on Ctrl-C or when the runner stops early
        if self._pool is not None:
            if self._futures:
                stop_workers(self._pool)
            else:
                self._pool.shutdown()
        self._pool, self._futures = None, {}


_ONE_AT_A_TIME = threading.Lock()


def _serialized(fn: Callable[[Any], Any], item: Any) -> Any:
    """Run ``fn(item)`` holding a per-process lock.

    Pyomo's HiGHS interface redirects the process's stdout/stderr file descriptors while
    it solves, which breaks when two threads of one process solve at once (seen with a
    Dask worker running several threads). So trials in one worker process run one at a
    time; give workers one thread each (``dask worker --nthreads 1``) and parallelise
    with processes.
    """
    with _ONE_AT_A_TIME:
        return fn(item)


class DaskCluster:
    """Run the trials as tasks on a Dask ``distributed`` cluster.

    Parameters
    ----------
    scheduler
        The scheduler's address (``"tcp://host:8786"``) or a connected
        :class:`distributed.Client` (which is then left open).
    """

    def __init__(self, scheduler: Any) -> None:
        self.scheduler = scheduler
        self._client: Any = None
        self._owned = False
        self._futures: dict[Any, Any] = {}

    def _connect(self) -> tuple[Any, bool]:
        try:
            from distributed import Client
        except ImportError:
            raise KvoptError(
                "--scheduler needs Dask distributed: pip install 'kvopt[cluster]'"
            ) from None
        if isinstance(self.scheduler, Client):
            return self.scheduler, False
        try:
            return Client(str(self.scheduler), timeout="20s"), True
        except (OSError, TimeoutError) as e:
            raise KvoptError(f"cannot reach the Dask scheduler {self.scheduler}: {e}") from None

    def _connected(self) -> Any:
        if self._client is None:
            self._client, self._owned = self._connect()
        return self._client

    def capacity(self) -> int:
        """The cluster's threads now (it may grow or shrink while a sweep runs)."""
        return max(1, sum(self._connected().nthreads().values()))

    def submit(self, fn: Callable[[Any], Any], item: Any) -> None:
        fut = self._connected().submit(_serialized, fn, item, pure=False)
        self._futures[fut] = item

    def finished(self, timeout: float) -> list[tuple[Any, Any]]:
        from distributed import wait

        try:
            done = wait(list(self._futures), timeout=timeout, return_when="FIRST_COMPLETED").done
        except (TimeoutError, cf.TimeoutError):  # distinct classes before Python 3.11
            return []
        out = []
        for fut in done:
            item = self._futures.pop(fut)
            out.append((item, fut.exception() if fut.status == "error" else fut.result()))
        return out

    def close(self) -> None:
        if self._client is not None:
            pending = [f for f in self._futures if not f.done()]
            if pending:
                self._client.cancel(pending)
            if self._owned:
                self._client.close()
        self._client, self._futures = None, {}


def make_executor(jobs: int = 1, scheduler: Any = None) -> Executor:
    """The executor for ``--jobs`` / ``--scheduler`` (a scheduler wins)."""
    if scheduler is not None:
        return DaskCluster(scheduler)
    if jobs == 1:
        return Serial()
    return LocalPool(jobs)

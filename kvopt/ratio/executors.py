"""Where trials run: in this process, in a local process pool, or on a Dask cluster.

An executor is a small object with one method, ``imap(fn, items)``, yielding
``(item, outcome)`` pairs *as they finish* (in any order), where ``outcome`` is
``fn(item)`` or the exception it raised. The sweep runner stores each outcome as soon
as it is yielded, which is what makes sweeps crash-safe and resumable.

* :class:`Serial` runs everything here, in order (``--jobs 1``; easiest to debug).
* :class:`LocalPool` uses :class:`concurrent.futures.ProcessPoolExecutor` (``--jobs J``).
* :class:`DaskCluster` submits to a ``distributed`` scheduler (``--scheduler
  tcp://host:port``), or to a :class:`distributed.Client` you pass in. Workers need
  the same kvopt installed; they run one trial per task, and one task at a time per
  worker process (see :func:`_serialized`): start workers with ``--nthreads 1``.
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from kvopt.errors import KvoptError


class Executor(Protocol):
    """Runs ``fn`` over ``items`` and yields ``(item, result or exception)``."""

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """Yield each item with its outcome as soon as it is known."""
        ...


class Serial:
    """Run the trials one after the other in this process."""

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        for item in items:
            try:
                out = fn(item)
            except KeyboardInterrupt:
                raise
            except Exception as e:  # recorded per trial, the sweep goes on
                out = e
            yield item, out


class LocalPool:
    """Run the trials in ``jobs`` worker processes on this machine."""

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise KvoptError(f"--jobs must be >= 1, got {jobs}")
        self.jobs = jobs

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        pool = cf.ProcessPoolExecutor(max_workers=self.jobs)
        try:
            futures = {pool.submit(fn, item): item for item in items}
            for fut in cf.as_completed(futures):
                exc = fut.exception()
                yield futures[fut], (exc if exc is not None else fut.result())
        finally:  # also on Ctrl-C or when the consumer stops early
            pool.shutdown(wait=False, cancel_futures=True)


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

    def _client(self) -> tuple[Any, bool]:
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

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        from distributed import as_completed

        client, owned = self._client()
        futures: dict[Any, Any] = {}
        try:
            for item in items:
                futures[client.submit(_serialized, fn, item, pure=False)] = item
            for fut in as_completed(list(futures)):
                if fut.status == "error":
                    yield futures[fut], fut.exception()
                else:
                    yield futures[fut], fut.result()
        finally:
            pending = [f for f in futures if not f.done()]
            if pending:
                client.cancel(pending)
            if owned:
                client.close()


def make_executor(jobs: int = 1, scheduler: Any = None) -> Executor:
    """The executor for ``--jobs`` / ``--scheduler`` (a scheduler wins)."""
    if scheduler is not None:
        return DaskCluster(scheduler)
    if jobs == 1:
        return Serial()
    return LocalPool(jobs)

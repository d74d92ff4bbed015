"""Schedules: sets of runs ``(request, start, end)``.

A request started at ``start`` is processed in rounds ``start+1 .. end``. A run is
*complete* when ``end - start`` equals the request's output length; otherwise it was
evicted after ``end - start`` rounds and all its progress was lost. A non-preemptive
schedule has exactly one (complete) run per request; an evicting policy's schedule has
earlier, incomplete runs too. Only :func:`kvopt.verify` decides whether a schedule is
feasible; this module only stores one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from kvopt.errors import Violation
from kvopt.model import Instance


class Run(NamedTuple):
    """One run of a request: processed in rounds ``start+1 .. end``."""

    request: str
    start: int
    end: int

    @property
    def length(self) -> int:
        """Number of rounds the run was processed."""
        return self.end - self.start


def _int_array(values: Sequence[int] | np.ndarray, what: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be one-dimensional")
    if arr.size and arr.dtype.kind not in "iu":
        raise ValueError(f"{what} must hold integers, got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.int64)
    arr.setflags(write=False)
    return arr


class Schedule:
    """An immutable set of runs, stored as columns.

    Parameters
    ----------
    runs
        :class:`Run` objects or ``(request_id, start, end)`` triples.

    Examples
    --------
    >>> s = Schedule([("a", 0, 2), ("b", 1, 5)])
    >>> len(s), s.runs[1]
    (2, Run(request='b', start=1, end=5))
    """

    __slots__ = ("request_ids", "start", "end", "_index", "_index_ids")

    def __init__(self, runs: Iterable[Run | tuple[str, int, int]] = ()) -> None:
        triples = [tuple(r) for r in runs]
        for t in triples:
            if len(t) != 3:
                raise ValueError(f"a run is (request, start, end), got {t!r}")
        self.request_ids: tuple[str, ...] = tuple(str(t[0]) for t in triples)
        self.start = _int_array([t[1] for t in triples], "start")
        self.end = _int_array([t[2] for t in triples], "end")
        self._index: np.ndarray | None = None
        self._index_ids: tuple[str, ...] | None = None

    @classmethod
    def from_arrays(
        cls,
        request_ids: Sequence[str],
        start: Sequence[int] | np.ndarray,
        end: Sequence[int] | np.ndarray,
    ) -> Schedule:
        """A schedule from three equal-length columns."""
        self = cls.__new__(cls)
        self.request_ids = tuple(request_ids)
        self.start = _int_array(start, "start")
        self.end = _int_array(end, "end")
        if not (len(self.request_ids) == self.start.size == self.end.size):
            raise ValueError("request_ids, start and end must have equal lengths")
        self._index = None
        self._index_ids = None
        return self

    @classmethod
    def from_indices(
        cls,
        instance: Instance,
        index: Sequence[int] | np.ndarray,
        start: Sequence[int] | np.ndarray,
        end: Sequence[int] | np.ndarray | None = None,
    ) -> Schedule:
        """A schedule for ``instance`` from request positions.

        ``end`` defaults to ``start + output`` (complete runs). This is the fast path
        for solvers and the simulator: the positions are kept, so verifying against the
        same instance does not look ids up again.
        """
        idx = _int_array(index, "index")
        st = _int_array(start, "start")
        if idx.size and (idx.min() < 0 or idx.max() >= instance.n):
            raise ValueError("request index out of range")
        en = _int_array(st + instance.output[idx] if end is None else end, "end")
        ids = instance.ids
        self = cls.from_arrays([ids[i] for i in idx.tolist()], st, en)
        self._index = idx
        self._index_ids = ids
        return self

    @classmethod
    def from_starts(
        cls, instance: Instance, starts: Mapping[str, int] | Sequence[int] | np.ndarray
    ) -> Schedule:
        """The non-preemptive schedule that starts each request at the given time.

        Parameters
        ----------
        instance
            The instance.
        starts
            Either a start time per request in instance order, or a mapping from id
            to start time covering every request.
        """
        if isinstance(starts, Mapping):
            missing = [rid for rid in instance.ids if rid not in starts]
            if missing:
                raise ValueError(f"no start time for request {missing[0]!r}")
            st = [starts[rid] for rid in instance.ids]
        else:
            st = starts
        st_arr = _int_array(st, "starts")
        if st_arr.size != instance.n:
            raise ValueError(f"need {instance.n} start times, got {st_arr.size}")
        return cls.from_indices(instance, np.arange(instance.n), st_arr)

    # -- access ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.request_ids)

    def __iter__(self) -> Iterator[Run]:
        for rid, s, e in zip(self.request_ids, self.start.tolist(), self.end.tolist(), strict=True):
            yield Run(rid, s, e)

    @property
    def runs(self) -> tuple[Run, ...]:
        """The runs as :class:`Run` tuples, in stored order."""
        return tuple(self)

    def indices(self, instance: Instance) -> tuple[np.ndarray, list[Violation]]:
        """Positions in ``instance`` of each run's request.

        Returns
        -------
        index, unknown
            ``index[k]`` is the position of run ``k``'s request, or -1 when the id is not
            in the instance; ``unknown`` holds one violation per unknown id.
        """
        if self._index is not None and self._index_ids is instance.ids:
            return self._index, []
        lookup = instance._index_of
        idx = np.fromiter(
            (lookup.get(r, -1) for r in self.request_ids),
            dtype=np.int64,
            count=len(self.request_ids),
        )
        unknown: list[Violation] = []
        if (idx < 0).any():
            seen = set()
            for k in np.flatnonzero(idx < 0).tolist():
                rid = self.request_ids[k]
                if rid not in seen:
                    seen.add(rid)
                    unknown.append(
                        Violation(
                            "unknown-request",
                            f"run {k} names request {rid!r}, which is not in instance "
                            f"{instance.name!r}",
                            request=rid,
                        )
                    )
        return idx, unknown

    def starts(self, instance: Instance) -> np.ndarray:
        """Start of each request's last run, in instance order (-1 if it has none)."""
        idx, _ = self.indices(instance)
        out = np.full(instance.n, -1, dtype=np.int64)
        ok = idx >= 0
        order = np.lexsort((self.start[ok], idx[ok]))
        out[idx[ok][order]] = self.start[ok][order]  # later starts overwrite earlier
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Schedule):
            return NotImplemented
        return sorted(self) == sorted(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Schedule({len(self)} runs)"

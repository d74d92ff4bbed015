"""Requests and instances: the data of the scheduling model.

The model is defined once, in ``models/README.md`` (the project copy of the shared
specification): one worker with a KV cache of ``memory`` (M) tokens; request ``i``
arrives at round boundary ``arrival`` (a_i), has a prompt of ``prompt`` (s_i) tokens and
produces ``output`` (o_i) tokens, one per round. Started at time ``k`` it runs in rounds
``k+1 .. k+o_i``, holds ``s_i + j`` tokens in its ``j``-th round and completes at
``k + o_i``.

Both classes validate themselves on construction and raise
:class:`~kvopt.errors.InstanceError` naming the request and the field that break a
rule. :class:`Instance` keeps its data as read-only numpy arrays, so that million-request
instances are cheap; :class:`Request` objects are built on demand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from kvopt.errors import InstanceError
from kvopt.rules import (  # noqa: F401  (MAX_VALUE, PREDICTION_FIELDS: re-exported)
    MAX_VALUE,
    MINIMUM,
    PREDICTION_FIELDS,
    check_fit,
    check_ids,
    check_intervals,
    check_scalar,
    check_size,
    id_problem,
    int_column,
    int_problem,
    interval_problem,
    is_int,
    pair_problem,
    time_column,
    time_problem,
)


@dataclass(frozen=True, slots=True)
class Request:
    """One inference request.

    Parameters
    ----------
    id
        A non-empty string, unique within its instance.
    arrival
        The round boundary at which the request arrives (a_i >= 0); it can start at any
        integer time ``k >= arrival``.
    prompt
        Prompt (prefill) size s_i >= 1 in tokens: KV cache held from the first round on.
    output
        Output (decode) length o_i >= 1 in tokens, one per round.
    predicted
        Optional point prediction of ``output`` (>= 1). Non-clairvoyant policies use it
        instead of ``output``.
    output_lo, output_hi
        Optional prediction interval ``[output_lo, output_hi]``, both given or neither,
        with ``1 <= output_lo <= output <= output_hi``.
    arrival_time
        Optional arrival in seconds (>= 0) for simulations with a calibrated time model;
        ``arrival`` stays the round used by unit-time tools.
    """

    id: str
    arrival: int
    prompt: int
    output: int
    predicted: int | None = None
    output_lo: int | None = None
    output_hi: int | None = None
    arrival_time: float | None = None

    def __post_init__(self) -> None:
        if (why := id_problem(self.id)) is not None:
            raise InstanceError(why, field="id")
        rid = self.id
        for name, minimum in MINIMUM.items():
            value = getattr(self, name)
            if value is None and name in PREDICTION_FIELDS:
                continue
            if (why := int_problem(value, minimum)) is not None:
                raise InstanceError(why, request=rid, field=name)
            object.__setattr__(self, name, int(value))
        lo, hi = self.output_lo, self.output_hi
        if (pair := pair_problem(lo is not None, hi is not None)) is not None:
            raise InstanceError(pair[0], request=rid, field=pair[1])
        bad = interval_problem(lo, hi, self.output) if lo is not None and hi is not None else None
        if bad is not None:
            raise InstanceError(bad[0], request=rid, field=bad[1])
        if self.arrival_time is not None:
            if (why := time_problem(self.arrival_time)) is not None:
                raise InstanceError(why, request=rid, field="arrival_time")
            object.__setattr__(self, "arrival_time", float(self.arrival_time))

    @property
    def peak(self) -> int:
        """Peak KV memory of a run of this request: ``prompt + output``."""
        return self.prompt + self.output

    def as_dict(self) -> dict[str, Any]:
        """The request in the instance-file format (optional fields only when set)."""
        d: dict[str, Any] = {
            "id": self.id,
            "arrival": self.arrival,
            "prompt": self.prompt,
            "output": self.output,
        }
        for name in (*PREDICTION_FIELDS, "arrival_time"):
            value = getattr(self, name)
            if value is not None:
                d[name] = value
        return d


class Instance:
    """A KV-cache scheduling instance: a memory limit and the requests.

    Parameters
    ----------
    name
        The instance's name (used to name solution files).
    memory
        The KV cache capacity M in tokens (>= 1).
    requests
        The requests. Ids must be unique and every request must fit alone:
        ``prompt + output <= memory``. Prediction fields are all-or-none across the
        instance: if one request has a point prediction, all must.
    metadata
        Free-form JSON-compatible information (generator, seed, source, ...).
    source
        The file the instance was read from, named in error messages.

    Attributes
    ----------
    ids : tuple[str, ...]
        Request ids in order; request ``i`` of every array below is ``ids[i]``.
    arrival, prompt, output : numpy.ndarray
        Read-only int64 arrays (a, s, o).
    predicted, output_lo, output_hi : numpy.ndarray or None
        Read-only int64 arrays, or ``None`` when the instance has no such prediction.
    arrival_time : numpy.ndarray or None
        Read-only float64 arrival times in seconds, or ``None``.

    Examples
    --------
    >>> inst = Instance("tiny", 10, [Request("a", 0, 3, 2), Request("b", 1, 2, 4)])
    >>> inst.n, int(inst.output.sum())
    (2, 6)
    """

    __slots__ = (
        "name",
        "memory",
        "ids",
        "arrival",
        "prompt",
        "output",
        "predicted",
        "output_lo",
        "output_hi",
        "arrival_time",
        "metadata",
        "source",
        "_requests",
        "_index_of",
    )

    def __init__(
        self,
        name: str,
        memory: int,
        requests: Iterable[Request],
        *,
        metadata: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> None:
        reqs = tuple(requests)
        for r in reqs:
            if not isinstance(r, Request):
                raise InstanceError(f"requests must be Request objects, got {type(r).__name__}")
        columns: dict[str, Any] = {
            "ids": [r.id for r in reqs],
            "arrival": [r.arrival for r in reqs],
            "prompt": [r.prompt for r in reqs],
            "output": [r.output for r in reqs],
        }
        for name_ in (*PREDICTION_FIELDS, "arrival_time"):
            values = [getattr(r, name_) for r in reqs]
            present = [v is not None for v in values]
            if any(present) and not all(present):
                missing = reqs[present.index(False)].id
                raise InstanceError(
                    "is given for some requests but not this one; predictions must be "
                    "given for all requests or none",
                    request=missing,
                    field=name_,
                    file=source,
                )
            columns[name_] = values if reqs and all(present) else None
        self._init(name, memory, columns, metadata, source)
        self._requests = reqs

    @classmethod
    def from_arrays(
        cls,
        name: str,
        memory: int,
        *,
        arrival: Sequence[int] | np.ndarray,
        prompt: Sequence[int] | np.ndarray,
        output: Sequence[int] | np.ndarray,
        ids: Sequence[str] | None = None,
        predicted: Sequence[int] | np.ndarray | None = None,
        output_lo: Sequence[int] | np.ndarray | None = None,
        output_hi: Sequence[int] | np.ndarray | None = None,
        arrival_time: Sequence[float] | np.ndarray | None = None,
        metadata: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> Instance:
        """Build an instance from columns, validated without per-request objects.

        This is the fast path for generators and traces (10^6 requests in well under a
        second). ``ids`` default to ``"r0", "r1", ...``. Validation is the same as
        for :class:`Request`; errors name the first offending request.
        """
        n = len(arrival)
        if ids is None:
            ids = [f"r{i}" for i in range(n)]
        columns = {
            "ids": list(ids),
            "arrival": arrival,
            "prompt": prompt,
            "output": output,
            "predicted": predicted,
            "output_lo": output_lo,
            "output_hi": output_hi,
            "arrival_time": arrival_time,
        }
        self = cls.__new__(cls)
        self._init(name, memory, columns, metadata, source)
        self._requests = None
        return self

    # -- construction helpers -------------------------------------------------------

    def _init(
        self,
        name: str,
        memory: int,
        columns: dict[str, Any],
        metadata: Mapping[str, Any] | None,
        source: str | None,
    ) -> None:
        """Validate every column with the rules of :mod:`kvopt.rules`, then keep them."""
        check_scalar(name, memory, source)
        ids = tuple(columns["ids"])
        index_of = check_ids(ids, source)
        arrival, prompt, output = (
            int_column(columns[k], k, ids, source, required=True)
            for k in ("arrival", "prompt", "output")
        )
        assert arrival is not None and prompt is not None and output is not None
        check_fit(prompt, output, memory, ids, source)
        check_size(arrival, prompt, output, source)
        predicted, lo, hi = (
            int_column(columns[k], k, ids, source, required=False) for k in PREDICTION_FIELDS
        )
        check_intervals(lo, hi, output, ids, source)
        arrival_time = time_column(columns["arrival_time"], ids, source)

        self.name = name
        self.memory = int(memory)
        self.ids = ids
        self.arrival = arrival
        self.prompt = prompt
        self.output = output
        self.predicted = predicted
        self.output_lo = lo
        self.output_hi = hi
        self.arrival_time = arrival_time
        self.metadata = MappingProxyType(dict(metadata or {}))
        self.source = source
        self._index_of = index_of

    # -- pickling (sent to worker processes as loaded: not read or validated again) ----

    def __getstate__(self) -> dict[str, Any]:
        state = {k: getattr(self, k) for k in self.__slots__ if k != "_requests"}
        state["metadata"] = dict(self.metadata)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for k, v in state.items():
            if isinstance(v, np.ndarray):
                v.setflags(write=False)
            setattr(self, k, v)
        self.metadata = MappingProxyType(state["metadata"])
        self._requests = None

    # -- access ---------------------------------------------------------------------

    @property
    def n(self) -> int:
        """Number of requests."""
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def requests(self) -> tuple[Request, ...]:
        """The requests as :class:`Request` objects (built on first access)."""
        if self._requests is None:
            cols = {f: getattr(self, f) for f in (*PREDICTION_FIELDS, "arrival_time")}
            reqs = []
            for i, rid in enumerate(self.ids):
                extra = {f: (None if c is None else c[i].item()) for f, c in cols.items()}
                reqs.append(
                    Request(
                        rid, int(self.arrival[i]), int(self.prompt[i]), int(self.output[i]), **extra
                    )
                )
            self._requests = tuple(reqs)
        return self._requests

    def index(self, request_id: str) -> int:
        """Position of the request with id ``request_id``.

        Raises
        ------
        KeyError
            If there is no such request.
        """
        return self._index_of[request_id]

    def __contains__(self, request_id: object) -> bool:
        return request_id in self._index_of

    def __getitem__(self, key: int | str) -> Request:
        if isinstance(key, str):
            key = self._index_of[key]
        return self.requests[key]

    def __iter__(self):
        return iter(self.requests)

    @property
    def peak(self) -> np.ndarray:
        """Peak memory of each request's run, ``prompt + output``."""
        return self.prompt + self.output

    @property
    def has_predictions(self) -> bool:
        """Whether the instance carries a point prediction or an interval."""
        return self.predicted is not None or self.output_lo is not None

    def replace(self, **changes: Any) -> Instance:
        """A copy with some columns or attributes replaced (validated again).

        Accepts ``name``, ``memory``, ``metadata``, ``ids`` and any column name.
        """
        cols: dict[str, Any] = {
            "ids": self.ids,
            "arrival": self.arrival,
            "prompt": self.prompt,
            "output": self.output,
            "predicted": self.predicted,
            "output_lo": self.output_lo,
            "output_hi": self.output_hi,
            "arrival_time": self.arrival_time,
        }
        name = changes.pop("name", self.name)
        memory = changes.pop("memory", self.memory)
        metadata = changes.pop("metadata", dict(self.metadata))
        unknown = set(changes) - set(cols)
        if unknown:
            raise TypeError(f"unknown fields: {sorted(unknown)}")
        cols.update(changes)
        return Instance.from_arrays(name, memory, metadata=metadata, **cols)

    def subset(self, indices: Sequence[int] | np.ndarray, name: str | None = None) -> Instance:
        """The instance restricted to the requests at ``indices`` (in that order)."""
        idx = np.asarray(indices, dtype=np.int64)
        cols: dict[str, Any] = {"ids": [self.ids[i] for i in idx]}
        for f in ("arrival", "prompt", "output", *PREDICTION_FIELDS, "arrival_time"):
            c = getattr(self, f)
            cols[f] = None if c is None else c[idx]
        return Instance.from_arrays(
            name or self.name, self.memory, metadata=dict(self.metadata), **cols
        )

    def differences(self, other: Instance) -> list[str]:
        """Every field in which ``other`` differs, each with both values.

        Equality (``==``) is exact: integers, ids, arrival times and metadata must agree to
        the last bit. This names what differs, e.g. ``"metadata.conversion.round_seconds:
        0.0841 != 0.0842"`` or ``"prompt[3] (id r4): 5 != 6"``; empty when equal.
        """
        out = [
            f"{f}: {getattr(self, f)!r} != {getattr(other, f)!r}"
            for f in ("name", "memory")
            if getattr(self, f) != getattr(other, f)
        ]
        if self.ids != other.ids:
            out.append(_first_difference("ids", self.ids, other.ids, self.ids))
        for f in ("arrival", "prompt", "output", *PREDICTION_FIELDS, "arrival_time"):
            a, b = getattr(self, f), getattr(other, f)
            if (a is None) != (b is None):
                out.append(
                    f"{f}: {'absent' if a is None else 'given'} != "
                    f"{'absent' if b is None else 'given'}"
                )
            elif a is not None and not np.array_equal(a, b):
                out.append(_first_difference(f, a.tolist(), b.tolist(), self.ids))
        out.extend(_dict_differences("metadata", dict(self.metadata), dict(other.metadata)))
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Instance):
            return NotImplemented
        return not self.differences(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Instance(name={self.name!r}, memory={self.memory}, n={self.n})"


def _first_difference(field: str, a: list, b: list, ids: list[str]) -> str:
    """``field[i] (id ...): x != y`` at the first index where two columns differ."""
    if len(a) != len(b):
        return f"{field}: {len(a)} values != {len(b)} values"
    i = next(k for k, (u, v) in enumerate(zip(a, b, strict=True)) if u != v)
    rid = f" (id {ids[i]})" if i < len(ids) else ""
    more = sum(u != v for u, v in zip(a, b, strict=True)) - 1
    tail = f" (and {more} more)" if more else ""
    return f"{field}[{i}]{rid}: {a[i]!r} != {b[i]!r}{tail}"


def _dict_differences(prefix: str, a: Any, b: Any) -> list[str]:
    """Differences between two JSON-like values, by dotted path."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                side = "missing on the left" if k not in a else "missing on the right"
                out.append(f"{prefix}.{k}: {side}")
            else:
                out.extend(_dict_differences(f"{prefix}.{k}", a[k], b[k]))
        return out
    return [] if a == b else [f"{prefix}: {a!r} != {b!r}"]

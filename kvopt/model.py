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

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from kvopt.errors import InstanceError

#: The optional prediction fields of a request, in file order.
PREDICTION_FIELDS = ("predicted", "output_lo", "output_hi")

#: The largest integer a field may hold (2**53 - 1: exact in JSON and in float64). The
#: instance's memory area (sum of s_i o_i + o_i (o_i + 1) / 2) and its horizon
#: (max a_i + sum o_i) must stay below it too, so that latencies, memory profiles and
#: bounds are computed exactly in 64-bit integers instead of silently overflowing.
MAX_VALUE = 2**53 - 1


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _check_int(value: Any, field: str, minimum: int, request: str | None) -> int:
    if not _is_int(value):
        raise InstanceError(f"must be an integer, got {value!r}", request=request, field=field)
    if value < minimum:
        raise InstanceError(
            f"must be an integer >= {minimum}, got {value}", request=request, field=field
        )
    if value > MAX_VALUE:
        raise InstanceError(_too_large(value), request=request, field=field)
    return int(value)


def _too_large(value: Any) -> str:
    return f"must be an integer <= 2**53 - 1 = {MAX_VALUE}, got {value}"


def _bad_time(value: Any) -> str:
    return f"must be a finite number of seconds in [0, 2**53 - 1], got {value!r}"


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
        if not isinstance(self.id, str) or not self.id:
            raise InstanceError(f"must be a non-empty string, got {self.id!r}", field="id")
        rid = self.id
        for name, minimum in (("arrival", 0), ("prompt", 1), ("output", 1)):
            object.__setattr__(self, name, _check_int(getattr(self, name), name, minimum, rid))
        for name in PREDICTION_FIELDS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _check_int(value, name, 1, rid))
        if (self.output_lo is None) != (self.output_hi is None):
            missing = "output_hi" if self.output_hi is None else "output_lo"
            raise InstanceError(
                "a prediction interval needs both output_lo and output_hi",
                request=rid,
                field=missing,
            )
        if self.output_lo is not None and not (
            self.output_lo <= self.output <= self.output_hi  # type: ignore[operator]
        ):
            raise InstanceError(
                f"the interval [{self.output_lo}, {self.output_hi}] must contain the "
                f"output {self.output}",
                request=rid,
                field="output_lo" if self.output_lo > self.output else "output_hi",
            )
        if self.arrival_time is not None:
            t = self.arrival_time
            if (
                isinstance(t, bool)
                or not isinstance(t, (int, float, np.integer, np.floating))
                or not math.isfinite(t)
                or not 0 <= t <= MAX_VALUE
            ):
                raise InstanceError(_bad_time(t), request=rid, field="arrival_time")
            object.__setattr__(self, "arrival_time", float(t))

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


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


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
        if not isinstance(name, str) or not name:
            raise InstanceError(
                f"must be a non-empty string, got {name!r}", field="name", file=source
            )
        if not _is_int(memory) or memory < 1:
            raise InstanceError(
                f"must be an integer >= 1, got {memory!r}", field="memory", file=source
            )
        if memory > MAX_VALUE:
            raise InstanceError(_too_large(memory), field="memory", file=source)
        ids = tuple(columns["ids"])
        n = len(ids)
        index_of: dict[str, int] = {}
        for i, rid in enumerate(ids):
            if not isinstance(rid, str) or not rid:
                raise InstanceError(
                    f"must be a non-empty string, got {rid!r}",
                    field="id",
                    request=None if not isinstance(rid, str) else rid,
                    file=source,
                )
            if index_of.setdefault(rid, i) != i:
                raise InstanceError("duplicate request id", request=rid, field="id", file=source)

        def int_column(key: str, minimum: int, required: bool) -> np.ndarray | None:
            values = columns[key]
            if values is None:
                if required:
                    raise InstanceError("is required", field=key, file=source)
                return None
            arr = np.asarray(values)
            if arr.shape != (n,):
                raise InstanceError(
                    f"must have one value per request ({n}), got shape {arr.shape}",
                    field=key,
                    file=source,
                )
            if n and (arr.dtype.kind not in "iu"):
                vals = [v.item() if isinstance(v, np.generic) else v for v in values]
                bad = next((i for i, v in enumerate(vals) if not _is_int(v)), None)
                if bad is None:  # Python ints too large for int64
                    bad = next(i for i, v in enumerate(vals) if abs(v) > MAX_VALUE)
                    msg = _too_large(vals[bad])
                else:
                    msg = f"must be an integer, got {vals[bad]!r}"
                raise InstanceError(msg, request=ids[bad], field=key, file=source)
            if arr.dtype.kind == "u" and n and int(arr.max()) > MAX_VALUE:
                i = int(np.argmax(arr))
                raise InstanceError(_too_large(int(arr[i])), request=ids[i], field=key, file=source)
            arr = arr.astype(np.int64, copy=False)
            low = np.flatnonzero(arr < minimum)
            if low.size:
                i = int(low[0])
                raise InstanceError(
                    f"must be an integer >= {minimum}, got {int(arr[i])}",
                    request=ids[i],
                    field=key,
                    file=source,
                )
            high = np.flatnonzero(arr > MAX_VALUE)
            if high.size:
                i = int(high[0])
                raise InstanceError(_too_large(int(arr[i])), request=ids[i], field=key, file=source)
            return _frozen(arr)

        arrival = int_column("arrival", 0, True)
        prompt = int_column("prompt", 1, True)
        output = int_column("output", 1, True)
        assert arrival is not None and prompt is not None and output is not None
        over = np.flatnonzero(prompt + output > memory)
        if over.size:
            i = int(over[0])
            raise InstanceError(
                f"prompt + output = {int(prompt[i])} + {int(output[i])} = "
                f"{int(prompt[i] + output[i])} exceeds the memory M = {memory}: this request "
                f"can never run",
                request=ids[i],
                field="output",
                file=source,
            )
        # In floats: the exact int64 sums could themselves overflow.
        o = output.astype(np.float64)
        area = float(np.sum(prompt * o + o * (o + 1) / 2))
        horizon = float(arrival.max()) + float(o.sum()) if n else 0.0
        if area > MAX_VALUE or horizon > MAX_VALUE:
            what, value = ("memory area", area) if area > MAX_VALUE else ("horizon", horizon)
            raise InstanceError(
                f"the instance is too large for exact 64-bit arithmetic: its {what} "
                f"(~{value:.3g}) exceeds 2**53 - 1; scale the outputs and memory down",
                field="output",
                file=source,
            )
        predicted = int_column("predicted", 1, False)
        lo = int_column("output_lo", 1, False)
        hi = int_column("output_hi", 1, False)
        if (lo is None) != (hi is None):
            raise InstanceError(
                "a prediction interval needs both output_lo and output_hi",
                field="output_hi" if hi is None else "output_lo",
                file=source,
            )
        if lo is not None and hi is not None:
            bad = np.flatnonzero((lo > output) | (output > hi))
            if bad.size:
                i = int(bad[0])
                raise InstanceError(
                    f"the interval [{int(lo[i])}, {int(hi[i])}] must contain the output "
                    f"{int(output[i])}",
                    request=ids[i],
                    field="output_lo" if lo[i] > output[i] else "output_hi",
                    file=source,
                )
        times = columns["arrival_time"]
        arrival_time = None
        if times is not None:
            t = np.asarray(times, dtype=np.float64)
            if t.shape != (n,):
                raise InstanceError(
                    f"must have one value per request ({n})", field="arrival_time", file=source
                )
            bad = np.flatnonzero(~np.isfinite(t) | (t < 0) | (t > MAX_VALUE))
            if bad.size:
                i = int(bad[0])
                raise InstanceError(
                    _bad_time(float(t[i])),
                    request=ids[i],
                    field="arrival_time",
                    file=source,
                )
            arrival_time = _frozen(t)

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

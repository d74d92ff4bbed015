"""Reading and writing instance and solution files (JSON).

Both formats are documented in the README and by the JSON Schemas
``instances/instance.schema.json`` and ``instances/solution.schema.json``. Anything that
does not have the documented shape raises :class:`~kvopt.errors.FormatError` (or
:class:`~kvopt.errors.InstanceError` for a rule of the model) naming the file and the
place in it. Files are written atomically: a crash never leaves half a file behind.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from typing import Any

import numpy as np

from kvopt.errors import FormatError, InstanceError
from kvopt.files import open_regular_file, read_reason, write_text_atomic
from kvopt.model import Instance
from kvopt.result import STATUSES, Result, check_status, jsonable  # noqa: F401 (re-exported)
from kvopt.rules import MAX_VALUE, PREDICTION_FIELDS, id_problem, is_int
from kvopt.schedule import Schedule

_INSTANCE_KEYS = {"name", "memory", "requests"}
_INSTANCE_OPTIONAL = {"metadata", "$schema"}
_REQUEST_KEYS = ("id", "arrival", "prompt", "output")
_REQUEST_OPTIONAL = (*PREDICTION_FIELDS, "arrival_time")
_SOLUTION_KEYS = {"instance", "solver", "status", "objective", "lower_bound", "runtime", "runs"}
_SOLUTION_OPTIONAL = {"metadata", "metrics", "$schema"}
_RUN_KEYS = ("request", "start", "end")


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


class _DuplicateKey(ValueError):
    """A JSON object repeats a key (raised while parsing, turned into a FormatError)."""

    def __init__(self, key: str, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(key)
        self.key = key
        owner = next((v for k, v in pairs if k in ("id", "request") and isinstance(v, str)), None)
        self.where = f"the object with id {owner!r}" if owner is not None else None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` that refuses a repeated key instead of keeping the last."""
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set[str] = set()
        for k, _ in pairs:
            if k in seen:
                raise _DuplicateKey(k, pairs)
            seen.add(k)
    return d


def read_json(path: str | os.PathLike[str]) -> Any:
    """Parse a JSON file, turning every failure into a one-line :class:`FormatError`.

    Besides invalid JSON, a repeated key in an object (which JSON parsers silently
    resolve to the last value) and ``NaN``/``Infinity`` are refused.
    """
    p = str(path)
    f = open_regular_file(p)
    try:
        with f:
            return json.load(f, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except UnicodeDecodeError as e:
        raise FormatError(f"not UTF-8 text ({e.reason} at byte {e.start})", file=p) from None
    except json.JSONDecodeError as e:
        raise FormatError(
            f"invalid JSON: {e.msg}", file=p, location=f"line {e.lineno} column {e.colno}"
        ) from None
    except _DuplicateKey as e:
        raise FormatError(
            f"duplicate key {e.key!r} (a key may appear only once in an object)",
            file=p,
            location=e.where,
        ) from None
    except ValueError as e:  # NaN / Infinity
        raise FormatError(str(e), file=p) from None
    except RecursionError:
        raise FormatError("invalid JSON: nested too deeply", file=p) from None
    except OSError as e:  # a read error after opening (e.g. EIO)
        raise FormatError(f"cannot read: {read_reason(e)}", file=p) from None


def _type_name(v: Any) -> str:
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        type(None): "null",
        int: "an integer",
        float: "a number",
    }.get(type(v), type(v).__name__)


def _check_keys(
    obj: Any, required: set[str] | tuple[str, ...], optional: Any, where: str, file: str | None
) -> None:
    if not isinstance(obj, dict):
        raise FormatError(
            f"must be an object, got {_type_name(obj)}", file=file, location=where or None
        )
    missing = [k for k in required if k not in obj]
    if missing:
        raise FormatError(f"missing key {missing[0]!r}", file=file, location=where or None)
    unknown = sorted(set(obj) - set(required) - set(optional))
    if unknown:
        allowed = ", ".join(sorted(set(required) | set(optional)))
        raise FormatError(
            f"unknown key {unknown[0]!r} (allowed: {allowed})", file=file, location=where or None
        )


def _want_int(v: Any, where: str, file: str | None, bounded: bool = False) -> int:
    if not is_int(v):
        raise FormatError(
            f"must be an integer, got {_type_name(v)} {v!r}", file=file, location=where
        )
    if bounded and abs(v) > MAX_VALUE:
        raise FormatError(
            f"must be an integer of magnitude <= 2**53 - 1 = {MAX_VALUE}, got {v}",
            file=file,
            location=where,
        )
    return v


def _want_number(v: Any, where: str, file: str | None, nullable: bool = False) -> float | None:
    if v is None and nullable:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise FormatError(
            f"must be a number{' or null' if nullable else ''}, got {_type_name(v)} {v!r}",
            file=file,
            location=where,
        )
    return v


def instance_from_dict(data: Any, source: str | None = None) -> Instance:
    """Build and validate an :class:`Instance` from a parsed instance file.

    Parameters
    ----------
    data
        The parsed JSON.
    source
        The file it came from, named in error messages.
    """
    _check_keys(data, _INSTANCE_KEYS, _INSTANCE_OPTIONAL, "", source)
    if id_problem(data["name"]) is not None:
        raise FormatError("must be a non-empty string", file=source, location="name")
    _want_int(data["memory"], "memory", source)
    reqs = data["requests"]
    if not isinstance(reqs, list):
        raise FormatError(
            f"must be an array, got {_type_name(reqs)}", file=source, location="requests"
        )
    meta = data.get("metadata", {})
    if not isinstance(meta, dict):
        raise FormatError("must be an object", file=source, location="metadata")
    cols: dict[str, list[Any]] = {k: [] for k in (*_REQUEST_KEYS, *_REQUEST_OPTIONAL)}
    for j, r in enumerate(reqs):
        where = f"requests[{j}]"
        _check_keys(r, _REQUEST_KEYS, _REQUEST_OPTIONAL, where, source)
        if (why := id_problem(r["id"])) is not None:
            raise FormatError(why, file=source, location=f"{where}.id")
        for k in ("arrival", "prompt", "output"):
            _want_int(r[k], f"{where}.{k}", source)
        for k in PREDICTION_FIELDS:
            if k in r:
                _want_int(r[k], f"{where}.{k}", source)
        if "arrival_time" in r:
            _want_number(r["arrival_time"], f"{where}.arrival_time", source)
        for k in cols:
            cols[k].append(r.get(k))
    optional: dict[str, Any] = {}
    for k in _REQUEST_OPTIONAL:
        present = [v is not None for v in cols[k]]
        if any(present) and not all(present):
            j = present.index(False)
            raise InstanceError(
                "is given for some requests but not this one; predictions "
                "must be given for all requests or none",
                file=source,
                request=cols["id"][j],
                field=k,
            )
        optional[k] = cols[k] if reqs and all(present) else None
    return Instance.from_arrays(
        data["name"],
        data["memory"],
        ids=cols["id"],
        # Python ints, no int64 dtype: the model names the request of a too-large value
        arrival=cols["arrival"],
        prompt=cols["prompt"],
        output=cols["output"],
        metadata=meta,
        source=source,
        **optional,
    )


def load_instance(path: str | os.PathLike[str]) -> Instance:
    """Read and validate an instance file.

    Raises
    ------
    FormatError
        If the file is missing, not JSON, or not of the documented shape.
    InstanceError
        If the data breaks a rule of the model (naming file, request and field).
    """
    p = str(path)
    data = read_json(p)
    try:
        return instance_from_dict(data, source=p)
    except InstanceError as e:
        raise (e if e.file else e.with_file(p)) from None


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    """The instance in the file format."""
    cols = {k: getattr(instance, k) for k in _REQUEST_OPTIONAL}
    reqs = []
    a, s, o = instance.arrival.tolist(), instance.prompt.tolist(), instance.output.tolist()
    extra = {k: c.tolist() for k, c in cols.items() if c is not None}
    for i, rid in enumerate(instance.ids):
        r: dict[str, Any] = {"id": rid, "arrival": a[i], "prompt": s[i], "output": o[i]}
        for k, c in extra.items():
            r[k] = c[i]
        reqs.append(r)
    d: dict[str, Any] = {"name": instance.name, "memory": instance.memory, "requests": reqs}
    if instance.metadata:
        d["metadata"] = dict(instance.metadata)
    return d


def _dump_rows(head: dict[str, Any], key: str, rows: list[dict[str, Any]]) -> str:
    """JSON with one row of ``key`` per line: readable, diffable, and still compact."""
    body = ",\n".join("    " + json.dumps(r, separators=(", ", ": ")) for r in rows)
    parts = [f"  {json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in head.items()]
    parts.append(f"  {json.dumps(key)}: [\n{body}\n  ]" if rows else f"  {json.dumps(key)}: []")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def save_instance(instance: Instance, path: str | os.PathLike[str]) -> None:
    """Write ``instance`` to ``path`` in the instance format (one request per line)."""
    d = instance_to_dict(instance)
    reqs = d.pop("requests")
    write_text_atomic(path, _dump_rows(d, "requests", reqs))


#: The older name of :class:`kvopt.result.Result` (one type for solves and files).
Solution = Result


def solution_from_dict(data: Any, source: str | None = None) -> Result:
    """Build a :class:`~kvopt.result.Result` from a parsed solution file (shape checks only)."""
    _check_keys(data, _SOLUTION_KEYS, _SOLUTION_OPTIONAL, "", source)
    for k in ("instance", "solver"):
        if not isinstance(data[k], str):
            raise FormatError("must be a string", file=source, location=k)
    if data["status"] not in STATUSES:
        raise FormatError(
            f"must be one of {', '.join(STATUSES)}, got {data['status']!r}",
            file=source,
            location="status",
        )
    if data["objective"] is not None:
        _want_int(data["objective"], "objective", source)
    _want_number(data["lower_bound"], "lower_bound", source, nullable=True)
    if _want_number(data["runtime"], "runtime", source) < 0:
        raise FormatError(
            f"must be a number of seconds >= 0, got {data['runtime']!r}",
            file=source,
            location="runtime",
        )
    for k in ("metadata", "metrics"):
        if k in data and not isinstance(data[k], dict):
            raise FormatError("must be an object", file=source, location=k)
    runs = data["runs"]
    if not isinstance(runs, list):
        raise FormatError(f"must be an array, got {_type_name(runs)}", file=source, location="runs")
    ids, starts, ends = [], [], []
    for j, r in enumerate(runs):
        where = f"runs[{j}]"
        _check_keys(r, _RUN_KEYS, (), where, source)
        if not isinstance(r["request"], str):
            raise FormatError("must be a string", file=source, location=f"{where}.request")
        ids.append(r["request"])
        starts.append(_want_int(r["start"], f"{where}.start", source, bounded=True))
        ends.append(_want_int(r["end"], f"{where}.end", source, bounded=True))
    return Result(
        instance=data["instance"],
        solver=data["solver"],
        status=data["status"],
        objective=data["objective"],
        lower_bound=data["lower_bound"],
        runtime=float(data["runtime"]),
        schedule=Schedule.from_arrays(
            ids, np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)
        ),
        metadata=data.get("metadata", {}),
        metrics=data.get("metrics", {}),
    )


def load_solution(path: str | os.PathLike[str]) -> Result:
    """Read a solution file (its feasibility is for :func:`kvopt.verify` to judge)."""
    p = str(path)
    return solution_from_dict(read_json(p), source=p)


def save_solution(
    solution: Result, path: str | os.PathLike[str], *, instance: Instance | None = None
) -> None:
    """Write ``solution`` to ``path`` atomically (one run per line).

    With ``instance`` (the one solved), its :func:`instance_digest` is recorded as
    ``metadata.instance_digest``, so that the verifier can tell a solution of another
    instance that happens to have the same name and request ids.
    """
    d = solution_document(solution, instance)
    runs = d.pop("runs")
    write_text_atomic(path, _dump_rows(d, "runs", runs))


def solution_document(solution: Solution, instance: Instance | None = None) -> dict:
    """The JSON document of a solution file (with ``instance``'s digest, as saved)."""
    d = solution.to_dict()
    if instance is not None:
        d["metadata"] = {**d.get("metadata", {}), DIGEST_KEY: instance_digest(instance)}
    return d


#: Where a solution file records the digest of the instance it was computed for.
DIGEST_KEY = "instance_digest"


def instance_digest(instance: Instance) -> str:
    """A fingerprint of what a schedule depends on: M and every request's id, a, s, o.

    Sixteen hex digits of SHA-256; the name, metadata and predictions are left out.
    """
    h = hashlib.sha256(f"{instance.memory}\0{instance.n}\0".encode())
    h.update("\0".join(instance.ids).encode("utf-8", "surrogatepass"))
    for col in (instance.arrival, instance.prompt, instance.output):
        h.update(np.ascontiguousarray(col, dtype="<i8").tobytes())
    return h.hexdigest()[:16]


def check_solution_of(instance: Instance, solution: Result, *, file: str | None = None) -> None:
    """Refuse a solution computed for another instance than ``instance``.

    Three checks, each a :class:`FormatError` naming ``file``: the instance name; the
    requests (a run naming a request the instance does not have); and, when the file
    records one, the :func:`instance_digest` (same name and ids, other data).
    """
    if solution.instance != instance.name:
        raise FormatError(
            f"is a solution of instance {solution.instance!r}, not {instance.name!r}",
            file=file,
            location="instance",
        )
    idx, unknown = solution.schedule.indices(instance)
    if unknown:
        k = int((idx < 0).argmax())
        raise FormatError(
            f"names request {solution.schedule.request_ids[k]!r}, which is not in instance "
            f"{instance.name!r} ({len(unknown)} unknown request id(s)): a solution of "
            f"another instance with the same name?",
            file=file,
            location=f"runs[{k}].request",
        )
    digest = solution.metadata.get(DIGEST_KEY)
    if digest is not None and digest != instance_digest(instance):
        raise FormatError(
            f"was computed for another instance named {instance.name!r} (its requests or "
            f"memory differ: digest {digest!r}, this instance {instance_digest(instance)!r})",
            file=file,
            location=f"metadata.{DIGEST_KEY}",
        )


def solution_instance(instance: Instance, solution: Result, *, file: str | None = None) -> Instance:
    """The instance whose rounds ``solution`` refers to.

    Usually ``instance`` itself. A simulation in calibrated time (requests with
    ``arrival_time`` in seconds and a time model) decides in which round each request
    arrives, because a busy machine has long rounds; its solution file records those
    rounds as ``metadata.arrival_rounds`` (one integer per request, in instance order),
    and its schedule is judged against the instance with these arrival rounds. They are
    checked to be non-negative integers, one per request, that never put a request that
    arrived later (in seconds) in an earlier round.

    Raises
    ------
    FormatError
        If ``arrival_rounds`` is malformed or contradicts the arrival times.
    """
    rounds = solution.metadata.get("arrival_rounds")
    if rounds is None:
        return instance
    where = "metadata.arrival_rounds"
    if (
        not isinstance(rounds, list)
        or len(rounds) != instance.n
        or not all(is_int(r) and 0 <= r <= MAX_VALUE for r in rounds)
    ):
        raise FormatError(
            f"must be a list of {instance.n} integers in [0, 2**53 - 1] (one per request)",
            file=file,
            location=where,
        )
    if instance.arrival_time is None:
        raise FormatError(
            "is only meaningful for instances with arrival_time (seconds)",
            file=file,
            location=where,
        )
    arr = np.asarray(rounds, dtype=np.int64)
    order = np.argsort(instance.arrival_time, kind="stable")
    bad = np.flatnonzero(np.diff(arr[order]) < 0)
    if bad.size:
        i, j = int(order[bad[0]]), int(order[bad[0] + 1])
        raise FormatError(
            f"request {instance.ids[j]!r} arrives after {instance.ids[i]!r} (in seconds) but in "
            f"an earlier round ({arr[j]} < {arr[i]})",
            file=file,
            location=where,
        )
    return instance.replace(arrival=arr)

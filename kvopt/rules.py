"""The rules an instance obeys, written once: for one value and for a whole column.

:class:`kvopt.model.Request` checks one request with the scalar rules
(:func:`id_problem`, :func:`int_problem`, :func:`interval_problem`,
:func:`time_problem`); :class:`kvopt.model.Instance` checks whole columns with the
vectorised ones (:func:`check_ids`, :func:`int_column`, :func:`check_fit`,
:func:`check_size`, :func:`check_intervals`, :func:`time_column`), whose messages are
the scalar rules' messages for the first offending request; :mod:`kvopt.io` uses the
same type rules (:func:`is_int`, :func:`id_problem`) to name the place in the file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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

#: The smallest value of each integer field of a request.
MINIMUM = {"arrival": 0, "prompt": 1, "output": 1, "predicted": 1, "output_lo": 1, "output_hi": 1}


# -- one value ------------------------------------------------------------------------


def is_int(value: Any) -> bool:
    """An integer (Python or numpy), not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def too_large(value: Any) -> str:
    return f"must be an integer <= 2**53 - 1 = {MAX_VALUE}, got {value}"


def bad_time(value: Any) -> str:
    return f"must be a finite number of seconds in [0, 2**53 - 1], got {value!r}"


def id_problem(value: Any) -> str | None:
    """Why ``value`` cannot be a request id or an instance name (``None``: it can)."""
    if not isinstance(value, str) or not value:
        return f"must be a non-empty string, got {value!r}"
    return None


def int_problem(value: Any, minimum: int) -> str | None:
    """Why ``value`` cannot be an integer field with this ``minimum`` (``None``: it can)."""
    if not is_int(value):
        return f"must be an integer, got {value!r}"
    if value < minimum:
        return f"must be an integer >= {minimum}, got {value}"
    if value > MAX_VALUE:
        return too_large(value)
    return None


def time_problem(value: Any) -> str | None:
    """Why ``value`` cannot be an arrival time in seconds (``None``: it can)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not math.isfinite(value)
        or not 0 <= value <= MAX_VALUE
    ):
        return bad_time(value)
    return None


def pair_problem(lo_given: bool, hi_given: bool) -> tuple[str, str] | None:
    """A prediction interval is both bounds or neither: the message and the missing field."""
    if lo_given == hi_given:
        return None
    missing = "output_hi" if lo_given else "output_lo"
    return "a prediction interval needs both output_lo and output_hi", missing


def interval_problem(lo: int, hi: int, output: int) -> tuple[str, str] | None:
    """The interval must contain the output: the message and the field at fault."""
    if lo <= output <= hi:
        return None
    text = f"the interval [{lo}, {hi}] must contain the output {output}"
    return text, "output_lo" if lo > output else "output_hi"


def fit_problem(prompt: int, output: int, memory: int) -> str | None:
    """A request whose peak memory exceeds M can never run."""
    if prompt + output <= memory:
        return None
    return (
        f"prompt + output = {prompt} + {output} = {prompt + output} exceeds the memory "
        f"M = {memory}: this request can never run"
    )


def check_scalar(name: Any, memory: Any, source: str | None) -> None:
    """The instance's name and memory M."""
    if (why := id_problem(name)) is not None:
        raise InstanceError(why, field="name", file=source)
    if not is_int(memory) or memory < 1:
        raise InstanceError(f"must be an integer >= 1, got {memory!r}", field="memory", file=source)
    if memory > MAX_VALUE:
        raise InstanceError(too_large(memory), field="memory", file=source)


# -- whole columns --------------------------------------------------------------------


def check_ids(ids: Sequence[Any], source: str | None) -> dict[str, int]:
    """Every id a non-empty string, no two alike; returns the position of each."""
    index_of: dict[str, int] = dict(zip(ids, range(len(ids)), strict=True))
    if len(index_of) == len(ids) and set(map(type, ids)) <= {str} and all(ids):
        return index_of  # the common case, checked in C; the loop below says what is wrong
    index_of = {}
    for i, rid in enumerate(ids):
        if (why := id_problem(rid)) is not None:
            request = rid if isinstance(rid, str) else None
            raise InstanceError(why, field="id", request=request, file=source)
        if index_of.setdefault(rid, i) != i:
            raise InstanceError("duplicate request id", request=rid, field="id", file=source)
    return index_of


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def _first_non_int(values: Sequence[Any]) -> tuple[int, str]:
    """The first value of a column numpy could not hold as int64, and why."""
    vals = [v.item() if isinstance(v, np.generic) else v for v in values]
    bad = next((i for i, v in enumerate(vals) if not is_int(v)), None)
    if bad is not None:
        return bad, f"must be an integer, got {vals[bad]!r}"
    bad = next(i for i, v in enumerate(vals) if abs(v) > MAX_VALUE)  # beyond int64
    return bad, too_large(vals[bad])


def int_column(
    values: Any, key: str, ids: Sequence[str], source: str | None, *, required: bool
) -> np.ndarray | None:
    """Column ``key`` as a read-only int64 array, each value obeying :func:`int_problem`."""
    n = len(ids)
    if values is None:
        if required:
            raise InstanceError("is required", field=key, file=source)
        return None
    arr = np.asarray(values)
    if arr.shape != (n,):
        raise InstanceError(
            f"must have one value per request ({n}), got shape {arr.shape}", field=key, file=source
        )
    if n and arr.dtype.kind not in "iu":
        bad, why = _first_non_int(values)
        raise InstanceError(why, request=ids[bad], field=key, file=source)
    if arr.dtype.kind == "u" and n and int(arr.max()) > MAX_VALUE:
        i = int(np.argmax(arr))
        raise InstanceError(too_large(int(arr[i])), request=ids[i], field=key, file=source)
    arr = arr.astype(np.int64, copy=False)
    wrong = np.flatnonzero((arr < MINIMUM[key]) | (arr > MAX_VALUE))
    if wrong.size:
        i = int(wrong[0])
        why = int_problem(int(arr[i]), MINIMUM[key])
        raise InstanceError(why, request=ids[i], field=key, file=source)
    return _frozen(arr)


def check_fit(
    prompt: np.ndarray, output: np.ndarray, memory: int, ids: Sequence[str], source: str | None
) -> None:
    """Every request fits the memory on its own (:func:`fit_problem`)."""
    over = np.flatnonzero(prompt + output > memory)
    if over.size:
        i = int(over[0])
        why = fit_problem(int(prompt[i]), int(output[i]), memory)
        raise InstanceError(why, request=ids[i], field="output", file=source)


def check_size(
    arrival: np.ndarray, prompt: np.ndarray, output: np.ndarray, source: str | None
) -> None:
    """The memory area and the horizon stay within exact 64-bit arithmetic."""
    # In floats: the exact int64 sums could themselves overflow.
    o = output.astype(np.float64)
    area = float(np.sum(prompt * o + o * (o + 1) / 2))
    horizon = float(arrival.max()) + float(o.sum()) if arrival.size else 0.0
    if area > MAX_VALUE or horizon > MAX_VALUE:
        what, value = ("memory area", area) if area > MAX_VALUE else ("horizon", horizon)
        raise InstanceError(
            f"the instance is too large for exact 64-bit arithmetic: its {what} "
            f"(~{value:.3g}) exceeds 2**53 - 1; scale the outputs and memory down",
            field="output",
            file=source,
        )


def check_intervals(
    lo: np.ndarray | None,
    hi: np.ndarray | None,
    output: np.ndarray,
    ids: Sequence[str],
    source: str | None,
) -> None:
    """Both interval columns or neither, each interval containing its output."""
    if (pair := pair_problem(lo is not None, hi is not None)) is not None:
        raise InstanceError(pair[0], field=pair[1], file=source)
    if lo is None or hi is None:
        return
    bad = np.flatnonzero((lo > output) | (output > hi))
    if bad.size:
        i = int(bad[0])
        why = interval_problem(int(lo[i]), int(hi[i]), int(output[i]))
        assert why is not None
        raise InstanceError(why[0], request=ids[i], field=why[1], file=source)


def time_column(values: Any, ids: Sequence[str], source: str | None) -> np.ndarray | None:
    """The arrival times in seconds as a read-only float64 array (:func:`time_problem`)."""
    if values is None:
        return None
    t = np.asarray(values, dtype=np.float64)
    if t.shape != (len(ids),):
        raise InstanceError(
            f"must have one value per request ({len(ids)})", field="arrival_time", file=source
        )
    bad = np.flatnonzero(~np.isfinite(t) | (t < 0) | (t > MAX_VALUE))
    if bad.size:
        i = int(bad[0])
        raise InstanceError(
            bad_time(float(t[i])), request=ids[i], field="arrival_time", file=source
        )
    return _frozen(t)

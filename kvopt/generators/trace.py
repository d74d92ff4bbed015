"""``trace``: replay a real trace (or any CSV with arrival, prompt and output columns).

Named traces ship with the repository in ``instances/traces/`` (see the README there for
sources and licences):

* ``azure-conv-2023``: Azure LLM inference trace 2023, conversation (19,366 requests, 1 h);
* ``azure-code-2023``: the same, code completion (8,819 requests);
* ``mooncake-conversation``: Mooncake's conversation trace (12,031 requests, long prompts).

Any other value of ``trace`` is a path to a CSV file whose columns are recognised by name:
arrival (``arrived_at``, ``arrival_time``, ``arrival``, ``timestamp``), prompt
(``num_prefill_tokens``, ``input_length``, ``prompt``, ``prompt_tokens``) and output
(``num_decode_tokens``, ``output_length``, ``output``, ``output_tokens``). Arrivals are in
seconds, except a ``timestamp`` column, which is in milliseconds (``time_unit`` overrides).

Steps: sort by arrival; pick ``n`` requests (``sample=window``: a contiguous window at a
random start, which keeps the arrival process; ``head``: the first n; ``random``: a random
subset in arrival order, which thins the rate by n / N); shift so that the first arrives at
0; divide the times by ``rate_scale`` (2 = twice as many requests per second); convert to
rounds through the time model (:mod:`kvopt.generators.rounds`). A request with
``prompt + output > M`` is an error naming its row, unless ``overflow=clip``: then the
prompt is cut to ``M - 1`` and the output to ``M - prompt`` (the count is recorded in the
metadata). Requests are never dropped. Request ids are ``row<k>``, k the 1-based data row
of the file.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np

from kvopt.files import open_regular_file
from kvopt.generators.base import GeneratorError, Param, at_least, require
from kvopt.generators.poisson import memory_of, rounds_of
from kvopt.model import MAX_VALUE, Instance
from kvopt.time_model import get_time_model

NAME = "trace"
DESCRIPTION = "replay a real trace (Azure 2023 conversation/code, Mooncake) or a CSV file"

#: Named traces: file name in ``instances/traces/``.
TRACES = {
    "azure-conv-2023": "splitwise_conv.csv",
    "azure-code-2023": "splitwise_code.csv",
    "mooncake-conversation": "mooncake_conversation.csv",
}

ARRIVAL_COLUMNS = ("arrived_at", "arrival_time", "arrival", "timestamp")
PROMPT_COLUMNS = ("num_prefill_tokens", "input_length", "prompt", "prompt_tokens")
OUTPUT_COLUMNS = ("num_decode_tokens", "output_length", "output", "output_tokens")

PARAMS = (
    Param("trace", str, "azure-conv-2023", f"a named trace ({', '.join(TRACES)}) or a CSV path"),
    Param("n", int, None, "number of requests (default: all)"),
    Param("sample", str, "window", "which n requests", ("window", "head", "random")),
    Param("rate_scale", float, 1.0, "multiply the arrival rate (divide the times) by this"),
    Param("overflow", str, "error", "requests with prompt + output > M", ("error", "clip")),
    Param("time_model", str, "a100-tp2-llama2-70b", "time model converting seconds to rounds"),
    Param("memory", int, None, "KV capacity M (default: the time model's)"),
    Param("round_seconds", float, None, "impose the round duration (default: steady state)"),
    Param("time_unit", str, "auto", "unit of the arrival column", ("auto", "s", "ms")),
    Param("trace_dir", str, None, "directory of the named traces (default: instances/traces)"),
)


def traces_dir() -> Path:
    """``instances/traces`` of the source checkout kvopt runs from."""
    return Path(__file__).resolve().parents[2] / "instances" / "traces"


def trace_path(trace: str, trace_dir: str | None = None) -> Path:
    """The file of a named trace, or ``trace`` itself as a path.

    Raises
    ------
    GeneratorError
        If the file does not exist (with where it was looked for).
    """
    if trace in TRACES:
        where = Path(trace_dir) if trace_dir else traces_dir()
        p = where / TRACES[trace]
        if not p.is_file():
            raise GeneratorError(
                f"trace: named trace {trace!r} not found: {p} is missing (named traces ship "
                f"in the repository's instances/traces/; use a source checkout, pass "
                f"trace_dir, or give a CSV path)"
            )
        return p
    p = Path(trace)
    if not os.path.lexists(p):  # anything else is judged by open_regular_file
        raise GeneratorError(
            f"trace: {trace!r} is neither a named trace ({', '.join(TRACES)}) nor a file"
        )
    return p


def _column(header: list[str], names: tuple[str, ...], what: str, path: Path) -> str:
    for c in names:
        if c in header:
            return c
    raise GeneratorError(
        f"trace: {path}: no {what} column (looked for {', '.join(names)}; found "
        f"{', '.join(header)})"
    )


def _tokens(text: str | None, path: Path, row: int, column: str) -> int:
    """A token count from a CSV cell: a whole number (``12`` or ``12.0``) in range."""
    try:
        v = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise GeneratorError(f"trace: {path}: row {row}: {column} is not a number") from None
    if not math.isfinite(v) or v != int(v) or abs(v) > MAX_VALUE:
        raise GeneratorError(
            f"trace: {path}: row {row}: {column} must be a whole number of tokens "
            f"<= 2**53 - 1, got {text!r}"
        )
    return int(v)


def read_trace(path: Path, time_unit: str = "auto") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrival seconds, prompts and outputs of a trace CSV, in file order."""
    try:
        with open_regular_file(path, newline="") as f:
            reader = csv.DictReader(f)
            header = list(reader.fieldnames or [])
            ca = _column(header, ARRIVAL_COLUMNS, "arrival", path)
            cp = _column(header, PROMPT_COLUMNS, "prompt", path)
            co = _column(header, OUTPUT_COLUMNS, "output", path)
            t, s, o = [], [], []
            for row, r in enumerate(reader, start=1):
                try:
                    t.append(float(r[ca]))
                except (TypeError, ValueError):
                    raise GeneratorError(
                        f"trace: {path}: row {row}: {ca} is not a number"
                    ) from None
                s.append(_tokens(r[cp], path, row, cp))
                o.append(_tokens(r[co], path, row, co))
    except UnicodeDecodeError as e:
        raise GeneratorError(
            f"trace: {path}: not UTF-8 text ({e.reason} at byte {e.start})"
        ) from None
    if not t:
        raise GeneratorError(f"trace: {path}: no requests")
    times = np.array(t, dtype=np.float64)
    unit = time_unit if time_unit != "auto" else ("ms" if ca == "timestamp" else "s")
    if unit == "ms":
        times = times / 1000.0
    s_arr, o_arr = np.array(s, dtype=np.int64), np.array(o, dtype=np.int64)
    for what, arr in (("prompt", s_arr), ("output", o_arr)):
        bad = np.flatnonzero(arr < 1)
        if bad.size:
            raise GeneratorError(
                f"trace: {path}: row {bad[0] + 1}: {what} must be >= 1, got {arr[bad[0]]}"
            )
    bad = np.flatnonzero(~np.isfinite(times))
    if bad.size:
        raise GeneratorError(f"trace: {path}: row {bad[0] + 1}: arrival is not finite")
    bad = np.flatnonzero((times < 0) | (times > MAX_VALUE))
    if bad.size:
        raise GeneratorError(
            f"trace: {path}: row {bad[0] + 1}: {ca} must be a time in [0, 2**53 - 1], "
            f"got {t[bad[0]]!r}"
        )
    return times, s_arr, o_arr


def build(
    rng: np.random.Generator,
    name: str,
    *,
    trace: str,
    n: int | None,
    sample: str,
    rate_scale: float,
    overflow: str,
    time_model: str,
    memory: int | None,
    round_seconds: float | None,
    time_unit: str,
    trace_dir: str | None,
) -> Instance:
    require(rate_scale > 0, NAME, f"rate_scale must be > 0, got {rate_scale}")
    at_least(NAME, "n", n, 1)
    tm = get_time_model(time_model)
    memory = memory_of(NAME, tm, memory)
    path = trace_path(trace, trace_dir)
    times, s, o = read_trace(path, time_unit)
    order = np.argsort(times, kind="stable")
    total = times.size
    if n is None:
        n = total
    require(n <= total, NAME, f"n = {n} exceeds the {total} requests of {trace}")
    if sample == "head":
        pick = order[:n]
    elif sample == "window":
        first = int(rng.integers(0, total - n, endpoint=True))
        pick = order[first : first + n]
    else:
        pick = np.sort(rng.choice(total, size=n, replace=False))
        pick = order[pick]
    t = (times[pick] - times[pick].min()) / rate_scale
    s, o = s[pick].copy(), o[pick].copy()
    rows = pick + 1
    over = np.flatnonzero(s + o > memory)
    if over.size and overflow == "error":
        i = int(over[0])
        raise GeneratorError(
            f"trace: {trace} row {rows[i]}: prompt + output = {s[i]} + {o[i]} = {s[i] + o[i]} "
            f"exceeds M = {memory} ({over.size} such request(s)); use overflow=clip "
            f"(--overflow clip) to clip them, or a larger memory"
        )
    s = np.minimum(s, memory - 1)
    o = np.minimum(o, memory - s)
    a, conv = rounds_of(NAME, tm, t, s, o, memory, round_seconds)
    meta = {
        "memory": memory,
        "trace_file": path.name,
        "requests_in_trace": int(total),
        "clipped": int(over.size),
        "conversion": conv,
    }
    return Instance.from_arrays(
        name,
        memory,
        ids=[f"row{r}" for r in rows],
        arrival=a,
        prompt=s,
        output=o,
        arrival_time=t,
        metadata=meta,
    )

"""``trace``: replay a real trace (or any CSV with arrival, prompt and output columns).

Named traces ship with the repository in ``instances/traces/`` (see the README there for
sources and licences):

* ``azure-conv-2023``: Azure LLM inference trace 2023, conversation (19,366 requests, 1 h);
* ``azure-code-2023``: the same, code completion (8,819 requests);
* ``mooncake-conversation``: Mooncake's conversation trace (12,031 requests, long prompts).

Any other value of ``trace`` is a path to a trace file in one of the formats of
:mod:`kvopt.generators.trace_formats` (the Azure 2023 files in their original columns,
Vidur's CSVs, Mooncake JSONL or CSV, BurstGPT CSV, vLLM benchmark results JSON, or any
CSV/JSONL with ``columns=arrival=COL,prompt=COL,output=COL``); headers are
case-insensitive. ``time_unit`` overrides the unit of numeric arrivals.

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

import functools
import os
import stat
from pathlib import Path

import numpy as np

from kvopt.generators.base import GeneratorError, Param, at_least, require
from kvopt.generators.poisson import memory_of, rounds_of
from kvopt.generators.trace_formats import read_requests
from kvopt.model import Instance
from kvopt.time_model import get_time_model

NAME = "trace"
DESCRIPTION = "replay a real trace (Azure 2023 conversation/code, Mooncake) or a CSV file"

#: Named traces: file name in ``instances/traces/``.
TRACES = {
    "azure-conv-2023": "splitwise_conv.csv",
    "azure-code-2023": "splitwise_code.csv",
    "mooncake-conversation": "mooncake_conversation.csv",
}

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
    Param("columns", str, None, "column names: arrival=COL,prompt=COL,output=COL"),
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


@functools.lru_cache(maxsize=4)
def _read_cached(
    path: str, stamp: tuple[int, int], time_unit: str, columns: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = read_requests(Path(path), columns=columns, time_unit=time_unit)
    arrays = (data.times, data.prompt, data.output)
    for a in arrays:
        a.setflags(write=False)  # shared between calls: never modified
    return arrays


def read_trace(
    path: Path, time_unit: str = "auto", columns: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrival seconds, prompts and outputs of a trace file, in file order (read-only).

    Any format of :mod:`kvopt.generators.trace_formats` (Azure 2023, Vidur, Mooncake
    CSV/JSONL, BurstGPT, vLLM benchmark results, or ``columns=...``). A regular file is
    read once per process and kept while its size and modification time stay the same
    (reading the 19,366-row Azure trace takes about a second).
    """
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is None or not stat.S_ISREG(st.st_mode):  # let the reader give its error
        data = read_requests(path, columns=columns, time_unit=time_unit)
        return data.times, data.prompt, data.output
    return _read_cached(str(Path(path).resolve()), (st.st_size, st.st_mtime_ns), time_unit, columns)


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
    columns: str | None = None,
) -> Instance:
    require(rate_scale > 0, NAME, f"rate_scale must be > 0, got {rate_scale}")
    at_least(NAME, "n", n, 1)
    tm = get_time_model(time_model)
    memory = memory_of(NAME, tm, memory)
    path = trace_path(trace, trace_dir)
    times, s, o = read_trace(path, time_unit, columns)
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

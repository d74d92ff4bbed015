"""Trace files as users have them: arrival, prompt and output of each request.

Recognised by their column names (case-insensitive, surrounding spaces ignored):

- ``azure-2023`` (CSV): ``TIMESTAMP`` (date and time), ``ContextTokens``,
  ``GeneratedTokens`` -- the Azure LLM inference trace 2023 as published;
- ``vidur`` (CSV): ``arrived_at`` (s), ``num_prefill_tokens``, ``num_decode_tokens``;
- ``mooncake`` (JSONL or CSV): ``timestamp`` (ms), ``input_length``, ``output_length``;
- ``burstgpt`` (CSV): ``Timestamp`` (s), ``Request tokens``, ``Response tokens``;
- ``vllm-results`` (JSON): ``input_lens``, ``output_lens`` and, if present,
  ``start_times`` (else every request arrives at 0);
- ``generic`` (CSV or JSONL): arrival ``arrival_time``/``arrival``/... (s), prompt
  ``prompt``/``prompt_tokens``/..., output ``output``/``output_tokens``/... (see
  :data:`GENERIC_ARRIVAL`, :data:`GENERIC_PROMPT`, :data:`GENERIC_OUTPUT`).

Any other file is read through an explicit mapping, ``columns="arrival=COL,prompt=COL,
output=COL"`` (``--columns`` on the command line). Arrival cells are numbers (seconds,
or milliseconds where the format says so; ``time_unit`` overrides) or ISO dates and times
(``2023-11-16 18:15:46.6805900``), which become seconds since the first.

A vLLM ``benchmark_serving`` results file (``--save-result``) lists per-request
``input_lens`` and ``output_lens``; failed requests (a non-empty ``errors`` entry or an
output of 0 tokens) are dropped and counted. Newer vLLM versions also write per-request
``start_times`` (seconds, any origin: the generator shifts the first to 0); without them
every request arrives at 0 (the benchmark's ``--request-rate inf``) and
:class:`TraceData` says so.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from kvopt.files import open_regular_file
from kvopt.generators.base import GeneratorError
from kvopt.model import MAX_VALUE


@dataclass(frozen=True)
class Format:
    """A trace format: its columns (lower case) and the unit of its arrival column."""

    name: str
    arrival: str
    prompt: str
    output: str
    unit: str = "s"


#: Known formats, tried in this order.
FORMATS: tuple[Format, ...] = (
    Format("azure-2023", "timestamp", "contexttokens", "generatedtokens"),
    Format("vidur", "arrived_at", "num_prefill_tokens", "num_decode_tokens"),
    Format("mooncake", "timestamp", "input_length", "output_length", "ms"),
    Format("burstgpt", "timestamp", "request tokens", "response tokens"),
)

#: Column names tried, in order, for a file of no known format.
GENERIC_ARRIVAL = ("arrival_time", "arrival", "arrived_at", "timestamp", "time")
GENERIC_PROMPT = ("prompt", "prompt_tokens", "input_tokens", "prompt_len", "input_len")
GENERIC_OUTPUT = ("output", "output_tokens", "completion_tokens", "output_len")

#: Keys of a vLLM benchmark_serving results file.
VLLM_KEYS = ("input_lens", "output_lens")


@dataclass
class TraceData:
    """Requests read from a trace file, in file order.

    Attributes
    ----------
    times
        Arrival seconds (relative to the earliest when the file gives dates).
    prompt, output
        Token counts.
    rows
        The 1-based row (CSV data row, JSONL line, JSON list index + 1) of each request.
    format
        The format recognised (or ``"columns"`` for an explicit mapping).
    notes
        What the reader did that a user should know (dropped rows, missing arrivals).
    """

    times: np.ndarray
    prompt: np.ndarray
    output: np.ndarray
    rows: np.ndarray
    format: str
    notes: dict[str, Any] = field(default_factory=dict)


def parse_columns(text: str | None) -> dict[str, str] | None:
    """``"arrival=A,prompt=P,output=O"`` as a dictionary (column names lower-cased)."""
    if text is None:
        return None
    out: dict[str, str] = {}
    for item in text.split(","):
        key, sep, col = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in ("arrival", "prompt", "output") or not col.strip():
            raise GeneratorError(
                f"trace: columns must be arrival=COLUMN,prompt=COLUMN,output=COLUMN, got {text!r}"
            )
        out[key] = col.strip().lower()
    missing = [k for k in ("arrival", "prompt", "output") if k not in out]
    if missing:
        raise GeneratorError(f"trace: columns has no {', '.join(missing)} (got {text!r})")
    return out


def _pick(header: list[str], columns: dict[str, str] | None, path: Path) -> Format:
    """The format of a file with these (lower-case) columns."""
    have = set(header)
    if columns is not None:
        for key, col in columns.items():
            if col not in have:
                raise GeneratorError(
                    f"trace: {path}: no column {col!r} for {key} (found {', '.join(header)})"
                )
        return Format("columns", columns["arrival"], columns["prompt"], columns["output"])
    for f in FORMATS:
        if {f.arrival, f.prompt, f.output} <= have:
            return f
    chosen = []
    for what, names in (
        ("arrival", GENERIC_ARRIVAL),
        ("prompt", GENERIC_PROMPT),
        ("output", GENERIC_OUTPUT),
    ):
        col = next((c for c in names if c in have), None)
        if col is None:
            raise GeneratorError(
                f"trace: {path}: no {what} column (looked for {', '.join(names)}; found "
                f"{', '.join(header)}); name them with columns=arrival=...,prompt=...,output=..."
            )
        chosen.append(col)
    # the historical rule: a bare "timestamp" column is in milliseconds (Mooncake's)
    return Format("generic", *chosen, unit="ms" if chosen[0] == "timestamp" else "s")


def _tokens(value: Any, path: Path, row: int, column: str) -> int:
    """A token count: a whole number (``12`` or ``12.0``) in range."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise GeneratorError(f"trace: {path}: row {row}: {column} is not a number") from None
    if not math.isfinite(v) or v != int(v) or abs(v) > MAX_VALUE:
        raise GeneratorError(
            f"trace: {path}: row {row}: {column} must be a whole number of tokens "
            f"<= 2**53 - 1, got {value!r}"
        )
    return int(v)


def _moment(value: Any, path: Path, row: int, column: str) -> tuple[float, float, bool]:
    """An arrival cell: ``(whole, fraction, is_date)``.

    A number is ``(value, 0, False)``; a date and time is its whole POSIX seconds and the
    fraction of a second apart, so that differences keep sub-microsecond precision.
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        pass
    else:
        if not math.isfinite(v):
            raise GeneratorError(f"trace: {path}: row {row}: {column} is not finite")
        return v, 0.0, False
    text = str(value).strip()
    head, dot, frac = text.partition(".")
    try:
        base = datetime.fromisoformat(head).replace(tzinfo=timezone.utc)
        secs = float("0." + frac) if dot else 0.0
    except ValueError:
        raise GeneratorError(
            f"trace: {path}: row {row}: {column} is neither a number nor a date, got {value!r}"
        ) from None
    return base.timestamp(), secs, True


def _read_text(path: Path) -> str:
    """The file's text; anything but a regular file (FIFO, device, directory) is refused."""
    with open_regular_file(path) as f:
        return f.read()


def _records(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """Lower-case keys and ``(row, record)`` pairs of a CSV, JSONL or JSON-list file."""
    text = _read_text(path)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson") or (suffix != ".csv" and text.lstrip().startswith("{")):
        rows = []
        for k, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise GeneratorError(f"trace: {path}: line {k}: not JSON ({e.msg})") from None
            if not isinstance(obj, dict):
                raise GeneratorError(f"trace: {path}: line {k}: not a JSON object")
            rows.append((k, {str(a).strip().lower(): b for a, b in obj.items()}))
        header = list(rows[0][1]) if rows else []
        return header, iter(rows)
    reader = csv.reader(text.splitlines())
    header = [h.strip().lower() for h in next(reader, [])]
    return header, ((k, dict(zip(header, r, strict=False))) for k, r in enumerate(reader, start=1))


def _vllm(path: Path, data: dict[str, Any]) -> TraceData:
    """A vLLM benchmark_serving results file."""
    lens = {k: data[k] for k in VLLM_KEYS}
    n = len(lens["input_lens"])
    if not all(isinstance(v, list) for v in lens.values()) or len(lens["output_lens"]) != n:
        raise GeneratorError(
            f"trace: {path}: input_lens and output_lens must be lists of one length"
        )
    errors = data.get("errors") or [""] * n
    starts = data.get("start_times")
    keep = [i for i in range(n) if not errors[i] and lens["output_lens"][i] != 0]
    s = [_tokens(lens["input_lens"][i], path, i + 1, "input_lens") for i in keep]
    o = [_tokens(lens["output_lens"][i], path, i + 1, "output_lens") for i in keep]
    if isinstance(starts, list) and len(starts) == n:
        t = [_moment(starts[i], path, i + 1, "start_times")[0] for i in keep]  # numbers
        note = "start_times"
    else:
        t = [0.0] * len(keep)
        note = "not in the file: every request arrives at 0"
    notes = {"dropped_failed": n - len(keep), "arrivals": note}
    return _finish(path, t, s, o, [i + 1 for i in keep], "vllm-results", notes, "start_times")


def _finish(
    path: Path,
    t: list[float],
    s: list[int],
    o: list[int],
    rows: list[int],
    fmt: str,
    notes: dict[str, Any],
    arrival: str = "arrival",
) -> TraceData:
    if not t:
        raise GeneratorError(f"trace: {path}: no requests")
    bad = [k for k, x in enumerate(t) if not 0 <= x <= MAX_VALUE]
    if bad:
        raise GeneratorError(
            f"trace: {path}: row {rows[bad[0]]}: {arrival} must be a time in [0, 2**53 - 1], "
            f"got {t[bad[0]]!r}"
        )
    s_arr, o_arr = np.array(s, dtype=np.int64), np.array(o, dtype=np.int64)
    for what, arr in (("prompt", s_arr), ("output", o_arr)):
        bad = np.flatnonzero(arr < 1)
        if bad.size:
            raise GeneratorError(
                f"trace: {path}: row {rows[bad[0]]}: {what} must be >= 1, got {arr[bad[0]]}"
            )
    return TraceData(np.array(t, dtype=np.float64), s_arr, o_arr, np.array(rows), fmt, notes)


def read_requests(
    path: str | Path, *, columns: str | None = None, time_unit: str = "auto"
) -> TraceData:
    """Read a trace file of any format in the module docstring.

    Parameters
    ----------
    path
        The file (``.csv``, ``.jsonl``, or a vLLM results ``.json``).
    columns
        ``"arrival=COL,prompt=COL,output=COL"`` for a file of no known format.
    time_unit
        ``"auto"`` (the format's), ``"s"`` or ``"ms"``: the unit of numeric arrivals.

    Raises
    ------
    GeneratorError
        One line naming the file, the row and the problem.
    """
    path = Path(path)
    mapping = parse_columns(columns)
    try:
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(_read_text(path))
            except json.JSONDecodeError as e:
                where = f"trace: {path}: line {e.lineno}"
                raise GeneratorError(f"{where}: not JSON ({e.msg})") from None
            if isinstance(data, dict) and all(k in data for k in VLLM_KEYS) and mapping is None:
                return _vllm(path, data)
            raise GeneratorError(
                f"trace: {path}: a .json trace must be a vLLM benchmark results file "
                f"(with {' and '.join(VLLM_KEYS)}); use .csv or .jsonl for other traces"
            )
        header, records = _records(path)
    except UnicodeDecodeError as e:
        what = f"not UTF-8 text ({e.reason} at byte {e.start})"
        raise GeneratorError(f"trace: {path}: {what}") from None
    fmt = _pick(header, mapping, path)
    t, frac, s, o, rows = [], [], [], [], []
    dates = False
    for row, r in records:
        whole, part, is_date = _moment(r.get(fmt.arrival), path, row, fmt.arrival)
        dates = dates or is_date
        t.append(whole)
        frac.append(part)
        s.append(_tokens(r.get(fmt.prompt), path, row, fmt.prompt))
        o.append(_tokens(r.get(fmt.output), path, row, fmt.output))
        rows.append(row)
    unit = fmt.unit if time_unit == "auto" else time_unit
    if unit == "ms" and not dates:
        t = [x / 1000.0 for x in t]
    if dates and t:
        ref = min(range(len(t)), key=lambda k: (t[k], frac[k]))
        t = [(w - t[ref]) + (f - frac[ref]) for w, f in zip(t, frac, strict=True)]
    notes = {"arrivals": "dates (seconds since the first)"} if dates else {}
    return _finish(path, t, s, o, rows, fmt.name, notes, fmt.arrival)

"""Terminal tables and progress bars through `rich <https://rich.readthedocs.io>`_.

One place for what a library does better than hand-written formatters: aligned columns
with headers and units (:func:`render_table`, :func:`render_comparison`), tables printed
a row at a time (:class:`StreamingTable`) and a progress bar on standard error when it is
a terminal (:class:`Progress`, :func:`progress_bar`). Every table of every command goes
through here.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from rich.box import MARKDOWN, Box
from rich.console import Console
from rich.progress import (
    BarColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.table import Table

if TYPE_CHECKING:  # pragma: no cover
    from kvopt.compare import CompareTable


def cell(value: Any, digits: int = 4) -> str:
    """A table cell: ``-`` for missing, integers as they are, floats to ``digits`` figures."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


#: Columns separated by a space, a rule of ``-`` under the header (plain ASCII).
RULED = Box("    \n    \n -- \n    \n    \n -- \n    \n    \n")


def _render(table: Table, width: int) -> str:
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None, highlight=False).print(table)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()).strip("\n")


class StreamingTable:
    """A table printed a row at a time (as results arrive), aligned by fixed widths.

    Parameters
    ----------
    columns
        ``(header, width, justify)`` per column; ``justify`` is ``"left"`` or ``"right"``.
    """

    def __init__(self, columns: Sequence[tuple[str, int, str]], width: int = 400) -> None:
        self.columns = list(columns)
        self.width = width

    def _table(self, show_header: bool) -> Table:
        table = Table(box=RULED, show_edge=False, pad_edge=False, show_header=show_header)
        table.header_style = ""
        for head, w, justify in self.columns:
            table.add_column(head, min_width=max(w, len(head)), justify=justify, no_wrap=True)
        return table

    def header(self) -> str:
        """The header line and its rule."""
        return _render(self._table(True), self.width)

    def row(self, values: Sequence[Any]) -> str:
        """One row, aligned under :meth:`header`."""
        table = self._table(False)
        table.add_row(*(cell(v) for v in values))
        return _render(table, self.width)


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    width: int = 200,
    rule: bool = False,
    justify: Sequence[str] | None = None,
    markdown: bool = False,
    indent: int = 0,
) -> str:
    """``rows`` under ``headers`` as aligned plain text (numbers right-aligned).

    With ``rule`` a line of ``-`` separates the header from the rows; ``justify`` gives
    each column's alignment (``"left"``/``"right"``) instead of guessing it from the cells;
    ``markdown`` draws a Markdown (GitHub) table; ``indent`` spaces precede every line.
    """
    table = Table(
        box=MARKDOWN if markdown else (RULED if rule else None),
        show_edge=markdown,
        pad_edge=markdown,
        header_style="bold",
    )
    for k, h in enumerate(headers):
        numeric = any(isinstance(r[k], (int, float)) and not isinstance(r[k], bool) for r in rows)
        side = justify[k] if justify else ("right" if numeric else "left")
        table.add_column(h, justify=side, no_wrap=True)
    for r in rows:
        table.add_row(*(cell(v) for v in r))
    text = _render(table, width)
    if title:  # a line of its own: never wrapped to the table's width
        text = f"{title}\n{text}"
    return "\n".join(" " * indent + line for line in text.splitlines()) if indent else text


def render_comparison(table: CompareTable, width: int = 200) -> str:
    """The comparison table of :func:`kvopt.compare` with units in the headers."""
    u = "s" if table.unit == "seconds" else "rounds"
    per = "/s" if table.unit == "seconds" else "/round"
    headers = [
        "policy", "oracle", f"mean lat ({u})", "p50", "p90", "p99", f"mean TTFT ({u})",
        "p99 TTFT", f"req{per}", f"tok{per}", "evicted runs", "wasted rounds",
        "mean memory", "energy (kJ)", "J/request", "J/token",
    ]  # fmt: skip
    rows = []
    for rec in table.to_records():
        kj = rec["energy_joules"] / 1000 if rec["energy_joules"] is not None else None
        rows.append([
            rec["policy"], rec["oracle"], rec["mean_latency"], rec["p50_latency"],
            rec["p90_latency"], rec["p99_latency"], rec["mean_ttft"], rec["p99_ttft"],
            rec["throughput_requests"], rec["throughput_tokens"], rec["evicted_runs"],
            rec["wasted_rounds"], round(rec["mean_memory"]), kj, rec["energy_per_request_joules"],
            rec["energy_per_output_token_joules"],
        ])  # fmt: skip
    what = f"time model {table.time_model}" if table.time_model else "no time model: rounds"
    title = f"{table.instance}: {len(rows)} policies ({what})"
    text = render_table(headers, rows, title=title, width=width)
    if any(r["oracle"] for r in table.to_records()):
        text += "\noracle = the policy saw true output lengths (clairvoyant, or --oracle)"
    return text


class Progress:
    """A progress bar on standard error: ``━━━━━━╺━━━ 12/40 trials 1 failed 0:00:35 0:01:10``.

    Drawn by rich (redrawn a few times per second, the time left estimated from the
    rate); silent when disabled, the default when the stream is not a terminal, so logs
    and tests stay clean.

    Parameters
    ----------
    total
        Number of steps expected.
    label
        What a step is called.
    stream
        Where to draw (default standard error).
    enabled
        ``None``: only if ``stream`` is a terminal.
    interval
        Least number of seconds between two redraws (``0``: every update).
    """

    def __init__(
        self,
        total: int,
        label: str = "trials",
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        interval: float = 0.25,
    ) -> None:
        self.total = max(0, int(total))
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.done = 0
        self.failed = 0
        self._bar: RichProgress | None = None
        if self.enabled:
            columns = (
                BarColumn(), TextColumn("{task.completed}/{task.total} {task.description}"),
                TextColumn("{task.fields[failed]}"), TimeElapsedColumn(), TimeRemainingColumn(),
            )  # fmt: skip
            console = Console(file=self.stream, force_terminal=self.stream.isatty())
            rate = 1 / interval if interval > 0 else 100.0
            self._bar = RichProgress(*columns, console=console, refresh_per_second=rate)
            self._task = self._bar.add_task(label, total=self.total, failed="")
            self._bar.start()

    def update(self, n: int = 1, *, failed: bool = False) -> None:
        """Count ``n`` finished steps (``failed``: one of them failed)."""
        self.done += n
        self.failed += int(failed)
        if self._bar is not None:
            note = f"{self.failed} failed" if self.failed else ""
            self._bar.update(self._task, advance=n, failed=note)

    def close(self) -> None:
        """Draw the final state and end the line."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def progress_bar(
    total: int, label: str, *, enabled: bool | None = None, stream: TextIO | None = None
) -> Iterator[Any]:
    """A :class:`Progress` on ``stream`` (standard error); yields ``advance()``."""
    with Progress(total, label, stream=stream, enabled=enabled) as bar:
        yield lambda *_: bar.update()

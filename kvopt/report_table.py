"""Terminal tables and progress bars through `rich <https://rich.readthedocs.io>`_.

One place for what a library does better than hand-written formatters: aligned columns
with headers and units (:func:`render_table`, :func:`render_comparison`) and a progress
bar on standard error when it is a terminal (:func:`progress_bar`).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from rich.box import Box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
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
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines())


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
) -> str:
    """``rows`` under ``headers`` as aligned plain text (numbers right-aligned).

    With ``rule`` a line of ``-`` separates the header from the rows.
    """
    table = Table(
        title=title,
        box=RULED if rule else None,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
        title_justify="left",
    )
    for k, h in enumerate(headers):
        numeric = any(isinstance(r[k], (int, float)) and not isinstance(r[k], bool) for r in rows)
        table.add_column(h, justify="right" if numeric else "left", no_wrap=True)
    for r in rows:
        table.add_row(*(cell(v) for v in r))
    return _render(table, width)


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


@contextmanager
def progress_bar(
    total: int, label: str, *, enabled: bool | None = None, stream: TextIO | None = None
) -> Iterator[Any]:
    """A progress bar on ``stream`` (standard error); yields ``advance()``.

    ``enabled=None`` draws only when the stream is a terminal, so logs and tests stay clean.
    """
    stream = stream if stream is not None else sys.stderr
    on = stream.isatty() if enabled is None else enabled
    if not on:
        yield lambda *_: None
        return
    columns = (
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    )  # fmt: skip
    with Progress(*columns, console=Console(file=stream), transient=False) as bar:
        task = bar.add_task(label, total=total)
        yield lambda *_: bar.advance(task)

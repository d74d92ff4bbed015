"""A one-line progress bar on standard error (no dependency).

It redraws at most a few times per second, shows done/total, the trials that failed,
the rate and an estimate of the time left, and stays silent when disabled (the default
when standard error is not a terminal, so logs and tests stay clean).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:d}:{s:02d}"


class Progress:
    """``[#####.....] 12/40 trials, 1 failed, 0.8/s, 0:35 left``.

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
    width
        Characters of the bar itself.
    interval
        Least number of seconds between two redraws (the last step is always drawn).
    """

    def __init__(
        self,
        total: int,
        label: str = "trials",
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        width: int = 30,
        interval: float = 0.25,
    ) -> None:
        self.total = max(0, int(total))
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.width = width
        self.interval = interval
        self.done = 0
        self.failed = 0
        self._t0 = time.monotonic()
        self._last = -1.0

    def line(self) -> str:
        """The current bar as text."""
        frac = self.done / self.total if self.total else 1.0
        fill = int(round(frac * self.width))
        elapsed = time.monotonic() - self._t0
        rate = self.done / elapsed if elapsed > 0 else 0.0
        parts = [f"[{'#' * fill}{'.' * (self.width - fill)}] {self.done}/{self.total} {self.label}"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.done:
            parts.append(f"{rate:.2g}/s")
            parts.append(f"{_clock((self.total - self.done) / rate)} left" if rate else "")
        return ", ".join(p for p in parts if p)

    def update(self, n: int = 1, *, failed: bool = False) -> None:
        """Count ``n`` finished steps and redraw if it is time."""
        self.done += n
        self.failed += int(failed)
        now = time.monotonic()
        if self.enabled and (now - self._last >= self.interval or self.done >= self.total):
            self._last = now
            self.stream.write("\r" + self.line() + "\033[K")
            self.stream.flush()

    def close(self) -> None:
        """Finish the line."""
        if self.enabled:
            self.stream.write("\r" + self.line() + "\033[K\n")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

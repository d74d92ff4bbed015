"""Open a page in headless Chromium: its DOM after the scripts ran, its console, a screenshot.

Used by the tests of the interactive page (``tests/test_plot_html_browser.py``) and the
tutorial. Chromium comes from the distribution (``apt-get install chromium``; ``.ci/run``
installs it); ``KVOPT_CHROMIUM`` names another binary. Without a browser the tests are
skipped locally, but fail where one is required: when ``CI`` is ``true`` or
``KVOPT_REQUIRE_BROWSER`` is set (``.ci/run`` sets it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

#: Binaries tried in order when KVOPT_CHROMIUM is not set.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Console lines of ``--enable-logging=stderr --v=0``: ``...:INFO:CONSOLE:12] "text", source: ...``.
CONSOLE = re.compile(r":CONSOLE[:(]\d*\)?\]\s*(.*)")


def browser_required() -> bool:
    """Whether a missing browser is a failure (CI) rather than a reason to skip."""
    return os.environ.get("CI", "").lower() in ("true", "1") or bool(
        os.environ.get("KVOPT_REQUIRE_BROWSER")
    )


def find_chromium() -> str | None:
    """The browser (``KVOPT_CHROMIUM`` or the first of :data:`CANDIDATES`), or ``None``."""
    named = os.environ.get("KVOPT_CHROMIUM")
    if named:
        return shutil.which(named)
    return next(filter(None, map(shutil.which, CANDIDATES)), None)


def available() -> bool:
    """Whether a browser is there; fails the test instead of returning ``False`` in CI."""
    if find_chromium():
        return True
    if browser_required():
        chromium()  # fails with the reason
    return False


def chromium() -> str:
    """The browser binary; skips the test (or fails it, in CI) if there is none."""
    found = find_chromium()
    if found:
        return found
    named = os.environ.get("KVOPT_CHROMIUM")
    reason = (
        "no headless Chromium found (tried "
        + (named or ", ".join(CANDIDATES))
        + "); install it with `apt-get install chromium` or set KVOPT_CHROMIUM"
    )
    if browser_required():
        pytest.fail(reason + " -- required in CI", pytrace=False)
    pytest.skip(reason)


@dataclass
class Opened:
    """What the browser saw: the DOM after the scripts ran, console lines, the screenshot."""

    dom: str
    console: list[str]
    image: np.ndarray  # height x width x 3, floats in [0, 1]

    def attribute(self, element_id: str, name: str) -> str | None:
        """An attribute of the element with ``id``, from the dumped DOM (or ``None``)."""
        m = re.search(rf'<[^>]*\bid="{re.escape(element_id)}"[^>]*>', self.dom)
        if not m:
            return None
        a = re.search(rf'\b{re.escape(name)}="([^"]*)"', m.group(0))
        return a.group(1) if a else None

    def box(self, element_id: str) -> tuple[int, int, int, int]:
        """The plot area ``(x, y, w, h)`` the page's script recorded on a canvas."""
        value = self.attribute(element_id, "data-plot")
        assert value, f"canvas {element_id} has no data-plot: the script did not draw it"
        x, y, w, h = (int(v) for v in value.split(","))
        return x, y, w, h

    def region(self, element_id: str) -> np.ndarray:
        """The screenshot's pixels inside a canvas's plot area."""
        x, y, w, h = self.box(element_id)
        return self.image[y : y + h, x : x + w, :3]


def open_page(
    page: Path, tmp: Path, *, size: tuple[int, int] = (1400, 1000), fragment: str = ""
) -> Opened:
    """Load ``page`` in headless Chromium once: dump the DOM, log the console, screenshot."""
    from matplotlib.image import imread

    shot = tmp / f"{page.stem}.png"
    cmd = [
        chromium(),
        "--headless",
        "--no-sandbox",  # the tests may run as root (CI containers)
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--no-first-run",
        f"--user-data-dir={tmp / 'chromium-profile'}",
        f"--window-size={size[0]},{size[1]}",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        f"--screenshot={shot}",
        page.resolve().as_uri() + fragment,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert shot.exists(), "Chromium wrote no screenshot:\n" + proc.stderr[-3000:]
    console = [m.group(1) for m in map(CONSOLE.search, proc.stderr.splitlines()) if m]
    return Opened(dom=proc.stdout, console=console, image=imread(shot))

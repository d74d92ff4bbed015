"""What to paste into a bug report: :func:`show_versions`."""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import TextIO

#: The distributions whose versions matter for kvopt's results.
PACKAGES = ("kvopt", "numpy", "pyomo", "highspy", "ortools")


def versions() -> dict[str, str]:
    """kvopt's, Python's and its solver libraries' versions, and the platform.

    A package that is not installed is reported as ``"not installed"``.
    """
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    out["platform"] = platform.platform()
    return {k: out[k] for k in ("kvopt", "python", *PACKAGES[1:], "platform")}


def show_versions(file: TextIO | None = None) -> None:
    """Print :func:`versions`, one ``name: version`` a line (to stdout by default)."""
    found = versions()
    width = max(map(len, found))
    for name, value in found.items():
        print(f"{name + ':':<{width + 1}} {value}", file=file or sys.stdout)

"""Shared test helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from kvopt.model import Instance
from kvopt.schedule import Schedule

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root() -> Path:
    """The repository root."""
    return ROOT


def pytest_assertrepr_compare(op: str, left: object, right: object) -> list[str] | None:
    """Name the differing fields when two instances or schedules compare unequal."""
    if op != "==":
        return None
    if isinstance(left, Instance) and isinstance(right, Instance):
        return [f"{left!r} == {right!r}", "fields that differ:", *left.differences(right)]
    if isinstance(left, Schedule) and isinstance(right, Schedule):
        a, b = sorted(left), sorted(right)
        only_left = [r for r in a if r not in b][:5]
        only_right = [r for r in b if r not in a][:5]
        return [
            f"{left!r} == {right!r}",
            f"runs only on the left (first 5): {only_left}",
            f"runs only on the right (first 5): {only_right}",
        ]
    return None

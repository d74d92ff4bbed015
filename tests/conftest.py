"""Shared fixtures and options of the test suite.

``--solvers milp,cpsat`` (the default: both general exact backends) chooses the backends
every solver test runs on: a test that takes a ``solver`` argument is parametrised over
them (``python -m pytest --solvers cpsat`` runs the solver tests on CP-SAT only). Tests
of one backend's own options (the MILP's ``aggregate``, ``mip_solver``, ``gap``; CP-SAT's
workers) name their backend and run whatever ``--solvers`` says.
Session fixtures load the shipped instances once. Reference algorithms and other helpers
live in ``tests/helpers/``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import kvopt
from kvopt.model import Instance
from kvopt.schedule import Schedule

ROOT = Path(__file__).resolve().parents[1]

#: The exact backends that solve any instance (the others need identical requests).
GENERAL_SOLVERS = ("milp", "cpsat")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--solvers",
        default=",".join(GENERAL_SOLVERS),
        help=f"comma-separated exact backends for the solver tests (default and choices: "
        f"{','.join(GENERAL_SOLVERS)})",
    )


def selected_solvers(config: pytest.Config) -> tuple[str, ...]:
    """The backends named by ``--solvers``, each checked."""
    names = tuple(x.strip() for x in config.getoption("--solvers").split(",") if x.strip())
    unknown = [x for x in names if x not in GENERAL_SOLVERS]
    if unknown or not names:
        raise pytest.UsageError(
            f"--solvers: unknown backend(s) {unknown}; choose from {', '.join(GENERAL_SOLVERS)}"
        )
    return names


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise every test with a ``solver`` argument over ``--solvers``."""
    if "solver" in metafunc.fixturenames and not any(
        "solver" in m.args[0] for m in metafunc.definition.iter_markers("parametrize")
    ):
        metafunc.parametrize("solver", selected_solvers(metafunc.config))


@pytest.fixture
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def example6() -> Instance:
    """``instances/example6.json`` (six requests, M = 12, optimum 31), loaded once."""
    return kvopt.load_instance(ROOT / "instances" / "example6.json")


@pytest.fixture(scope="session")
def known_optima() -> dict[str, int]:
    """The certified optima of ``instances/known/``, by instance name."""
    with open(ROOT / "instances" / "known" / "optima.csv") as f:
        return {r["name"]: int(r["optimum"]) for r in csv.DictReader(f)}


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

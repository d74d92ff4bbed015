"""What every instance family shares: parameters, errors, random generators, checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from kvopt.errors import KvoptError


class GeneratorError(KvoptError, ValueError):
    """Impossible or unknown generator parameters (one line saying which and why)."""


@dataclass(frozen=True)
class Param:
    """One parameter of an instance family.

    Parameters
    ----------
    name
        Python name (the command line spells it ``--name-with-dashes``).
    type
        ``int``, ``float``, ``str`` or ``bool``.
    default
        Default value; ``None`` means "optional" (the family decides what it means).
    help
        One line for ``kvopt generate FAMILY --help``.
    choices
        Allowed values of a ``str`` parameter.
    """

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] | None = None

    def convert(self, family: str, value: Any) -> Any:
        """``value`` checked and converted to :attr:`type`."""
        if value is None:
            return None
        t = self.type
        ok = (
            isinstance(value, bool)
            if t is bool
            else isinstance(value, (int, np.integer)) and not isinstance(value, bool)
            if t is int
            else isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, bool)
            if t is float
            else isinstance(value, str)
        )
        if not ok:
            raise GeneratorError(
                f"{family}: parameter {self.name} must be of type {t.__name__}, got {value!r}"
            )
        value = t(value)
        if t is float and not np.isfinite(value):
            raise GeneratorError(f"{family}: parameter {self.name} must be finite, got {value}")
        if self.choices is not None and value not in self.choices:
            raise GeneratorError(
                f"{family}: parameter {self.name} must be one of {', '.join(self.choices)}, "
                f"got {value!r}"
            )
        return value


def resolve(family: str, params: tuple[Param, ...], given: Mapping[str, Any]) -> dict[str, Any]:
    """The family's parameters: ``given`` checked and completed with the defaults."""
    known = {p.name: p for p in params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise GeneratorError(
            f"{family}: unknown parameter(s) {', '.join(unknown)} "
            f"(known: {', '.join(known) or 'none'})"
        )
    return {
        p.name: p.convert(family, given[p.name]) if p.name in given else p.default for p in params
    }


def as_generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A numpy Generator from a seed (or the Generator itself)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
    ):
        raise GeneratorError(f"seed must be an integer >= 0, got {seed!r}")
    return np.random.default_rng(seed)


def require(condition: bool, family: str, message: str) -> None:
    """Raise a :class:`GeneratorError` ``"family: message"`` unless ``condition``."""
    if not condition:
        raise GeneratorError(f"{family}: {message}")


def at_least(family: str, name: str, value: float | None, minimum: float) -> None:
    """Check ``value >= minimum`` (``None`` passes)."""
    if value is not None:
        require(value >= minimum, family, f"{name} must be >= {minimum}, got {value}")


def poisson_times(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    """Arrival times of a Poisson process with ``rate`` events per unit, starting at 0.

    The first request arrives at 0; the gaps are exponential with mean ``1 / rate``.
    """
    gaps = rng.exponential(1.0 / rate, size=max(n - 1, 0))
    return np.concatenate([[0.0], np.cumsum(gaps)])[:n]

"""Everything a solve is told: :class:`SolveOptions`, one frozen object.

:func:`kvopt.solve`, the command line (``kvopt solve``, also from ``--config
FILE.toml``: :mod:`kvopt.config`) and every backend read their settings from it. It has

* the **common** fields every backend receives (``time_limit``, ``threads``, ``gap``,
  ``seed``, ``log``, ``initial``);
* the **levers of the exact backends** (``warm_start``, ``primal``, ``heuristic``,
  ``stop_at_bound``, ``windows``, ``lp_windows``, ``symmetry``, ``owner``,
  ``owner_share``): ``None`` leaves the backend's own default; a value set is given to
  every backend that has the parameter (``milp`` and ``cpsat``; ``stop_at_bound``:
  ``milp``);
* **per-backend** fields, by backend name: ``backend={"milp": {"mip_solver": "highs",
  "aggregate": False}, "cpsat": {"time_indexed": False}}``. Their names and types are
  the backend function's keyword parameters (checked when the object is made), so
  they cannot drift from the backends; a lever set here wins over the common one.

A backend receives exactly the keywords :meth:`SolveOptions.keywords` gives it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from kvopt.backends import keyword_parameters
from kvopt.errors import KvoptError
from kvopt.schedule import Schedule

#: Fields every backend receives.
COMMON = ("time_limit", "threads", "gap", "initial", "log", "seed")
#: Fields given to the backends that have a parameter of that name (when not ``None``).
LEVERS = (
    "warm_start",
    "primal",
    "heuristic",
    "stop_at_bound",
    "windows",
    "lp_windows",
    "symmetry",
    "owner",
    "owner_share",
)


class OptionError(KvoptError, ValueError):
    """An option has an unknown name or a value out of its range.

    Parameters
    ----------
    key
        Where: ``"time_limit"``, or ``"milp.aggregate"`` for a per-backend field.
    message
        What is wrong.
    """

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        self.message = message
        super().__init__(f"option {key}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:  # pickled across worker processes
        return (type(self), (self.key, self.message))


class FrozenMap(Mapping[str, Any]):
    """A read-only mapping (picklable, unlike ``types.MappingProxyType``)."""

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data = dict(data or {})

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)


def _thaw(value: Any) -> Any:
    """Read-only mappings as plain dicts again (what the backends expect)."""
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    return value


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return FrozenMap({str(k): _freeze(v) for k, v in value.items()})
    return value


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


#: Type names of backend annotations, and the test a value of that type passes.
_TYPES = {
    "bool": ("a boolean", lambda v: isinstance(v, bool)),
    "int": ("an integer", _is_int),
    "float": ("a number", _is_number),
    "str": ("a string", lambda v: isinstance(v, str)),
    "None": ("none", lambda v: v is None),
    "dict": ("a table", lambda v: isinstance(v, Mapping)),
}


def check_type(key: str, value: Any, annotation: Any) -> None:
    """Refuse ``value`` unless it has a type of ``annotation`` (a string such as
    ``"float | None"``; parts kvopt does not know accept anything)."""
    parts = [p.strip().split("[")[0] for p in str(annotation).split("|")]
    known = [_TYPES[p] for p in parts if p in _TYPES]
    if len(known) < len(parts) or any(test(value) for _, test in known):
        return
    want = " or ".join(name for name, _ in known if name != "none")
    raise OptionError(key, f"must be {want}, got {value!r}")


def _check_common(o: SolveOptions) -> None:
    t = o.time_limit
    if t is not None and not (_is_number(t) and t > 0):
        raise OptionError("time_limit", f"must be a number of seconds > 0, got {t!r}")
    if not (_is_int(o.threads) and o.threads >= 1):
        raise OptionError("threads", f"must be an integer >= 1, got {o.threads!r}")
    if not (_is_number(o.gap) and 0 <= o.gap < 1):
        raise OptionError("gap", f"must be a number in [0, 1), got {o.gap!r}")
    if not _is_int(o.seed):
        raise OptionError("seed", f"must be an integer, got {o.seed!r}")
    if not isinstance(o.log, bool):
        raise OptionError("log", f"must be a boolean, got {o.log!r}")
    if o.initial is not None and not isinstance(o.initial, Schedule):
        raise OptionError("initial", f"must be a Schedule, got {type(o.initial).__name__}")
    for key in LEVERS:
        value = getattr(o, key)
        if value is None:
            continue
        if key in ("primal", "owner_share"):
            high = 1 if key == "owner_share" else math.inf
            if not (_is_number(value) and 0 <= value <= high):
                where = "in [0, 1]" if key == "owner_share" else ">= 0"
                raise OptionError(key, f"must be a number {where}, got {value!r}")
        elif not isinstance(value, bool):
            raise OptionError(key, f"must be a boolean, got {value!r}")


def _check_backend(name: str, fields: Mapping[str, Any]) -> None:
    params = keyword_parameters(name)  # KvoptError for an unknown backend
    allowed = sorted(k for k in params if k not in COMMON)
    for key, value in fields.items():
        if key in COMMON:
            raise OptionError(f"{name}.{key}", "is a common option: set it for every backend")
        if key not in params:
            raise OptionError(
                f"{name}.{key}",
                f"unknown option for solver {name!r} (allowed: {', '.join(allowed) or 'none'})",
            )
        check_type(f"{name}.{key}", value, params[key].annotation)


@dataclass(frozen=True)
class SolveOptions:
    """The settings of one solve (see the module's documentation for the groups).

    Parameters
    ----------
    time_limit
        Seconds before the backend stops with its best schedule and bound (``None``:
        no limit).
    threads
        Worker threads the backend may use.
    gap
        Relative gap at which the backend may stop (0: prove optimality).
    seed
        Random seed of the backend.
    log
        Print the backend's log.
    initial
        A feasible schedule to start from (MIP start / solution hint).
    warm_start, primal, heuristic, stop_at_bound, windows, lp_windows, symmetry, owner, owner_share
        The exact backends' levers (``None``: the backend's default); their meaning is
        in :func:`kvopt.solvers.milp.solve` and :func:`kvopt.solvers.cpsat.solve`.
    backend
        Per-backend fields by backend name (the backend's keyword parameters).
    """

    time_limit: float | None = None
    threads: int = 1
    gap: float = 0.0
    seed: int = 0
    log: bool = False
    initial: Schedule | None = None
    warm_start: bool | None = None
    primal: float | None = None
    heuristic: bool | None = None
    stop_at_bound: bool | None = None
    windows: bool | None = None
    lp_windows: bool | None = None
    symmetry: bool | None = None
    owner: bool | None = None
    owner_share: float | None = None
    backend: Mapping[str, Mapping[str, Any]] = field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        _check_common(self)
        if not isinstance(self.backend, Mapping):
            raise OptionError("backend", "must map backend names to their fields")
        for name, fields in self.backend.items():
            if not isinstance(fields, Mapping):
                raise OptionError(str(name), f"must be a table of fields, got {fields!r}")
            if fields:
                _check_backend(name, fields)
        object.__setattr__(self, "backend", _freeze(self.backend))

    def replace(self, solver: str | None = None, **changes: Any) -> SolveOptions:
        """A copy with ``changes``: fields by name, anything else a field of backend
        ``solver`` (how ``kvopt.solve(inst, "milp", aggregate=False)`` reads)."""
        names = {f.name for f in dataclasses.fields(self)}
        own = {k: v for k, v in changes.items() if k in names}
        rest = {k: v for k, v in changes.items() if k not in names}
        if rest:
            if solver is None:
                raise OptionError(next(iter(rest)), "unknown option")
            backend = {k: dict(v) for k, v in self.backend.items()}
            backend.setdefault(solver, {}).update(rest)
            own["backend"] = backend
        return dataclasses.replace(self, **own)

    def keywords(self, solver: str) -> dict[str, Any]:
        """The keyword arguments backend ``solver`` is called with."""
        params = keyword_parameters(solver)
        kw = {k: getattr(self, k) for k in COMMON}
        for key in LEVERS:
            value = getattr(self, key)
            if value is not None and key in params:
                kw[key] = value
        kw.update(_thaw(self.backend.get(solver, {})))
        return kw

    def to_dict(self) -> dict[str, Any]:
        """The options set, as a TOML file would give them (``initial`` left out)."""
        d: dict[str, Any] = {k: getattr(self, k) for k in COMMON if k != "initial"}
        d.update({k: getattr(self, k) for k in LEVERS if getattr(self, k) is not None})
        d.update({name: _thaw(fields) for name, fields in self.backend.items() if fields})
        return d

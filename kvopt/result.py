"""The outcome of a solve or a simulation: :class:`Result` and its :class:`Status`.

One type for what :func:`kvopt.solve` returns, what a solution file holds
(:func:`kvopt.load_solution`, :func:`kvopt.save_solution`) and what
:meth:`kvopt.simulate.SimResult.to_solution` gives. ``kvopt.io.Solution`` is the same
class under its older name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

import numpy as np

from kvopt.schedule import Schedule


class Status(str, Enum):
    """What a solver could establish (the ``status`` of a solution file).

    A ``str`` subclass: ``Status.OPTIMAL == "optimal"``, and it prints and formats as
    its value.
    """

    #: A schedule whose total latency equals a proven lower bound.
    OPTIMAL = "optimal"
    #: A verified schedule without a proof of optimality (also every policy's schedule).
    FEASIBLE = "feasible"
    #: A proof that no schedule exists (impossible for a valid instance).
    INFEASIBLE = "infeasible"
    #: Neither a schedule nor a proof (e.g. the time limit ran out before either).
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


#: Statuses a solution file may carry, as strings.
STATUSES = tuple(s.value for s in Status)


def check_status(status: Any) -> Status:
    """``status`` as a :class:`Status`; ``ValueError`` unless it is one of :data:`STATUSES`."""
    try:
        return Status(status)
    except ValueError:
        raise ValueError(f"status must be one of {STATUSES}, got {status!r}") from None


@dataclass
class Result:
    """A schedule with its provenance and certificate.

    Attributes
    ----------
    instance
        Name of the instance solved.
    solver
        Who produced the schedule: a backend (``"milp"``, ``"cpsat"``, ...) or a policy.
    status
        A :class:`Status` (a string is converted): ``optimal`` only when the backend
        *proved* optimality (the integer objective equals the proven lower bound).
    objective
        Total latency of ``schedule`` (``None`` without a schedule).
    lower_bound
        The best proven lower bound on the optimal total latency, or ``None``.
    runtime
        Wall-clock seconds, model building included.
    schedule
        The best schedule found (from :func:`kvopt.solve`: checked by
        :func:`kvopt.verify`); ``None`` or empty when there is none.
    variables, constraints
        Size of the model the backend solved (``None`` where meaningless); a solution
        file keeps them in ``metadata``.
    metadata, metrics
        Free-form JSON-compatible extras (backend details and options, policy
        parameters; summary metrics).
    """

    instance: str
    solver: str
    status: Status
    objective: int | None
    lower_bound: float | None
    runtime: float
    schedule: Schedule | None
    variables: int | None = None
    constraints: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.status = check_status(self.status)

    @property
    def gap(self) -> float | None:
        """Relative gap ``(objective - lower_bound) / objective`` (0 when proven)."""
        if self.objective is None or self.lower_bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return max(0.0, (self.objective - self.lower_bound) / self.objective)

    def summary(self) -> str:
        """A few readable lines: who solved what, the status, the numbers and the size."""
        gap = self.gap
        lines = [
            f"{self.solver} on {self.instance}: {self.status}"
            + (" (proven)" if self.status is Status.OPTIMAL else ""),
            f"  objective    {_number(self.objective)}",
            f"  lower bound  {_number(self.lower_bound)}"
            + (f"  (gap {100 * gap:.2f} %)" if gap is not None else ""),
            f"  runtime      {self.runtime:.2f} s",
        ]
        runs = 0 if self.schedule is None else len(self.schedule)
        lines.append(f"  runs         {runs}")
        if self.variables is not None or self.constraints is not None:
            lines.append(
                f"  model        {_number(self.variables)} variables, "
                f"{_number(self.constraints)} constraints"
            )
        return "\n".join(lines)

    def to_solution(self) -> Result:
        """The result as a solution file holds it: a schedule (empty when there is none),
        the model size in ``metadata``."""
        meta = dict(self.metadata)
        if self.variables is not None:
            meta["variables"] = self.variables
        if self.constraints is not None:
            meta["constraints"] = self.constraints
        schedule = self.schedule if self.schedule is not None else Schedule()
        return replace(self, schedule=schedule, variables=None, constraints=None, metadata=meta)

    def to_dict(self) -> dict[str, Any]:
        """The result in the solution-file format."""
        sol = self.to_solution()
        d: dict[str, Any] = {
            "instance": sol.instance,
            "solver": sol.solver,
            "status": sol.status.value,
            "objective": sol.objective,
            "lower_bound": sol.lower_bound,
            "runtime": round(float(sol.runtime), 6),
        }
        if sol.metadata:
            d["metadata"] = jsonable(sol.metadata)
        if sol.metrics:
            d["metrics"] = jsonable(sol.metrics)
        assert sol.schedule is not None
        d["runs"] = [{"request": r, "start": s, "end": e} for r, s, e in sol.schedule]
        return d


def _number(x: float | None) -> str:
    """An integral value exactly, another one short, ``-`` for none."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if float(x).is_integer() and abs(x) < 2**53:
        return f"{int(x):,}"
    return f"{x:g}"


def jsonable(obj: Any) -> Any:
    """``obj`` with numpy arrays and scalars as lists and numbers, non-finite floats as
    ``None`` and mapping keys as strings (what ``json`` can write)."""
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj

"""The outcome of a solver run: :class:`Result`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kvopt.io import Solution, check_status
from kvopt.schedule import Schedule


@dataclass
class Result:
    """What a call of :func:`kvopt.solve` returns.

    Attributes
    ----------
    instance
        Name of the instance solved.
    solver
        The backend's name (``"milp"``, ``"cpsat"``, ``"semi-online"``, ...).
    status
        ``"optimal"`` only when the backend *proved* optimality (the integer objective
        equals the proven lower bound); ``"feasible"`` when it has a schedule but no
        proof; ``"infeasible"`` when it proved there is none (impossible for a valid
        instance with a safe horizon); ``"unknown"`` when it has neither.
    objective
        Total latency of ``schedule`` (``None`` without a schedule).
    lower_bound
        The best proven lower bound on the optimal total latency, or ``None``.
    runtime
        Wall-clock seconds, model building included.
    schedule
        The best schedule found, already checked by :func:`kvopt.verify`.
    variables, constraints
        Size of the model the backend solved (``None`` where meaningless).
    metadata
        Backend-specific details (horizon, solver log summary, options).
    """

    instance: str
    solver: str
    status: str
    objective: int | None
    lower_bound: float | None
    runtime: float
    schedule: Schedule | None
    variables: int | None = None
    constraints: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_status(self.status)

    @property
    def gap(self) -> float | None:
        """Relative gap ``(objective - lower_bound) / objective`` (0 when proven)."""
        if self.objective is None or self.lower_bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return max(0.0, (self.objective - self.lower_bound) / self.objective)

    def to_solution(self) -> Solution:
        """The result in the solution-file format."""
        meta = dict(self.metadata)
        if self.variables is not None:
            meta["variables"] = self.variables
        if self.constraints is not None:
            meta["constraints"] = self.constraints
        return Solution(
            instance=self.instance,
            solver=self.solver,
            status=self.status,
            objective=self.objective,
            lower_bound=self.lower_bound,
            runtime=self.runtime,
            schedule=self.schedule if self.schedule is not None else Schedule(),
            metadata=meta,
        )

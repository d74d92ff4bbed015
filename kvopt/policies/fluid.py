"""What the fluid-guided policies share: request types, their rates, per-type queues.

The stochastic model (``models/stochastic.md``) has K request types arriving at known
rates. :class:`TypedPolicy` learns them from the :class:`~kvopt.policies.base.OnlineView`:

* the **type** of each request is the instance's ``metadata["type"]`` (written by the
  ``stochastic`` family) when it has one entry per request, otherwise the pair
  (prompt, planned length);
* the **rates** are ``metadata["rates"]`` (arrivals per round of each type) when given
  with the types; otherwise each type's rate is estimated online as arrivals so far
  divided by the rounds elapsed [R];
* each type's planned **length** is the largest planned length seen among its requests
  (the view's ``predicted`` column: the true output when the instance has none).

Requests wait in one FIFO queue per type. Admission uses MC-SF's look-ahead test
(:class:`~kvopt.policies.lookahead.FutureProfile`) with the planned lengths, so with
predictions that never underestimate no round exceeds M.
"""

from __future__ import annotations

from collections import deque
from typing import Any, ClassVar

from kvopt.policies.base import OnlineView, PolicyBase
from kvopt.policies.lookahead import FutureProfile


def _known_types(view: OnlineView) -> tuple[list[int] | None, list[float] | None]:
    meta: Any = view.metadata
    kinds = meta.get("type") if hasattr(meta, "get") else None
    rates = meta.get("rates") if hasattr(meta, "get") else None
    if not isinstance(kinds, (list, tuple)) or len(kinds) != view.n:
        return None, None
    if not isinstance(rates, (list, tuple)) or len(rates) <= max(kinds, default=-1):
        rates = None
    return [int(k) for k in kinds], (None if rates is None else [float(r) for r in rates])


class TypedPolicy(PolicyBase):
    """Per-type FIFO queues, known or estimated rates, and the look-ahead test.

    It plans with the view's ``predicted`` lengths, so on an instance without
    predictions it sees the true outputs and :mod:`kvopt.policies.oracle` labels it an
    oracle, like MC-SF (in the stochastic model the type, hence a fixed output, is
    known at arrival).
    """

    lengths: ClassVar[str] = "predicted"

    def reset(self, view: OnlineView) -> None:
        self.M = view.memory
        self.prompt = view.prompt
        self.length = view.capped(view.predicted)
        kinds, rates = _known_types(view)
        if kinds is None:
            keys: dict[tuple[int, int], int] = {}
            kinds = [
                keys.setdefault((s, L), len(keys))
                for s, L in zip(self.prompt, self.length, strict=True)
            ]
        self.kind = kinds
        K = max(kinds, default=-1) + 1
        self.known_rates = rates
        self.arrived = [0] * K
        self.type_prompt = [0] * K
        self.type_length = [0] * K
        for i, k in enumerate(kinds):
            self.type_prompt[k] = max(self.type_prompt[k], self.prompt[i])
            self.type_length[k] = max(self.type_length[k], self.length[i])
        self.queue: list[deque[int]] = [deque() for _ in range(K)]
        self.since: dict[int, int] = {}
        self.profile = FutureProfile(self.M)
        self.started: dict[int, int] = {}
        self.ends: dict[int, int] = {}
        self.first = None

    @property
    def types(self) -> int:
        """Number of request types."""
        return len(self.queue)

    def rates(self, t: int) -> list[float]:
        """Arrival rate per round of each type: known, or estimated from arrivals so far."""
        if self.known_rates is not None:
            return self.known_rates
        span = max(1, t - (self.first or 0) + 1)
        return [a / span for a in self.arrived]

    def arrive(self, t: int, requests: list[int]) -> None:
        if self.first is None:
            self.first = t
        for i in requests:
            k = self.kind[i]
            self.queue[k].append(i)
            self.arrived[k] += 1
            self.since[i] = t

    def complete(self, t: int, requests: list[int]) -> None:
        for i in requests:
            self.started.pop(i)
            self.profile.remove(self.ends.pop(i), i)
        if requests:
            self.profile.rebuild()

    def waiting(self) -> int:
        """Requests waiting in all queues."""
        return sum(len(q) for q in self.queue)

    def try_start(self, k: int, t: int) -> int | None:
        """Start the oldest waiting type-``k`` request at ``t`` if it passes the test."""
        i = self.queue[k][0]
        if not self.profile.fits(self.prompt[i], self.length[i], t):
            return None
        self.queue[k].popleft()
        self.since.pop(i)
        self.started[i] = t
        self.ends[i] = t + self.length[i]
        self.profile.add(t + self.length[i], self.prompt[i] - t, i)
        self.profile.rebuild()
        return i

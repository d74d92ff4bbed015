"""Adversaries: instances built against a policy, with the policy in the loop.

**Adaptive adversary** (literature page, "Lower-bound constructions", [R]): memory
``M = 2q``; a long request (s = q, o = q) arrives at 0. The adversary watches the policy:
if it starts the long request at time τ <= ⌊√q⌋·q, then ⌊√q⌋ short requests (s = q,
o = 1) arrive at τ + 1; if it does not, nothing more arrives. No two of these requests
fit in memory together (each holds at least q + 1 tokens), so every schedule runs them
one at a time, and a policy that starts the long request early makes ⌊√q⌋ requests wait
q rounds each: ALG/OPT grows like √q.

"Policy in the loop" is implemented by replay: the adversary's moves depend only on
what the policy did *before* them, and an online policy's decisions up to a time depend
only on the requests that have arrived by then. So :func:`play` simulates the policy on
the instance built so far, lets the adversary extend it, and repeats until the adversary
stops; it checks that the policy's observed decision did not change when the new
requests were added (if it did, the policy looked into the future and the run is
rejected).

**Blocking/thin family** (static, against FCFS, SF and MC-SF): the instance comes from
``kvopt.generate("blocking-thin", ...)``; ALG/OPT ≈ 0.29·√M.

OPT for both families comes from closed forms proved in
``proofs/adversary_optima.md`` (a lower bound that an explicit schedule attains; the
schedule is returned and checked by :func:`kvopt.verify`), not from the MILP/CP-SAT
solvers, so sizes far beyond the solvers' reach can be used; the tests check the closed
forms against exhaustive search and against the exact solvers on small sizes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from kvopt.errors import KvoptError
from kvopt.model import Instance
from kvopt.schedule import Schedule
from kvopt.verify import verify

#: ``instance -> (total latency, schedule)``: a policy run (e.g. through the simulator).
PolicyRun = Callable[[Instance], tuple[int, Schedule]]


class Adversary(Protocol):
    """An adaptive adversary: an initial instance, then extensions after watching."""

    def initial(self) -> Instance:
        """The requests known before the policy acts."""
        ...

    def respond(self, instance: Instance, schedule: Schedule) -> Instance | None:
        """The next instance after seeing the policy's schedule, or ``None`` to stop."""
        ...


@dataclass(frozen=True)
class LongShortAdversary:
    """The √q adversary against any deterministic policy (reconstruction [R]).

    Parameters
    ----------
    q
        Size parameter: memory ``2q``, long request ``(s, o) = (q, q)``, shorts
        ``(q, 1)``.
    shorts
        Number of short requests (default ``⌊√q⌋``).
    patience
        Release nothing if the policy has not started the long request by this time
        (default ``shorts · q``).
    """

    q: int
    shorts: int | None = None
    patience: int | None = None

    def __post_init__(self) -> None:
        if self.q < 1:
            raise KvoptError(f"the adversary's size q must be >= 1, got {self.q}")

    @property
    def k(self) -> int:
        """Number of short requests released."""
        return math.isqrt(self.q) if self.shorts is None else self.shorts

    def initial(self) -> Instance:
        q = self.q
        return Instance.from_arrays(
            f"adaptive-q{q}",
            2 * q,
            arrival=[0],
            prompt=[q],
            output=[q],
            ids=["long"],
            metadata={"family": "adaptive-adversary", "q": q},
        )

    def respond(self, instance: Instance, schedule: Schedule) -> Instance | None:
        if instance.n > 1:
            return None
        tau = int(first_starts(instance, schedule)[0])
        patience = self.k * self.q if self.patience is None else self.patience
        if tau > patience or self.k == 0:
            return None
        q, k = self.q, self.k
        return Instance.from_arrays(
            instance.name,
            2 * q,
            arrival=[0] + [tau + 1] * k,
            prompt=[q] * (k + 1),
            output=[q] + [1] * k,
            ids=["long"] + [f"short{j}" for j in range(k)],
            metadata={"family": "adaptive-adversary", "q": q, "tau": tau, "shorts": k},
        )


def first_starts(instance: Instance, schedule: Schedule) -> np.ndarray:
    """The first start of each request in ``schedule`` (-1 if it never starts)."""
    return verify(instance, schedule, strict=False).first_start


def play(
    adversary: Adversary, run: PolicyRun, max_moves: int = 100
) -> tuple[Instance, int, Schedule]:
    """Let ``adversary`` build an instance against the policy behind ``run``.

    Returns the forced instance, the policy's total latency on it and its schedule.

    Raises
    ------
    KvoptError
        If the policy changed a decision it had already made once more requests were
        added (it is not online), or the adversary does not stop.
    """
    inst = adversary.initial()
    obj, sched = run(inst)
    for _ in range(max_moves):
        nxt = adversary.respond(inst, sched)
        if nxt is None:
            return inst, obj, sched
        seen = first_starts(inst, sched)
        obj, sched = run(nxt)
        now = first_starts(nxt, sched)[[nxt.index(rid) for rid in inst.ids]]
        if not np.array_equal(seen, now):
            raise KvoptError(
                "the policy changed earlier decisions when later requests were added: "
                "it is not online, the adaptive adversary does not apply"
            )
        inst = nxt
    raise KvoptError(f"the adversary did not stop within {max_moves} moves")


# -- closed-form optima -----------------------------------------------------------------


def _exclusive(instance: Instance, i: int) -> bool:
    """Request ``i`` cannot share a round with any other request."""
    others = np.delete(instance.prompt, i)
    return others.size == 0 or int(instance.prompt[i]) + 1 + int(others.min()) + 1 > instance.memory


def long_short_opt(instance: Instance) -> tuple[int, Schedule]:
    """OPT of an adaptive-adversary instance: one long request at 0, unit shorts
    released together, no two requests fitting together (``proofs/adversary_optima.md``).

    Every start of the long request ``x`` in ``[0, r + k]`` is tried (r: the shorts'
    release, k their number); given ``x``, the shorts fill the earliest free rounds from
    ``r`` on, which is optimal for identical unit requests.
    """
    n = instance.n
    if not all(_exclusive(instance, i) for i in range(n)):
        raise KvoptError("long_short_opt needs requests that never fit together")
    longs = [i for i in range(n) if instance.arrival[i] == 0]
    shorts = [i for i in range(n) if i not in longs]
    if len(longs) != 1 or any(instance.output[i] != 1 for i in shorts):
        raise KvoptError("long_short_opt needs one request at 0 and unit requests after it")
    if len({int(instance.arrival[i]) for i in shorts}) > 1:
        raise KvoptError("long_short_opt needs the short requests released together")
    (lg,) = longs
    q = int(instance.output[lg])
    r = int(instance.arrival[shorts[0]]) if shorts else 0
    k = len(shorts)
    best: tuple[int, np.ndarray] | None = None
    for x in range(0, r + k + 1):
        starts = np.empty(n, dtype=np.int64)
        starts[lg] = x
        t = r
        for i in shorts:
            if x <= t < x + q:  # busy with the long request
                t = x + q
            starts[i] = t
            t += 1
        total = int((starts + instance.output - instance.arrival).sum())
        if best is None or total < best[0]:
            best = (total, starts)
    assert best is not None
    sched = Schedule.from_starts(instance, best[1])
    rep = verify(instance, sched, allow_eviction=False)
    return int(rep.objective), sched


def blocking_thin_opt(instance: Instance) -> tuple[int, Schedule]:
    """OPT of a blocking/thin instance (``proofs/adversary_optima.md``).

    Preconditions (checked): everything arrives at 0; *blockers* have o = 1 and cannot
    share a round with any other request; *thin* requests have o = 2 and all fit
    together. Then an optimal schedule runs all thin requests as one wave of two rounds
    placed after ``p`` blockers, for the best ``p``.
    """
    if instance.n == 0:
        return 0, Schedule()
    if instance.arrival.any():
        raise KvoptError("blocking_thin_opt needs every request to arrive at 0")
    blockers = [i for i in range(instance.n) if instance.output[i] == 1 and _exclusive(instance, i)]
    thin = [i for i in range(instance.n) if i not in set(blockers)]
    if any(instance.output[i] != 2 for i in thin):
        raise KvoptError("blocking_thin_opt needs thin requests with output 2")
    if int((instance.prompt[thin] + 2).sum()) > instance.memory:
        raise KvoptError("blocking_thin_opt needs all thin requests to fit together")
    b, m = len(blockers), len(thin)

    def cost(p: int) -> int:  # p blockers, the thin wave, then the other blockers
        before = p * (p + 1) // 2
        after = sum(p + 2 + j for j in range(1, b - p + 1)) if m else sum(range(p + 1, b + 1))
        return before + m * (p + 2) + after

    p = min(range(b + 1), key=cost)
    starts = np.empty(instance.n, dtype=np.int64)
    for j, i in enumerate(blockers):
        starts[i] = j if j < p else j + (2 if m else 0)
    starts[thin] = p
    sched = Schedule.from_starts(instance, starts)
    rep = verify(instance, sched, allow_eviction=False)
    assert rep.objective == cost(p)
    return int(rep.objective), sched


# -- growth -----------------------------------------------------------------------------


def fit_exponent(sizes: Sequence[float], ratios: Sequence[float]) -> float:
    """Least-squares slope of log(ratio) against log(size): ratio ≈ c · size^slope."""
    x, y = np.log(np.asarray(sizes, float)), np.log(np.asarray(ratios, float))
    if x.size < 2 or np.ptp(x) == 0:
        raise KvoptError("fitting a growth exponent needs at least two distinct sizes")
    return float(np.polyfit(x, y, 1)[0])


@dataclass
class AdversaryRow:
    """One size of an adversary experiment."""

    size: int
    n: int
    alg: int
    opt: int
    opt_source: str
    detail: dict[str, Any]
    instance: Instance

    @property
    def ratio(self) -> float:
        return self.alg / self.opt


def adaptive_rows(run: PolicyRun, sizes: Sequence[int]) -> list[AdversaryRow]:
    """The adaptive adversary against the policy behind ``run``, per size q."""
    rows = []
    for q in sizes:
        inst, alg, _ = play(LongShortAdversary(q), run)
        opt, _ = long_short_opt(inst)
        detail = {"tau": inst.metadata.get("tau"), "shorts": inst.n - 1}
        rows.append(AdversaryRow(q, inst.n, alg, opt, "closed form", detail, inst))
    return rows


def static_rows(run: PolicyRun, instances: Sequence[tuple[int, Instance]]) -> list[AdversaryRow]:
    """A policy on static blocking/thin instances ``(size, instance)``."""
    rows = []
    for size, inst in instances:
        alg, _ = run(inst)
        opt, _ = blocking_thin_opt(inst)
        rows.append(AdversaryRow(size, inst.n, alg, opt, "closed form", {}, inst))
    return rows

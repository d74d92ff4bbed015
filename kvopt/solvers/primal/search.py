"""The primal search: the best schedule found from every seed, by local search and LNS."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from kvopt.errors import KvoptError
from kvopt.model import Instance
from kvopt.schedule import Schedule
from kvopt.solvers.heuristic import memory_rounds, total_latency
from kvopt.solvers.primal.ils import iterated_local_search
from kvopt.solvers.primal.lns import large_neighbourhood_search
from kvopt.solvers.primal.orders import OrderState
from kvopt.solvers.primal.seeds import ORDER_NAMES, Seed, all_seeds, order_seeds, start_order
from kvopt.verify import verify


@dataclass(frozen=True)
class Improvement:
    """A new best schedule: seconds since the search began, its total latency, its source."""

    seconds: float
    objective: int
    source: str


@dataclass
class PrimalResult:
    """What :func:`best_schedule` returns.

    Attributes
    ----------
    start
        Start time of every request, in instance order (a verified non-preemptive
        schedule).
    objective
        Its total latency.
    source
        Where the final schedule came from (a seed's name, ``"ils ..."`` or
        ``"lns ..."``).
    log
        Every improvement of the best schedule, in order (the first is the best seed).
    seeds
        Total latency of every seed by name (``None`` for a policy that failed).
    best_policy
        Name and total latency of the best policy seed (``None`` if none succeeded).
    seconds
        Wall-clock seconds the search took.
    """

    start: np.ndarray
    objective: int
    source: str
    log: list[Improvement] = field(default_factory=list)
    seeds: dict[str, int | None] = field(default_factory=dict)
    best_policy: tuple[str, int] | None = None
    seconds: float = 0.0


class _Best:
    """The incumbent and its log."""

    def __init__(self, instance: Instance, began: float) -> None:
        self.instance, self.began = instance, began
        self.start: np.ndarray | None = None
        self.value: int | None = None
        self.source = ""
        self.log: list[Improvement] = []

    def offer(self, start: np.ndarray, value: int, source: str) -> None:
        if self.value is None or value < self.value:
            self.start, self.value, self.source = np.asarray(start, np.int64).copy(), value, source
            self.log.append(Improvement(time.perf_counter() - self.began, value, source))

    def result(self, seeds: list[Seed]) -> PrimalResult:
        """The verified incumbent, its log and the seeds' values."""
        assert self.start is not None and self.value is not None
        instance = self.instance
        verify(instance, Schedule.from_starts(instance, self.start), allow_eviction=False)
        policies = [s for s in seeds if s.source.startswith("policy") and s.objective is not None]
        top = min(policies, key=lambda s: s.objective) if policies else None
        return PrimalResult(
            start=self.start,
            objective=int(self.value),
            source=self.source,
            log=self.log,
            seeds={s.source: s.objective for s in seeds},
            best_policy=None if top is None else (top.source, int(top.objective)),
            seconds=time.perf_counter() - self.began,
        )


def _initial_seed(instance: Instance, initial: np.ndarray) -> Seed:
    start = np.asarray(initial, dtype=np.int64)
    try:
        verify(instance, Schedule.from_starts(instance, start), allow_eviction=False)
    except (KvoptError, ValueError) as e:
        raise KvoptError(f"the initial schedule is not feasible: {e}") from None
    return Seed("initial", start, total_latency(instance, start), start_order(instance, start))


#: Largest ``n x rounds`` for the order search's snapshots (about 8 bytes each: 400 MB);
#: beyond it the iterated local search is skipped (measured: 6.2 GB at n = 2,000).
MAX_SNAPSHOT_ENTRIES = 50_000_000


def best_schedule(
    instance: Instance,
    *,
    time_limit: float,
    seed: int = 0,
    initial: np.ndarray | None = None,
    policies: bool = True,
    lower_bound: int | None = None,
    ils_share: float = 0.7,
    ils_iterations: int | None = None,
    lns_steps: int | None = None,
    lns_size: int = 8,
    lns_step_time: float = 0.5,
) -> PrimalResult:
    """The best non-preemptive schedule found within ``time_limit`` seconds.

    Seeds (:mod:`kvopt.solvers.primal.seeds`: every registered policy with the true
    outputs, the earliest-fit orders) are always computed; then an iterated local search
    over earliest-fit orders (:mod:`~kvopt.solvers.primal.ils`) from the best natural
    order takes ``ils_share`` of the time left, and CP-SAT large-neighbourhood search
    (:mod:`~kvopt.solvers.primal.lns`) from the best schedule so far takes the rest.
    The result is never worse than any seed. Its first step is the relocation descent of
    :func:`kvopt.solvers.heuristic.earliest_fit` from the same order (with moves limited to
    20 positions, so identical below n = 21); it is *not* guaranteed never to be worse
    than ``earliest_fit`` above that (in ``benchmarks/primal.py`` it was worse on 1 of 20
    P1 instances at 10 s, by 0.25 %, and on none at 30 s and 60 s).

    Parameters
    ----------
    instance
        The instance.
    time_limit
        Wall-clock seconds for everything, seeds included (checked against
        :func:`time.perf_counter` in every loop; the seeds are always computed, about
        0.1-0.4 s at n = 60, so a smaller budget is overrun by them).
    seed
        Seed of the :class:`numpy.random.Generator` and of CP-SAT (one worker): the
        result is deterministic when the deadline does not bind (``ils_iterations`` and
        ``lns_steps`` bound the work instead).
    initial
        A feasible start vector to include as a seed (checked; a
        :class:`~kvopt.errors.KvoptError` if it is not).
    policies
        Also seed with every policy's schedule (``False``: only the earliest-fit orders
        and ``initial``, for a caller that has the policies' schedules already).
    lower_bound
        A proven lower bound: the search stops as soon as a schedule meets it.
    ils_share
        Fraction of the time left after the seeds given to the local search.
    ils_iterations, lns_steps
        Perturbations of the local search, steps of the LNS at most (``None``: until
        their deadline).
    lns_size, lns_step_time
        Free requests of the first LNS step; CP-SAT's limit per step (deterministic time,
        and also wall-clock seconds).

    Returns
    -------
    PrimalResult
    """
    began = time.perf_counter()
    deadline = began + max(0.0, float(time_limit))
    best = _Best(instance, began)
    seeds = all_seeds(instance, deadline) if policies else order_seeds(instance)
    if initial is not None:
        seeds.insert(0, _initial_seed(instance, initial))
    for s in seeds:
        if s.start is not None:
            best.offer(s.start, s.objective, s.source)
    rng = np.random.default_rng(seed)
    proven = lower_bound is not None and best.value <= lower_bound
    if instance.n > 1 and time.perf_counter() < deadline and not proven:
        natural = [s for s in seeds if s.source in {f"earliest-fit {x}" for x in ORDER_NAMES}]
        first = min(natural, key=lambda s: s.objective)
        ils_deadline = time.perf_counter() + ils_share * (deadline - time.perf_counter())
        # the order state keeps one memory snapshot per position: n x rounds integers
        if instance.n * memory_rounds(instance) <= MAX_SNAPSHOT_ENTRIES:
            iterated_local_search(
                OrderState(instance, first.order),
                deadline=ils_deadline,
                rng=rng,
                max_iterations=ils_iterations,
                on_improve=best.offer,
            )
        large_neighbourhood_search(
            instance,
            best.start,
            deadline=deadline,
            rng=rng,
            seed=seed,
            max_steps=lns_steps,
            size=lns_size,
            step_time=lns_step_time,
            on_improve=best.offer,
        )
    return best.result(seeds)

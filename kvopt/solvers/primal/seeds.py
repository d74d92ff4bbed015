"""Starting schedules of the primal search: every registered policy and earliest fit.

Policies are run through :func:`kvopt.simulate.simulate` on the instance *with its
predictions removed*, so every policy plans with the true output lengths (the hindsight
oracle: the primal search is looking for good schedules of a known instance, not judging
an online policy). Each registered policy runs with its default parameters and, when it
has a ``skip`` parameter, also with ``skip=True``. A policy that may evict still yields a
non-preemptive schedule: its *final* runs alone hold no more memory in any round than all
its runs did; the schedule is kept only after :func:`kvopt.verify` with
``allow_eviction=False`` accepts it. A policy that fails on the instance (a
:class:`~kvopt.errors.KvoptError`, e.g. a stall) is left out and named in the seed list.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from kvopt.errors import KvoptError
from kvopt.model import Instance
from kvopt.policies import POLICIES, make_policy
from kvopt.schedule import Schedule
from kvopt.simulate import simulate
from kvopt.solvers.heuristic import natural_orders, place, total_latency
from kvopt.verify import verify

#: Names of the natural earliest-fit orders (:func:`kvopt.solvers.heuristic.natural_orders`).
ORDER_NAMES = ("shortest-output", "earliest-completion", "least-area", "fcfs")


@dataclass(frozen=True)
class Seed:
    """One starting schedule.

    Attributes
    ----------
    source
        Where it came from: ``"policy mcsf"``, ``"policy mcsf skip=True"``,
        ``"earliest-fit shortest-output"``, ...
    start
        Start time of every request, in instance order (``None`` if the source failed).
    objective
        Its total latency (``None`` if the source failed).
    order
        The order of the requests by start (ties by position): an order for the
        earliest-fit local search.
    note
        Why a source gave no schedule, else ``""``.
    """

    source: str
    start: np.ndarray | None
    objective: int | None
    order: np.ndarray | None
    note: str = ""


def oracle(instance: Instance) -> Instance:
    """``instance`` without predictions: policies then plan with the true outputs."""
    if not instance.has_predictions:
        return instance
    return instance.replace(predicted=None, output_lo=None, output_hi=None)


def start_order(instance: Instance, start: np.ndarray) -> np.ndarray:
    """Requests by start time, ties by arrival then position."""
    return np.lexsort((np.arange(instance.n), instance.arrival, start))


#: Policies of the stochastic-arrival model (issue 17) are not seeds: they re-solve
#: plans every round (cc: seconds at n = 10) and target streams, not static instances.
NOT_SEEDS = frozenset({"cc", "wait", "nested-wait"})


def _variants() -> list[tuple[str, dict]]:
    out = []
    for name, cls in POLICIES.items():
        if name in NOT_SEEDS:
            continue
        out.append((name, {}))
        if "skip" in cls.parameter_defaults():
            out.append((name, {"skip": True}))
    return out


def _policy_seed(instance: Instance, name: str, params: dict) -> Seed:
    label = " ".join([f"policy {name}", *(f"{k}={v}" for k, v in params.items())])
    try:
        sim = simulate(oracle(instance), make_policy(name, **params), oracle=True)
    except KvoptError as e:
        return Seed(label, None, None, None, note=str(e))
    start = sim.schedule.starts(sim.instance)
    report = verify(
        instance, Schedule.from_starts(instance, start), allow_eviction=False, strict=False
    )
    if not report.feasible:  # cannot happen (see the module docstring); never trusted
        return Seed(label, None, None, None, note=report.violations[0].message)
    return Seed(label, start, total_latency(instance, start), start_order(instance, start))


def policy_seeds(instance: Instance) -> list[Seed]:
    """One :class:`Seed` per registered policy variant (failed ones with a note)."""
    return [_policy_seed(instance, name, params) for name, params in _variants()]


def order_seeds(instance: Instance) -> list[Seed]:
    """The earliest-fit schedules of the natural orders."""
    out = []
    for label, order in zip(ORDER_NAMES, natural_orders(instance), strict=True):
        start = place(instance, order)
        out.append(Seed(f"earliest-fit {label}", start, total_latency(instance, start), order))
    return out


def all_seeds(instance: Instance, deadline: float | None = None) -> list[Seed]:
    """Policy seeds, then earliest-fit seeds (also of every policy's start order).

    With a ``deadline`` (a ``time.perf_counter()`` value) the natural earliest-fit
    orders come first and always; the policies and the earliest fit of their orders
    follow while time is left (at 2,000 requests each takes a second or more).
    """
    if deadline is None:
        deadline = float("inf")
    seeds = order_seeds(instance)
    for name, params in _variants():
        if time.perf_counter() >= deadline:
            break
        seeds.insert(len(seeds) - len(ORDER_NAMES), _policy_seed(instance, name, params))
    for seed in list(seeds):
        if time.perf_counter() >= deadline:
            break
        if seed.source.startswith("policy") and seed.order is not None:
            start = place(instance, seed.order)
            label = f"earliest-fit of {seed.source}"
            seeds.append(Seed(label, start, total_latency(instance, start), seed.order))
    return seeds

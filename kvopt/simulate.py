"""The event-driven simulator: run an online policy on an instance, round by round.

:func:`simulate` plays the model of ``models/README.md`` with a
:class:`~kvopt.policies.base.Policy` deciding, at round boundaries, which waiting
requests to start and (if it may evict) which running requests to evict. The policy sees
only what an online scheduler would (:class:`~kvopt.policies.base.OnlineView`): the true
output of a request is revealed when it completes, unless the policy is clairvoyant.

Event-driven. Between two events the batch does not change: every running request
produces one token per round and memory grows by the number of running requests. The
simulator therefore only stops at *events*: an arrival, a completion, the boundary
before a round whose memory would exceed M (an evicting policy must then evict; for a
policy that may not evict this is a bug and raises :class:`SimulationError`), and the
wake-up time the policy asks for (the earliest boundary at which its decision could
change although nothing arrived or completed). Its cost grows with the number of
requests, not of rounds. Every schedule is checked by :func:`kvopt.verify`.

Time. Without a time model results are in rounds. With one, each round lasts
``time_model.round_duration(decode, prefill, kv)`` (``models/README.md``, "Calibrated
time"): decode = running requests past their first round, prefill = prompt tokens of the
requests in their first round, kv = tokens held. Within a stretch between events these
are constant except kv, which grows linearly, so a stretch of ``L`` rounds lasts
``d(first round) + (L - 1) d(mean kv of the others)`` — exact because a round's duration
is affine in kv (the model's definition; time models must keep that form).

- If the instance has no ``arrival_time``, arrivals are the integer ``arrival`` rounds;
  seconds are attached to rounds (an idle round also lasts ``d(0, 0, 0)``), and a
  request's latency in seconds is the time from its arrival boundary to the end of its
  completing round.
- If it has ``arrival_time`` (seconds), a request joins the first round boundary at
  or after its arrival time, so *which round a request arrives in depends on the
  schedule* (a busy machine has long rounds). When the machine is idle the next round
  begins when the next request arrives. The instance's ``arrival`` column is then
  ignored: the result's ``instance`` carries the arrival rounds that the simulation
  produced, and the schedule is verified against it. Latency in seconds is measured
  from ``arrival_time``.

Batching (``batching=``, calibrated time only; ``models/batching.md``). ``"mixed"``
(default): new prompts run in the same round as the running decodes, as above.
``"prefill-first"``: a reconstruction of Vidur's vLLM (v0) scheduler — a round that
starts requests is split into a prefill-only pass for them, during which the running
decodes stall, followed by the decode pass. The schedule in model rounds is unchanged
(the same starts, tokens and memory in every round, so :func:`kvopt.verify` checks the
same rules); only the seconds differ: the admission round lasts
``d(0, P, K_new) + d(D, 0, K - K_new)`` instead of ``d(D, P, K)``, and the new requests'
first token comes at the end of the prefill pass.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kvopt.errors import KvoptError
from kvopt.io import Solution
from kvopt.metrics import timed_metrics
from kvopt.model import Instance
from kvopt.policies.base import OnlineView, Policy
from kvopt.policies.oracle import resolve_run
from kvopt.schedule import Schedule
from kvopt.time_model import TimeModel
from kvopt.verify import Report, verify

_INF = float("inf")
_EPS = 1e-9

#: The batch semantics of the calibrated-time simulation (``models/batching.md``).
BATCHINGS = ("mixed", "prefill-first")


class SimulationError(KvoptError):
    """A policy broke the rules: overflow without eviction, an invalid decision, a stall.

    Attributes
    ----------
    round
        The round concerned, when there is one.
    """

    def __init__(self, message: str, *, round: int | None = None) -> None:
        self.round = round
        super().__init__(message)


@dataclass(eq=False)
class SimResult:
    """What :func:`simulate` returns.

    Attributes
    ----------
    instance
        The instance simulated; with ``arrival_time`` and a time model, a copy whose
        ``arrival`` rounds are the boundaries at which the requests joined.
    policy, params
        The policy's name and parameters.
    schedule
        All runs, evicted ones included.
    report
        :func:`kvopt.verify`'s report: objective (total latency in rounds), per-request
        ``latency``, ``ttft``, ``completion``, memory profile, evicted runs.
    runtime
        Wall-clock seconds of the simulation (verification included).
    events
        Round boundaries at which the policy was asked to decide.
    latency_seconds, ttft_seconds
        Per request, with a time model: end of the completing round (of the first round)
        minus the arrival, in seconds; otherwise ``None``.
    makespan_seconds
        End of the last round in seconds (with a time model).
    metadata
        Prediction source, time model, arrival mode, ``oracle`` (whether the policy saw
        true outputs: clairvoyant, or planning with predictions the instance lacks).
    time_model
        The time model, or ``None``.
    clock
        With a time model, ``(rounds, seconds)``: the clock at each event boundary
        (between two events rounds are contiguous; :mod:`kvopt.metrics` interpolates).
    """

    instance: Instance
    policy: str
    params: dict[str, Any]
    schedule: Schedule
    report: Report
    runtime: float
    events: int
    latency_seconds: np.ndarray | None = field(default=None, repr=False)
    ttft_seconds: np.ndarray | None = field(default=None, repr=False)
    makespan_seconds: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    time_model: TimeModel | None = field(default=None, repr=False)
    clock: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def objective(self) -> int | None:
        """Total latency in rounds."""
        return self.report.objective

    @property
    def latency(self) -> np.ndarray:
        """Latency of each request in rounds."""
        return self.report.latency

    @property
    def ttft(self) -> np.ndarray:
        """Time to first token of each request in rounds."""
        return self.report.ttft

    @property
    def evictions(self) -> int:
        """Number of evicted runs."""
        return self.report.evicted_runs

    def summary(self) -> dict[str, Any]:
        """Scalar metrics (rounds, and seconds with a time model)."""
        d = self.report.summary()
        d["events"] = self.events
        d["runtime"] = self.runtime
        d.update(timed_metrics(self))
        return d

    def to_solution(self) -> Solution:
        """The result in the solution-file format, with :meth:`summary` as metrics."""
        meta = {"policy": self.policy, "params": dict(self.params), **self.metadata}
        if self.metadata.get("arrivals") == "arrival_time (seconds)":
            # the rounds the simulation put the arrivals in (kvopt.io.solution_instance)
            meta["arrival_rounds"] = self.instance.arrival.tolist()
        return Solution(
            instance=self.instance.name,
            solver=self.policy,
            status="feasible",
            objective=self.report.objective,
            lower_bound=None,
            runtime=self.runtime,
            schedule=self.schedule,
            metadata=meta,
            metrics=self.summary(),
        )


def check_batching(batching: str, time_model: TimeModel | None) -> None:
    """Refuse an unknown ``batching`` or one other than ``"mixed"`` without calibrated time.

    Raises
    ------
    KvoptError
        If ``batching`` is not in :data:`BATCHINGS`, or is not ``"mixed"`` while the
        simulation has no time model or the unit one (the papers' model stays as it is).
    """
    if batching not in BATCHINGS:
        raise KvoptError(f"unknown batching {batching!r} (known: {', '.join(BATCHINGS)})")
    if batching != "mixed" and (time_model is None or time_model.name == "unit"):
        raise KvoptError(
            f"batching {batching!r} needs a calibrated time model (e.g. "
            "a100-tp2-llama2-70b); the unit-time model of the papers is always 'mixed'"
        )


class _Clock:
    """Seconds at round boundaries, advanced over stretches in closed form.

    Parameters
    ----------
    model
        The time model.
    batching
        One of :data:`BATCHINGS`; it changes only the first round of a stretch that
        starts requests while others decode.
    """

    def __init__(self, model: TimeModel, batching: str = "mixed") -> None:
        self.model = model
        self.idle = float(model.round_duration(0, 0, 0))
        self.prefill_first = batching == "prefill-first"
        self.first_token = 0.0  # seconds from the boundary to the new requests' first token

    def _first_round(self, C: int, B: int, new: int, prefill: int, t: int) -> float:
        """Seconds of round ``t+1``; sets :attr:`first_token` for the requests it starts."""
        d = self.model.round_duration
        kv = B + (t + 1) * C
        if self.prefill_first and new and C > new:
            # the new prompts alone (they hold s_i + 1 each), the decodes stalled; then
            # the decode pass of the others (models/batching.md)
            pre = float(d(0, prefill, prefill + new))
            self.first_token = pre
            return pre + float(d(C - new, 0, kv - prefill - new))
        d1 = float(d(C - new, prefill, kv))
        self.first_token = d1
        return d1

    def stretch(self, C: int, B: int, new: int, prefill: int, t: int):
        """``D(j)``: seconds of rounds ``t+1 .. t+j`` with the batch fixed (``j >= 1``)."""
        d = self.model.round_duration
        if C == 0:
            idle = self.idle
            return lambda j: j * idle
        d1 = self._first_round(C, B, new, prefill, t)

        def D(j: int) -> float:
            if j <= 1:
                return d1 * j
            return d1 + (j - 1) * float(d(C, 0, B + C * (2 * t + 2 + j) / 2))

        return D


def _overflow(policy: str, may_evict: bool, round: int, held: int, M: int) -> SimulationError:
    """The error for a round over M: a bug of an evicting policy, or a forbidden overflow."""
    if may_evict:
        what = "evicted too little"
        hint = ""
    else:
        what = "overflows the memory"
        hint = (
            "; it may not evict (predictions that underestimate? look-ahead policies take "
            "overflow=evict)"
        )
    return SimulationError(
        f"policy {policy!r} {what}: round {round} holds {held} tokens > M = {M} "
        f"(over by {held - M}){hint}",
        round=round,
    )


def _first_reaching(D, clock: float, target: float, hi: int) -> int | None:
    """Smallest ``j`` in ``[1, hi]`` with ``clock + D(j) >= target``, or ``None``."""
    if clock + D(hi) < target - _EPS:
        return None
    lo = 1
    while lo < hi:
        mid = (lo + hi) // 2
        if clock + D(mid) >= target - _EPS:
            hi = mid
        else:
            lo = mid + 1
    return lo


def simulate(
    instance: Instance,
    policy: Policy | str,
    time_model: TimeModel | str | None = None,
    *,
    max_evictions: int | None = None,
    oracle: bool | None = None,
    batching: str = "mixed",
) -> SimResult:
    """Run ``policy`` on ``instance`` and verify the schedule it produces.

    Parameters
    ----------
    instance
        The instance. Without predictions, the true output stands in for them (the
        result's metadata says so).
    policy
        A :class:`~kvopt.policies.base.Policy` (e.g. from
        :func:`kvopt.policies.make_policy`), or a name as on the command line
        (``"mcsf"``, ``"vllm:eviction=sglang"``). It is reset, so one object can be reused.
    time_model
        Optional :class:`~kvopt.time_model.TimeModel` giving each round a duration, or
        its name (``"a100-tp2-llama2-70b"``).
    max_evictions
        Evicted runs after which the simulation stops with a :class:`SimulationError`
        (an evicting policy can live-lock: e.g. evicting the request that produced most
        may restart the same requests for ever). Default ``50 n + 1000``.
    oracle
        For a policy that plans with predictions on an instance without any
        (:func:`kvopt.policies.oracle.check_predictions`): ``True`` lets it see the true
        outputs, ``False`` refuses with a :class:`~kvopt.policies.base.PolicyError`,
        ``None`` (default) lets it and warns (:class:`~kvopt.policies.oracle.OracleWarning`).
    batching
        ``"mixed"`` (default: new prompts in the same round as the decodes) or
        ``"prefill-first"`` (a reconstruction of Vidur's vLLM-v0 scheduler: an admission
        round is a prefill-only pass, the running decodes stall for its duration). Only
        with a calibrated time model; it changes seconds, never the schedule in rounds
        (``models/batching.md``).

    Returns
    -------
    SimResult

    Raises
    ------
    SimulationError
        If a policy that may not evict overflows the memory, an evicting policy leaves a
        round over M, a decision names a request in the wrong state, or the policy
        stalls (requests wait, nothing runs, nothing will arrive and it starts nothing)
        or evicts more than ``max_evictions`` runs.
    KvoptError
        If ``batching`` is unknown, or not ``"mixed"`` without a calibrated time model.
    """
    t_begin = time.perf_counter()
    policy, time_model, sees_truth = resolve_run(instance, policy, time_model, oracle)
    check_batching(batching, time_model)
    n, M = instance.n, instance.memory
    clairvoyant = bool(getattr(policy, "clairvoyant", False))
    may_evict = bool(getattr(policy, "may_evict", False))
    pname = getattr(policy, "name", type(policy).__name__)
    view = OnlineView(instance, clairvoyant)
    policy.reset(view)
    prompt = view.prompt
    output = instance.output.tolist()

    seconds_mode = time_model is not None and instance.arrival_time is not None
    clock_model = _Clock(time_model, batching) if time_model is not None else None
    if seconds_mode:
        arr_key = instance.arrival_time.tolist()  # type: ignore[union-attr]
        order = np.argsort(instance.arrival_time, kind="stable").tolist()
    else:
        arr_key = instance.arrival.tolist()
        order = np.argsort(instance.arrival, kind="stable").tolist()
    timed = clock_model is not None
    arrival_round = [0] * n
    arrival_clock = [0.0] * n if timed else None
    first_clock = [-1.0] * n if timed else None
    done_clock = [0.0] * n if timed else None

    state = bytearray(n)  # 0 not arrived, 1 waiting, 2 running, 3 done
    cur_start = [-1] * n
    run_i: list[int] = []
    run_s: list[int] = []
    run_e: list[int] = []
    heap: list[tuple[int, int]] = []  # (true end, request); stale after an eviction
    heappush, heappop = heapq.heappush, heapq.heappop

    ptr = done = events = evictions = 0
    idle_since: int | None = None
    idle_limit = 10 * (sum(output) + n) + 1000  # generous: waiting policies may wait
    if max_evictions is None:
        max_evictions = 50 * n + 1000
    B = C = 0  # running requests: sum of (prompt - start), count
    if n == 0:
        t, clock = 0, 0.0
    elif seconds_mode:
        t, clock = 0, float(arr_key[order[0]])
    else:
        t, clock = int(arr_key[order[0]]), 0.0

    ev_t: list[int] = []
    ev_c: list[float] = []
    while done < n:
        events += 1
        if timed:
            ev_t.append(t)
            ev_c.append(clock)
        # -- arrivals ----------------------------------------------------------------
        if ptr < n:
            lim = clock + _EPS if seconds_mode else t
            if arr_key[order[ptr]] <= lim:
                new = []
                while ptr < n and arr_key[order[ptr]] <= lim:
                    i = order[ptr]
                    ptr += 1
                    state[i] = 1
                    arrival_round[i] = t
                    if timed:
                        arrival_clock[i] = arr_key[i] if seconds_mode else clock  # type: ignore[index]
                    new.append(i)
                policy.arrive(t, new)
        # -- completions -------------------------------------------------------------
        if heap and heap[0][0] <= t:
            fin = []
            while heap and heap[0][0] <= t:
                e, i = heappop(heap)
                k = cur_start[i]
                if state[i] != 2 or k + output[i] != e:
                    continue  # an evicted run
                run_i.append(i)
                run_s.append(k)
                run_e.append(e)
                state[i] = 3
                B -= prompt[i] - k
                C -= 1
                done += 1
                if timed:
                    done_clock[i] = clock  # type: ignore[index]
                fin.append(i)
            policy.complete(t, fin)
            if done == n:
                break
        # -- decision ----------------------------------------------------------------
        start, evict, wake = policy.decide(t)
        if evict:
            if not may_evict:
                raise SimulationError(f"policy {pname!r} may not evict but did at {t}", round=t)
            for i in evict:
                if not 0 <= i < n or state[i] != 2 or cur_start[i] >= t:
                    raise SimulationError(
                        f"policy {pname!r} evicted request {i} at {t}, which is not running",
                        round=t,
                    )
                k = cur_start[i]
                run_i.append(i)
                run_s.append(k)
                run_e.append(t)
                state[i] = 1
                B -= prompt[i] - k
                C -= 1
            evictions += len(evict)
            if evictions > max_evictions:
                raise SimulationError(
                    f"policy {pname!r} evicted {evictions} runs by {t} with {n - done} "
                    f"request(s) unfinished: live-lock? (max_evictions = {max_evictions})",
                    round=t,
                )
        prefill = 0
        for i in start:
            if not 0 <= i < n or state[i] != 1:
                what = (
                    ("has not arrived", "", "is running", "is done")[state[i]]
                    if 0 <= i < n
                    else "does not exist"
                )
                raise SimulationError(
                    f"policy {pname!r} started request {i} at {t}, which {what}", round=t
                )
            state[i] = 2
            cur_start[i] = t
            B += prompt[i] - t
            C += 1
            prefill += prompt[i]
            heappush(heap, (t + output[i], i))
        if C and B + (t + 1) * C > M:
            raise _overflow(pname, may_evict, t + 1, B + (t + 1) * C, M)
        # a policy that keeps waking up but never starts anything once every request has
        # arrived and nothing runs would loop forever: after 10 (sum(o) + n) + 1000 such
        # rounds it is a stall (any schedule could have run every request long before)
        if C or ptr < n or done == n:
            idle_since = None
        elif idle_since is None:
            idle_since = t
        elif t - idle_since > idle_limit:
            raise SimulationError(
                f"policy {pname!r} stalls: nothing has run from round {idle_since} to {t} "
                f"although every request has arrived and {n - done} wait",
                round=t,
            )
        # -- next event --------------------------------------------------------------
        while heap and (
            state[heap[0][1]] != 2 or cur_start[heap[0][1]] + output[heap[0][1]] != heap[0][0]
        ):
            heappop(heap)
        nxt = heap[0][0] if heap else _INF
        if wake is not None:
            if wake <= t:
                raise SimulationError(f"policy {pname!r} asked to wake at {wake} <= {t}", round=t)
            nxt = min(nxt, wake)
        if C:
            over_round = (M - B) // C + 1  # first round that would exceed M
            if over_round - 1 < nxt:
                if not may_evict:
                    raise _overflow(pname, False, over_round, B + over_round * C, M)
                nxt = over_round - 1
        if ptr < n and not seconds_mode:
            nxt = min(nxt, arr_key[order[ptr]])
        D = None
        if timed:
            D = clock_model.stretch(C, B, len(start), prefill, t)  # type: ignore[union-attr]
            if seconds_mode and ptr < n:
                target = arr_key[order[ptr]]
                if C == 0 and nxt == _INF:
                    nxt = t + 1  # idle machine: the next round begins at the arrival
                    for i in start:
                        first_clock[i] = max(first_clock[i], clock)  # pragma: no cover
                    clock = max(clock, target)
                    t = nxt
                    continue
                j = _first_reaching(D, clock, target, int(nxt - t) if nxt < _INF else 1 << 62)
                if j is not None:
                    nxt = t + j
        if nxt == _INF:
            waiting = sum(1 for i in range(n) if state[i] == 1)
            raise SimulationError(
                f"policy {pname!r} stalls at {t}: {waiting} request(s) wait, none runs, none "
                "will arrive and the policy starts nothing",
                round=t,
            )
        nxt = int(nxt)
        if timed:
            if start:
                end_first = clock + clock_model.first_token  # type: ignore[union-attr]
                for i in start:
                    if first_clock[i] < 0:  # type: ignore[index]
                        first_clock[i] = end_first  # type: ignore[index]
            clock += D(nxt - t)  # type: ignore[misc]
        t = nxt

    sim_instance = instance
    if seconds_mode and n:
        sim_instance = instance.replace(arrival=np.array(arrival_round, dtype=np.int64))
    schedule = Schedule.from_indices(sim_instance, run_i, run_s, run_e)
    report = verify(sim_instance, schedule, allow_eviction=may_evict)
    meta: dict[str, Any] = {
        "prediction_source": view.prediction_source,
        "perfect_predictions": view.perfect_predictions,
        "clairvoyant": clairvoyant,
        "arrivals": "arrival_time (seconds)" if seconds_mode else "arrival (rounds)",
        "oracle": sees_truth,
    }
    lat_s = ttft_s = None
    makespan_s = None
    if timed:
        meta["time_model"] = time_model.name  # type: ignore[union-attr]
        if batching != "mixed":  # the default leaves the metadata as it was
            meta["batching"] = batching
        ac = np.asarray(arrival_clock, dtype=np.float64)
        lat_s = np.asarray(done_clock, dtype=np.float64) - ac
        ttft_s = np.asarray(first_clock, dtype=np.float64) - ac
        makespan_s = float(clock)
        ev_t.append(t)
        ev_c.append(clock)
    params = policy.params() if hasattr(policy, "params") else {}
    return SimResult(
        instance=sim_instance,
        policy=pname,
        params=params,
        schedule=schedule,
        report=report,
        runtime=time.perf_counter() - t_begin,
        events=events,
        latency_seconds=lat_s,
        ttft_seconds=ttft_s,
        makespan_seconds=makespan_s,
        metadata=meta,
        time_model=time_model,
        clock=(np.array(ev_t, dtype=np.int64), np.array(ev_c)) if timed else None,
    )

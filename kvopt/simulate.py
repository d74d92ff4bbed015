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
first token comes at the end of the prefill pass. ``"chunked"``: Sarathi-style chunks
of a token budget. Batch caps, block-granular KV and the recompute cost of a restart
are the other engine settings (:class:`kvopt.engine.Engine`, ``models/batching.md``).
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kvopt.engine import BATCHINGS, Engine, HeldMemory, fits_token_cap, pass_tokens
from kvopt.errors import KvoptError
from kvopt.io import Solution
from kvopt.metrics import timed_metrics
from kvopt.model import Instance
from kvopt.policies.base import OnlineView, Policy
from kvopt.policies.oracle import resolve_run
from kvopt.schedule import Schedule
from kvopt.sim_clock import RoundClock, first_reaching
from kvopt.time_model import TimeModel
from kvopt.verify import Report, verify

_INF = float("inf")
_EPS = 1e-9

__all__ = ["BATCHINGS", "Engine", "SimResult", "SimulationError", "simulate"]


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


def simulate(
    instance: Instance,
    policy: Policy | str,
    time_model: TimeModel | str | None = None,
    *,
    max_evictions: int | None = None,
    oracle: bool | None = None,
    batching: str = "mixed",
    max_requests: int | None = None,
    max_tokens: int | None = None,
    token_cap: str = "sum",
    block_size: int = 1,
    recompute: bool = False,
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
        ``"mixed"`` (default: new prompts in the same round as the decodes),
        ``"prefill-first"`` (a reconstruction of Vidur's vLLM-v0 scheduler: an admission
        round is a prefill-only pass, the running decodes stall for its duration) or
        ``"chunked"`` (Sarathi-style chunks of ``max_tokens``). Only with a calibrated
        time model; it changes seconds, never the schedule in rounds.
    max_requests, max_tokens, token_cap, block_size
        Batch caps (requests per round, tokens per forward pass counted as ``"sum"`` or
        ``"padded"``) and the KV block size (memory of a request rounded up to whole
        blocks for admission and eviction); see :class:`kvopt.engine.Engine`. Only for
        policies that honour them (``engine_limits``: fcfs, sf, alpha-greedy,
        alpha-clearing, vllm). Defaults: none, ``"sum"``, 1 (the papers' model).
    recompute
        With a calibrated time model: a restarted run's first round prefills the prompt
        plus the tokens its evicted run had produced (seconds only).

    Returns
    -------
    SimResult

    Raises
    ------
    SimulationError
        If a policy that may not evict overflows the memory, an evicting policy leaves a
        round over M, a decision names a request in the wrong state or breaks a batch
        cap, or the policy stalls (requests wait, nothing runs, nothing will arrive and
        it starts nothing) or evicts more than ``max_evictions`` runs.
    KvoptError
        For an unknown or invalid engine setting, one that needs a calibrated time model
        without one, or caps or blocks for a policy that does not honour them.
    """
    t_begin = time.perf_counter()
    engine = Engine(batching, max_requests, max_tokens, token_cap, block_size, recompute)
    policy, model, sees_truth = resolve_run(instance, policy, time_model, oracle)
    engine.check(model)
    pname = getattr(policy, "name", type(policy).__name__)
    if engine.limits_admission and not getattr(policy, "engine_limits", False):
        raise KvoptError(
            f"policy {pname!r} does not honour batch caps or KV blocks (those that do: "
            "fcfs, sf, alpha-greedy, alpha-clearing, vllm)"
        )
    sim = _Simulator(instance, policy, model, engine, max_evictions)
    sim.run()
    return sim.result(t_begin, sees_truth)


class _Simulator:
    """One simulation: the state and one method per kind of event (see :func:`simulate`)."""

    __slots__ = (
        "M", "admission_tokens", "arr_key", "arrival_clock", "arrival_round", "batch_seen",
        "clairvoyant", "clock", "clock_model", "cur_start", "decodes_share", "done",
        "done_clock", "engine", "ev_c", "ev_t", "events", "evictions", "first_clock", "heap",
        "held", "idle_limit", "idle_since", "instance", "max_evictions", "max_requests",
        "may_evict", "model", "n", "order", "output", "pname", "policy", "prompt", "ptr",
        "regen", "run_e", "run_i", "run_s", "seconds_mode", "state", "t", "timed", "view",
    )  # fmt: skip

    def __init__(
        self,
        instance: Instance,
        policy: Policy,
        model: TimeModel | None,
        engine: Engine,
        max_evictions: int | None,
    ) -> None:
        n = instance.n
        self.instance, self.policy, self.model, self.engine = instance, policy, model, engine
        self.n, self.M = n, instance.memory
        self.clairvoyant = bool(getattr(policy, "clairvoyant", False))
        self.may_evict = bool(getattr(policy, "may_evict", False))
        self.pname = getattr(policy, "name", type(policy).__name__)
        self.view = OnlineView(instance, self.clairvoyant, engine)
        policy.reset(self.view)
        self.prompt = self.view.prompt
        self.output = instance.output.tolist()
        self.seconds_mode = model is not None and instance.arrival_time is not None
        self.clock_model = RoundClock(model, engine) if model is not None else None
        self.timed = model is not None
        key = instance.arrival_time if self.seconds_mode else instance.arrival
        self.arr_key = key.tolist()  # type: ignore[union-attr]
        self.order = np.argsort(key, kind="stable").tolist()
        self.arrival_round = [0] * n
        self.arrival_clock = [0.0] * n
        self.first_clock = [-1.0] * n
        self.done_clock = [0.0] * n
        self.regen = [0] * n  # tokens produced by a request's last evicted run
        self.state = bytearray(n)  # 0 not arrived, 1 waiting, 2 running, 3 done
        self.cur_start = [-1] * n
        self.run_i: list[int] = []
        self.run_s: list[int] = []
        self.run_e: list[int] = []
        self.heap: list[tuple[int, int]] = []  # (true end, request); stale after eviction
        self.ptr = self.done = self.events = self.evictions = 0
        self.idle_since: int | None = None
        self.idle_limit = 10 * (sum(self.output) + n) + 1000  # waiting policies may wait
        self.max_evictions = 50 * n + 1000 if max_evictions is None else max_evictions
        self.held = HeldMemory(engine.block_size)  # running: B = sum(prompt - start), C
        self.batch_seen: list = [-1, _INF, None]  # held.changes, next completion, over M
        self.max_requests = engine.max_requests
        self.admission_tokens = engine.admission_tokens
        self.decodes_share = engine.decodes_share_the_pass
        if n == 0:
            self.t, self.clock = 0, 0.0
        elif self.seconds_mode:
            self.t, self.clock = 0, float(self.arr_key[self.order[0]])
        else:
            self.t, self.clock = int(self.arr_key[self.order[0]]), 0.0
        self.ev_t: list[int] = []
        self.ev_c: list[float] = []

    def run(self) -> None:
        """Play events until every request is done."""
        heap, n, timed, held, M = self.heap, self.n, self.timed, self.held, self.M
        ev_t, ev_c, seconds_mode = self.ev_t, self.ev_c, self.seconds_mode
        next_arrival = [self.arr_key[i] for i in self.order] + [_INF]
        # bound methods, looked up once (this loop runs once per event)
        decide, arrivals, completions = self.policy.decide, self.arrivals, self.completions
        start_runs, check_round, advance = self.start, self.check_round, self.advance
        no_prompts: list[int] = []
        policy = self.policy
        has_quiet = hasattr(policy, "quiet")  # optional (kvopt.policies.base)
        quiet_at = -1  # held.changes when the policy said it was quiet
        while self.done < n:
            self.events += 1
            t = self.t
            if timed:
                ev_t.append(t)
                ev_c.append(self.clock)
            if next_arrival[self.ptr] <= (self.clock + _EPS if seconds_mode else t):
                arrivals()
            if heap and heap[0][0] <= t and completions():
                break
            if quiet_at == held.changes and not held.exceeds(M, t + 1):
                # only arrivals since the policy's quiet decision and round t + 1 fits:
                # the policy starts and evicts nothing (the running set is the same)
                advance((), None, no_prompts, 0)
                continue
            start, evict, wake = decide(t)
            if evict:
                self.evict(evict)
            if start:
                prompts, prefill = start_runs(start)
                check_round(len(start), prompts)
            else:
                prompts, prefill = no_prompts, 0
                check_round(0, no_prompts)
            self.watch_stall()
            quiet_at = held.changes if has_quiet and policy.quiet and wake is None else -1
            advance(start, wake, prompts, prefill)

    def arrivals(self) -> None:
        """Requests arriving by the current boundary join the queue."""
        n, order, arr_key, t = self.n, self.order, self.arr_key, self.t
        if self.ptr >= n:
            return
        lim = self.clock + _EPS if self.seconds_mode else t
        if arr_key[order[self.ptr]] > lim:
            return
        new = []
        while self.ptr < n and arr_key[order[self.ptr]] <= lim:
            i = order[self.ptr]
            self.ptr += 1
            self.state[i] = 1
            self.arrival_round[i] = t
            if self.timed:
                self.arrival_clock[i] = arr_key[i] if self.seconds_mode else self.clock
            new.append(i)
        self.policy.arrive(t, new)

    def completions(self) -> bool:
        """Runs ending at the current boundary complete; ``True`` once all are done."""
        heap, t = self.heap, self.t
        if not heap or heap[0][0] > t:
            return False
        fin = []
        state, cur_start, output, held = self.state, self.cur_start, self.output, self.held
        while heap and heap[0][0] <= t:
            e, i = heapq.heappop(heap)
            k = cur_start[i]
            if state[i] != 2 or k + output[i] != e:
                continue  # an evicted run
            self.run_i.append(i)
            self.run_s.append(k)
            self.run_e.append(e)
            state[i] = 3
            held.remove(self.prompt[i], k)
            self.done_clock[i] = self.clock
            fin.append(i)
        self.done += len(fin)
        self.policy.complete(t, fin)
        return self.done == self.n

    def evict(self, evict) -> None:
        """Apply the policy's evictions at the current boundary."""
        t, pname = self.t, self.pname
        if not self.may_evict:
            raise SimulationError(f"policy {pname!r} may not evict but did at {t}", round=t)
        for i in evict:
            if not 0 <= i < self.n or self.state[i] != 2 or self.cur_start[i] >= t:
                raise SimulationError(
                    f"policy {pname!r} evicted request {i} at {t}, which is not running",
                    round=t,
                )
            k = self.cur_start[i]
            self.run_i.append(i)
            self.run_s.append(k)
            self.run_e.append(t)
            self.state[i] = 1
            self.held.remove(self.prompt[i], k)
            self.regen[i] = t - k
        self.evictions += len(evict)
        if self.evictions > self.max_evictions:
            raise SimulationError(
                f"policy {pname!r} evicted {self.evictions} runs by {t} with "
                f"{self.n - self.done} request(s) unfinished: live-lock? "
                f"(max_evictions = {self.max_evictions})",
                round=t,
            )

    def start(self, start) -> tuple[list[int], int]:
        """Start the policy's requests; their prompts and the tokens to prefill."""
        t, state, prompt = self.t, self.state, self.prompt
        recompute = self.engine.recompute
        prompts: list[int] = []
        prefill = 0
        for i in start:
            if not 0 <= i < self.n or state[i] != 1:
                what = (
                    ("has not arrived", "", "is running", "is done")[state[i]]
                    if 0 <= i < self.n
                    else "does not exist"
                )
                raise SimulationError(
                    f"policy {self.pname!r} started request {i} at {t}, which {what}",
                    round=t,
                )
            state[i] = 2
            self.cur_start[i] = t
            self.held.add(prompt[i], t)
            prompts.append(prompt[i])
            prefill += prompt[i] + self.regen[i] if recompute else prompt[i]
            heapq.heappush(self.heap, (t + self.output[i], i))
        return prompts, prefill

    def check_round(self, new: int, prompts: list[int]) -> None:
        """Round ``t + 1`` must fit in M (in blocks) and within the batch caps."""
        held, t, engine = self.held, self.t, self.engine
        if held.C and held.exceeds(self.M, t + 1):
            raise _overflow(self.pname, self.may_evict, t + 1, held.at(t + 1), self.M)
        if self.max_requests is not None and held.C > self.max_requests:
            raise SimulationError(
                f"policy {self.pname!r} runs {held.C} requests in round {t + 1} > "
                f"max_requests = {self.max_requests}",
                round=t + 1,
            )
        cap = self.admission_tokens
        if cap is not None and prompts:
            decodes = held.C - new if self.decodes_share else 0
            rule = engine.token_cap
            if not fits_token_cap(len(prompts), max(prompts), sum(prompts), decodes, rule, cap):
                tokens = pass_tokens(prompts, decodes, rule)
                raise SimulationError(
                    f"policy {self.pname!r} batches {tokens} tokens at {t} > max_tokens = {cap}",
                    round=t + 1,
                )

    def watch_stall(self) -> None:
        """A policy that never starts anything once every request has arrived stalls.

        After 10 (sum(o) + n) + 1000 idle rounds with requests waiting it is a
        :class:`SimulationError` (any schedule could have run every request by then).
        """
        t = self.t
        if self.held.C or self.ptr < self.n or self.done == self.n:
            self.idle_since = None
        elif self.idle_since is None:
            self.idle_since = t
        elif t - self.idle_since > self.idle_limit:
            raise SimulationError(
                f"policy {self.pname!r} stalls: nothing has run from round "
                f"{self.idle_since} to {t} although every request has arrived and "
                f"{self.n - self.done} wait",
                round=t,
            )

    def next_event(self, wake: int | None) -> float:
        """The next boundary at which something happens in rounds (``inf``: none)."""
        t, held = self.t, self.held
        if self.batch_seen[0] != held.changes:
            # the running set changed: its next completion; its first round over M is
            # found when needed (both stay valid while the running set stays the same)
            self.batch_seen = [held.changes, self.next_completion(), None]
        nxt: float = self.batch_seen[1]
        if wake is not None:
            if wake <= t:
                raise SimulationError(
                    f"policy {self.pname!r} asked to wake at {wake} <= {t}", round=t
                )
            nxt = min(nxt, wake)
        over_round = self.batch_seen[2]
        if over_round is None and held.C and (nxt == _INF or held.exceeds(self.M, int(nxt))):
            # the first round that would exceed M comes by round nxt
            over_round = self.batch_seen[2] = held.first_over(self.M, t)
        if over_round is not None and over_round - 1 < nxt:
            if not self.may_evict:
                raise _overflow(self.pname, False, over_round, held.at(over_round), self.M)
            nxt = over_round - 1
        if self.ptr < self.n and not self.seconds_mode:
            nxt = min(nxt, self.arr_key[self.order[self.ptr]])
        return nxt

    def next_completion(self) -> float:
        """The end of the earliest running run (``inf``: none); drops evicted runs."""
        heap, state, cur_start, output = self.heap, self.state, self.cur_start, self.output
        while heap and (
            state[heap[0][1]] != 2 or cur_start[heap[0][1]] + output[heap[0][1]] != heap[0][0]
        ):
            heapq.heappop(heap)
        return heap[0][0] if heap else _INF

    def advance(self, start, wake: int | None, prompts: list[int], prefill: int) -> None:
        """Move the clock to the next event boundary."""
        t, held = self.t, self.held
        nxt = self.next_event(wake)
        D = None
        if self.timed:
            D = self.clock_model.stretch(  # type: ignore[union-attr]
                held.C, held.B, len(start), sum(prompts), prefill, t
            )
            if self.seconds_mode and self.ptr < self.n:
                target = self.arr_key[self.order[self.ptr]]
                if held.C == 0 and nxt == _INF:
                    # idle machine: the next round begins at the arrival
                    self.clock = max(self.clock, target)
                    self.t = t + 1
                    return
                hi = int(nxt - t) if nxt < _INF else 1 << 62
                guess = self.clock_model.guess(target - self.clock)  # type: ignore[union-attr]
                j = first_reaching(D, self.clock, target, hi, guess)
                if j is not None:
                    nxt = t + j
        if nxt == _INF:
            waiting = sum(1 for i in range(self.n) if self.state[i] == 1)
            raise SimulationError(
                f"policy {self.pname!r} stalls at {t}: {waiting} request(s) wait, none "
                "runs, none will arrive and the policy starts nothing",
                round=t,
            )
        nxt = int(nxt)
        if D is not None:
            if start:
                end_first = self.clock + self.clock_model.first_token  # type: ignore[union-attr]
                for i in start:
                    if self.first_clock[i] < 0:
                        self.first_clock[i] = end_first
            self.clock += D(nxt - t)
        self.t = nxt

    def result(self, t_begin: float, sees_truth: bool) -> SimResult:
        """The verified :class:`SimResult`."""
        instance, n = self.instance, self.n
        sim_instance = instance
        if self.seconds_mode and n:
            sim_instance = instance.replace(arrival=np.array(self.arrival_round, dtype=np.int64))
        schedule = Schedule.from_indices(sim_instance, self.run_i, self.run_s, self.run_e)
        report = verify(sim_instance, schedule, allow_eviction=self.may_evict)
        meta: dict[str, Any] = {
            "prediction_source": self.view.prediction_source,
            "perfect_predictions": self.view.perfect_predictions,
            "clairvoyant": self.clairvoyant,
            "arrivals": "arrival_time (seconds)" if self.seconds_mode else "arrival (rounds)",
            "oracle": sees_truth,
        }
        lat_s = ttft_s = makespan_s = None
        if self.timed:
            meta["time_model"] = self.model.name  # type: ignore[union-attr]
            ac = np.asarray(self.arrival_clock, dtype=np.float64)
            lat_s = np.asarray(self.done_clock, dtype=np.float64) - ac
            ttft_s = np.asarray(self.first_clock, dtype=np.float64) - ac
            makespan_s = float(self.clock)
            self.ev_t.append(self.t)
            self.ev_c.append(self.clock)
        meta.update(self.engine.metadata())  # the default engine leaves it as it was
        policy = self.policy
        return SimResult(
            instance=sim_instance,
            policy=self.pname,
            params=policy.params() if hasattr(policy, "params") else {},
            schedule=schedule,
            report=report,
            runtime=time.perf_counter() - t_begin,
            events=self.events,
            latency_seconds=lat_s,
            ttft_seconds=ttft_s,
            makespan_seconds=makespan_s,
            metadata=meta,
            time_model=self.model,
            clock=(np.array(self.ev_t, dtype=np.int64), np.array(self.ev_c))
            if self.timed
            else None,
        )

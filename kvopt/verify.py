"""The verifier: the single judge of whether a schedule is feasible, and its metrics.

Every solver, policy and test of kvopt checks its schedules here. The rules (see
``models/README.md``):

1. every run names a request of the instance and lasts at least one round;
2. no run starts before its request's arrival;
3. runs of one request do not overlap;
4. every request has exactly one complete run (``end - start == output``), and it is
   its last run; no run is longer than the output;
5. without eviction (``allow_eviction=False``), every request has exactly one run;
6. in every round ``t``, the memory held by the runs processed in it is at most M, where
   a run started at ``k`` holds ``prompt + (t - k)`` tokens in round ``t``.

Speed. The memory check does not loop over rounds. Between two consecutive completion
times the set of processed runs only grows and each run's memory grows by one token per
round, so the memory profile is piecewise linear and non-decreasing between departures;
its maximum over any such stretch is attained at a run's last round. The verifier
therefore evaluates memory only at the run ends, with sorted prefix sums: O(R log R)
for R runs, independently of the horizon. Where it finds an overflow, it solves the
linear piece for the first overflowing round. (Proof: ``proofs/completion_times.md``.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from kvopt.errors import ScheduleError, Violation
from kvopt.model import Instance
from kvopt.numeric import exact_mean
from kvopt.schedule import Schedule
from kvopt.text import escape

#: At most this many memory violations are listed one by one; the rest are counted.
MAX_LISTED = 50


class MemoryProfile:
    """The memory held in every round by a set of runs, evaluated without a loop.

    A run with prompt ``p`` started at ``k`` and ending at ``e`` holds ``p + t - k``
    tokens in each round ``t`` with ``k < t <= e``. With ``b = p - k``:
    ``memory(t) = sum_{runs active at t} b + t * (number of runs active at t)``.

    Parameters
    ----------
    prompt, start, end
        One entry per run (runs with ``end <= start`` must be excluded by the caller).
    """

    def __init__(self, prompt: np.ndarray, start: np.ndarray, end: np.ndarray) -> None:
        offset = prompt - start
        by_start = np.argsort(start, kind="stable")
        by_end = np.argsort(end, kind="stable")
        self.start_sorted = start[by_start]
        self.end_sorted = end[by_end]
        self.cum_start = np.concatenate(([0], np.cumsum(offset[by_start])))
        self.cum_end = np.concatenate(([0], np.cumsum(offset[by_end])))
        self.prompt, self.start, self.end = prompt, start, end
        self.horizon = int(end.max()) if end.size else 0

    def line(self, rounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(b, c)`` with ``memory(t) = b + t * c`` for each round ``t`` in ``rounds``."""
        started = np.searchsorted(self.start_sorted, rounds, side="left")  # start < t
        ended = np.searchsorted(self.end_sorted, rounds, side="left")  # end < t
        return self.cum_start[started] - self.cum_end[ended], started - ended

    def at(self, rounds: np.ndarray | list[int] | int) -> np.ndarray:
        """Tokens held in each of ``rounds`` (round ``t`` is the interval ``(t-1, t]``)."""
        t = np.atleast_1d(np.asarray(rounds, dtype=np.int64))
        b, c = self.line(t)
        return b + t * c

    def dense(self) -> np.ndarray:
        """Tokens held in rounds ``1 .. horizon`` (entry ``t-1`` is round ``t``)."""
        T = self.horizon
        if T > 200_000_000:
            raise ValueError(f"horizon {T} is too long for a dense profile; use at()")
        n = T + 2
        # A run that starts (or ends) before round 1, e.g. an infeasible negative start,
        # still holds s + (t - start) tokens in round t: its step lands at index 0.
        up, down = np.maximum(self.start + 1, 0), np.maximum(self.end + 1, 0)
        count = np.bincount(up, minlength=n) - np.bincount(down, minlength=n)
        w = self.prompt - self.start
        if not w.size or float(np.abs(w).max()) * w.size < 2**52:  # float sums stay exact
            wf = w.astype(np.float64)
            base = np.bincount(up, weights=wf, minlength=n) - np.bincount(
                down, weights=wf, minlength=n
            )
            steps = np.rint(np.cumsum(base)).astype(np.int64)
        else:  # huge offsets (e.g. a far negative start): exact, slower int64 path
            base_i = np.zeros(n, dtype=np.int64)
            np.add.at(base_i, up, w)
            np.subtract.at(base_i, down, w)
            steps = np.cumsum(base_i)
        t = np.arange(n, dtype=np.int64)
        prof = steps + t * np.cumsum(count)
        return prof[1 : T + 1]

    def batch(self, t: int) -> np.ndarray:
        """Positions (into the run arrays) of the runs processed in round ``t``."""
        return np.flatnonzero((self.start < t) & (self.end >= t))


@dataclass(eq=False)
class Report:
    """What the verifier found: violations (none if feasible) and metrics.

    Attributes
    ----------
    instance
        The instance's name.
    n, runs
        Number of requests and of runs.
    violations
        Every broken rule; empty for a feasible schedule.
    objective
        Total latency ``sum_i (c_i - a_i)``, or ``None`` if a request has no complete run.
    mean_latency
        ``objective / n`` (``None`` likewise).
    makespan
        The last round in which anything runs (0 for an empty schedule).
    peak_memory, mean_memory
        Maximum and average tokens held per round over rounds ``1 .. makespan``.
    evicted_runs, wasted_rounds
        Incomplete runs, and the rounds they were processed.
    completion, latency, start, first_start, ttft
        Per request, in instance order: completion ``c_i`` of the complete run, its
        latency ``c_i - a_i``, its start, the start of the request's first run, and
        time to first token ``first_start + 1 - a_i`` (all -1 where undefined).
    """

    instance: str
    n: int
    runs: int
    violations: list[Violation]
    objective: int | None
    mean_latency: float | None
    makespan: int
    peak_memory: int
    mean_memory: float
    memory: int
    evicted_runs: int
    wasted_rounds: int
    completion: np.ndarray = field(repr=False)
    latency: np.ndarray = field(repr=False)
    start: np.ndarray = field(repr=False)
    first_start: np.ndarray = field(repr=False)
    ttft: np.ndarray = field(repr=False)
    profile: MemoryProfile = field(repr=False)

    @property
    def feasible(self) -> bool:
        """Whether the schedule breaks no rule."""
        return not self.violations

    @cached_property
    def memory_profile(self) -> np.ndarray:
        """Tokens held in each round ``1 .. makespan`` (entry ``t-1`` is round ``t``)."""
        return self.profile.dense()

    def memory_at(self, rounds: np.ndarray | list[int] | int) -> np.ndarray:
        """Tokens held in the given rounds, without building the dense profile."""
        return self.profile.at(rounds)

    def summary(self) -> dict[str, Any]:
        """The scalar metrics as a JSON-compatible dictionary."""
        done = self.ttft >= 0
        return {
            "feasible": self.feasible,
            "objective": self.objective,
            "mean_latency": self.mean_latency,
            "makespan": self.makespan,
            "peak_memory": self.peak_memory,
            "mean_memory": self.mean_memory,
            "memory": self.memory,
            "mean_ttft": exact_mean(self.ttft[done]) if done.any() else None,
            "evicted_runs": self.evicted_runs,
            "wasted_rounds": self.wasted_rounds,
            "requests": self.n,
            "runs": self.runs,
        }

    def format(self) -> str:
        """A short human-readable report."""
        lines = [
            f"instance {escape(self.instance)}: {self.n} requests, {self.runs} runs, "
            f"M = {self.memory}"
        ]
        if self.feasible:
            lines.append("feasible")
        else:
            lines.append(f"INFEASIBLE: {len(self.violations)} violation(s)")
            lines += [f"  - {v.message}" for v in self.violations[:10]]
            if len(self.violations) > 10:
                lines.append(f"  ... and {len(self.violations) - 10} more")
        s = self.summary()
        lines.append(f"objective (total latency)  {s['objective']}")
        ml = s["mean_latency"]
        lines.append(
            f"mean latency               {ml:.4g}"
            if ml is not None
            else "mean latency               -"
        )
        lines.append(f"makespan                   {s['makespan']}")
        lines.append(
            f"peak / mean memory         {s['peak_memory']} / {s['mean_memory']:.4g}"
            f"  (M = {self.memory})"
        )
        mt = s["mean_ttft"]
        lines.append(
            f"mean time to first token   {mt:.4g}"
            if mt is not None
            else "mean time to first token   -"
        )
        lines.append(
            f"evicted runs / wasted      {s['evicted_runs']} / {s['wasted_rounds']} rounds"
        )
        return "\n".join(lines)


def _memory_violations(
    instance: Instance, prof: MemoryProfile, run_request: np.ndarray
) -> tuple[list[Violation], int]:
    """Violations of the memory limit, and the peak memory."""
    if prof.horizon == 0:
        return [], 0
    M = instance.memory
    ends = prof.end_sorted  # already sorted: dropping repeats is cheaper than np.unique
    checks = ends[np.r_[True, ends[1:] != ends[:-1]]]
    b, c = prof.line(checks)
    mem = b + checks * c
    peak = int(mem.max())
    over = np.flatnonzero(mem > M)
    if not over.size:
        return [], peak
    out: list[Violation] = []
    for k, j in enumerate(over[:MAX_LISTED].tolist()):
        t_end = int(checks[j])
        # Between departures memory never decreases, so the first overflowing round of
        # the stretch that ends at t_end is found by bisection on that stretch.
        i_end = int(np.searchsorted(prof.end_sorted, t_end))  # runs ending before t_end
        lo = int(prof.end_sorted[i_end - 1]) + 1 if i_end > 0 else 1
        hi = t_end
        while lo < hi:
            mid = (lo + hi) // 2
            if int(prof.at(mid)[0]) > M:
                hi = mid
            else:
                lo = mid + 1
        first = lo
        amount = int(prof.at(first)[0]) - M
        msg = (
            f"round {first}: memory {M + amount} > M = {M} (over by {amount} "
            f"token{'s' if amount != 1 else ''})"
        )
        if t_end > first:
            msg += f"; still over through round {t_end} (peak {int(mem[j])})"
        if k < 10:
            batch = prof.batch(first)
            held = prof.prompt[batch] + first - prof.start[batch]
            order = np.argsort(-held, kind="stable")[:8]
            ids = instance.ids
            parts = [f"{escape(ids[run_request[batch[q]]])} holds {int(held[q])}" for q in order]
            more = f", ... ({batch.size} running)" if batch.size > 8 else ""
            msg += "; batch: " + ", ".join(parts) + more
        out.append(Violation("memory", msg, round=first, amount=amount))
    if over.size > MAX_LISTED:
        out.append(
            Violation(
                "memory",
                f"... memory is over M in {over.size - MAX_LISTED} "
                "more stretches between departures",
            )
        )
    return out, peak


class _Runs:
    """The runs of a schedule that name a request of the instance, as aligned arrays.

    ``I``, ``S``, ``E``, ``L``: request position, start, end and length of each run;
    ``order`` sorts them by request, then start (``Io``, ``So``, ``Eo`` in that order,
    ``same[k]``: sorted runs ``k`` and ``k + 1`` are of one request); ``complete``: the
    run lasts the request's output.
    """

    def __init__(self, instance: Instance, schedule: Schedule, violations: list) -> None:
        idx_all, unknown = schedule.indices(instance)
        violations.extend(unknown)
        known = idx_all >= 0
        self.instance = instance
        self.I = idx_all[known]
        self.S = schedule.start[known]
        self.E = schedule.end[known]
        self.run_pos = np.flatnonzero(known)
        self.L = self.E - self.S
        self.out_len = instance.output[self.I]
        self.complete = self.L == self.out_len
        self.order = np.lexsort((self.S, self.I))
        self.Io, self.So, self.Eo = self.I[self.order], self.S[self.order], self.E[self.order]
        self.same = self.Io[1:] == self.Io[:-1]

    def desc(self, k: int) -> str:
        """Run ``k`` for a message: its position, request and interval."""
        rid = self.instance.ids[self.I[k]]
        return f"run {int(self.run_pos[k])} of request {rid!r} ({self.S[k]} -> {self.E[k]})"


class _Findings:
    """Collects violations, listing at most :data:`MAX_LISTED` of a kind one by one."""

    def __init__(self, violations: list, ids) -> None:
        self.violations = violations
        self.ids = ids

    def listed(self, kind: str, mask: np.ndarray, text, request, what: str) -> None:
        """One violation per set entry of ``mask`` (at most MAX_LISTED), then a count."""
        for k in np.flatnonzero(mask)[:MAX_LISTED].tolist():
            self.violations.append(Violation(kind, text(k), request=request(k)))
        extra = int(mask.sum()) - MAX_LISTED
        if extra > 0:
            self.violations.append(Violation(kind, f"... and {extra} more {what} of this kind"))

    def per_run(self, runs: _Runs, kind: str, mask: np.ndarray, text) -> None:
        self.listed(kind, mask, text, lambda k: self.ids[runs.I[k]], "runs")

    def per_request(self, kind: str, mask: np.ndarray, text) -> None:
        self.listed(kind, mask, text, lambda i: self.ids[i], "requests")


def _run_checks(runs: _Runs, found: _Findings) -> None:
    """Rules 1, 2 and the length part of 4: each run on its own."""
    L, S, I, arrival = runs.L, runs.S, runs.I, runs.instance.arrival
    found.per_run(
        runs, "empty-run", L <= 0, lambda k: f"{runs.desc(k)} lasts {L[k]} rounds; a run lasts >= 1"
    )
    found.per_run(
        runs,
        "early-start",
        S < arrival[I],
        lambda k: f"{runs.desc(k)} starts at {S[k]} before its arrival {arrival[I[k]]}",
    )
    found.per_run(
        runs,
        "run-too-long",
        L > runs.out_len,
        lambda k: f"{runs.desc(k)} lasts {L[k]} rounds, more than its output {runs.out_len[k]}",
    )


def _request_checks(runs: _Runs, found: _Findings, allow_eviction: bool) -> None:
    """Rules 3, 4 and 5: the runs of each request together."""
    ids, n, output = found.ids, runs.instance.n, runs.instance.output
    Io, So, Eo, same = runs.Io, runs.So, runs.Eo, runs.same
    for k in np.flatnonzero(same & (So[1:] < Eo[:-1]))[:MAX_LISTED].tolist():
        found.violations.append(
            Violation(
                "overlap",
                f"request {ids[Io[k]]!r}: run {So[k + 1]} -> {Eo[k + 1]} starts "
                f"before run {So[k]} -> {Eo[k]} ends",
                request=ids[Io[k]],
            )
        )
    n_runs = np.bincount(runs.I, minlength=n)
    n_complete = np.bincount(runs.I[runs.complete], minlength=n)
    last = np.ones(Io.size, dtype=bool)
    last[:-1] = ~same
    last_complete = np.zeros(n, dtype=bool)
    last_complete[Io[last]] = runs.complete[runs.order][last]
    found.per_request("missing", n_runs == 0, lambda i: f"request {ids[i]!r} is never run")
    found.per_request(
        "incomplete",
        (n_runs > 0) & (n_complete == 0),
        lambda i: f"request {ids[i]!r} has no complete run (needs {output[i]} rounds)",
    )
    found.per_request(
        "multiple-complete",
        n_complete > 1,
        lambda i: f"request {ids[i]!r} has {n_complete[i]} complete runs",
    )
    found.per_request(
        "complete-not-last",
        (n_complete == 1) & ~last_complete,
        lambda i: f"request {ids[i]!r} runs again after its complete run",
    )
    if not allow_eviction:
        found.per_request(
            "eviction",
            n_runs > 1,
            lambda i: f"request {ids[i]!r} has {n_runs[i]} runs; this schedule may not evict",
        )


def _metrics(runs: _Runs, prof: MemoryProfile) -> dict[str, Any]:
    """The :class:`Report` fields measured on the schedule (whether feasible or not)."""
    inst, n = runs.instance, runs.instance.n
    I, S, E, L, complete = runs.I, runs.S, runs.E, runs.L, runs.complete
    completion = np.full(n, -1, dtype=np.int64)
    cstart = np.full(n, -1, dtype=np.int64)
    completion[I[complete]] = E[complete]
    cstart[I[complete]] = S[complete]
    first_start = np.full(n, -1, dtype=np.int64)
    first = np.ones(runs.Io.size, dtype=bool)
    first[1:] = ~runs.same
    first_start[runs.Io[first]] = runs.So[first]
    has = completion >= 0
    latency = np.where(has, completion - inst.arrival, -1)
    objective = int(latency.sum()) if bool(has.all()) and n > 0 else (0 if n == 0 else None)
    pos = L > 0
    Lp, Pp = L[pos], inst.prompt[I[pos]]
    token_rounds = float(np.sum(Pp * Lp + Lp * (Lp + 1) // 2))
    makespan = prof.horizon
    wasted = ~complete & pos
    return {
        "objective": objective,
        "mean_latency": objective / n if objective is not None and n else None,
        "makespan": makespan,
        "mean_memory": token_rounds / makespan if makespan else 0.0,
        "evicted_runs": int(wasted.sum()),
        "wasted_rounds": int(L[wasted].sum()),
        "completion": completion,
        "latency": latency,
        "start": cstart,
        "first_start": first_start,
        "ttft": np.where(first_start >= 0, first_start + 1 - inst.arrival, -1),
    }


def verify(
    instance: Instance,
    schedule: Schedule,
    *,
    allow_eviction: bool = True,
    strict: bool = True,
) -> Report:
    """Check ``schedule`` against ``instance`` and measure it.

    The checks of each run (:func:`_run_checks`), of each request's runs
    (:func:`_request_checks`) and of the memory (:func:`_memory_violations`), then the
    metrics (:func:`_metrics`).

    Parameters
    ----------
    instance
        The instance.
    schedule
        The runs to check.
    allow_eviction
        If ``False``, a request with more than one run is a violation (use this for
        exact solvers and non-evicting policies).
    strict
        If ``True`` (the default), raise on the first finding; otherwise return a report
        whose ``violations`` lists what is wrong.

    Returns
    -------
    Report
        Violations (empty when feasible) and metrics.

    Raises
    ------
    ScheduleError
        If ``strict`` and the schedule breaks a rule; ``.violations`` lists them all.
    """
    violations: list[Violation] = []
    runs = _Runs(instance, schedule, violations)
    found = _Findings(violations, instance.ids)
    _run_checks(runs, found)
    _request_checks(runs, found, allow_eviction)
    pos = runs.L > 0
    prof = MemoryProfile(instance.prompt[runs.I[pos]], runs.S[pos], runs.E[pos])
    mem_violations, peak = _memory_violations(instance, prof, runs.I[pos])
    violations.extend(mem_violations)
    report = Report(
        instance=instance.name,
        n=instance.n,
        runs=len(schedule),
        violations=violations,
        peak_memory=peak,
        memory=instance.memory,
        profile=prof,
        **_metrics(runs, prof),
    )
    if strict and violations:
        raise ScheduleError(violations)
    return report


def false_claims(report: Report, objective: int | None, lower_bound: float | None) -> list[str]:
    """What a solution file claims about its feasible schedule that is not true.

    Parameters
    ----------
    report
        The verifier's report on the file's schedule.
    objective, lower_bound
        The file's claimed total latency and proven lower bound (``None``: no claim).

    Returns
    -------
    list of str
        One sentence per false claim (empty when the claims hold or the schedule is
        infeasible, which is reported by itself): an objective other than the
        schedule's, or a lower bound above the total latency of the schedule.
    """
    if not report.feasible or report.objective is None:
        return []
    out = []
    if objective is not None and objective != report.objective:
        out.append(f"the file claims objective {objective}, the schedule has {report.objective}")
    tolerance = 1e-6 * max(1.0, abs(report.objective))
    if lower_bound is not None and lower_bound > report.objective + tolerance:
        out.append(
            f"the file claims lower bound {lower_bound}, above the total latency "
            f"{report.objective} of its own feasible schedule"
        )
    return out

"""MC-SF's admission test and the policies built on it.

:class:`FutureProfile` holds the running set's *planned* memory: request ``j`` started at
``k_j`` with planned length ``L_j`` holds ``s_j + t' - k_j`` tokens in every round
``t' <= e_j = k_j + L_j``. Between two planned completion times memory only grows, so a
candidate ``(s, L)`` started at ``t`` keeps every future round within M iff it fits at the
planned completion times ``e_j`` in ``(t, t + L]`` and at its own completion ``t + L``
(literature.md, MC-SF [S2]; ``proofs/completion_times.md`` for the verifier's version of
the argument). With the completion times sorted, suffix sums of ``b_j = s_j - k_j`` and a
prefix maximum of ``G_k = P(e_k) + e_k`` (``P`` the planned memory of the running set),
the test is two binary searches: O(log m) per candidate for m running requests; adding
a request rebuilds the arrays in O(m). No round-by-round loop, never O(M^2).

:class:`LookaheadPolicy` is the common engine of MC-SF, MC-Benchmark, H-SF, A_max and
A_min: sort the waiting requests (by planned length, or by arrival), admit while the
test passes (stop at the first failure, or skip and continue), and compute the earliest
later boundary at which the blocked head could pass the test so that the event-driven
simulator can skip the rounds in between.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from itertools import accumulate
from operator import add, mul
from typing import ClassVar

from kvopt.policies.base import (
    NOTHING,
    Decision,
    OnlineView,
    PolicyBase,
    check_bool,
    check_choice,
    check_int,
)
from kvopt.policies.eviction import choose_victims


class FutureProfile:
    """The planned memory of a running set at its planned completion times.

    Parameters
    ----------
    memory
        The KV cache capacity M.
    """

    __slots__ = ("memory", "E", "OFF", "REQ", "SB", "PM")

    def __init__(self, memory: int) -> None:
        self.memory = memory
        #: Planned ends (sorted), ``prompt - start`` and request of the running requests.
        self.E: list[int] = []
        self.OFF: list[int] = []
        self.REQ: list[int] = []
        self.SB: list[int] = [0]
        self.PM: list[int] = []

    def add(self, end: int, offset: int, request: int) -> None:
        """Add a running request (call :meth:`rebuild` before the next test)."""
        p = bisect_right(self.E, end)
        self.E.insert(p, end)
        self.OFF.insert(p, offset)
        self.REQ.insert(p, request)

    def remove(self, end: int, request: int) -> None:
        """Remove a running request (call :meth:`rebuild` before the next test)."""
        p = bisect_left(self.E, end)
        REQ = self.REQ
        while REQ[p] != request:
            p += 1
        del self.E[p], self.OFF[p], REQ[p]

    def rebuild(self) -> None:
        """Recompute the search arrays after ``add``/``remove`` (O(m))."""
        E = self.E
        SB = list(accumulate(reversed(self.OFF)))
        SB.reverse()
        SB.append(0)
        # G_k = P(E_k) + E_k = SB_k + E_k (m - k + 1); PM is its prefix maximum
        self.PM = list(accumulate(map(add, SB, map(mul, E, range(len(E) + 1, 1, -1))), max))
        self.SB = SB

    def planned(self, x: int) -> int:
        """Planned memory of the running set in round ``x``."""
        k = bisect_left(self.E, x)
        return self.SB[k] + x * (len(self.E) - k)

    def fits(self, s: int, length: int, t: int) -> bool:
        """Whether a request ``(s, length)`` started at ``t`` keeps every round <= M."""
        E = self.E
        x = t + length
        idx = bisect_right(E, x)
        if idx and self.PM[idx - 1] > self.memory - s + t:
            return False
        k = bisect_left(E, x, 0, idx)
        return self.SB[k] + x * (len(E) - k) + s + length <= self.memory

    def earliest(self, s: int, length: int, t0: int, limit: int) -> int | None:
        """The earliest start ``tau`` in ``[t0, limit]`` at which ``fits`` holds.

        Requires ``limit < E[0]`` (no running request completes before ``tau``), so
        that every planned completion up to ``tau + length`` constrains the candidate.
        The candidate's completion ``x = tau + length`` falls in one segment
        ``(E[q], E[q+1]]``; within it the completion times up to ``E[q]`` give a lower
        bound on ``tau`` and the memory at ``x`` an upper bound. O(m).
        """
        E, SB, PM, M = self.E, self.SB, self.PM, self.memory
        m = len(E)
        for q in range(-1, m):
            lo = t0 if q < 0 else max(t0, E[q] - length + 1, PM[q] + s - M)
            if lo > limit:
                return None
            hi = limit if q + 1 >= m else min(limit, E[q + 1] - length)
            cnt = m - q - 1
            if cnt:
                hi = min(hi, (M - s - length - SB[q + 1]) // cnt - length)
            if lo <= hi:
                return lo
        return None


class LookaheadPolicy(PolicyBase):
    """Admission by MC-SF's look-ahead test; the engine of several policies.

    Class attributes chosen by the subclasses:

    - ``order``: ``"length"`` (shortest planned length first; ties by arrival, then
      position in the instance) or ``"arrival"``;
    - ``lengths``: which column is the planned length: ``"predicted"``, ``"output_hi"``,
      ``"output_lo"`` or ``"output"`` (clairvoyant);
    - ``refine``: how a planned length grows when a running request reaches it without
      finishing (it needs at least one more token): ``"increment"`` (to tokens produced
      + 1) or ``"double"`` (to ``max(produced + 1, min(2 L, output_hi))``);
    - ``may_evict`` with ``evict_order``: whether and how to evict when the next round
      would overflow (A_min).

    Planned lengths are clamped to ``M - prompt`` (no request can need more).

    Predictions that underestimate can make a non-evicting look-ahead policy overflow,
    which the simulator reports as an error. ``overflow="evict"`` [R] (MC-SF,
    MC-Benchmark, A_max) instead evicts running requests, fewest tokens produced first,
    until the next round fits; they restart from scratch with their planned length
    raised to the tokens produced + 1.

    Parameters
    ----------
    skip
        ``False`` (the papers): stop at the first waiting request that fails the test
        (the maximal feasible prefix). ``True`` [R]: skip it and try the next ones.
    overflow
        ``"raise"`` (default): a round over M is an error (the theory assumes
        predictions that do not underestimate). ``"evict"`` [R]: see above.
    max_scan
        With ``skip``: how many waiting requests, in queue order, are tried at each
        boundary (0, the default, tries all: O(|R|) per boundary, slow with long
        queues) [R].
    """

    order: ClassVar[str] = "length"
    lengths: ClassVar[str] = "predicted"
    parameter_help: ClassVar[dict[str, str]] = {
        "skip": "false: stop at the first request that fails the test (papers); true: skip it [R]",
        "overflow": "raise (the papers: predictions must not underestimate) or evict [R]",
        "max_scan": "with skip: try at most this many waiting requests per boundary (0: all) [R]",
    }

    def __init__(self, *, skip: bool = False, overflow: str = "raise", max_scan: int = 0) -> None:
        self.skip = check_bool("skip", skip)
        self.max_scan = check_int("max_scan", max_scan, 0)
        self.overflow = check_choice("overflow", overflow, ("raise", "evict"))
        if overflow == "evict":
            self.may_evict = True
        self.refine = "increment"
        self.evict_order = "fewest-produced"

    # -- protocol ---------------------------------------------------------------------

    def reset(self, view: OnlineView) -> None:
        self.view = view
        self.M = view.memory
        self.prompt = view.prompt
        #: The prompt the admission test charges a request (a subclass may add a reserve).
        self.charged = view.prompt
        col = {
            "predicted": view.predicted,
            "output_hi": view.output_hi,
            "output_lo": view.output_lo,
            "output": view.output,
        }[self.lengths]
        assert col is not None, "a clairvoyant policy needs the true output"
        self.length = view.capped(col)
        self.hi = view.capped(view.output_hi)
        self.profile = FutureProfile(self.M)
        self.heap: list[tuple] = []
        self.started: dict[int, int] = {}
        self.ends: dict[int, int] = {}
        self.arrival_seq = [0] * view.n
        self.seq = 0
        self.B = 0  # sum over running of prompt - start
        self.C = 0  # running requests
        self.dirty = False
        self.version = 0  # changes whenever the running set or its plan changes
        self.waiting_version = 0
        self.cache: tuple | None = None
        self.blocked_until = 0

    def arrive(self, t: int, requests: list[int]) -> None:
        seq = self.seq
        for i in requests:
            self.arrival_seq[i] = seq
            seq += 1
            self._enqueue(i)
        self.seq = seq
        self.waiting_version += 1

    def complete(self, t: int, requests: list[int]) -> None:
        for i in requests:
            self._stop(i)

    def decide(self, t: int) -> Decision:
        evicted: list[int] = []
        if self.started:
            if self.profile.E[0] <= t:
                self._refresh(t)
            if self.may_evict:
                excess = self.B + (t + 1) * self.C - self.M
                if excess > 0:
                    evicted = choose_victims(
                        self.evict_order, self.started, self.arrival_seq, self.prompt, t, excess
                    )
                    for i in evicted:
                        produced = t - self.started[i]
                        self._stop(i)
                        self._learn(i, produced)
                        self._enqueue(i)
                    self.waiting_version += 1
        heap = self.heap
        if not heap:
            return Decision((), evicted, None) if evicted else NOTHING
        key = (self.version, self.waiting_version if self.skip else heap[0])
        if key == self.cache and t < self.blocked_until and not evicted:
            return Decision((), (), self.blocked_until)
        if self.dirty:
            self.profile.rebuild()
            self.dirty = False
        started = self._admit_skip(t) if self.skip else self._admit_prefix(t)
        wake = None
        if heap:
            wake = self._wake(t)
            self.cache = (self.version, self.waiting_version if self.skip else heap[0])
            self.blocked_until = wake
        return Decision(started, evicted, wake)

    # -- admission --------------------------------------------------------------------

    def _admit_prefix(self, t: int) -> list[int]:
        heap, profile, prompt, length = self.heap, self.profile, self.charged, self.length
        out = []
        while heap:
            i = heap[0][-1]
            if not profile.fits(prompt[i], length[i], t):
                break
            heapq.heappop(heap)
            self._start(i, t)
            profile.rebuild()
            out.append(i)
        if out:
            self.dirty = False
        return out

    def _admit_skip(self, t: int) -> list[int]:
        heap, profile, prompt, length = self.heap, self.profile, self.charged, self.length
        limit = self.max_scan or len(heap)
        by_length = self.order == "length"
        out: list[int] = []
        failed: list[tuple] = []
        min_fail = None  # smallest prompt that failed: larger ones with longer L fail too
        while heap and len(out) + len(failed) < limit:
            entry = heapq.heappop(heap)
            i = entry[-1]
            s = prompt[i]
            if by_length and min_fail is not None and s >= min_fail:
                failed.append(entry)
            elif profile.fits(s, length[i], t):
                self._start(i, t)
                profile.rebuild()
                out.append(i)
            else:
                failed.append(entry)
                min_fail = s
        self.dirty = False
        if heap:
            for entry in failed:
                heapq.heappush(heap, entry)
        else:
            heap.extend(failed)  # popped in order: a sorted list is a heap
        self.waiting_version += bool(out)
        return out

    def _wake(self, t: int) -> int | None:
        """Earliest boundary at which a blocked candidate could start (S unchanged)."""
        profile = self.profile
        if not profile.E:
            return t + 1  # pragma: no cover - an empty machine admits any request
        first_end = profile.E[0]
        if self.skip:
            heap = self.heap
            if self.max_scan:  # the requests the next boundary would try
                scan = [heapq.heappop(heap) for _ in range(min(self.max_scan, len(heap)))]
                for entry in scan:
                    heapq.heappush(heap, entry)
            else:
                scan = heap
            cands = sorted({(self.length[e[-1]], self.charged[e[-1]]) for e in scan})
            pareto, best_s = [], None
            for L, s in cands:
                if best_s is None or s < best_s:
                    pareto.append((s, L))
                    best_s = s
        else:
            i = self.heap[0][-1]
            pareto = [(self.charged[i], self.length[i])]
        wake = first_end
        for s, L in pareto:
            tau = profile.earliest(s, L, t + 1, min(wake, first_end) - 1)
            if tau is not None and tau < wake:
                wake = tau
        return wake

    # -- state ------------------------------------------------------------------------

    def _key(self, i: int) -> tuple:
        if self.order == "length":
            return (self.length[i], self.arrival_seq[i], i)
        return (self.arrival_seq[i], i)

    def _enqueue(self, i: int) -> None:
        heapq.heappush(self.heap, self._key(i))

    def _start(self, i: int, t: int) -> None:
        end = t + self.length[i]
        off = self.prompt[i] - t
        self.started[i] = t
        self.ends[i] = end
        self.profile.add(end, off, i)
        self.B += off
        self.C += 1
        self.version += 1

    def _stop(self, i: int) -> None:
        k = self.started.pop(i)
        off = self.prompt[i] - k
        self.profile.remove(self.ends.pop(i), i)
        self.B -= off
        self.C -= 1
        self.dirty = True
        self.version += 1

    def _learn(self, i: int, produced: int) -> None:
        """Raise the planned length of ``i`` after it produced ``produced`` tokens."""
        if self.length[i] > produced:
            return
        if self.refine == "double":
            new = max(produced + 1, min(2 * self.length[i], self.hi[i]))
        else:
            new = produced + 1
        self.length[i] = min(new, self.M - self.prompt[i])

    def _refresh(self, t: int) -> None:
        """Running requests that reached their planned length unfinished need more."""
        profile = self.profile
        stale = profile.REQ[: bisect_right(profile.E, t)]
        for i in stale:
            k = self.started[i]
            self._learn(i, t - k)
            profile.remove(self.ends[i], i)
            new_end = k + self.length[i]
            self.ends[i] = new_end
            profile.add(new_end, self.prompt[i] - k, i)
        self.dirty = True
        self.version += 1

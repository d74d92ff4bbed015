"""Nested WAIT: thresholds and decode segments for unknown output lengths [R].

Source: Ao, Luo, Simchi-Levi, Wang, arXiv 2504.11320 [A: abstract and public summaries
only]. What is public: Nested WAIT extends WAIT to output lengths unknown at arrival;
it does not predict lengths but divides the decode phase into segments and regulates
how requests advance across them (short requests finish early, long ones move on), and
it keeps a safety buffer of memory against overflow-induced evictions. Our model has
no pausing between segments (a running request always produces a token per round), so
this **reconstruction** keeps the segments as the policy's *planning* lengths:

* segment ends ``b_1 < b_2 < ... < b_m``: the distinct (upper) output lengths of the
  known types when the instance records them (``models/stochastic.md``), else
  ``1, 2, 4, ...`` up to M [R]; a running request is planned to finish at the first
  segment end above the tokens it has produced, and moves to the next when it
  reaches it unfinished;
* admission (FCFS, MC-SF's look-ahead test on the planned lengths) happens only when
  ``threshold`` requests wait or the oldest has waited ``patience`` rounds (as in
  :class:`~kvopt.policies.wait.Wait`), and keeps ``buffer * M`` tokens free;
* a round that would still exceed M evicts running requests, fewest tokens produced
  first (they restart later with the next segment end as their plan);
* a request whose planned peak ``s + L`` does not fit beside the buffer (``s + L >
  M - buffer * M``, e.g. a blocker with ``s = M - 2``) would never pass the admission
  test, and FCFS would wait behind it forever. How the paper treats such requests is not
  public; ``oversize`` chooses [R]: ``"alone"`` (default) starts the head of the queue
  whenever nothing runs, whatever the buffer (such a request runs alone); ``"waive"``
  tests such a request against the full M, without the buffer (it may start beside
  others). Either way an empty machine admits its head, so the policy always makes
  progress.

The buffer is charged to the candidate (the test sees the prompt plus the reserve
against the full M; the same test as keeping the reserve out of M).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from typing import Any, ClassVar

from kvopt.policies.base import (
    Decision,
    OnlineView,
    check_choice,
    check_fraction,
    check_int,
)
from kvopt.policies.lookahead import LookaheadPolicy


def segment_ends(view: OnlineView) -> list[int]:
    """The segment ends: the known types' upper output lengths, else powers of two."""
    meta: Any = view.metadata
    kinds = meta.get("types") if hasattr(meta, "get") else None
    try:
        ends = sorted({int(k[2]) for k in kinds})  # (s, lo, hi) of the stochastic family
    except (TypeError, ValueError, IndexError):
        ends = []
    if not ends:
        ends = [2**j for j in range(max(1, view.memory).bit_length())]
    return ends


class NestedWait(LookaheadPolicy):
    """Non-clairvoyant WAIT with segment plans, a safety buffer and eviction [R].

    Parameters
    ----------
    threshold
        Waiting requests needed before admission starts (>= 1) [R].
    patience
        Rounds after which the oldest request is admitted below the threshold
        (0: the last segment end) [R].
    buffer
        Fraction of M kept free at admission, in [0, 1) [R].
    oversize
        What admits a request that does not fit beside the buffer: ``"alone"`` (it
        starts when nothing runs) or ``"waive"`` (the buffer does not apply to it) [R].
    """

    name = "nested-wait"
    source = (
        "Ao-Luo-Simchi-Levi-Wang (arXiv 2504.11320) Nested WAIT, from its abstract [A]; "
        "segments as planning lengths, buffer, eviction [R]"
    )
    order = "arrival"
    #: Planned lengths are segment ends, never predictions (so not an oracle).
    lengths = "segments"
    parameter_help: ClassVar[dict[str, str]] = {
        "threshold": "waiting requests needed before admission starts [R]",
        "patience": "rounds after which the oldest is admitted anyway (0: last segment end) [R]",
        "buffer": "fraction of M kept free at admission, 0 <= buffer < 1 [R]",
        "oversize": "a request not fitting beside the buffer: alone (starts when nothing "
        "runs) or waive (the buffer does not apply to it) [R]",
    }

    def __init__(
        self,
        *,
        threshold: int = 2,
        patience: int = 0,
        buffer: float = 0.05,
        oversize: str = "alone",
    ) -> None:
        super().__init__(skip=False, overflow="evict")
        self.threshold = check_int("threshold", threshold, 1)
        self.patience = check_int("patience", patience, 0)
        self.buffer = check_fraction("buffer", buffer, 0.0, 1.0, open_high=True)
        self.oversize = check_choice("oversize", oversize, ("alone", "waive"))

    def params(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "patience": self.patience,
            "buffer": self.buffer,
            "oversize": self.oversize,
        }

    def reset(self, view: OnlineView) -> None:
        self.lengths = "predicted"  # the engine's column lookup; replaced just below
        super().reset(view)
        del self.lengths
        self.segments = segment_ends(view)
        self.length = [min(self.segments[0], self.M - s) for s in self.prompt]
        self.reserve = math.ceil(self.buffer * self.M)
        self.charged = [self._charge(i) for i in range(len(self.prompt))]
        self.wait_for = self.patience or self.segments[-1]
        self.since: dict[int, int] = {}

    def arrive(self, t: int, requests: list[int]) -> None:
        for i in requests:
            self.since[i] = t
        super().arrive(t, requests)

    def _charge(self, i: int) -> int:
        """The prompt plus the reserve that the admission test charges request ``i``."""
        s = self.prompt[i]
        if self.oversize == "waive" and s + self.length[i] + self.reserve > self.M:
            return s
        return s + self.reserve

    def _learn(self, i: int, produced: int) -> None:
        if self.length[i] > produced:
            return
        j = bisect_right(self.segments, produced)
        new = self.segments[j] if j < len(self.segments) else produced + 1
        self.length[i] = min(new, self.M - self.prompt[i])
        self.charged[i] = self._charge(i)

    def _admit_prefix(self, t: int) -> list[int]:
        if self.started or not self.heap:
            return super()._admit_prefix(t)
        # Nothing runs: the head starts (s + L <= M) whatever its reserve ("alone";
        # with "waive" it would pass the test anyway).
        i = heapq.heappop(self.heap)[-1]
        self._start(i, t)
        self.profile.rebuild()
        return [i, *super()._admit_prefix(t)]

    def _start(self, i: int, t: int) -> None:
        self.since.pop(i, None)
        super()._start(i, t)

    def decide(self, t: int) -> Decision:
        heap = self.heap
        for e in heap:  # every waiting request's wait counts from when it was first seen
            self.since.setdefault(e[-1], t)
        head = min((self.since[e[-1]] for e in heap), default=t)
        if len(heap) >= self.threshold or (heap and t - head >= self.wait_for):
            return super().decide(t)
        self.heap = []  # below the threshold: refresh plans and evict, admit nothing
        try:
            d = super().decide(t)
        finally:
            for i in [e[-1] for e in self.heap]:
                self.since.setdefault(i, t)
            heap.extend(self.heap)
            heap.sort()
            self.heap = heap
        wake = head + self.wait_for if heap else None
        return Decision(d.start, d.evict, wake if wake and wake > t else (t + 1 if heap else None))

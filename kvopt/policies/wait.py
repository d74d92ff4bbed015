"""WAIT: start requests of a type in groups once a threshold has accumulated [R].

Source: Ao, Luo, Simchi-Levi, Wang, *Optimizing LLM Inference: Fluid-Guided Online
Scheduling with Memory Constraints*, arXiv 2504.11320 [A: abstract and public
summaries only]. What is public: WAIT ("Waiting for Accumulated Inference Threshold")
is a threshold-based admission rule for *known* output lengths, with per-type
thresholds derived from a fluid model of the equilibrium batch, designed to keep the
system near load balance and avoid evictions. The thresholds' formula, the paper's
iteration-time model and its tie rules are not known to us; this is our
**reconstruction** for the unit-time model (``models/stochastic.md``):

* type-k requests wait in a FIFO queue; when ``threshold`` of them have accumulated,
  they are started together (a group), oldest first, each if MC-SF's look-ahead test
  passes with the known lengths (so no round ever exceeds M and nothing is evicted);
* a queue whose oldest request has waited ``patience`` rounds is served the same way
  even below the threshold (otherwise the last requests of a finite stream would wait
  forever) [R];
* types are served in the order of their oldest waiting request.
"""

from __future__ import annotations

from typing import ClassVar

from kvopt.policies.base import NOTHING, Decision, OnlineView, check_int
from kvopt.policies.fluid import TypedPolicy


class Wait(TypedPolicy):
    """Threshold-based group admission with known output lengths [R].

    Parameters
    ----------
    threshold
        Requests of one type that must wait before a group starts (>= 1) [R].
    patience
        Rounds after which a waiting request is served below the threshold
        (0: the longest planned length) [R].
    """

    name = "wait"
    source = "Ao-Luo-Simchi-Levi-Wang (arXiv 2504.11320) WAIT, from its abstract [A]; rules [R]"
    parameter_help: ClassVar[dict[str, str]] = {
        "threshold": "requests of a type that must accumulate before a group starts [R]",
        "patience": "rounds after which a request is served below the threshold "
        "(0: longest planned length) [R]",
    }

    def __init__(self, *, threshold: int = 2, patience: int = 0) -> None:
        self.threshold = check_int("threshold", threshold, 1)
        self.patience = check_int("patience", patience, 0)

    def reset(self, view: OnlineView) -> None:
        super().reset(view)
        self.wait_for = self.patience or max(self.type_length, default=1)

    def _ready(self, k: int, t: int) -> bool:
        q = self.queue[k]
        return len(q) >= self.threshold or bool(q) and t - self.since[q[0]] >= self.wait_for

    def decide(self, t: int) -> Decision:
        if not self.waiting():
            return NOTHING
        out: list[int] = []
        heads = [k for k in range(self.types) if self.queue[k]]
        for k in sorted(heads, key=lambda k: self.since[self.queue[k][0]]):
            while self.queue[k] and self._ready(k, t):
                group = min(self.threshold, len(self.queue[k]))
                started = 0
                while started < group and (i := self.try_start(k, t)) is not None:
                    out.append(i)
                    started += 1
                if started < group:
                    break
        pending = [self.since[q[0]] + self.wait_for for q in self.queue if q]
        wake = max(t + 1, min(pending)) if pending else None
        return Decision(out, (), wake)

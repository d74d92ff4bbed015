"""Admission without look-ahead, eviction on overflow: the engine of the practice baselines.

Each round boundary ``t``:

1. if the running requests would hold more than M tokens in round ``t + 1``, evict them
   in the policy's eviction order (:mod:`kvopt.policies.eviction`) until they fit — or,
   for phi-clearing, at least a fraction phi of them — and put them back in the queue
   (``requeue``: at the front, at the tail, or at their own place in the queue order);
2. admit waiting requests in queue order while the next round's memory, the candidate's
   ``prompt + 1`` included, stays within the admission cap ``(1 - alpha) M``; stop at the
   first that does not fit (or skip it and continue). An empty machine admits the first
   request of the queue even above the cap [R]: otherwise a request with a prompt above
   ``(1 - alpha) M`` would never run (vLLM would reject it; the model serves every
   request).

Memory only grows between completions, so a blocked queue stays blocked until something
arrives, completes or is evicted: the policy never needs a wake-up.
"""

from __future__ import annotations

import heapq
import math
from typing import ClassVar

from kvopt.engine import HeldMemory, pass_tokens, rounded
from kvopt.policies.base import NOTHING, Decision, OnlineView, PolicyBase, check_bool, check_choice
from kvopt.policies.eviction import EVICTION_ORDERS, choose_victims

#: Where an evicted request goes back in the queue.
REQUEUE = ("order", "front", "tail")


class GreedyPolicy(PolicyBase):
    """Greedy admission under a cap, eviction on overflow (see the module docstring).

    Subclasses set ``order`` (``"arrival"`` or ``"predicted"``) and the attributes
    ``alpha``, ``skip``, ``evict_order``, ``clear_fraction`` and ``requeue`` in their
    constructors.
    """

    order: ClassVar[str] = "arrival"
    may_evict: ClassVar[bool] = True
    engine_limits: ClassVar[bool] = True
    alpha: float = 0.0
    skip: bool = False
    evict_order: str = "latest-arrival"
    clear_fraction: float = 0.0
    requeue: str = "order"

    def reset(self, view: OnlineView) -> None:
        self.M = view.memory
        self.cap = math.floor((1.0 - self.alpha) * view.memory + 1e-9)
        self.prompt = view.prompt
        self.predicted = view.capped(view.predicted)  # o <= M - prompt
        self.heap: list[tuple] = []
        self.started: dict[int, int] = {}
        self.arrival_seq = [0] * view.n
        self.seq = 0
        self.front = 0
        engine = view.engine
        self.held = HeldMemory(engine.block_size)
        self.max_requests = engine.max_requests
        self.max_tokens = engine.admission_tokens
        self.token_rule = engine.token_cap
        self.decodes_count = engine.decodes_share_the_pass

    @property
    def B(self) -> int:  # noqa: N802 - the model's symbol
        """Sum over running requests of ``prompt - start``."""
        return self.held.B

    @property
    def C(self) -> int:  # noqa: N802 - the model's symbol
        """Number of running requests."""
        return self.held.C

    def arrive(self, t: int, requests: list[int]) -> None:
        seq = self.seq
        for i in requests:
            self.arrival_seq[i] = seq
            heapq.heappush(self.heap, self._key(i, seq))
            seq += 1
        self.seq = seq

    def complete(self, t: int, requests: list[int]) -> None:
        prompt, started, held = self.prompt, self.started, self.held
        for i in requests:
            held.remove(prompt[i], started.pop(i))

    def decide(self, t: int) -> Decision:
        prompt, started, held = self.prompt, self.started, self.held
        evicted: list[int] = []
        next_round = held.at(t + 1)
        excess = next_round - self.M
        if excess > 0:
            evicted = choose_victims(
                self.evict_order,
                started,
                self.arrival_seq,
                prompt,
                t,
                excess,
                self.clear_fraction,
                held.block,
            )
            for i in evicted:
                held.remove(prompt[i], started.pop(i))
                heapq.heappush(self.heap, self._requeue_key(i))
            next_round = held.at(t + 1)
        if not self.heap:
            return Decision((), evicted) if evicted else NOTHING
        out = self._admit(t, next_round)
        if not out and not evicted:
            return NOTHING
        return Decision(out, evicted)

    def _admit(self, t: int, next_round: int) -> list[int]:
        """Admit from the queue at ``t`` under the memory cap and the engine's caps.

        ``next_round`` is the memory the running requests hold in round ``t + 1``.
        """
        prompt, started, held, heap = self.prompt, self.started, self.held, self.heap
        block = held.block
        room = self.cap - next_round  # memory free in round t+1 under the cap
        out: list[int] = []
        skipped: list[tuple] = []
        prompts: list[int] = []  # admitted at t, for the token cap
        decodes = held.C if self.decodes_count else 0
        while heap:
            if self.max_requests is not None and held.C >= self.max_requests:
                break
            i = heap[0][-1]
            need = prompt[i] + 1 if block == 1 else rounded(prompt[i] + 1, block)
            fits = need <= room or held.C == 0  # an empty machine ignores the cap [R]
            if fits and self.max_tokens is not None and (prompts or decodes):
                # a prompt over the token cap runs alone [R]
                tokens = pass_tokens([*prompts, prompt[i]], decodes, self.token_rule)
                fits = tokens <= self.max_tokens
            if fits:
                heapq.heappop(heap)
                room -= need
                started[i] = t
                held.add(prompt[i], t)
                prompts.append(prompt[i])
                out.append(i)
            elif self.skip:
                skipped.append(heapq.heappop(heap))
            else:
                break
        for entry in skipped:
            heapq.heappush(heap, entry)
        return out

    def _key(self, i: int, seq: int) -> tuple:
        if self.order == "predicted":
            return (1, self.predicted[i], seq, i)
        return (1, seq, seq, i)

    def _requeue_key(self, i: int) -> tuple:
        if self.requeue == "front":
            self.front += 1
            return (0, -self.front, 0, i)
        if self.requeue == "tail":
            seq = self.seq
            self.seq += 1
            return self._key(i, seq)
        return self._key(i, self.arrival_seq[i])


class NoLookahead(GreedyPolicy):
    """FCFS and SF: admit while the next round fits (no cap), evict on overflow.

    Without look-ahead a running batch can outgrow M in a later round; the policy then
    evicts (recompute) like vLLM [R], and evicted requests return to their place in the
    queue order.

    Parameters
    ----------
    skip
        ``False``: stop at the first request that does not fit; ``True``: skip it.
    evict_order
        Which running request to evict first (default ``"latest-arrival"``).
    """

    parameter_help: ClassVar[dict[str, str]] = {
        "skip": "false: stop at the first request that does not fit; true: skip it",
        "evict_order": "which running request to evict first: " + ", ".join(EVICTION_ORDERS),
    }

    def __init__(self, *, skip: bool = False, evict_order: str = "latest-arrival") -> None:
        self.skip = check_bool("skip", skip)
        self.evict_order = check_choice("evict_order", evict_order, EVICTION_ORDERS)

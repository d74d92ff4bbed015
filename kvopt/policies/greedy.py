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

Memory only grows between completions, so a queue blocked by memory or by the batch's
request cap stays blocked until something arrives, completes or is evicted. A request
held back only by the token cap of a pass (the prompts admitted before it took the
tokens) may fit the next pass alone: then the policy asks to wake at the next boundary.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from typing import ClassVar

from kvopt.engine import HeldMemory, fits_token_cap, rounded
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
        self.retry = False  # the last admission left a request for the next pass
        # arrivals queue behind every waiting request and nothing is skipped: a blocked
        # head blocks them too (quiet, kvopt.policies.base)
        self.arrivals_wait = self.order == "arrival" and not self.skip
        self.quiet = False
        self.cap = math.floor((1.0 - self.alpha) * view.memory + 1e-9)
        self.prompt = view.prompt
        self.predicted = view.capped(view.predicted)  # o <= M - prompt
        # the queue: a heap of keys, or (arrival order, requeue at the front or the tail,
        # no skipping: every key goes to an end) a deque in key order, the same queue
        self.fifo = self.order == "arrival" and self.requeue != "order" and not self.skip
        self.heap: list[tuple] | deque[tuple] = deque() if self.fifo else []
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
        seq, heap = self.seq, self.heap
        for i in requests:
            self.arrival_seq[i] = seq
            if self.fifo:
                heap.append(self._key(i, seq))  # type: ignore[union-attr]
            else:
                heapq.heappush(heap, self._key(i, seq))  # type: ignore[arg-type]
            seq += 1
        self.seq = seq

    def _requeue(self, i: int) -> None:
        """Put the evicted request ``i`` back in the queue."""
        key = self._requeue_key(i)
        if not self.fifo:
            heapq.heappush(self.heap, key)  # type: ignore[arg-type]
        elif self.requeue == "front":
            self.heap.appendleft(key)  # type: ignore[union-attr]
        else:
            self.heap.append(key)

    def complete(self, t: int, requests: list[int]) -> None:
        prompt, started, held = self.prompt, self.started, self.held
        for i in requests:
            held.remove(prompt[i], started.pop(i))

    def decide(self, t: int) -> Decision:
        prompt, started, held = self.prompt, self.started, self.held
        evicted: list[int] = []
        if held.C and held.exceeds(self.M, t + 1):
            evicted = choose_victims(
                self.evict_order,
                started,
                self.arrival_seq,
                prompt,
                t,
                held.at(t + 1) - self.M,
                self.clear_fraction,
                held.block,
            )
            for i in evicted:
                held.remove(prompt[i], started.pop(i))
                self._requeue(i)
        if not self.heap or (not evicted and self._blocked(t)):
            self.quiet = self.arrivals_wait and bool(self.heap)
            return Decision((), evicted) if evicted else NOTHING
        out = self._admit(t, held.at(t + 1))
        # a queue left behind a head blocked by memory or the request cap stays blocked
        # while the running set stays (memory only grows) and arrivals join behind it
        self.quiet = self.arrivals_wait and bool(self.heap) and not self.retry
        if not out and not evicted:
            return NOTHING
        # a request held back only by the token cap of this pass may start in the next
        return Decision(out, evicted, t + 1 if self.retry else None)

    def _blocked(self, t: int) -> bool:
        """Whether :meth:`_admit` would certainly admit nothing at ``t`` (checked without
        the rounded memory: a full batch, or a head of the queue that cannot fit even
        below the blocks' rounding). A fast path; :meth:`_admit` decides otherwise."""
        held = self.held
        if not held.C or self.skip:
            return False
        if self.max_requests is not None and held.C >= self.max_requests:
            return True
        p = self.prompt[self.heap[0][-1]] + 1
        need = p if held.block == 1 else rounded(p, held.block)
        return need > self.cap - held.B - held.C * (t + 1)

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
        pop = heap.popleft if self.fifo else lambda: heapq.heappop(heap)  # type: ignore
        max_requests, max_tokens = self.max_requests, self.max_tokens
        longest = total = 0  # of the admitted prompts (pass_tokens, incrementally)
        self.retry = False
        while heap:
            if max_requests is not None and held.C >= max_requests:
                break
            i = heap[0][-1]
            p = prompt[i]
            need = p + 1 + (-(p + 1)) % block  # rounded up to whole blocks
            fits = need <= room or held.C == 0  # an empty machine ignores the cap [R]
            if fits and max_tokens is not None:
                rule = self.token_rule
                fits = fits_token_cap(
                    len(prompts) + 1, max(longest, p), total + p, decodes, rule, max_tokens
                )
                if not fits and prompts and not self.retry:
                    # the prompts admitted before it took the tokens: alone with the
                    # running decodes it may fit the next pass (vLLM schedules every
                    # iteration), so the policy wakes at the next boundary
                    running = held.C if self.decodes_count else 0
                    self.retry = fits_token_cap(1, p, p, running, rule, max_tokens)
            if fits:
                pop()
                room -= need
                started[i] = t
                held.add(p, t)
                prompts.append(p)
                longest, total = max(longest, p), total + p
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

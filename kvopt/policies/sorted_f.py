"""Sorted-F: run batches in the order of F(X) = sum of outputs / |X|^2 (P3)."""

from __future__ import annotations

from kvopt.policies.base import NOTHING, Decision, OnlineView, PolicyBase, check_int


def batch_peak(items: list[tuple[int, int]]) -> int:
    """Peak memory of requests ``(prompt, output)`` all started at the same time.

    In the ``r``-th round of the batch the requests with ``output >= r`` hold
    ``prompt + r``; the peak is reached at one of the outputs.
    """
    peak, acc = 0, 0
    for cnt, (s, o) in enumerate(sorted(items, key=lambda x: -x[1]), start=1):
        acc += s
        peak = max(peak, acc + cnt * o)
    return peak


class SortedF(PolicyBase):
    """Sorted-F: repeatedly choose a feasible batch minimising F(X) = sum_X o_i / |X|^2.

    Source: Wang, Ye, Zhou, *LLM Serving Optimization with Variable Prefill and Decode
    Lengths*, arXiv 2508.06133 (P3) [A/S]: offline, all requests at time 0, known
    lengths, constant ratio. Our reconstruction [R]: a batch is *feasible* when its requests,
    started together, keep every round within M; the batches run one after another, the
    next starting when the previous one has completely finished.

    Batch selection [R]: exact (all subsets of the waiting requests) when at most
    ``exact_limit`` requests wait; otherwise a heuristic: scan the waiting requests by
    output (ties: prompt, arrival), add each one that keeps the batch feasible, stop
    after ``max_rejects`` consecutive requests that do not fit, and take the accepted
    prefix with the smallest F.

    Arrivals (our extension [R]): the choice is made over the requests that have arrived
    whenever the machine is idle (receding horizon); with all requests at time 0 this is
    exactly Sorted-F. Clairvoyant: it reads the true output lengths.

    Parameters
    ----------
    exact_limit
        Largest number of waiting requests for exact batch selection (2^n subsets).
    max_rejects
        The heuristic's patience.
    """

    name = "sorted-f"
    source = "P3 (arXiv 2508.06133) Sorted-F [A/S]; batch selection and arrivals [R]"
    clairvoyant = True
    parameter_help = {
        "exact_limit": "at most this many waiting requests: exact batch selection (<= 16)",
        "max_rejects": "heuristic: stop scanning after this many consecutive misfits",
    }

    def __init__(self, *, exact_limit: int = 10, max_rejects: int = 64) -> None:
        self.exact_limit = check_int("exact_limit", exact_limit, 0)
        if self.exact_limit > 16:
            from kvopt.policies.base import PolicyError

            raise PolicyError(f"parameter 'exact_limit' must be <= 16, got {exact_limit}")
        self.max_rejects = check_int("max_rejects", max_rejects, 1)

    def reset(self, view: OnlineView) -> None:
        assert view.output is not None
        self.M = view.memory
        self.prompt = view.prompt
        self.output = view.output
        self.waiting: list[int] = []
        self.running = 0

    def arrive(self, t: int, requests: list[int]) -> None:
        self.waiting.extend(requests)

    def complete(self, t: int, requests: list[int]) -> None:
        self.running -= len(requests)

    def decide(self, t: int) -> Decision:
        if self.running or not self.waiting:
            return NOTHING
        if len(self.waiting) <= self.exact_limit:
            batch = self._exact(self.waiting)
        else:
            batch = self._heuristic(self.waiting)
        chosen = set(batch)
        self.waiting = [i for i in self.waiting if i not in chosen]
        self.running = len(batch)
        return Decision(batch)

    def _f(self, batch: list[int]) -> float:
        return sum(self.output[i] for i in batch) / len(batch) ** 2

    def _exact(self, cand: list[int]) -> list[int]:
        s, o, M = self.prompt, self.output, self.M
        best, best_key = None, None
        n = len(cand)
        for mask in range(1, 1 << n):
            batch = [cand[k] for k in range(n) if mask >> k & 1]
            if batch_peak([(s[i], o[i]) for i in batch]) > M:
                continue
            key = (self._f(batch), -len(batch), batch)
            if best_key is None or key < best_key:
                best, best_key = batch, key
        assert best is not None  # every single request fits alone
        return best

    def _heuristic(self, cand: list[int]) -> list[int]:
        s, o, M = self.prompt, self.output, self.M
        order = sorted(range(len(cand)), key=lambda k: (o[cand[k]], s[cand[k]], k))
        batch: list[int] = []
        items: list[tuple[int, int]] = []
        total = 0
        best_len, best_f = 0, None
        rejects = 0
        for k in order:
            i = cand[k]
            items.append((s[i], o[i]))
            if batch_peak(items) > M:
                items.pop()
                rejects += 1
                if rejects >= self.max_rejects:
                    break
                continue
            rejects = 0
            batch.append(i)
            total += o[i]
            f = total / len(batch) ** 2
            if best_f is None or f < best_f:
                best_len, best_f = len(batch), f
        return batch[:best_len]

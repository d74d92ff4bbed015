"""Seconds of the simulator's rounds under an engine's batch semantics.

Between two events the batch is fixed, so a stretch of rounds lasts the first round
(which holds the prefill of the requests started at its boundary) plus ``L - 1`` decode
rounds whose KV grows linearly: exact in closed form because a round's duration is
affine in the KV tokens held (``models/README.md``, "Calibrated time"). The batch
semantics (``models/batching.md``) change the first round only.
"""

from __future__ import annotations

from collections.abc import Callable

from kvopt.engine import Engine
from kvopt.time_model import TimeModel

_EPS = 1e-9


class RoundClock:
    """Seconds at round boundaries, advanced over stretches in closed form.

    Parameters
    ----------
    model
        The time model.
    engine
        The engine settings; ``batching`` changes only the first round of a stretch that
        starts requests, ``max_tokens`` is the chunk budget of ``"chunked"``.

    Attributes
    ----------
    first_token
        After :meth:`stretch`: seconds from the boundary to the first token of the
        requests started there.
    """

    def __init__(self, model: TimeModel, engine: Engine | None = None) -> None:
        engine = Engine() if engine is None else engine
        self.model = model
        self.idle = float(model.round_duration(0, 0, 0))
        self.batching = engine.batching
        self.budget = engine.max_tokens
        self.first_token = 0.0

    def _first_round(self, C: int, B: int, new: int, prompts: int, prefill: int, t: int):
        """Seconds of round ``t+1``; sets :attr:`first_token` for the requests it starts.

        ``C`` requests run, ``new`` of them start at ``t`` with ``prompts`` prompt tokens
        (they hold ``prompts + new`` in the round) and ``prefill`` tokens to prefill
        (``prompts`` plus what a restart recomputes).
        """
        d = self.model.round_duration
        kv = B + (t + 1) * C
        if new and self.batching == "prefill-first" and C > new:
            # the new prompts alone, the decodes stalled; then the decode pass of the
            # others (models/batching.md)
            pre = float(d(0, prefill, prompts + new))
            self.first_token = pre
            return pre + float(d(C - new, 0, kv - prompts - new))
        if new and self.batching == "chunked" and C - new + prefill > self.budget:  # type: ignore[operator]
            d1 = self._chunked(C - new, prefill, kv - prompts - new, prompts + new)
        else:
            d1 = float(d(C - new, prefill, kv))
        self.first_token = d1
        return d1

    def _chunked(self, decodes: int, prefill: int, kv_old: int, kv_new: int) -> float:
        """An admission round as chunk iterations of at most ``budget`` tokens.

        The first iteration holds the decodes and the first chunk, each later one a
        chunk of the prompts; the new requests' KV is counted in the last (a
        reconstruction, ``models/batching.md``).
        """
        d, budget = self.model.round_duration, self.budget
        assert budget is not None
        first = max(0, budget - decodes)
        total = float(d(decodes, first, kv_old))
        left = prefill - first
        while left > budget:
            total += float(d(0, budget, 0))
            left -= budget
        return total + float(d(0, left, kv_new))

    def stretch(
        self, C: int, B: int, new: int, prompts: int, prefill: int, t: int
    ) -> Callable[[int], float]:
        """``D(j)``: seconds of rounds ``t+1 .. t+j`` with the batch fixed (``j >= 1``)."""
        d = self.model.round_duration
        if C == 0:
            idle = self.idle
            return lambda j: j * idle
        d1 = self._first_round(C, B, new, prompts, prefill, t)

        def D(j: int) -> float:
            if j <= 1:
                return d1 * j
            return d1 + (j - 1) * float(d(C, 0, B + C * (2 * t + 2 + j) / 2))

        return D


def first_reaching(D: Callable[[int], float], clock: float, target: float, hi: int) -> int | None:
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

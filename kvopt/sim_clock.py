"""Seconds of the simulator's rounds under an engine's batch semantics.

Between two events the batch is fixed, so a stretch of rounds lasts the first round
(which holds the prefill of the requests started at its boundary) plus ``L - 1`` decode
rounds whose KV grows linearly: exact in closed form because a round's duration is
affine in the KV tokens held (``models/README.md``, "Calibrated time"). The batch
semantics (``models/batching.md``) change the first round only.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from kvopt.engine import Engine
from kvopt.time_model import LinearTimeModel, TimeModel

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

    __slots__ = (
        "model", "idle", "batching", "budget", "first_token", "linear", "_d1", "_batch", "_rate",
    )  # fmt: skip

    def __init__(self, model: TimeModel, engine: Engine | None = None) -> None:
        engine = Engine() if engine is None else engine
        self.model = model
        self.idle = float(model.round_duration(0, 0, 0))
        self.batching = engine.batching
        self.budget = engine.max_tokens
        self.first_token = 0.0
        self._d1 = self.idle
        self._batch = (0, 0, 0)
        self._rate: float | None = self.idle  # the second round's seconds (guess)
        self.linear = model if type(model) is LinearTimeModel else None

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
            idle = self._rate = self._d1 = self.idle
            return lambda j: j * idle
        lin = self.linear
        if lin is None:
            self._batch, self._rate = (C, B, t), None  # guess computes the rate if asked
            d1 = self._d1 = self._first_round(C, B, new, prompts, prefill, t)

            def D(j: int) -> float:
                if j <= 1:
                    return d1 * j
                return d1 + (j - 1) * float(d(C, 0, B + C * (2 * t + 2 + j) / 2))

            return D
        # a LinearTimeModel, bit for bit: d(C, 0, kv) is (base + c_dec C) + c_ctx kv
        # (adding c_pre x 0 changes no float) and base + c_dec C is the same every round
        fixed, c_ctx = lin.base + lin.c_dec * C, lin.c_ctx
        self._rate = fixed + c_ctx * (B + C * (t + 2))
        if new:
            d1 = self._first_round(C, B, new, prompts, prefill, t)
        else:
            d1 = self.first_token = fixed + c_ctx * (B + (t + 1) * C)
        self._d1 = d1

        def D_linear(j: int) -> float:
            if j <= 1:
                return d1 * j
            return d1 + (j - 1) * (fixed + c_ctx * (B + C * (2 * t + 2 + j) / 2))

        return D_linear

    def guess(self, seconds: float) -> int:
        """A guess of the rounds the last :meth:`stretch` needs to last ``seconds``:
        the first round, then rounds as long as the second (later ones are not
        shorter, so the guess is never too small; :func:`first_reaching` checks it)."""
        extra = seconds - self._d1
        if extra <= 0:
            return 1
        rate = self._rate
        if rate is None:
            C, B, t = self._batch
            rate = self._rate = float(self.model.round_duration(C, 0, B + C * (t + 2)))
        return 1 + math.ceil(extra / rate) if rate > 0 else 1


def first_reaching(
    D: Callable[[int], float], clock: float, target: float, hi: int, guess: int | None = None
) -> int | None:
    """Smallest ``j`` in ``[1, hi]`` with ``clock + D(j) >= target``, or ``None``.

    ``D`` is non-decreasing (so is its floating-point evaluation: IEEE rounding is
    monotone), hence the answer is the one ``j`` where the condition turns true; a
    ``guess`` (:meth:`RoundClock.guess`) that is right or one off is confirmed with two
    evaluations of ``D``, otherwise it narrows the bisection. The answer does not depend
    on the guess.
    """
    goal = target - _EPS
    lo = 1
    if guess is not None and 1 <= guess <= hi and clock + D(guess) >= goal:
        if guess == 1 or clock + D(guess - 1) < goal:
            return guess
        hi = guess - 1
    else:
        if clock + D(hi) < goal:
            return None
        if guess is not None and 1 <= guess < hi:
            lo = guess + 1
    while lo < hi:
        mid = (lo + hi) // 2
        if clock + D(mid) >= goal:
            hi = mid
        else:
            lo = mid + 1
    return lo

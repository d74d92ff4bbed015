"""Time models: how long a round takes, given the batch it processes.

``models/README.md`` ("Calibrated time") defines a round's duration as

    d(batch) = base + c_dec * (requests past their first round)
                    + c_pre * (prompt tokens of requests in their first round)
                    + c_ctx * (total KV tokens held)

A time model is a small named object; no policy or simulator hides such constants.
:class:`UnitTime` (every round lasts one unit) is the model of the exact solvers; the
calibrated models live in :mod:`kvopt.calibration`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from kvopt.errors import KvoptError


@runtime_checkable
class TimeModel(Protocol):
    """The duration of a round from what its batch holds."""

    name: str

    def round_duration(self, decode_requests: int, prefill_tokens: int, kv_tokens: int) -> float:
        """Seconds (or units) that one round takes.

        Parameters
        ----------
        decode_requests
            Requests in the batch past their first round.
        prefill_tokens
            Prompt tokens of the requests in their first round.
        kv_tokens
            Total KV tokens held by the batch in this round.
        """
        ...


@dataclass(frozen=True)
class LinearTimeModel:
    """``base + c_dec * decode + c_pre * prefill + c_ctx * kv`` (seconds).

    Parameters
    ----------
    name
        A name, e.g. ``"a100-tp2-llama2-70b"``.
    base, c_dec, c_pre, c_ctx
        Non-negative coefficients in seconds, seconds per request and seconds per token.
    memory
        The KV capacity (tokens) of the hardware this model describes, or ``None``.
    """

    name: str
    base: float
    c_dec: float = 0.0
    c_pre: float = 0.0
    c_ctx: float = 0.0
    memory: int | None = None

    def __post_init__(self) -> None:
        for f in ("base", "c_dec", "c_pre", "c_ctx"):
            v = getattr(self, f)
            if not v >= 0:
                raise ValueError(f"time model {self.name!r}: {f} must be >= 0, got {v!r}")

    def round_duration(self, decode_requests: int, prefill_tokens: int, kv_tokens: int) -> float:
        return (
            self.base
            + self.c_dec * decode_requests
            + self.c_pre * prefill_tokens
            + self.c_ctx * kv_tokens
        )


#: Every round lasts one unit: the model of the papers and of the exact solvers.
UNIT = LinearTimeModel("unit", base=1.0)


#: Named time models: name -> factory. Calibrated models register themselves here.
TIME_MODELS: dict[str, Callable[[], TimeModel]] = {"unit": lambda: UNIT}


def get_time_model(name: str) -> TimeModel:
    """The time model registered as ``name``."""
    try:
        factory = TIME_MODELS[name]
    except KeyError:
        known = ", ".join(sorted(TIME_MODELS))
        raise KvoptError(f"unknown time model {name!r} (known: {known})") from None
    return factory()

"""Energy: a power model per round, and the energy of a simulated schedule.

``models/energy.md`` documents the model, its calibration and its uncertainty. In short,
a replica of ``gpus`` GPUs draws, per GPU,

    P(round) = min(peak, busy + w_tok * (decode requests + prefill tokens)
                             + w_kv * KV tokens held)

while it processes a batch, and ``idle`` watts per GPU while it waits for requests. A
round's energy is ``P(round) * d(round)`` with ``d`` the time model's duration, so the
energy of a schedule is the sum over its busy rounds plus the idle power times the idle
time (the span of the simulation minus the busy time).

Between two consecutive run starts or ends the batch is fixed: the decode and prefill
counts are constant and the KV tokens grow linearly, so ``P * d`` is a quadratic in the
round (up to the cap, where it becomes linear). :func:`schedule_energy` therefore sums
in closed form over those stretches, O(R log R) for R runs, never looping over rounds.

The power constants are a **reconstruction** from published measurements (cited in
``models/energy.md``); every one is a field of :class:`PowerModel`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from kvopt.errors import KvoptError
from kvopt.model import Instance
from kvopt.schedule import Schedule
from kvopt.time_model import TimeModel
from kvopt.verify import MemoryProfile

#: Decimals kept in the joules and seconds this module reports (derived floats).
DECIMALS = 6


@dataclass(frozen=True)
class PowerModel:
    """GPU power of one replica as a function of the round's batch (watts).

    Parameters
    ----------
    name
        A name, e.g. ``"a100-sxm4-80gb"``.
    gpus
        GPUs in the replica (the tensor-parallel degree).
    idle
        Watts per GPU with the model loaded and nothing to run.
    busy
        Watts per GPU in a round of one decode request (the weights are streamed from
        memory whatever the batch: the memory-bound floor).
    peak
        Watts per GPU that no round exceeds (the board power limit).
    per_token
        Extra watts per GPU per batch token (decode requests plus prefill tokens).
    per_kv_token
        Extra watts per GPU per KV token held (memory traffic of attention).
    source
        Where the constants come from (one line).
    """

    name: str
    gpus: int
    idle: float
    busy: float
    peak: float
    per_token: float
    per_kv_token: float
    source: str = ""

    def __post_init__(self) -> None:
        if self.gpus < 1:
            raise ValueError(f"power model {self.name!r}: gpus must be >= 1, got {self.gpus}")
        if not 0 <= self.idle <= self.busy <= self.peak:
            raise ValueError(f"power model {self.name!r}: need 0 <= idle <= busy <= peak")
        if self.per_token < 0 or self.per_kv_token < 0:
            raise ValueError(f"power model {self.name!r}: per-token watts must be >= 0")

    def round_power(self, decode_requests: Any, prefill_tokens: Any, kv_tokens: Any) -> Any:
        """Watts drawn by the replica in a round with this batch (arrays allowed)."""
        per_gpu = self.busy + self.per_token * (decode_requests + prefill_tokens)
        per_gpu = per_gpu + self.per_kv_token * kv_tokens
        return self.gpus * np.minimum(self.peak, per_gpu)

    def scaled(self, factor: float) -> PowerModel:
        """The same model with every wattage multiplied by ``factor`` (uncertainty runs)."""
        f = float(factor)
        return replace(
            self,
            idle=self.idle * f,
            busy=self.busy * f,
            peak=self.peak * f,
            per_token=self.per_token * f,
            per_kv_token=self.per_kv_token * f,
        )


_H100_SOURCE = (
    "H100-SXM5-80GB, 700 W board limit; about 300 W per GPU at batch 1 and 600 W at "
    "batch 128 (ML.ENERGY benchmark v3.0); idle with a CUDA context; models/energy.md"
)
_A100_SOURCE = (
    "A100-SXM4-80GB, 400 W board limit; the H100 shape scaled to the board limit, "
    "checked against Samsi et al. (HPEC'23) J/token; models/energy.md"
)


def a100(gpus: int) -> PowerModel:
    """The A100-SXM4-80GB power model for a replica of ``gpus`` GPUs."""
    return PowerModel(
        "a100-sxm4-80gb", gpus, idle=80.0, busy=175.0, peak=400.0,
        per_token=1.35, per_kv_token=0.0005, source=_A100_SOURCE,
    )  # fmt: skip


def h100(gpus: int) -> PowerModel:
    """The H100-SXM5-80GB power model for a replica of ``gpus`` GPUs."""
    return PowerModel(
        "h100-sxm5-80gb", gpus, idle=110.0, busy=300.0, peak=700.0,
        per_token=2.36, per_kv_token=0.0005, source=_H100_SOURCE,
    )  # fmt: skip


#: Time-model name -> its replica's power model.
POWER_MODELS: dict[str, PowerModel] = {
    "a100-tp2-llama2-70b": a100(2),
    "a100-tp4-llama2-70b": a100(4),
    "h100-tp2-llama2-70b": h100(2),
}


def power_model_for(time_model: TimeModel | str | None) -> PowerModel | None:
    """The power model of a time model's hardware, or ``None`` (e.g. ``unit``)."""
    if time_model is None:
        return None
    name = time_model if isinstance(time_model, str) else getattr(time_model, "name", "")
    return POWER_MODELS.get(name)


@dataclass(frozen=True)
class Energy:
    """The energy of a simulated schedule.

    Attributes
    ----------
    joules
        Total: busy rounds plus idle time.
    busy_joules, idle_joules
        The two parts.
    busy_seconds, idle_seconds
        Time spent processing batches, and waiting for requests, within the span.
    per_request
        ``joules / n``.
    per_output_token
        ``joules`` over the output tokens of the complete runs (tokens of evicted runs
        cost energy but are not delivered).
    mean_power
        ``joules / (busy_seconds + idle_seconds)`` in watts.
    power_model
        The name of the power model used.
    """

    joules: float
    busy_joules: float
    idle_joules: float
    busy_seconds: float
    idle_seconds: float
    per_request: float | None
    per_output_token: float | None
    mean_power: float | None
    power_model: str

    def summary(self) -> dict[str, Any]:
        """The figures under the names used in simulation metrics."""
        return {
            "energy_joules": self.joules,
            "energy_busy_joules": self.busy_joules,
            "energy_idle_joules": self.idle_joules,
            "energy_per_request_joules": self.per_request,
            "energy_per_output_token_joules": self.per_output_token,
            "mean_power_watts": self.mean_power,
            "busy_seconds": self.busy_seconds,
            "power_model": self.power_model,
        }


def _sums(x0: np.ndarray, c: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sum x`` and ``sum x**2`` over ``x = x0 + c*u`` for ``u = 0 .. n-1``."""
    s1 = n * (n - 1) / 2.0
    s2 = (n - 1) * n * (2 * n - 1) / 6.0
    return n * x0 + c * s1, n * x0 * x0 + 2 * x0 * c * s1 + c * c * s2


def _stretches(instance: Instance, schedule: Schedule) -> tuple[np.ndarray, ...]:
    """Busy stretches: first round, length, decode count, prefill tokens, kv line."""
    idx, _ = schedule.indices(instance)
    k = schedule.start.astype(np.int64)
    e = schedule.end.astype(np.int64)
    keep = (idx >= 0) & (e > k)
    idx, k, e = idx[keep], k[keep], e[keep]
    prompt = instance.prompt[idx].astype(np.int64)
    points = np.unique(np.concatenate([k + 1, k + 2, e + 1]))
    t0, t1 = points[:-1], points[1:]
    profile = MemoryProfile(prompt, k, e)
    b, c = profile.line(t0)
    # runs in their first round at t0 (started at t0 - 1): a stretch of one round
    order = np.argsort(k, kind="stable")
    ks = k[order]
    lo = np.searchsorted(ks, t0 - 1, side="left")
    hi = np.searchsorted(ks, t0 - 1, side="right")
    cum = np.concatenate(([0], np.cumsum(prompt[order])))
    new, prefill = hi - lo, cum[hi] - cum[lo]
    busy = c > 0
    return t0[busy], (t1 - t0)[busy], (c - new)[busy], prefill[busy], b[busy], c[busy]


#: Batch semantics the energy model can sum (``models/batching.md``).
ENERGY_BATCHINGS = ("mixed", "prefill-first")


def _prefill_first_extra(
    t0: np.ndarray,
    n: np.ndarray,
    dec: np.ndarray,
    pre: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    time_model: TimeModel,
    power: PowerModel,
) -> tuple[float, float]:
    """Joules and seconds that ``prefill-first`` adds to the mixed rounds.

    An admission round with running decodes (a one-round stretch: ``new = c - dec > 0``
    requests start, ``dec > 0`` others run) is, under ``prefill-first``, a prefill pass
    ``d(0, P, P + new)`` followed by a decode pass ``d(dec, 0, K - P - new)``, each at
    its own power, instead of one mixed round ``d(dec, P, K)`` (``models/batching.md``).
    """
    new = c - dec
    m = (n == 1) & (new > 0) & (dec > 0)
    if not m.any():
        return 0.0, 0.0
    d, pw = time_model.round_duration, power.round_power
    dm, pm, nm = dec[m].astype(np.float64), pre[m].astype(np.float64), new[m].astype(np.float64)
    kv = b[m].astype(np.float64) + c[m].astype(np.float64) * t0[m]
    kn, z = pm + nm, np.zeros_like(dm)
    mixed_s = np.asarray(d(dm, pm, kv), dtype=np.float64)
    pre_s = np.asarray(d(z, pm, kn), dtype=np.float64)
    dec_s = np.asarray(d(dm, z, kv - kn), dtype=np.float64)
    joules = pw(z, pm, kn) * pre_s + pw(dm, z, kv - kn) * dec_s
    joules = joules - pw(dm, pm, kv) * mixed_s
    return float(joules.sum()), float((pre_s + dec_s - mixed_s).sum())


def busy_energy(
    instance: Instance,
    schedule: Schedule,
    time_model: TimeModel,
    power: PowerModel,
    batching: str = "mixed",
) -> tuple[float, float]:
    """Joules and seconds of the rounds in which the schedule processes a batch.

    The time model must be affine in the KV tokens (as :func:`kvopt.simulate` assumes).
    ``batching`` is one of :data:`ENERGY_BATCHINGS`: under ``"prefill-first"`` every
    admission round with running decodes is split into its prefill and decode passes
    (:func:`_prefill_first_extra`).
    """
    if batching not in ENERGY_BATCHINGS:
        raise KvoptError(f"energy: unknown batching {batching!r}")
    t0, n, dec, pre, b, c = _stretches(instance, schedule)
    if not t0.size:
        return 0.0, 0.0
    extra_j, extra_s = 0.0, 0.0
    if batching == "prefill-first":
        extra_j, extra_s = _prefill_first_extra(t0, n, dec, pre, b, c, time_model, power)
    n_f, dec_f, pre_f = n.astype(np.float64), dec.astype(np.float64), pre.astype(np.float64)
    x0 = b.astype(np.float64) + c.astype(np.float64) * t0  # KV tokens in the first round
    cf = c.astype(np.float64)
    gamma = np.asarray(time_model.round_duration(dec_f, pre_f, 0.0), dtype=np.float64)
    delta = float(time_model.round_duration(0, 0, 1)) - float(time_model.round_duration(0, 0, 0))
    g = power.gpus
    alpha = g * (power.busy + power.per_token * (dec_f + pre_f))
    beta = g * power.per_kv_token
    cap = g * power.peak
    # rounds u < uc are below the cap, u >= uc at it (KV only grows within a stretch)
    with np.errstate(divide="ignore", invalid="ignore"):
        uc = np.ceil((cap - alpha - beta * x0) / (beta * cf))
    uc = np.where(beta * cf > 0, uc, np.where(alpha + beta * x0 >= cap, 0.0, n_f))
    uc = np.clip(np.nan_to_num(uc, nan=0.0, posinf=n_f, neginf=0.0), 0.0, n_f)
    s1a, s2a = _sums(x0, cf, uc)
    s1b, s2b = _sums(x0 + cf * uc, cf, n_f - uc)
    joules = (alpha * gamma * uc + (alpha * delta + beta * gamma) * s1a + beta * delta * s2a).sum()
    joules += (cap * (gamma * (n_f - uc) + delta * s1b)).sum()
    seconds = (gamma * n_f + delta * (s1a + s1b)).sum()
    return float(joules) + extra_j, float(seconds) + extra_s


def schedule_energy(
    instance: Instance,
    schedule: Schedule,
    time_model: TimeModel,
    power: PowerModel,
    span_seconds: float,
    batching: str = "mixed",
) -> Energy:
    """The energy of ``schedule`` over a simulation that lasted ``span_seconds``.

    Parameters
    ----------
    instance, schedule
        A verified schedule (arrival rounds as simulated).
    time_model
        The time model that gave the rounds their durations.
    power
        The replica's power model.
    span_seconds
        Seconds from the first arrival to the end of the last round; the time not spent
        in busy rounds is idle.
    batching
        The simulation's batch semantics, ``"mixed"`` (default) or ``"prefill-first"``
        (admission rounds split into a prefill and a decode pass, see :func:`busy_energy`).

    Raises
    ------
    KvoptError
        If the busy rounds last longer than the span (the inputs do not belong together).
    """
    busy_j, busy_s = busy_energy(instance, schedule, time_model, power, batching)
    if busy_s > span_seconds * (1 + 1e-9) + 1e-9:
        raise KvoptError(
            f"energy: busy rounds last {busy_s:.6g} s, longer than the span "
            f"{span_seconds:.6g} s: schedule and time model do not match"
        )
    idle_s = max(0.0, span_seconds - busy_s)
    idle_j = power.gpus * power.idle * idle_s
    total = busy_j + idle_j
    tokens = int(instance.output.sum())
    span = busy_s + idle_s

    def r(x: float) -> float:
        return round(x, DECIMALS)

    return Energy(
        joules=r(total),
        busy_joules=r(busy_j),
        idle_joules=r(idle_j),
        busy_seconds=r(busy_s),
        idle_seconds=r(idle_s),
        per_request=r(total / instance.n) if instance.n else None,
        per_output_token=r(total / tokens) if tokens else None,
        mean_power=r(total / span) if span > 0 else None,
        power_model=f"{power.name} x{power.gpus}",
    )


__all__ = [
    "ENERGY_BATCHINGS",
    "POWER_MODELS",
    "Energy",
    "PowerModel",
    "a100",
    "busy_energy",
    "h100",
    "power_model_for",
    "schedule_energy",
]

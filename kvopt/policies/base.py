"""The policy protocol: what an online scheduler sees and decides each round.

The simulator (:func:`kvopt.simulate.simulate`) drives a policy through four calls:

- ``reset(view)`` once, with an :class:`OnlineView` of the instance: memory, prompts and
  predictions, and the true output lengths *only* for a policy that declares itself
  ``clairvoyant``;
- ``arrive(t, requests)`` when requests join the waiting queue at round boundary ``t``
  (in arrival order);
- ``complete(t, requests)`` when running requests finish at ``t`` (their true output is
  then known: it is ``t - start``);
- ``decide(t) -> Decision`` at every event: which running requests to evict (only if
  ``may_evict``) and which waiting requests to start now, plus a ``wake`` time.

The simulator is event-driven: it calls ``decide`` only at arrivals, completions, rounds
whose memory would overflow (for evicting policies) and the policy's ``wake`` time. A
policy therefore returns in ``wake`` the earliest boundary ``> t`` at which its decision
could change although nothing arrives or completes (``None``: never). A policy whose
attribute ``quiet`` is true after ``decide(t)`` promises more: until the running set
changes (a completion), it starts and evicts nothing, whatever arrives; the simulator
then delivers arrivals (``arrive``) without asking ``decide`` again. Anything the
policy tracks (running set, starts, tokens produced ``t - start``) it learns from its own
decisions and these calls, so it cannot see more than an online scheduler would.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar, NamedTuple, Protocol, runtime_checkable

import numpy as np

from kvopt.engine import Engine
from kvopt.errors import KvoptError
from kvopt.model import Instance


class PolicyError(KvoptError, ValueError):
    """An invalid policy name, parameter or parameter value."""


class Decision(NamedTuple):
    """What a policy decides at a round boundary ``t``.

    Attributes
    ----------
    start
        Waiting requests (instance positions) to start at ``t`` (first round ``t + 1``).
    evict
        Running requests to evict at ``t`` (applied before ``start``); their progress is
        lost and they wait again.
    wake
        The earliest boundary ``> t`` at which the policy wants to be asked again even if
        nothing arrives or completes, or ``None``.
    """

    start: list[int] | tuple[int, ...] = ()
    evict: list[int] | tuple[int, ...] = ()
    wake: int | None = None


#: The decision "do nothing, no wake-up".
NOTHING = Decision()


class OnlineView:
    """What a policy may know about an instance before requests finish.

    Attributes
    ----------
    memory
        The KV cache capacity M.
    n
        Number of requests.
    prompt
        Prompt sizes, a list indexed by request position.
    predicted
        The point prediction used for planning: the instance's ``predicted`` column, else
        the interval's upper end, else (no predictions at all) the true output.
    output_lo, output_hi
        The prediction interval: the instance's, else collapsed to ``[predicted,
        predicted]``.
    output
        True output lengths, or ``None`` unless the policy is clairvoyant.
    prediction_source
        ``"predicted"``, ``"output_hi"`` or ``"perfect (no predictions in the
        instance)"``: where ``predicted`` came from.
    perfect_predictions
        Whether the instance had no predictions so the true output stands in for them.
    metadata
        The instance's metadata (read-only), e.g. the known arrival process that the
        ``stochastic`` family records (``models/stochastic.md``).
    engine
        The serving engine's settings (:class:`kvopt.engine.Engine`: batch caps, KV
        block size, batch semantics); the default is the papers' model. Only policies
        with ``engine_limits = True`` may be given caps or blocks.
    """

    __slots__ = (
        "memory",
        "n",
        "prompt",
        "predicted",
        "output_lo",
        "output_hi",
        "output",
        "prediction_source",
        "perfect_predictions",
        "metadata",
        "engine",
    )

    def __init__(self, instance: Instance, clairvoyant: bool, engine: Engine | None = None) -> None:
        self.memory = instance.memory
        self.n = instance.n
        self.prompt = instance.prompt.tolist()
        out = instance.output
        self.perfect_predictions = not instance.has_predictions
        if instance.predicted is not None:
            pred, self.prediction_source = instance.predicted, "predicted"
        elif instance.output_hi is not None:
            pred, self.prediction_source = instance.output_hi, "output_hi"
        else:
            pred, self.prediction_source = out, "perfect (no predictions in the instance)"
        self.predicted = pred.tolist()
        if instance.output_lo is not None:
            self.output_lo = instance.output_lo.tolist()
            self.output_hi = instance.output_hi.tolist()  # type: ignore[union-attr]
        else:
            self.output_lo = self.output_hi = self.predicted
        self.output = out.tolist() if clairvoyant else None
        self.metadata = instance.metadata
        self.engine = Engine() if engine is None else engine

    def capped(self, lengths: list[int] | np.ndarray) -> list[int]:
        """``lengths`` clamped to ``[1, M - prompt]`` (no request can need more)."""
        cap = self.memory - np.asarray(self.prompt, dtype=np.int64)
        return np.clip(np.asarray(lengths, dtype=np.int64), 1, cap).tolist()


@runtime_checkable
class Policy(Protocol):
    """An online scheduling policy (see the module docstring for the protocol)."""

    name: str
    may_evict: bool
    clairvoyant: bool

    def reset(self, view: OnlineView) -> None: ...

    def arrive(self, t: int, requests: list[int]) -> None: ...

    def complete(self, t: int, requests: list[int]) -> None: ...

    def decide(self, t: int) -> Decision: ...

    def params(self) -> dict[str, Any]: ...


class PolicyBase:
    """Shared plumbing: parameter listing and validation helpers.

    Subclasses set ``name``, ``source`` (the literature reference, with ``[R]`` where the
    rule is our reconstruction), ``may_evict``, ``clairvoyant``, ``engine_limits``
    (whether it honours the batch caps and KV blocks of :attr:`OnlineView.engine`) and
    ``parameter_help`` (one line per constructor argument).
    """

    name: ClassVar[str] = ""
    source: ClassVar[str] = ""
    may_evict: ClassVar[bool] = False
    clairvoyant: ClassVar[bool] = False
    engine_limits: ClassVar[bool] = False
    parameter_help: ClassVar[dict[str, str]] = {}
    #: after ``decide``: nothing starts or is evicted until the running set changes,
    #: arrivals included (see the module docstring); ``False`` promises nothing
    quiet: bool = False

    @classmethod
    def parameter_defaults(cls) -> dict[str, Any]:
        """Constructor arguments and their defaults."""
        sig = inspect.signature(cls.__init__)
        return {
            k: p.default
            for k, p in sig.parameters.items()
            if k != "self" and p.kind is p.KEYWORD_ONLY
        }

    def params(self) -> dict[str, Any]:
        """The parameters this policy was built with."""
        return {k: getattr(self, k) for k in self.parameter_defaults()}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}({args})"


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``, else a :class:`PolicyError`."""
    if value not in choices:
        raise PolicyError(f"parameter {name!r} must be one of {', '.join(choices)}, got {value!r}")
    return value


def check_fraction(name: str, value: Any, low: float, high: float, *, open_high=False) -> float:
    """``value`` as a float in ``[low, high]`` (``[low, high)`` if ``open_high``)."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = low <= value <= high and not (open_high and value == high)
    if not ok:
        bracket = ")" if open_high else "]"
        raise PolicyError(
            f"parameter {name!r} must be a number in [{low}, {high}{bracket}, got {value!r}"
        )
    return value


def check_bool(name: str, value: Any) -> bool:
    """``value`` if it is a bool, else a :class:`PolicyError`."""
    if not isinstance(value, bool):
        raise PolicyError(f"parameter {name!r} must be true or false, got {value!r}")
    return value


def check_int(name: str, value: Any, minimum: int) -> int:
    """``value`` if it is an integer >= ``minimum``, else a :class:`PolicyError`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise PolicyError(f"parameter {name!r} must be an integer >= {minimum}, got {value!r}")
    return int(value)

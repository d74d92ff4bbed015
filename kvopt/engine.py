"""Engine settings of the simulator: batch semantics, batch caps, KV blocks, recompute.

The papers' model (``models/README.md``) has none of these: every round holds the running
requests, memory is counted in tokens, an evicted request restarts from nothing. A
serving engine (vLLM, Vidur) adds a batch semantics (how prefills share a forward pass
with decodes), caps on the requests and tokens of a batch, block-granular KV allocation
and the cost of recomputing an evicted request's tokens. :class:`Engine` bundles them;
its default is the papers' model, bit for bit. ``models/batching.md`` says how each
setting maps onto the round model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from kvopt.errors import KvoptError
from kvopt.time_model import TimeModel

#: The batch semantics of the calibrated-time simulation (``models/batching.md``).
BATCHINGS = ("mixed", "prefill-first", "chunked")

#: How the tokens of a prefill batch are counted against ``max_tokens``: the sum of the
#: prompts, or (Vidur's vLLM scheduler) the batch padded to its longest prompt.
TOKEN_CAPS = ("sum", "padded")

#: vLLM's (and Vidur's) defaults: ``max_num_seqs`` 128, ``max_num_batched_tokens`` 4096,
#: ``block_size`` 16.
VLLM_MAX_REQUESTS = 128
VLLM_MAX_TOKENS = 4096
VLLM_BLOCK_SIZE = 16


@dataclass(frozen=True)
class Engine:
    """What the serving engine adds to the round model (all off by default).

    Parameters
    ----------
    batching
        ``"mixed"`` (new prompts in the decodes' pass), ``"prefill-first"`` (vLLM v0: a
        prefill-only pass, decodes stall) or ``"chunked"`` (Sarathi: prefill in chunks
        of a token budget, ``max_tokens``). Other than ``"mixed"`` only with a
        calibrated time model.
    max_requests
        At most this many requests run in a round (vLLM ``max_num_seqs``), or ``None``.
    max_tokens
        Token cap of a forward pass (vLLM ``max_num_batched_tokens``), or ``None``. With
        ``mixed`` and ``prefill-first`` it caps the prompts admitted at a boundary (with
        ``mixed`` the running decodes count too); with ``chunked`` it is the budget of
        each chunk iteration and does not limit admission.
    token_cap
        ``"sum"`` of the prompts or ``"padded"`` (number of prompts times the longest,
        Vidur's vLLM rule) against ``max_tokens``.
    block_size
        KV cache block in tokens: a request holding ``x`` tokens occupies
        ``ceil(x / block_size) * block_size`` for admission and eviction. 1 = tokens.
    recompute
        With a calibrated time model, the first round of a restarted run also prefills
        the tokens its evicted run had produced (prompt + generated, as vLLM and Vidur
        recompute); ``False``: only the prompt.
    """

    batching: str = "mixed"
    max_requests: int | None = None
    max_tokens: int | None = None
    token_cap: str = "sum"
    block_size: int = 1
    recompute: bool = False

    def __post_init__(self) -> None:
        if self.batching not in BATCHINGS:
            raise KvoptError(f"unknown batching {self.batching!r} (known: {', '.join(BATCHINGS)})")
        if self.token_cap not in TOKEN_CAPS:
            raise KvoptError(
                f"unknown token cap {self.token_cap!r} (known: {', '.join(TOKEN_CAPS)})"
            )
        for name in ("max_requests", "max_tokens"):
            v = getattr(self, name)
            if v is not None and not _positive_int(v):
                raise KvoptError(f"{name} must be an integer >= 1, got {v!r}")
        if not _positive_int(self.block_size):
            raise KvoptError(f"block size must be an integer >= 1, got {self.block_size!r}")
        if not isinstance(self.recompute, bool):
            raise KvoptError(f"recompute must be true or false, got {self.recompute!r}")
        if self.batching == "chunked" and self.max_tokens is None:
            raise KvoptError("batching 'chunked' needs a token budget (max_tokens)")

    @property
    def limits_admission(self) -> bool:
        """Whether the policy must see caps or blocks (not the papers' model)."""
        return (
            self.max_requests is not None
            or self.admission_tokens is not None
            or self.block_size > 1
        )

    @property
    def admission_tokens(self) -> int | None:
        """The token cap on the prompts admitted at one boundary (``None``: none)."""
        return None if self.batching == "chunked" else self.max_tokens

    @property
    def decodes_share_the_pass(self) -> bool:
        """Whether running decodes count against the admission token cap (``mixed``)."""
        return self.batching == "mixed"

    def check(self, time_model: TimeModel | None) -> None:
        """Refuse settings that need a calibrated time model when there is none.

        Raises
        ------
        KvoptError
            If ``batching`` is not ``"mixed"`` or ``recompute`` is set while the time
            model is ``None`` or the unit one (the papers' model stays as it is).
        """
        if time_model is not None and time_model.name != "unit":
            return
        if self.batching != "mixed":
            raise KvoptError(
                f"batching {self.batching!r} needs a calibrated time model (e.g. "
                "a100-tp2-llama2-70b); the unit-time model of the papers is always 'mixed'"
            )
        if self.recompute:
            raise KvoptError(
                "recompute needs a calibrated time model (e.g. a100-tp2-llama2-70b): it "
                "changes seconds only"
            )

    def options(self) -> dict[str, Any]:
        """The settings as keyword arguments of :func:`kvopt.simulate.simulate`."""
        return asdict(self)

    def metadata(self) -> dict[str, Any]:
        """The settings that differ from the default (empty for the default engine)."""
        default = Engine()
        return {k: v for k, v in asdict(self).items() if getattr(default, k) != v}


def _positive_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 1


def rounded(tokens: int, block: int) -> int:
    """``tokens`` rounded up to whole blocks of ``block`` tokens."""
    return tokens + (-tokens) % block


def pass_tokens(prompts: list[int], decodes: int, rule: str) -> int:
    """Tokens of a forward pass with new ``prompts`` and ``decodes`` running decodes.

    ``rule`` is ``"sum"`` (the prompts' sum) or ``"padded"`` (their number times the
    longest, Vidur's vLLM rule); each decode is one token.
    """
    if not prompts:
        return decodes
    return pass_tokens_of(len(prompts), max(prompts), sum(prompts), decodes, rule)


def fits_token_cap(
    count: int, longest: int, total: int, decodes: int, rule: str, cap: int | None
) -> bool:
    """Whether a pass of ``count`` prompts (the longest, their sum) and ``decodes`` decodes
    fits ``cap`` tokens (``None``: no cap); a prompt alone in its pass, with no decode,
    fits whatever its length [R] (vLLM would reject it, the model serves every request)."""
    if cap is None or (count == 1 and not decodes):
        return True
    return pass_tokens_of(count, longest, total, decodes, rule) <= cap


def pass_tokens_of(count: int, longest: int, total: int, decodes: int, rule: str) -> int:
    """:func:`pass_tokens` from the number of prompts (>= 1), the longest and their sum."""
    if rule == "padded":
        return count * longest + decodes
    return total + decodes


class HeldMemory:
    """Memory of the running requests in a round, each rounded up to whole blocks.

    A request with prompt ``s`` started at boundary ``k`` holds ``x = s + r - k`` tokens
    in round ``r``, i.e. ``x + (-x) mod b`` with blocks of ``b``. Over the running set
    that is ``B + C r + sum_i ((q_i - r) mod b)`` with ``B = sum (s_i - k_i)``, ``C``
    requests and ``q_i = (k_i - s_i) mod b``. With ``rho = r mod b`` the last sum is
    ``Q - rho C + b #{i : q_i < rho}`` (``Q = sum q_i``), so counting the requests by
    ``q_i`` gives the memory of any round with one sum over at most ``b`` counters. With
    ``b = 1`` it is ``B + C r``, the model's.

    Parameters
    ----------
    block
        The block size ``b`` in tokens.
    """

    __slots__ = ("block", "B", "C", "Q", "count", "changes")

    def __init__(self, block: int = 1) -> None:
        self.block = block
        self.B = 0
        self.C = 0
        self.Q = 0
        self.count = [0] * block
        self.changes = 0  # calls of add and remove so far: the running set's version

    def add(self, prompt: int, start: int) -> None:
        """A request with ``prompt`` starts at boundary ``start``."""
        self.changes += 1
        self.B += prompt - start
        self.C += 1
        if self.block > 1:
            q = (start - prompt) % self.block
            self.count[q] += 1
            self.Q += q

    def remove(self, prompt: int, start: int) -> None:
        """The request with ``prompt`` started at ``start`` stops (done or evicted)."""
        self.changes += 1
        self.B -= prompt - start
        self.C -= 1
        if self.block > 1:
            q = (start - prompt) % self.block
            self.count[q] -= 1
            self.Q -= q

    def at(self, r: int) -> int:
        """Memory held in round ``r`` (tokens, rounded up to blocks)."""
        held = self.B + self.C * r
        b = self.block
        if b == 1:
            return held
        rho = r % b
        return held + self.Q - rho * self.C + b * sum(self.count[:rho])

    def exceeds(self, memory: int, r: int) -> bool:
        """Whether :meth:`at` ``(r) > memory``, deciding from the bounds ``B + C r`` and
        ``B + C (r + b - 1)`` when they suffice."""
        held = self.B + self.C * r
        if held > memory:
            return True
        b = self.block
        if b == 1 or held + self.C * (b - 1) <= memory:
            return False
        return self.at(r) > memory

    def first_over(self, memory: int, after: int) -> int:
        """The first round ``r > after`` with :meth:`at` ``(r) > memory`` (``C >= 1``).

        From round ``r`` to ``r + 1`` the rounded memory grows by ``b`` times the number
        of requests with ``q_i = r mod b`` (each opens a block), so the search steps
        over the at most ``b`` rounds between the bounds ``B + C (r + b - 1)`` and
        ``B + C r`` of :meth:`at`.
        """
        B, C, b = self.B, self.C, self.block
        hi = (memory - B) // C + 1  # tokens alone exceed M there
        if b == 1:
            return hi
        r = max(after + 1, (memory - B - C * (b - 1)) // C + 1)
        held, count = self.at(r), self.count
        while held <= memory and r < hi:
            held += b * count[r % b]
            r += 1
        return r

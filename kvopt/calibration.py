"""Calibrated time models and KV capacities from measured GPU profiles.

A round's duration (``models/README.md``, "Calibrated time") is

    d(batch) = base + c_dec * (requests past their first round)
                    + c_pre * (prompt tokens of requests in their first round)
                    + c_ctx * (total KV tokens held)

The constants of the models registered here are **fitted by this module** from Vidur's
measured operator profiles of Llama-2-70B, shipped in ``kvopt/data/profiling/`` (MIT, see
the README there). ``models/time_models.md`` documents the fit, its error against the
measured points and the resulting constants; ``tests/test_calibration.py`` pins them.

The fit, step by step (every choice is a parameter of :func:`fit_time_model`):

1. **Non-attention time of a batch of T tokens** (a decode request contributes one token,
   a request in its first round its prompt): for every profiled ``num_tokens`` T, the sum
   of the median times of one layer's operators (layer norms, QKV and output projections,
   rotary embedding, gated MLP, residual add) plus two all-reduces of ``T x 8192 x 2``
   bytes (after the attention output projection and after the MLP), times 80 layers.
   All-reduce times come from a least-squares line ``latency + bytes / bandwidth`` through
   the measured all-reduce points (they are noisy at small sizes, a line is robust).
2. **base and c_dec**: least-squares line through the points with T in the *decode range*
   (default 1..64 tokens): memory-bound rounds, where the weights are streamed once per
   round whatever the batch.
3. **c_pre**: slope of the least-squares line through the points with T in the *prefill
   range* (default 512..4096): compute-bound rounds. Its intercept is not used, so a pure
   prefill round is over-estimated by ``base`` minus that intercept (documented error).
4. **c_ctx**: attention is not in the profiles. Decode attention streams every KV token
   held once per round, so ``c_ctx = kv_bytes_per_token_per_gpu / (bandwidth x
   efficiency)`` (HBM bandwidth of the GPU; efficiency 0.8 by default). At TP2 on A100
   this gives about 1.0e-4 ms per token, the figure of ``literature.md``. This is a
   *reconstruction* (a roofline estimate, not a measurement); prefill attention, which
   grows with the square of the prompt, is ignored.

KV capacity (:func:`kv_capacity`): ``M = floor((usable x tp x gpu_memory - weights) /
kv_bytes_per_token)`` with the weights counted as Vidur does (the linear layers of the 80
blocks, no embedding or LM head); ``models/time_models.md`` shows the computation. M
always stays a parameter of the generators: the papers used M = 16,492.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from kvopt.errors import KvoptError
from kvopt.numeric import exact_interp, exact_line, exact_mean, significant
from kvopt.time_model import TIME_MODELS, LinearTimeModel

#: The per-layer operators whose median times make up a round's non-attention time.
OPERATORS = (
    "input_layernorm",
    "attn_pre_proj",
    "attn_rope",
    "attn_post_proj",
    "post_attention_layernorm",
    "mlp_up_proj",
    "mlp_act",
    "mlp_down_proj",
    "add",
)

GIB = 2**30


@dataclass(frozen=True)
class ModelConfig:
    """The shape of a decoder-only transformer, as far as memory and time care.

    Parameters
    ----------
    name
        E.g. ``"llama2-70b"``.
    layers, hidden, kv_heads, head_dim, intermediate, vocab
        Number of blocks, embedding width, key/value heads (grouped-query attention),
        dimension of a head, MLP width, vocabulary size.
    heads
        Query heads.
    bytes_per_value
        2 for fp16/bf16 weights and KV cache.
    gated_mlp
        Whether the MLP has three matrices (SwiGLU) instead of two.
    """

    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate: int
    vocab: int
    bytes_per_value: int = 2
    gated_mlp: bool = True

    def __post_init__(self) -> None:
        for f in ("layers", "hidden", "heads", "kv_heads", "head_dim", "intermediate", "vocab"):
            v = getattr(self, f)
            if not isinstance(v, int) or v < 1:
                raise KvoptError(f"model {self.name!r}: {f} must be an integer >= 1, got {v!r}")
        if self.bytes_per_value not in (1, 2, 4):
            raise KvoptError(
                f"model {self.name!r}: bytes_per_value must be 1, 2 or 4, got "
                f"{self.bytes_per_value!r}"
            )

    def kv_bytes_per_token(self, tensor_parallel: int = 1) -> int:
        """KV-cache bytes one token occupies on one GPU: ``2 x layers x kv_heads x
        head_dim x bytes / tp`` (keys and values; heads are split across GPUs)."""
        total = 2 * self.layers * self.kv_heads * self.head_dim * self.bytes_per_value
        return total // tensor_parallel

    def weight_bytes(self, include_embeddings: bool = False) -> int:
        """Bytes of the weights: the blocks' linear layers (Vidur's count), plus the
        input embedding and LM head when ``include_embeddings``."""
        h, kv = self.hidden, self.kv_heads * self.head_dim
        attention = h * self.heads * self.head_dim * 2 + 2 * h * kv
        mlp = (3 if self.gated_mlp else 2) * h * self.intermediate
        params = self.layers * (attention + mlp)
        if include_embeddings:
            params += 2 * self.vocab * h
        return params * self.bytes_per_value


@dataclass(frozen=True)
class Gpu:
    """A GPU: memory in bytes and HBM bandwidth in bytes per second."""

    name: str
    memory_bytes: int
    bandwidth: float

    def __post_init__(self) -> None:
        if not self.memory_bytes > 0 or not self.bandwidth > 0:
            raise KvoptError(f"gpu {self.name!r}: memory_bytes and bandwidth must be > 0")


LLAMA2_70B = ModelConfig(
    "llama2-70b",
    layers=80,
    hidden=8192,
    heads=64,
    kv_heads=8,
    head_dim=128,
    intermediate=28672,
    vocab=32000,
)

#: A100 SXM 80 GB (2.039 TB/s HBM2e) and H100 SXM 80 GB (3.35 TB/s HBM3), datasheet values.
A100_80GB = Gpu("a100-80gb", 80 * GIB, 2.039e12)
H100_80GB = Gpu("h100-80gb", 80 * GIB, 3.35e12)


@dataclass(frozen=True)
class KvCapacity:
    """The KV capacity M of a replica and how it was computed (all bytes)."""

    memory_tokens: int
    total_bytes: float
    usable_bytes: float
    weight_bytes: int
    kv_bytes: float
    kv_bytes_per_token: int

    def explain(self) -> str:
        """The computation as one line of arithmetic."""
        return (
            f"M = floor(({self.usable_bytes:.5g} usable - {self.weight_bytes:.5g} weights) "
            f"/ {self.kv_bytes_per_token} bytes per token) = {self.memory_tokens}"
        )


def kv_capacity(
    model: ModelConfig = LLAMA2_70B,
    gpu: Gpu = A100_80GB,
    tensor_parallel: int = 2,
    usable_fraction: float = 0.9,
    include_embeddings: bool = False,
) -> KvCapacity:
    """KV-cache capacity M (tokens) of one tensor-parallel replica.

    ``M = floor((usable_fraction x tp x gpu_memory - weights) / kv_bytes_per_token)``,
    where ``kv_bytes_per_token`` is summed over the replica's GPUs. Llama-2-70B on two
    80 GB A100s with 90% usable: about 54k tokens; on four: about 526k.

    Parameters
    ----------
    model
        The transformer (layers, KV heads, head dimension, bytes per value, weights).
    gpu
        The GPU type (memory in bytes).
    tensor_parallel
        GPUs in the replica.
    usable_fraction
        Fraction of GPU memory usable for weights and KV cache, in (0, 1].
    include_embeddings
        Count the embedding table and LM head as weights too (Vidur does not).

    Returns
    -------
    KvCapacity
        ``memory_tokens`` (M) and the byte counts it was computed from.

    Raises
    ------
    KvoptError
        If ``usable_fraction`` or ``tensor_parallel`` is out of range, or the weights
        do not fit in the usable memory.
    """
    if not 0 < usable_fraction <= 1:
        raise KvoptError(f"usable_fraction must be in (0, 1], got {usable_fraction}")
    if tensor_parallel < 1:
        raise KvoptError(f"tensor_parallel must be >= 1, got {tensor_parallel}")
    total = float(tensor_parallel * gpu.memory_bytes)
    usable = usable_fraction * total
    weights = model.weight_bytes(include_embeddings)
    per_token = model.kv_bytes_per_token(1)
    free = usable - weights
    if free < per_token:
        raise KvoptError(
            f"{model.name} ({weights / 1e9:.1f} GB of weights) does not fit in "
            f"{usable / 1e9:.1f} GB usable on {tensor_parallel} x {gpu.name}"
        )
    return KvCapacity(int(free // per_token), total, usable, weights, free, per_token)


# -- profiles -----------------------------------------------------------------------


def _read_csv(name: str) -> dict[str, np.ndarray]:
    """A shipped profile file as float columns."""
    path = resources.files("kvopt") / "data" / "profiling" / name
    try:
        with path.open("r", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        raise KvoptError(f"profile file {name!r} is missing from kvopt/data/profiling") from None
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


@dataclass(frozen=True)
class Hardware:
    """Which profile files describe a deployment."""

    gpu: Gpu
    tensor_parallel: int
    operators_file: str
    all_reduce_file: str
    note: str = ""


#: The deployments with a calibrated time model. H100 has no all-reduce profile: the
#: A100 pairwise NVLink one is used (conservative: H100 NVLink is faster).
HARDWARE: dict[str, Hardware] = {
    "a100-tp2-llama2-70b": Hardware(
        A100_80GB, 2, "a100_llama2_70b_mlp.csv", "a100_pairwise_nvlink_all_reduce.csv"
    ),
    "a100-tp4-llama2-70b": Hardware(
        A100_80GB, 4, "a100_llama2_70b_mlp.csv", "a100_dgx_all_reduce.csv"
    ),
    "h100-tp2-llama2-70b": Hardware(
        H100_80GB,
        2,
        "h100_llama2_70b_mlp.csv",
        "a100_pairwise_nvlink_all_reduce.csv",
        note="all-reduce times of A100 pairwise NVLink (no H100 profile available)",
    ),
}


@dataclass(frozen=True)
class Fit:
    """A fitted time model with the data and errors behind it.

    Attributes
    ----------
    model
        The :class:`~kvopt.time_model.LinearTimeModel` (seconds).
    tokens, measured_ms
        The profiled batch sizes T and the non-attention round time (ms) built from the
        profiles (duplicates averaged).
    all_reduce_ms
        Latency (ms) and ms per byte of the all-reduce line.
    prefill_intercept_ms
        Intercept of the prefill-range line (not used by the model).
    capacity
        The KV capacity computation.
    """

    model: LinearTimeModel
    tokens: np.ndarray
    measured_ms: np.ndarray
    all_reduce_ms: tuple[float, float]
    prefill_intercept_ms: float
    decode_range: tuple[int, int]
    prefill_range: tuple[int, int]
    capacity: KvCapacity

    def predicted_ms(self, as_prefill: bool) -> np.ndarray:
        """The model's round time (ms, attention excluded) at every profiled T, reading
        the batch as T decode requests or as one prompt of T tokens."""
        m = self.model
        c = m.c_pre if as_prefill else m.c_dec
        return 1e3 * (m.base + c * self.tokens)

    def errors(self) -> dict[str, dict[str, float]]:
        """Relative error of the model against the measured points, by regime."""
        out = {}
        regimes = (
            ("decode", self.decode_range, False),
            ("prefill", self.prefill_range, True),
            ("small prefill", (self.decode_range[1] + 1, self.prefill_range[0] - 1), True),
        )
        for label, (lo, hi), as_prefill in regimes:
            mask = (self.tokens >= lo) & (self.tokens <= hi)
            if not mask.any():
                continue
            rel = (self.predicted_ms(as_prefill) - self.measured_ms)[mask] / self.measured_ms[mask]
            out[label] = {
                "tokens": [lo, hi],
                "points": int(mask.sum()),
                "mean_abs": float(np.mean(np.abs(rel))),
                "max_abs": float(np.max(np.abs(rel))),
                "mean": float(np.mean(rel)),
            }
        return out

    def summary(self) -> dict[str, Any]:
        """Constants (ms) and errors as a JSON-compatible dictionary."""
        m = self.model
        return {
            "name": m.name,
            "base_ms": 1e3 * m.base,
            "c_dec_ms": 1e3 * m.c_dec,
            "c_pre_ms": 1e3 * m.c_pre,
            "c_ctx_ms": 1e3 * m.c_ctx,
            "memory": m.memory,
            "prefill_intercept_ms": self.prefill_intercept_ms,
            "all_reduce_latency_ms": self.all_reduce_ms[0],
            "all_reduce_ms_per_mb": self.all_reduce_ms[1] * 1e6,
            "errors": self.errors(),
            "capacity": self.capacity.explain(),
        }


def fit_time_model(
    name: str,
    *,
    decode_range: tuple[int, int] = (1, 64),
    prefill_range: tuple[int, int] = (512, 4096),
    bandwidth_efficiency: float = 0.8,
    usable_fraction: float = 0.9,
    model: ModelConfig = LLAMA2_70B,
    all_reduce: str = "line",
) -> Fit:
    """Fit the calibrated time model ``name`` (a key of :data:`HARDWARE`).

    Parameters
    ----------
    name
        E.g. ``"a100-tp2-llama2-70b"``.
    decode_range, prefill_range
        Batch sizes (tokens, inclusive) of the two regimes (see the module docstring).
    bandwidth_efficiency
        Fraction of the HBM bandwidth decode attention achieves (c_ctx).
    usable_fraction
        Fraction of GPU memory usable for weights and KV cache (memory M).
    model
        The transformer (Llama-2-70B, the profiled model).
    all_reduce
        ``"line"`` (default, the registered models): all-reduce time from the
        least-squares line through the measured points; ``"interpolated"``: linear
        interpolation between the measured medians (duplicates averaged), which keeps
        their higher latency at small messages (as Vidur's predictor, fitted to the same
        points, does; ``benchmarks/README.md``, "Vidur side by side"). The model is then
        named ``name + "-interpolated-all-reduce"``.
    """
    if all_reduce not in ("line", "interpolated"):
        raise KvoptError(f"all_reduce must be 'line' or 'interpolated', got {all_reduce!r}")
    try:
        hw = HARDWARE[name]
    except KeyError:
        raise KvoptError(
            f"no profiles for {name!r} (known: {', '.join(sorted(HARDWARE))})"
        ) from None
    ops = _read_csv(hw.operators_file)
    mask = ops["num_tensor_parallel_workers"] == hw.tensor_parallel
    tokens_all = ops["num_tokens"][mask]
    layer_ms = sum(ops[op][mask] for op in OPERATORS)
    ar = _read_csv(hw.all_reduce_file)
    ar = {k: v[ar["num_workers"] == hw.tensor_parallel] for k, v in ar.items()}
    ar_latency, ar_per_byte = exact_line(ar["size"], ar["median_ms"])
    message = tokens_all * model.hidden * model.bytes_per_value
    if all_reduce == "line":
        ar_ms = ar_latency + ar_per_byte * message
    else:
        sizes = np.unique(ar["size"])
        medians = np.array([exact_mean(ar["median_ms"][ar["size"] == z]) for z in sizes])
        ar_ms = exact_interp(message, sizes, medians)
        name = f"{name}-interpolated-all-reduce"
    round_ms = model.layers * (layer_ms + 2 * ar_ms)
    tokens = np.unique(tokens_all)
    measured = np.array([exact_mean(round_ms[tokens_all == t]) for t in tokens])

    dec = (tokens >= decode_range[0]) & (tokens <= decode_range[1])
    pre = (tokens >= prefill_range[0]) & (tokens <= prefill_range[1])
    if dec.sum() < 2 or pre.sum() < 2:
        raise KvoptError("each fit range needs at least two profiled batch sizes")
    base, c_dec = exact_line(tokens[dec], measured[dec])
    pre_intercept, c_pre = exact_line(tokens[pre], measured[pre])
    kv_per_gpu = model.kv_bytes_per_token(hw.tensor_parallel)
    c_ctx_s = kv_per_gpu / (hw.gpu.bandwidth * bandwidth_efficiency)
    cap = kv_capacity(model, hw.gpu, hw.tensor_parallel, usable_fraction)
    lin = LinearTimeModel(
        name,
        base=significant(base / 1e3),
        c_dec=significant(c_dec / 1e3),
        c_pre=significant(c_pre / 1e3),
        c_ctx=significant(c_ctx_s),
        memory=cap.memory_tokens,
    )
    return Fit(
        lin,
        tokens,
        measured,
        (ar_latency, ar_per_byte),
        pre_intercept,
        decode_range,
        prefill_range,
        cap,
    )


#: Registered variants of the fit: name -> (key of :data:`HARDWARE`, ``all_reduce``).
#: ``a100-tp2-llama2-70b-interpolated-all-reduce`` takes the measured all-reduce medians
#: instead of the line through them, as Vidur's predictor does: the time model of the
#: Vidur side by side (``models/time_models.md``, "The all-reduce: line or medians").
VARIANTS: dict[str, tuple[str, str]] = {
    **{key: (key, "line") for key in HARDWARE},
    "a100-tp2-llama2-70b-interpolated-all-reduce": ("a100-tp2-llama2-70b", "interpolated"),
}


@functools.cache
def calibrated_time_model(name: str) -> LinearTimeModel:
    """The calibrated time model ``name`` (a key of :data:`VARIANTS`), fitted once per
    process with the defaults and the variant's ``all_reduce``."""
    try:
        key, all_reduce = VARIANTS[name]
    except KeyError:
        raise KvoptError(
            f"no calibrated time model {name!r} (known: {', '.join(sorted(VARIANTS))})"
        ) from None
    return fit_time_model(key, all_reduce=all_reduce).model


def _register() -> None:
    for name in VARIANTS:
        TIME_MODELS[name] = functools.partial(calibrated_time_model, name)


_register()


def format_fits(names: list[str] | None = None) -> str:
    """A Markdown table of the fitted constants and errors (for ``models/time_models.md``)."""
    from kvopt.report_table import render_table

    headers = ["model", "base (ms)", "c_dec (ms/req)", "c_pre (ms/token)", "c_ctx (ms/token)"]
    headers += ["M", "decode err mean/max", "prefill err mean/max", "small-prefill err mean/max"]
    rows = []
    for key in names or sorted(HARDWARE):
        s = fit_time_model(key).summary()
        e = s["errors"]

        def pct(label: str, e: dict = e) -> str:
            if label not in e:
                return "-"
            return f"{100 * e[label]['mean_abs']:.1f}% / {100 * e[label]['max_abs']:.1f}%"

        rows.append([
            f"`{key}`", f"{s['base_ms']:.2f}", f"{s['c_dec_ms']:.4f}", f"{s['c_pre_ms']:.4f}",
            f"{s['c_ctx_ms']:.3g}", str(s["memory"]), pct("decode"), pct("prefill"),
            pct("small prefill"),
        ])  # fmt: skip
    return render_table(headers, rows, markdown=True, width=400)

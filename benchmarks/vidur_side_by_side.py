"""Vidur and kvopt side by side on the same trace with matched settings (issue 21).

Usage (the Vidur checkout and its environment are prepared as in benchmarks/README.md,
"Vidur side by side"; Vidur is not a dependency of kvopt)::

    python benchmarks/vidur_side_by_side.py --vidur /work/vidur \\
        --vidur-python /work/venvs/vidur-env/bin/python --n 2000 [10000] \\
        [--work DIR] [--semantics vidur|mixed] [--rf-grid small|vidur] [--probe]
        [--time-model NAME] [--base-ms MS]  # base: a diagnostic
    python benchmarks/vidur_side_by_side.py --n 2000 --vidur-output DIR  # parse only

For each n: the first n requests of kvopt's shipped ``azure-conv-2023`` trace, prompts
cut so that prompt + output <= 4096 (as Vidur's trace generator does), written as a
Vidur trace CSV; Vidur runs Llama-2-70B on 2 linked A100s (TP 2) with its vLLM
scheduler, 3,379 blocks of 16 tokens (kvopt M = 54,067 -> 3,379 whole blocks), batch
caps 128 requests / 4,096 tokens, 1 % watermark; kvopt runs ``vllm`` with the
``a100-tp2-llama2-70b-interpolated-all-reduce`` time model (``--time-model``) and,
with ``--semantics vidur`` (default), the closest engine: ``prefill-first`` batching,
16-token blocks, caps 128 / 4,096 padded, recompute on restart (``models/batching.md``).

Profiles: Vidur's MLP / all-reduce profiles are the measured ones shipped in its
repository (kvopt's ``a100-tp2-llama2-70b*`` models are fitted to the same profiles). Its
attention profiles are not in the repository (Git LFS objects missing), so an attention
profile **stands in**: decode attention costs kvopt's ``c_ctx`` per KV token held (HBM
bandwidth-based), prefill attention and KV-cache save cost nothing (kvopt's time model
ignores them too), and Vidur's attention batching overheads are set to 0 for the same
reason. Both simulators therefore share the per-token costs; what differs is how each
turns a batch into time (Vidur: random-forest predictors over the profiles, per-layer
sums, 64-token KV granularity) and the batch semantics.

Prints per metric (mean / p50 / p90 / p99 latency, mean / p99 TTFT, makespan, restarts)
Vidur's value, kvopt's and the ratio kvopt / Vidur, then the speed ratio: Vidur's event
loop (``Simulator.run``) against kvopt's whole ``simulate`` (verification included);
also each one's whole process wall time.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batching import MAX_TOKENS, MODEL, vidur_like_trace  # noqa: E402

from kvopt.engine import VLLM_BLOCK_SIZE, VLLM_MAX_REQUESTS, VLLM_MAX_TOKENS  # noqa: E402
from kvopt.model import Instance  # noqa: E402
from kvopt.simulate import simulate  # noqa: E402
from kvopt.time_model import get_time_model  # noqa: E402

#: kvopt's registered time models fitted to Vidur's Llama-2-70B / A100 TP-2 profiles: the
#: measured all-reduce medians interpolated (the default: closest to Vidur's predictors)
#: and the least-squares line through them (kvopt's default ``a100-tp2-llama2-70b``).
TIME_MODELS = (f"{MODEL}-interpolated-all-reduce", MODEL)

#: Llama-2-70B as Vidur's model config has it.
LLAMA2_70B = {"n_embd": 8192, "n_q_head": 64, "n_kv_head": 8, "num_layers": 80}
TP = 2
WATERMARK = 0.01

#: The engine of each ``--semantics``: kvopt's closest to Vidur's vLLM, or kvopt's default.
SEMANTICS = {
    "vidur": {
        "batching": "prefill-first",
        "block_size": VLLM_BLOCK_SIZE,
        "max_requests": VLLM_MAX_REQUESTS,
        "max_tokens": VLLM_MAX_TOKENS,
        "token_cap": "padded",
        "recompute": True,
    },
    "mixed": {},
}

#: The rows of the table: (label, metric key).
ROWS = (
    ("mean latency (s)", "mean_latency"),
    ("p50 latency (s)", "p50_latency"),
    ("p90 latency (s)", "p90_latency"),
    ("p99 latency (s)", "p99_latency"),
    ("mean TTFT (s)", "mean_ttft"),
    ("p99 TTFT (s)", "p99_ttft"),
    ("makespan (s)", "makespan"),
    ("restarts", "restarts"),
)

# Run inside Vidur's environment: times the set-up (predictor training) and the event
# loop separately and prints them with the output directory as one JSON line.
DRIVER = """
import json, sys, time
from vidur.config import SimulationConfig
from vidur.simulator import Simulator
from vidur.utils.random import set_seeds
sys.argv = ["vidur"] + sys.argv[1:]
config = SimulationConfig.create_from_cli_args()
set_seeds(config.seed)
t0 = time.perf_counter()
sim = Simulator(config)
t1, c1 = time.perf_counter(), time.process_time()
sim.run()
t2, c2 = time.perf_counter(), time.process_time()
print("SIDE_BY_SIDE " + json.dumps({"setup_seconds": t1 - t0, "run_seconds": t2 - t1,
      "run_cpu_seconds": c2 - c1, "output_dir": config.metrics_config.output_dir}),
      flush=True)
"""


# Run inside Vidur's environment: the predicted time of single batches (decode batches of
# b requests holding kv tokens each; prefills of prompts), one JSON line.
PROBE_DRIVER = """
import json, sys
from vidur.config import SimulationConfig
from vidur.entities import Batch, Request
from vidur.execution_time_predictor import ExecutionTimePredictorRegistry
sys.argv = ["vidur"] + sys.argv[1:]
config = SimulationConfig.create_from_cli_args()
pred = ExecutionTimePredictorRegistry.get(
    config.execution_time_predictor_config.get_type(),
    predictor_config=config.execution_time_predictor_config,
    replica_config=config.cluster_config.replica_config,
    replica_scheduler_config=config.cluster_config.replica_scheduler_config,
    metrics_config=config.metrics_config,
)
out = []
for b, kv in PROBES["decode"]:
    reqs = []
    for _ in range(b):
        r = Request(0.0, kv, 10, num_processed_tokens=kv)
        r._is_prefill_complete = True
        reqs.append(r)
    t = pred.get_execution_time(Batch(0, reqs, [1] * b), 0).total_time
    out.append(["decode", b, kv, t])
for prompts in PROBES["prefill"]:
    reqs = [Request(0.0, p, 10) for p in prompts]
    t = pred.get_execution_time(Batch(0, reqs, list(prompts)), 0).total_time
    out.append(["prefill", len(prompts), sum(prompts), t])
print("SIDE_BY_SIDE " + json.dumps(out), flush=True)
"""

#: The batches probed: decode (requests, KV tokens each), prefill (prompt lengths).
PROBES = {
    "decode": [(1, 512), (8, 512), (32, 1024), (64, 1024), (128, 512), (128, 1024)],
    "prefill": [[128], [512], [1024], [2048], [4000], [1000, 1000, 1000]],
}


def probe_table(rows: list, model) -> str:
    """Vidur's predicted batch times against kvopt's ``d`` (Markdown)."""
    lines = [
        "| batch | Vidur (ms) | kvopt d (ms) | kvopt / Vidur |",
        "|---|---|---|---|",
    ]
    for kind, b, tokens, t in rows:
        if kind == "decode":
            label = f"decode {b} x {tokens} KV"
            d = model.round_duration(b, 0, b * tokens)
        else:
            label = f"prefill {b} prompt(s), {tokens} tokens"
            d = model.round_duration(0, tokens, tokens + b)
        lines.append(f"| {label} | {1e3 * t:.2f} | {1e3 * d:.2f} | {d / t:.3f} |")
    return "\n".join(lines)


def write_vidur_trace(inst: Instance, path: Path) -> None:
    """The instance as a Vidur trace CSV (arrival seconds from the first, tokens)."""
    t = np.asarray(inst.arrival_time, dtype=np.float64)
    t = t - t.min()
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["arrived_at", "num_prefill_tokens", "num_decode_tokens"])
        for a, s, o in zip(t.tolist(), inst.prompt.tolist(), inst.output.tolist(), strict=True):
            w.writerow([repr(a), s, o])


def write_standin_attention(path: Path, c_ctx: float) -> None:
    """A stand-in attention profile: decode costs ``c_ctx`` per KV token, prefill nothing.

    Vidur predicts per layer and multiplies by the layers, so each row's decode time is
    ``c_ctx * batch_size * kv_cache_size / num_layers`` (in ms). The rows span Vidur's
    prediction ranges (batch 1-128, KV 0-4096, chunks 1-4096).
    """
    fixed = {
        "n_embd": LLAMA2_70B["n_embd"],
        "n_q_head": LLAMA2_70B["n_q_head"],
        "n_kv_head": LLAMA2_70B["n_kv_head"],
        "block_size": VLLM_BLOCK_SIZE,
        "num_tensor_parallel_workers": TP,
    }
    per_token_ms = c_ctx * 1e3 / LLAMA2_70B["num_layers"]
    cols = [
        *fixed,
        "batch_size",
        "kv_cache_size",
        "prefill_chunk_size",
        "time_stats.attn_decode.median",
        "time_stats.attn_prefill.median",
        "time_stats.attn_kv_cache_save.median",
    ]
    batches = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 80, 96, 112, 128]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for b in batches:
            for kv in range(0, 4097, 128):
                w.writerow([*fixed.values(), b, kv, 0, per_token_ms * b * kv, 0.0, 0.0])
        for chunk in [1, 16, 64, 128, 256, 512, 1024, 1536, 2048, 3072, 4096]:
            for kv in (0, 1024, 2048, 4096):
                w.writerow([*fixed.values(), 1, kv, chunk, 0.0, 0.0, 0.0])


#: Vidur's random-forest grid (3 x 3 x 3 candidates, 10-fold cross-validation) takes
#: ~3 min per predictor on the shared machine, ~40 min in all; ``--rf-grid small`` fits
#: one candidate (250 trees, depth 32, min split 2) with 2 folds.
RF_GRIDS = {
    "vidur": {},
    "small": {
        "num_estimators": "250",
        "max_depth": "32",
        "min_samples_split": "2",
        "k_fold_cv_splits": "2",
    },
}


def vidur_arguments(
    trace: Path, attention: Path, out: Path, memory: int, rf_grid: str = "small"
) -> list[str]:
    """Vidur's command-line flags matching kvopt's settings."""
    rf = "random_forrest_execution_time_predictor_config"
    vs = "vllm_scheduler_config"
    flags = {
        "replica_config_model_name": "meta-llama/Llama-2-70b-hf",
        "replica_config_device": "a100",
        "replica_config_network_device": "a100_pairwise_nvlink",
        "replica_config_tensor_parallel_size": TP,
        "replica_config_num_pipeline_stages": 1,
        "cluster_config_num_replicas": 1,
        "replica_scheduler_config_type": "vllm",
        f"{vs}_batch_size_cap": VLLM_MAX_REQUESTS,
        f"{vs}_max_tokens_in_batch": VLLM_MAX_TOKENS,
        f"{vs}_block_size": VLLM_BLOCK_SIZE,
        f"{vs}_num_blocks": memory // VLLM_BLOCK_SIZE,
        f"{vs}_watermark_blocks_fraction": WATERMARK,
        "request_generator_config_type": "trace_replay",
        "trace_request_generator_config_trace_file": trace,
        "trace_request_generator_config_max_tokens": MAX_TOKENS,
        "execution_time_predictor_config_type": "random_forrest",
        f"{rf}_attention_input_file": attention,
        f"{rf}_attention_decode_batching_overhead_fraction": 0.0,
        f"{rf}_attention_prefill_batching_overhead_fraction": 0.0,
        **{f"{rf}_{k}": v for k, v in RF_GRIDS[rf_grid].items()},
        "metrics_config_output_dir": out,
        "metrics_config_store_plots": False,
        "metrics_config_enable_chrome_trace": False,
        "metrics_config_write_json_trace": False,
        "metrics_config_store_utilization_metrics": False,
    }
    args: list[str] = []
    for k, v in flags.items():
        if isinstance(v, bool):  # Vidur's switches: --name / --no-name
            args.append(f"--{k}" if v else f"--no-{k}")
        else:
            args += [f"--{k}", str(v)]
    return args


def run_vidur(vidur: Path, python: str, args: list[str], driver: str = DRIVER):
    """Run ``driver`` (default: Vidur's simulator) in the checkout; its JSON answer.

    With the simulator: its timings and output directory, plus the process wall time.
    """
    w0 = time.perf_counter()
    proc = subprocess.run(
        [python, "-c", driver, *args],
        cwd=vidur,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(vidur), "WANDB_MODE": "disabled"},
    )
    wall = time.perf_counter() - w0
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise SystemExit("Vidur failed:\n" + "\n".join(tail))
    line = next(x for x in proc.stdout.splitlines() if x.startswith("SIDE_BY_SIDE "))
    info = json.loads(line.split(" ", 1)[1])
    if isinstance(info, dict):
        info["wall_seconds"] = wall
    return info


def find_request_metrics(output: Path) -> Path:
    """The ``request_metrics.csv`` under Vidur's output directory (newest run)."""
    found = sorted(output.rglob("request_metrics.csv"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise SystemExit(f"{output}: no request_metrics.csv (did Vidur finish?)")
    return found[-1]


def read_vidur_metrics(path: Path, arrival: np.ndarray) -> dict[str, float]:
    """Vidur's per-request metrics file reduced to the compared figures.

    ``arrival`` (seconds from the first, by request id) gives the makespan: the last
    ``arrival + request_e2e_time``.
    """
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit(f"{path}: no requests")
    ids = np.array([int(float(r["Request Id"])) for r in rows])
    e2e = np.array([float(r["request_e2e_time"]) for r in rows])
    ttft = np.array([float(r["prefill_e2e_time"]) for r in rows])
    restarts = sum(int(float(r["request_num_restarts"])) for r in rows)
    return figures(e2e, ttft, float(np.max(arrival[ids] + e2e)), restarts)


def figures(latency: np.ndarray, ttft: np.ndarray, makespan: float, restarts: int) -> dict:
    """The compared figures from per-request latency and TTFT (seconds)."""
    d = {"mean_latency": float(np.mean(latency)), "mean_ttft": float(np.mean(ttft))}
    for p in (50, 90, 99):
        d[f"p{p}_latency"] = float(np.percentile(latency, p))
    d["p99_ttft"] = float(np.percentile(ttft, 99))
    d["makespan"] = makespan
    d["restarts"] = float(restarts)
    return d


def kvopt_model(base_ms: float | None, name: str = TIME_MODELS[0]):
    """The registered time model ``name``, or (a diagnostic) the same with another base."""
    model = get_time_model(name)
    if base_ms is None:
        return model
    return dataclasses.replace(model, name=f"{MODEL}-base{base_ms}", base=base_ms / 1e3)


def kvopt_figures(inst: Instance, semantics: str, model=MODEL) -> tuple[dict, tuple]:
    """kvopt's figures on ``inst`` with the engine of ``semantics``; wall and CPU seconds.

    The seconds are the best of three runs of :func:`kvopt.simulate.simulate`
    (verification included) on the shared machine.
    """
    seconds = cpu = float("inf")
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        res = simulate(inst, "vllm", model, **SEMANTICS[semantics])
        seconds = min(seconds, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    start = float(np.min(inst.arrival_time))
    lat, ttft = res.latency_seconds, res.ttft_seconds
    assert lat is not None and ttft is not None and res.makespan_seconds is not None
    return figures(lat, ttft, res.makespan_seconds - start, res.evictions), (seconds, cpu)


def ratio_table(vidur: dict, kvopt: dict) -> str:
    """A Markdown table: metric, Vidur, kvopt, kvopt / Vidur, difference in %."""
    lines = ["| metric | Vidur | kvopt | kvopt / Vidur | difference |", "|---|---|---|---|---|"]
    for label, key in ROWS:
        v, k = vidur[key], kvopt[key]
        ratio = k / v if v else float("nan")
        diff = f"{100 * (ratio - 1):+.1f} %" if v else "n/a"
        lines.append(f"| {label} | {v:.4g} | {k:.4g} | {ratio:.3f} | {diff} |")
    return "\n".join(lines)


def within(vidur: dict, kvopt: dict, keys=("mean_latency", "p99_latency"), tol=0.03) -> bool:
    """Whether every ``keys`` figure of kvopt is within ``tol`` (relative) of Vidur's."""
    return all(abs(kvopt[k] / vidur[k] - 1) <= tol for k in keys)


def one(n: int, args: argparse.Namespace) -> None:
    """Run (or parse) Vidur and run kvopt at ``n`` requests; print the comparison."""
    inst = vidur_like_trace(n)
    arrival = np.asarray(inst.arrival_time) - float(np.min(inst.arrival_time))
    kv, kv_seconds = kvopt_figures(inst, args.semantics, kvopt_model(args.base_ms, args.time_model))
    speed = ""
    if args.vidur_output:
        out = Path(args.vidur_output)
    else:
        work = Path(args.work).resolve() / f"n{n}"
        work.mkdir(parents=True, exist_ok=True)
        trace, attention = work / "trace.csv", work / "attention_standin.csv"
        write_vidur_trace(inst, trace)
        write_standin_attention(attention, get_time_model(MODEL).c_ctx)  # type: ignore[attr-defined]
        out = work / "vidur_output"
        info = run_vidur(
            Path(args.vidur),
            args.vidur_python,
            vidur_arguments(trace, attention, out, inst.memory, args.rf_grid),
        )
        wall, cpu = kv_seconds
        speed = (
            f"\nspeed: Vidur event loop {info['run_seconds']:.3g} s wall, "
            f"{info['run_cpu_seconds']:.3g} s CPU (set-up incl. predictor training "
            f"{info['setup_seconds']:.3g} s, process {info['wall_seconds']:.3g} s); kvopt "
            f"simulate {wall:.3g} s wall, {cpu:.3g} s CPU (best of 3): "
            f"{info['run_seconds'] / wall:.0f}x wall, {info['run_cpu_seconds'] / cpu:.0f}x CPU"
        )
    vd = read_vidur_metrics(find_request_metrics(out), arrival)
    base = "" if args.base_ms is None else f", DIAGNOSTIC base {args.base_ms} ms"
    base = f", kvopt time model {args.time_model}{base}"
    print(f"\n### n = {n}, kvopt semantics {args.semantics}: {SEMANTICS[args.semantics]}{base}\n")
    print(ratio_table(vd, kv))
    ok = within(vd, kv)
    print(f"\nmean and p99 latency within 3 %: {'yes' if ok else 'no'}{speed}")
    if args.probe and not args.vidur_output:
        driver = PROBE_DRIVER.replace("PROBES", repr(PROBES))
        flags = vidur_arguments(trace, attention, out, inst.memory, args.rf_grid)
        rows = run_vidur(Path(args.vidur), args.vidur_python, flags, driver)
        print("\nSingle batches, Vidur's predictors vs kvopt's time model:\n")
        print(probe_table(rows, kvopt_model(args.base_ms, args.time_model)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[2000])
    ap.add_argument("--vidur", default="/work/vidur", help="Vidur checkout")
    ap.add_argument("--vidur-python", default="/work/venvs/vidur-env/bin/python")
    ap.add_argument("--work", default="out/vidur_side_by_side", help="traces and outputs")
    ap.add_argument("--vidur-output", help="parse this finished Vidur output, do not run it")
    ap.add_argument("--semantics", choices=sorted(SEMANTICS), default="vidur")
    ap.add_argument(
        "--time-model",
        choices=TIME_MODELS,
        default=TIME_MODELS[0],
        help="kvopt's registered time model (both are fitted to Vidur's profiles; they "
        "differ in how the all-reduce profile is taken, see kvopt.calibration)",
    )
    ap.add_argument(
        "--base-ms",
        type=float,
        help="diagnostic: kvopt's time model with this base (ms) instead of its fitted one",
    )
    ap.add_argument(
        "--probe", action="store_true", help="also compare single batches' predicted times"
    )
    ap.add_argument(
        "--rf-grid",
        choices=sorted(RF_GRIDS),
        default="small",
        help="Vidur's random-forest search: its own grid, or one candidate (default)",
    )
    args = ap.parse_args()
    for n in args.n:
        one(n, args)


if __name__ == "__main__":
    main()

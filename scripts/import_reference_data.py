"""Copy (and trim) the reference data kvopt ships from a directory of the original files.

Usage (from the repository root)::

    python scripts/import_reference_data.py SOURCE_DIR

``SOURCE_DIR`` holds the files as released upstream (see ``kvopt/data/profiling/README.md``
and ``instances/traces/README.md`` for sources and licences):

* ``profiling/{a100,h100}_llama2_70b_mlp.csv`` (microsoft/vidur, MIT): kept rows with
  tensor parallel 2 and 4, kept columns ``num_tokens``, ``num_tensor_parallel_workers``
  and the median time (ms) of each per-layer operator;
* ``profiling/a100_pairwise_nvlink_all_reduce.csv`` (2 GPUs) and
  ``profiling/a100_dgx_all_reduce.csv`` (4 GPUs in one node), microsoft/vidur, MIT: kept
  ``size`` (bytes) and the median time (ms) for messages up to 4096 tokens x 8192 x 2 bytes;
* ``splitwise_conv.csv``, ``splitwise_code.csv`` (Azure LLM inference trace 2023, CC-BY
  4.0, relative seconds as re-shipped by microsoft/vidur): copied unchanged;
* ``mooncake_conversation_trace.jsonl`` (kvcache-ai/Mooncake, Apache-2.0): written as CSV
  ``timestamp,input_length,output_length`` (the ``hash_ids`` column is dropped).

This script is for maintainers; kvopt never reads ``SOURCE_DIR`` at run time.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kvopt.calibration import OPERATORS  # noqa: E402

PROFILES = ROOT / "kvopt" / "data" / "profiling"
TRACES = ROOT / "instances" / "traces"

MAX_MESSAGE = 4096 * 8192 * 2


def _fmt(x: str) -> str:
    return f"{float(x):.6g}"


def trim_operators(src: Path, dst: Path) -> None:
    with src.open() as f:
        rows = list(csv.DictReader(f))
    head = ["num_tokens", "num_tensor_parallel_workers", *OPERATORS]
    with dst.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head)
        for r in rows:
            if r["num_tensor_parallel_workers"] not in ("2", "4"):
                continue
            w.writerow(
                [r["num_tokens"], r["num_tensor_parallel_workers"]]
                + [_fmt(r[f"time_stats.{op}.median"]) for op in OPERATORS]
            )


def trim_all_reduce(src: Path, dst: Path, workers: int) -> None:
    with src.open() as f:
        rows = list(csv.DictReader(f))
    keep = [
        r
        for r in rows
        if int(r["num_workers"]) == workers
        and int(r["devices_per_node"]) == workers
        and float(r["size"]) <= MAX_MESSAGE
    ]
    keep.sort(key=lambda r: float(r["size"]))
    with dst.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["size", "num_workers", "median_ms"])
        for r in keep:
            w.writerow([int(float(r["size"])), workers, _fmt(r["time_stats.all_reduce.median"])])


def mooncake_to_csv(src: Path, dst: Path) -> None:
    with src.open() as f, dst.open("w", newline="") as g:
        w = csv.writer(g, lineterminator="\n")
        w.writerow(["timestamp", "input_length", "output_length"])
        for line in f:
            if line.strip():
                r = json.loads(line)
                w.writerow([r["timestamp"], r["input_length"], r["output_length"]])


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    src = Path(argv[0])
    PROFILES.mkdir(parents=True, exist_ok=True)
    TRACES.mkdir(parents=True, exist_ok=True)
    for gpu in ("a100", "h100"):
        name = f"{gpu}_llama2_70b_mlp.csv"
        trim_operators(src / "profiling" / name, PROFILES / name)
    trim_all_reduce(
        src / "profiling" / "a100_pairwise_nvlink_all_reduce.csv",
        PROFILES / "a100_pairwise_nvlink_all_reduce.csv",
        2,
    )
    trim_all_reduce(
        src / "profiling" / "a100_dgx_all_reduce.csv", PROFILES / "a100_dgx_all_reduce.csv", 4
    )
    for name in ("splitwise_conv.csv", "splitwise_code.csv"):
        shutil.copyfile(src / name, TRACES / name)
    mooncake_to_csv(src / "mooncake_conversation_trace.jsonl", TRACES / "mooncake_conversation.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The engine flags shared by ``kvopt simulate`` and ``kvopt compare`` (models/batching.md)."""

from __future__ import annotations

import argparse

from kvopt.engine import BATCHINGS, TOKEN_CAPS, Engine


def add_engine_arguments(p: argparse.ArgumentParser) -> None:
    """Add ``--batching``, ``--max-requests``, ``--max-tokens``, ``--token-cap``,
    ``--block-size`` and ``--recompute`` to ``p``."""
    p.add_argument(
        "--batching",
        choices=BATCHINGS,
        default="mixed",
        help="batch semantics with a calibrated time model: mixed (default), "
        "prefill-first (vLLM-v0 style) or chunked (Sarathi-style, budget --max-tokens)",
    )
    p.add_argument(
        "--max-requests",
        type=int,
        metavar="N",
        help="at most N requests per round (vLLM max_num_seqs, e.g. 128; default: no cap)",
    )
    p.add_argument(
        "--max-tokens",
        type=int,
        metavar="N",
        help="tokens per forward pass (vLLM max_num_batched_tokens, e.g. 4096): caps "
        "admission, or the chunk budget with --batching chunked (default: no cap)",
    )
    p.add_argument(
        "--token-cap",
        choices=TOKEN_CAPS,
        default="sum",
        help="count a prefill batch against --max-tokens as the sum of its prompts "
        "(default) or padded to the longest (Vidur's vLLM)",
    )
    p.add_argument(
        "--block-size",
        type=int,
        default=1,
        metavar="B",
        help="KV cache block in tokens (vLLM 16); memory rounds up to blocks (default 1)",
    )
    p.add_argument(
        "--recompute",
        action="store_true",
        help="with a calibrated time model, a restart prefills prompt + generated tokens",
    )


def engine_from_args(args: argparse.Namespace) -> Engine:
    """The :class:`~kvopt.engine.Engine` the flags ask for (a one-line error if invalid)."""
    return Engine(
        batching=args.batching,
        max_requests=args.max_requests,
        max_tokens=args.max_tokens,
        token_cap=args.token_cap,
        block_size=args.block_size,
        recompute=args.recompute,
    )

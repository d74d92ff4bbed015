"""Run an online policy on an instance and write the schedule with its metrics.

Examples::

    kvopt simulate instances/example6.json --policy mcsf --out out/example6.mcsf.json
    kvopt simulate trace.json --policy vllm:eviction=sglang --time-model unit \\
        --out out/trace.sglang.json
    kvopt simulate trace.json --policy vllm --time-model a100-tp2-llama2-70b \\
        --batching prefill-first --out out/trace.vllm-v0.json
    kvopt simulate trace.json --policy vllm --time-model a100-tp2-llama2-70b \\
        --batching prefill-first --block-size 16 --max-requests 128 --max-tokens 4096 \\
        --token-cap padded --recompute --out out/trace.vidur-vllm.json

``--policy NAME:key=value,...`` sets policy parameters (``kvopt policies`` lists them),
as in every command; values are read as the parameter's type (true/false, integers,
numbers, names). ``--set key=value`` is the deprecated older form. The output is a
solution file (``--out -``: on standard output, the summary then on standard error)
whose ``metrics`` hold the summary (total and mean latency, time to first
token, memory, evictions, and seconds and energy with a time model). The engine flags
(``--batching``, ``--max-requests``, ``--max-tokens``, ``--token-cap``, ``--block-size``,
``--recompute``) are described in models/batching.md. A policy that plans
with predicted output lengths (mcsf, sf, amax, ...) on an instance without predictions is
refused unless ``--oracle`` lets it see the true outputs. Exit codes: 0 ok, 1 the policy
broke a rule (e.g. a non-evicting policy overflowed because predictions underestimate),
2 bad input (file, policy name, parameter or value).
"""

from __future__ import annotations

import argparse
import json
import sys

from kvopt.cli.conventions import (
    STDOUT,
    add_json,
    add_out,
    add_policy,
    add_simulation,
    deprecated,
    emit_json,
    human_stream,
    one_stdout,
)
from kvopt.cli.engine_options import engine_from_args
from kvopt.files import check_output
from kvopt.io import load_instance, save_solution, solution_document
from kvopt.policies import make_policy
from kvopt.policies.spec import parse_params, parse_value  # noqa: F401  (re-exported)
from kvopt.simulate import SimulationError, simulate
from kvopt.text import escape
from kvopt.time_model import get_time_model

NAME = "simulate"
HELP = "run an online policy (kvopt policies lists them) and write the schedule"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("instance", metavar="INSTANCE", help="instance file (JSON)")
    add_policy(p, repeatable=False, metavar="NAME[:K=V,...]")
    p.add_argument(
        "--set",
        dest="params",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="deprecated: a policy parameter (use --policy NAME:KEY=VALUE)",
    )
    add_simulation(p)
    add_out(p, "solution file to write", required=True)
    add_json(p, "the metrics")


def _policy(args: argparse.Namespace):
    """The policy of ``--policy NAME[:k=v,...]`` and the deprecated ``--set k=v``."""
    name, _, rest = args.policy.partition(":")
    items = [x for x in rest.split(",") if x.strip()]
    if args.params:
        deprecated("simulate", "--set KEY=VALUE", f"--policy {name}:KEY=VALUE")
    return make_policy(name.strip(), **parse_params(name.strip(), [*items, *args.params]))


def run(args: argparse.Namespace) -> int:
    one_stdout("simulate", out=args.out, json=args.json)
    policy = _policy(args)
    model = get_time_model(args.time_model) if args.time_model else None
    engine = engine_from_args(args)
    engine.check(model)
    inst = load_instance(args.instance)
    if args.out != STDOUT:
        check_output(args.out)  # before simulating, not after
    try:
        res = simulate(inst, policy, model, oracle=args.oracle, **engine.options())
    except SimulationError as e:
        print(f"kvopt simulate: {escape(e)}", file=sys.stderr)
        return 1
    if args.out == STDOUT:
        emit_json(solution_document(res.to_solution(), inst), STDOUT, indent=None)
    else:
        save_solution(res.to_solution(), args.out, instance=inst)
    summary = res.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    _print_summary(res, summary, args.out, human_stream(args.out))
    return 0


def _print_summary(res, summary: dict, out: str, stream) -> None:
    """The human-readable summary (on ``stream``: standard error when ``--out -``)."""
    oracle = "  ORACLE: sees true outputs" if res.metadata["oracle"] else ""
    source = res.metadata["prediction_source"]
    lines = [escape(f"policy {res.policy} {res.params}  ({source}){oracle}"), res.report.format()]
    lines.append(f"events                     {res.events} ({res.runtime:.3g} s)")
    if summary.get("mean_latency_seconds") is not None:  # None: no requests
        lines.append(
            f"mean latency (seconds)     {summary['mean_latency_seconds']:.4g}  "
            f"(time model {res.metadata['time_model']})"
        )
    if summary.get("energy_joules") is not None:
        lines.append(
            f"energy                     {summary['energy_joules'] / 1000:.4g} kJ, "
            f"{summary['energy_per_output_token_joules']:.4g} J per output token "
            f"({summary['power_model']}, models/energy.md)"
        )
    if out != STDOUT:
        lines.append(f"wrote {escape(out)}")
    print("\n".join(lines), file=stream)

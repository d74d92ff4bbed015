"""Run an online policy on an instance and write the schedule with its metrics.

Examples::

    kvopt simulate instances/example6.json --policy mcsf --out out/example6.mcsf.json
    kvopt simulate trace.json --policy vllm --set eviction=sglang --time-model unit \\
        --out out/trace.sglang.json
    kvopt simulate trace.json --policy vllm --time-model a100-tp2-llama2-70b \\
        --batching prefill-first --out out/trace.vllm-v0.json
    kvopt simulate trace.json --policy vllm --time-model a100-tp2-llama2-70b \\
        --batching prefill-first --block-size 16 --max-requests 128 --max-tokens 4096 \\
        --token-cap padded --recompute --out out/trace.vidur-vllm.json

``--set key=value`` sets a policy parameter (``kvopt policies`` lists them); values are
read as the parameter's type (true/false, integers, numbers, names). The output is a
solution file whose ``metrics`` hold the summary (total and mean latency, time to first
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

from kvopt.cli.engine_options import add_engine_arguments, engine_from_args
from kvopt.files import check_output
from kvopt.io import load_instance, save_solution
from kvopt.policies import POLICIES, make_policy
from kvopt.policies.spec import parse_params, parse_value  # noqa: F401  (re-exported)
from kvopt.simulate import SimulationError, simulate
from kvopt.text import escape
from kvopt.time_model import get_time_model

NAME = "simulate"
HELP = "run an online policy (kvopt policies lists them) and write the schedule"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("instance", metavar="INSTANCE", help="instance file (JSON)")
    p.add_argument("--policy", required=True, help=f"one of: {', '.join(POLICIES)}")
    p.add_argument(
        "--set",
        dest="params",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a policy parameter (repeatable)",
    )
    p.add_argument("--time-model", help="give rounds durations (e.g. unit)")
    add_engine_arguments(p)
    p.add_argument(
        "--oracle",
        action="store_true",
        help="let a policy that plans with predictions see the true outputs when the "
        "instance has no predictions (otherwise refused)",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="solution file to write")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")


def run(args: argparse.Namespace) -> int:
    policy = make_policy(args.policy, **parse_params(args.policy, args.params))
    model = get_time_model(args.time_model) if args.time_model else None
    engine = engine_from_args(args)
    engine.check(model)
    inst = load_instance(args.instance)
    check_output(args.out)  # before simulating, not after
    try:
        res = simulate(inst, policy, model, oracle=args.oracle, **engine.options())
    except SimulationError as e:
        print(f"kvopt simulate: {escape(e)}", file=sys.stderr)
        return 1
    save_solution(res.to_solution(), args.out, instance=inst)
    summary = res.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    oracle = "  ORACLE: sees true outputs" if res.metadata["oracle"] else ""
    source = res.metadata["prediction_source"]
    print(escape(f"policy {res.policy} {res.params}  ({source}){oracle}"))
    print(res.report.format())
    print(f"events                     {res.events} ({res.runtime:.3g} s)")
    if summary.get("mean_latency_seconds") is not None:  # None: no requests
        print(
            f"mean latency (seconds)     {summary['mean_latency_seconds']:.4g}  "
            f"(time model {res.metadata['time_model']})"
        )
    if summary.get("energy_joules") is not None:
        print(
            f"energy                     {summary['energy_joules'] / 1000:.4g} kJ, "
            f"{summary['energy_per_output_token_joules']:.4g} J per output token "
            f"({summary['power_model']}, models/energy.md)"
        )
    print(f"wrote {escape(args.out)}")
    return 0

"""Run an online policy on an instance and write the schedule with its metrics.

Examples::

    kvopt simulate instances/example6.json --policy mcsf --out out/example6.mcsf.json
    kvopt simulate trace.json --policy vllm --set eviction=sglang --time-model unit \\
        --out out/trace.sglang.json

``--set key=value`` sets a policy parameter (``kvopt policies`` lists them); values are
read as the parameter's type (true/false, integers, numbers, names). The output is a
solution file whose ``metrics`` hold the summary (total and mean latency, time to first
token, memory, evictions, and seconds with a time model). Exit codes: 0 ok, 1 the policy
broke a rule (e.g. a non-evicting policy overflowed because predictions underestimate),
2 bad input (file, policy name, parameter or value).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kvopt.files import check_output
from kvopt.io import load_instance, save_solution
from kvopt.policies import POLICIES, PolicyError, make_policy
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
    p.add_argument("--out", required=True, metavar="FILE", help="solution file to write")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")


def parse_value(name: str, text: str, default: Any) -> Any:
    """``text`` read as the type of the parameter's ``default``."""
    if isinstance(default, bool):
        low = text.strip().lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
        raise PolicyError(f"parameter {name!r} must be true or false, got {text!r}")
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise PolicyError(f"parameter {name!r} must be an integer, got {text!r}") from None
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise PolicyError(f"parameter {name!r} must be a number, got {text!r}") from None
    return text


def parse_params(policy: str, items: list[str]) -> dict[str, Any]:
    """``--set`` items as keyword arguments for :func:`kvopt.policies.make_policy`."""
    if policy not in POLICIES:
        raise PolicyError(f"unknown policy {policy!r} (known: {', '.join(POLICIES)})")
    defaults = POLICIES[policy].parameter_defaults()
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise PolicyError(f"--set needs KEY=VALUE, got {item!r}")
        if key not in defaults:
            allowed = ", ".join(defaults) or "none"
            raise PolicyError(f"policy {policy!r} has no parameter {key!r} (parameters: {allowed})")
        out[key] = parse_value(key, value, defaults[key])
    return out


def run(args: argparse.Namespace) -> int:
    policy = make_policy(args.policy, **parse_params(args.policy, args.params))
    model = get_time_model(args.time_model) if args.time_model else None
    inst = load_instance(args.instance)
    check_output(args.out)  # before simulating, not after
    try:
        res = simulate(inst, policy, model)
    except SimulationError as e:
        print(f"kvopt simulate: {escape(e)}", file=sys.stderr)
        return 1
    save_solution(res.to_solution(), args.out, instance=inst)
    summary = res.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(escape(f"policy {res.policy} {res.params}  ({res.metadata['prediction_source']})"))
    print(res.report.format())
    print(f"events                     {res.events} ({res.runtime:.3g} s)")
    if summary.get("mean_latency_seconds") is not None:  # None: no requests
        print(
            f"mean latency (seconds)     {summary['mean_latency_seconds']:.4g}  "
            f"(time model {res.metadata['time_model']})"
        )
    print(f"wrote {escape(args.out)}")
    return 0

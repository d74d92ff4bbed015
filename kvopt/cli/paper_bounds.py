"""Check the papers' competitive-ratio bounds on sampled instances.

Checks (select with --check, default all):
  mcsf      MC-SF / OPT <= 9216: all at 0, identical prompts, exact predictions,
            M >= 2 max(s + o)                                       [P1, S2]
  amax      A_max / H-SF <= (1 + 1/alpha) / (2 alpha), per alpha; the lower curve
            (1 + alpha^-1/2) / (2 alpha) is printed for comparison     [P2, S]
  amin      A_min / H-SF = O(log 1/alpha): growth reported (no constant) [P2, A]
  sorted-f  Sorted-F / OPT <= 48: all at 0, heterogeneous prompts        [P3, S]

Ratios against OPT use the exact solvers (--time-limit each); where OPT is not
certified, ALG / lower bound is an upper estimate and a bound above it is reported as
inconclusive, never as violated. With --out DIR the worst instance of each check is
written there (- = one JSON line each on standard output); --json prints the findings
as JSON instead of the text. Exit code 1 if a bound is violated.

Example:
  kvopt bounds --instances 20 --seed 1 --out out/bounds-worst
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from kvopt.cli.conventions import (
    STDOUT,
    add_json,
    add_out,
    emit_json,
    human_stream,
    json_target,
    one_stdout,
)
from kvopt.errors import KvoptError
from kvopt.files import check_output, ensure_directory
from kvopt.io import instance_to_dict, save_instance
from kvopt.ratio.bound_checks import (
    check_amax,
    check_amin,
    check_mcsf,
    check_sorted_f,
    format_finding,
)
from kvopt.ratio.trial import DEFAULT_SOLVERS, PolicySpec, certify, make_instance, run_policy

NAME = "bounds"
HELP = "check MC-SF, A_max, A_min and Sorted-F bounds on sampled instances"
CHECKS = ("mcsf", "amax", "amin", "sorted-f")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--check",
        action="append",
        choices=CHECKS,
        help=f"a check (repeatable), one of: {', '.join(CHECKS)} (default: all)",
    )
    p.add_argument("--instances", type=int, default=20, help="instances per check / alpha")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--time-limit", type=float, default=10.0, help="seconds per exact solve")
    p.add_argument(
        "--alphas", default="1,0.5,0.25,0.125,0.0625", help="interval accuracies for amax/amin"
    )
    add_out(p, "write the worst instance of each check into DIR", directory=True)
    add_json(p, "the findings", legacy_file=True)


def _alphas(text: str) -> list[float]:
    try:
        alphas = [float(a) for a in text.split(",") if a.strip()]
    except ValueError:
        raise KvoptError(f"--alphas expects numbers separated by commas, got {text!r}") from None
    if not alphas or not all(0 < a <= 1 for a in alphas):
        raise KvoptError(f"--alphas must lie in (0, 1], got {text!r}")
    return alphas


def _save_worst(f, out: str) -> None:
    """The worst instance of finding ``f`` into directory ``out`` (``-``: standard output)."""
    inst = f.worst_instance.replace(name=f"{f.check}-worst")
    if out == STDOUT:
        emit_json(instance_to_dict(inst), STDOUT, indent=None)
        return
    ensure_directory(out)
    path = os.path.join(out, f"{f.check}-worst.json")
    save_instance(inst, path)
    f.note = (f.note + "; " if f.note else "") + f"worst instance: {path}"


def run(args: argparse.Namespace) -> int:
    if args.instances < 1:
        raise KvoptError(f"--instances must be >= 1, got {args.instances}")
    alphas = _alphas(args.alphas)
    if args.seed < 0:
        raise KvoptError(f"--seed must be >= 0, got {args.seed}")
    args.json = json_target("bounds", args.json)
    one_stdout("bounds", out=args.out, json=args.json)
    if args.out and args.out != STDOUT:
        check_output(args.out, directory=True)  # fail before the solves, not after them
    stream = human_stream(args.out)
    rng = np.random.default_rng(args.seed)

    def run_fn(inst, name):
        return run_policy(inst, PolicySpec(name))[0]

    def certify_fn(inst, upper):
        return certify(inst, solvers=DEFAULT_SOLVERS, time_limit=args.time_limit, upper=upper)

    def family(alpha):
        return make_instance("amax-family", 0, {"alpha": alpha, "n": 400})

    findings = []
    for name in args.check or CHECKS:
        if name == "mcsf":
            f = check_mcsf(rng, args.instances, run_fn, certify_fn)
        elif name == "sorted-f":
            f = check_sorted_f(rng, args.instances, run_fn, certify_fn)
        elif name == "amax":
            f = check_amax(rng, args.instances, run_fn, alphas, family)
        else:
            f = check_amin(rng, args.instances, run_fn, alphas, family)
        if f.worst_instance is not None and args.out:
            _save_worst(f, args.out)
        if args.json != STDOUT:
            print(format_finding(f) + "\n", file=stream)
        findings.append(f)
    if args.json:
        doc = [
            {k: v for k, v in vars(f).items() if k != "worst_instance"} | {"verdict": f.verdict}
            for f in findings
        ]
        emit_json(doc, args.json, indent=1)
    return 1 if any(f.held is False for f in findings) else 0

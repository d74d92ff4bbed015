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
inconclusive, never as violated. The worst instance of each check is written to
--out DIR. Exit code 1 if a bound is violated.

Example:
  kvopt bounds --instances 20 --seed 1 --out bounds-worst
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np

from kvopt.errors import KvoptError
from kvopt.files import check_output, ensure_directory, write_text_atomic
from kvopt.io import save_instance
from kvopt.ratio.bounds import (
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
    p.add_argument("--check", action="append", choices=CHECKS, help="a check (repeatable)")
    p.add_argument("--instances", type=int, default=20, help="instances per check / alpha")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--time-limit", type=float, default=10.0, help="seconds per exact solve")
    p.add_argument(
        "--alphas", default="1,0.5,0.25,0.125,0.0625", help="interval accuracies for amax/amin"
    )
    p.add_argument("--out", default="bounds-worst", metavar="DIR", help="worst instances go here")
    p.add_argument("--json", metavar="FILE", help="write the findings as JSON")


def _alphas(text: str) -> list[float]:
    try:
        alphas = [float(a) for a in text.split(",") if a.strip()]
    except ValueError:
        raise KvoptError(f"--alphas expects numbers separated by commas, got {text!r}") from None
    if not alphas or not all(0 < a <= 1 for a in alphas):
        raise KvoptError(f"--alphas must lie in (0, 1], got {text!r}")
    return alphas


def run(args: argparse.Namespace) -> int:
    if args.instances < 1:
        raise KvoptError(f"--instances must be >= 1, got {args.instances}")
    alphas = _alphas(args.alphas)
    if args.seed < 0:
        raise KvoptError(f"--seed must be >= 0, got {args.seed}")
    check_output(args.out, directory=True)  # fail before the solves, not after them
    if args.json:
        check_output(args.json)
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
        if f.worst_instance is not None:
            ensure_directory(args.out)
            path = os.path.join(args.out, f"{f.check}-worst.json")
            save_instance(f.worst_instance.replace(name=f"{f.check}-worst"), path)
            f.note = (f.note + "; " if f.note else "") + f"worst instance: {path}"
        print(format_finding(f))
        print()
        findings.append(f)
    if args.json:
        doc = [
            {k: v for k, v in vars(f).items() if k != "worst_instance"} | {"verdict": f.verdict}
            for f in findings
        ]
        write_text_atomic(args.json, json.dumps(doc, indent=1) + "\n")
    return 1 if any(f.held is False for f in findings) else 0

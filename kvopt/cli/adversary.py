"""Lower-bound constructions against policies: ratio versus size, and its growth.

--construction adaptive (default): the adaptive adversary with the policy in the loop
(memory 2q; a long request (q, q) at 0; floor(sqrt q) short requests (q, 1) released
right after the policy starts the long one). Sizes are q.

--construction blocking-thin: the static family of kvopt generate blocking-thin
(ceil(sqrt M) blockers (M-2, 1) and floor(M/3) thin requests (1, 2), all at 0), aimed
at FCFS, SF and MC-SF. Sizes are M.

OPT comes from closed forms (a proven lower bound met by an explicit schedule, checked
by the verifier; see proofs/adversary_optima.md). The fitted exponent is the slope of
log(ALG/OPT) against log(size); the constructions predict 1/2. --out DIR writes each
forced instance (- = one JSON line each on standard output); --json prints the rows and
exponents as JSON instead of the tables.

Example:
  kvopt adversary --policy mcsf --policy fcfs --sizes 16,64,256,1024,4096
"""

from __future__ import annotations

import argparse
import math
import os

from kvopt.cli.conventions import (
    STDOUT,
    add_json,
    add_out,
    add_policy,
    deprecated,
    emit_json,
    human_stream,
    json_target,
    one_stdout,
)
from kvopt.errors import KvoptError
from kvopt.files import check_output, ensure_directory
from kvopt.io import instance_to_dict, save_instance
from kvopt.ratio.adversary import adaptive_rows, fit_exponent, static_rows
from kvopt.ratio.trial import PolicySpec, make_instance, run_policy
from kvopt.report_table import render_table

NAME = "adversary"
HELP = "adaptive and static lower-bound constructions: ratio vs size, growth exponent"


def parse_sizes(text: str) -> list[int]:
    """``"16,64,256"`` -> ``[16, 64, 256]`` (each >= 1)."""
    try:
        sizes = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise KvoptError(f"--sizes expects integers separated by commas, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise KvoptError(f"--sizes needs at least one size >= 1, got {text!r}")
    return sizes


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_policy(p, repeatable=True)
    p.add_argument("--sizes", required=True, help="comma-separated sizes (q or M)")
    p.add_argument(
        "--construction",
        choices=("adaptive", "blocking-thin", "both"),
        default="adaptive",
        help="which construction: adaptive (default), blocking-thin or both",
    )
    add_out(p, "write each forced instance to DIR", directory=True)
    p.add_argument("--save", metavar="DIR", help="deprecated: use --out DIR")
    add_json(p, "the rows and exponents", legacy_file=True)


def _table(title: str, size_name: str, rows) -> str:
    headers = [size_name, "n", "tau", "ALG", "OPT", "ratio", "ratio/sqrt"]
    cells = [
        [r.size, r.n, r.detail.get("tau"), r.alg, r.opt, f"{r.ratio:.3f}",
         f"{r.ratio / math.sqrt(r.size):.3f}"]
        for r in rows
    ]  # fmt: skip
    return render_table(headers, cells, title=title, rule=True, justify=["right"] * 7)


def _save(out: str, instance, name: str) -> None:
    if out == STDOUT:
        emit_json(instance_to_dict(instance), STDOUT, indent=None)
    else:
        ensure_directory(out)
        save_instance(instance, os.path.join(out, name))


def run(args: argparse.Namespace) -> int:
    sizes = parse_sizes(args.sizes)
    if args.save:
        deprecated("adversary", "--save DIR", "--out DIR")
        args.out = args.out or args.save
    args.json = json_target("adversary", args.json)
    one_stdout("adversary", out=args.out, json=args.json)
    if args.out and args.out != STDOUT:  # fail before the runs, not after them
        check_output(args.out, directory=True)
    stream = human_stream(args.out)
    policies = [PolicySpec.parse(p) for p in args.policy]
    kinds = ["adaptive", "blocking-thin"] if args.construction == "both" else [args.construction]
    out = []
    for kind in kinds:
        for pol in policies:

            def runner(inst, pol=pol):
                return run_policy(inst, pol)

            if kind == "adaptive":
                rows = adaptive_rows(runner, sizes)
                size_name = "q"
            else:
                insts = [(m, make_instance("blocking-thin", 0, {"memory": m})) for m in sizes]
                rows = static_rows(runner, insts)
                size_name = "M"
            expo = fit_exponent([r.size for r in rows], [r.ratio for r in rows])
            title = f"{kind} vs {pol.label} (OPT: closed form, proofs/adversary_optima.md)"
            if args.json != STDOUT:
                print(_table(title, size_name, rows), file=stream)
                print(
                    f"fitted growth exponent: {expo:.3f} (ALG/OPT ~ c * {size_name}^e; "
                    "predicted 1/2)\n",
                    file=stream,
                )
            for r in rows if args.out else ():
                _save(args.out, r.instance, f"{kind}-{pol.name}-{size_name}{r.size}.json")
            out.append(
                {
                    "construction": kind,
                    "policy": pol.label,
                    "exponent": expo,
                    "rows": [
                        {
                            "size": r.size,
                            "n": r.n,
                            "alg": r.alg,
                            "opt": r.opt,
                            "ratio": r.ratio,
                            "opt_source": r.opt_source,
                            **r.detail,
                        }
                        for r in rows
                    ],
                }
            )
    if args.json:
        emit_json(out, args.json, indent=1)
    return 0

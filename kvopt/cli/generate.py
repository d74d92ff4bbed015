"""Generate an instance of a family and write it to a file.

    kvopt generate FAMILY [options] --seed S --out FILE

Families: paper1-synthetic, poisson, trace, identical, blocking-thin, amax-family
(``kvopt generate FAMILY --help`` lists each one's options). Every family also accepts
predictions: ``--noise EPS`` (point predictions with relative noise) and ``--interval
ALPHA`` (intervals [lo, hi] with lo/hi = ALPHA around the true output). The same seed and
options always give the same instance. Impossible parameters: one line on standard error,
exit code 2.
"""

from __future__ import annotations

import argparse
import sys

from kvopt.files import check_output
from kvopt.generators import FAMILIES, PREDICTION_PARAMS, generate
from kvopt.generators.base import Param
from kvopt.io import instance_to_dict, save_instance
from kvopt.text import escape

NAME = "generate"
HELP = "generate an instance (papers' families, calibrated workloads, traces, adversaries)"


def _add_param(p: argparse.ArgumentParser, param: Param) -> None:
    flag = "--" + param.name.replace("_", "-")
    default = "" if param.default is None else f" (default: {param.default})"
    p.add_argument(
        flag,
        dest=param.name,
        type=param.type,
        choices=param.choices,
        default=None,
        metavar=param.name.upper(),
        help=param.help + default,
    )


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="family", metavar="FAMILY", parser_class=type(p))
    sub.required = True
    for fam, module in FAMILIES.items():
        q = sub.add_parser(
            fam,
            help=module.DESCRIPTION,
            description=module.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        q.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
        q.add_argument(
            "--out", required=True, metavar="FILE", help="instance file to write ('-': stdout)"
        )
        q.add_argument("--name", default=None, help="instance name (default: FAMILY-sSEED)")
        group = q.add_argument_group(f"{fam} parameters")
        for param in module.PARAMS:
            _add_param(group, param)
        group = q.add_argument_group("predictions (any family)")
        for param in PREDICTION_PARAMS:
            _add_param(group, param)
        q.set_defaults(_params=[x.name for x in (*module.PARAMS, *PREDICTION_PARAMS)])


def run(args: argparse.Namespace) -> int:
    params = {k: getattr(args, k) for k in args._params if getattr(args, k) is not None}
    if args.out != "-":
        check_output(args.out)  # before generating (10**6 requests take a while)
    inst = generate(args.family, seed=args.seed, name=args.name, **params)
    if args.out == "-":
        import json

        json.dump(instance_to_dict(inst), sys.stdout)
        print()
    else:
        save_instance(inst, args.out)
        print(f"wrote {escape(args.out)}: {escape(inst.name)}, n = {inst.n}, M = {inst.memory}")
    return 0

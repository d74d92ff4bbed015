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

from kvopt.cli.conventions import STDOUT, add_out, choices_help, emit_json, plain
from kvopt.files import check_output
from kvopt.generators import FAMILIES, PREDICTION_PARAMS, generate
from kvopt.generators.base import Param
from kvopt.io import instance_digest, instance_to_dict, save_instance
from kvopt.text import escape

NAME = "generate"
HELP = "generate an instance (papers' families, calibrated workloads, traces, adversaries)"


def _add_param(p: argparse.ArgumentParser, param: Param) -> None:
    flag = "--" + param.name.replace("_", "-")
    default = "" if param.default is None else f" (default: {param.default})"
    text = param.help + default
    if param.name == "time_model":  # any registered name, the calibrated ones included
        from kvopt.time_model import TIME_MODELS

        text = choices_help(text, sorted(TIME_MODELS))
    p.add_argument(
        flag,
        dest=param.name,
        type=param.type,
        choices=param.choices,
        default=None,
        metavar=param.name.upper(),
        help=choices_help(text, param.choices) if param.choices else text,
    )


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="family", metavar="FAMILY", parser_class=type(p))
    sub.required = True
    for fam, module in FAMILIES.items():
        q = sub.add_parser(
            fam,
            help=module.DESCRIPTION,
            description=plain(module.__doc__),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        q.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
        add_out(q, "instance file to write", required=True)
        q.add_argument(
            "--name",
            default=None,
            help="instance name (default: FAMILY-sSEED-DIGEST, DIGEST the first 8 hex digits "
            "of the requests' fingerprint, so two different files never share a name)",
        )
        group = q.add_argument_group(f"{fam} parameters")
        for param in module.PARAMS:
            _add_param(group, param)
        group = q.add_argument_group("predictions (any family)")
        for param in PREDICTION_PARAMS:
            _add_param(group, param)
        q.set_defaults(_params=[x.name for x in (*module.PARAMS, *PREDICTION_PARAMS)])


def default_name(inst, family: str, seed: int) -> str:
    """``FAMILY-sSEED-DIGEST``: unique per file, since the digest covers M and the requests."""
    return f"{family}-s{seed}-{instance_digest(inst)[:8]}"


def run(args: argparse.Namespace) -> int:
    params = {k: getattr(args, k) for k in args._params if getattr(args, k) is not None}
    if args.out != STDOUT:
        check_output(args.out)  # before generating (10**6 requests take a while)
    inst = generate(args.family, seed=args.seed, name=args.name, **params)
    if args.name is None:
        inst = inst.replace(name=default_name(inst, args.family, args.seed))
    if args.out == STDOUT:
        emit_json(instance_to_dict(inst), STDOUT, indent=None)
    else:
        save_instance(inst, args.out)
        print(f"wrote {escape(args.out)}: {escape(inst.name)}, n = {inst.n}, M = {inst.memory}")
    return 0

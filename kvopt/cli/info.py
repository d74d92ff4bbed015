"""Summarise an instance: size, memory, length statistics, load and lower bounds."""

from __future__ import annotations

import argparse
import json

from kvopt.cli.conventions import add_json
from kvopt.io import load_instance
from kvopt.stats import describe, format_description

NAME = "info"
HELP = "summarise an instance (sizes, offered load, trivial lower bounds)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("instances", metavar="INSTANCE", nargs="+", help="instance file(s)")
    add_json(p, "the description")


def run(args: argparse.Namespace) -> int:
    for k, path in enumerate(args.instances):
        inst = load_instance(path)
        d = describe(inst)
        if args.json:
            print(json.dumps(d, indent=2))
        else:
            if k:
                print()
            print(format_description(d))
    return 0

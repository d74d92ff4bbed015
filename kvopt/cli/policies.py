"""List the online policies with their parameters, defaults and sources.

``[R]`` marks our reconstructions of rules the literature leaves open; ``[A]`` / ``[S]``
say whether a rule comes from the authors' abstract or from summaries of the paper
(see ``models/literature.md``).
"""

from __future__ import annotations

import argparse
import json

from kvopt.cli.conventions import add_json
from kvopt.policies import POLICIES

NAME = "policies"
HELP = "list the online policies with their parameters and sources"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_json(p, "the policies")


def describe() -> list[dict]:
    """One entry per policy: name, class, flags, source and parameters."""
    out = []
    for name, cls in POLICIES.items():
        out.append(
            {
                "name": name,
                "class": cls.__name__,
                "summary": (cls.__doc__ or "").strip().splitlines()[0],
                "may_evict": cls.may_evict,
                "clairvoyant": cls.clairvoyant,
                "source": cls.source,
                "parameters": {
                    k: {"default": v, "help": cls.parameter_help.get(k, "")}
                    for k, v in cls.parameter_defaults().items()
                },
            }
        )
    return out


def run(args: argparse.Namespace) -> int:
    policies = describe()
    if args.json:
        print(json.dumps(policies, indent=2))
        return 0
    for k, d in enumerate(policies):
        if k:
            print()
        flags = [
            f for f, on in (("evicts", d["may_evict"]), ("clairvoyant", d["clairvoyant"])) if on
        ]
        print(f"{d['name']}  ({d['class']}{', ' + ', '.join(flags) if flags else ''})")
        print(f"  {d['summary']}")
        print(f"  source: {d['source']}")
        for pname, p in d["parameters"].items():
            v = p["default"] if isinstance(p["default"], str) else json.dumps(p["default"])
            print(f"  --policy {d['name']}:{pname}={v}  {p['help']}")
    return 0

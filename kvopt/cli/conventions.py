"""The conventions every ``kvopt`` command follows, written once.

- ``--out PATH``: where the command's product goes, a file or (for commands that write
  one file per instance, solver or policy) a directory; ``-`` is standard output (a
  directory's files then as JSON Lines, one document a line) and the human-readable
  text moves to standard error, so standard output stays machine-readable.
- ``--json``: print the command's report as JSON on standard output instead of the table.
- ``--set KEY=VALUE``: an instance-family parameter (``kvopt ratio``, ``kvopt regret``);
  policy parameters always go into the policy's name, ``--policy NAME:key=value,...``.
- Every choice an option accepts is listed in ``--help``; help texts are plain text.
- ``--jobs J`` (and ``--threads K``): a warning when ``J * K`` exceeds the CPU count.

The README's "Command-line conventions" table is the user-facing copy of this list.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable

from kvopt.files import check_output, write_output
from kvopt.text import escape

#: The value of ``--out`` (and of ``--csv``) that means standard output.
STDOUT = "-"


def warn(command: str, message: str) -> None:
    """One warning line on standard error, as every kvopt command prints them."""
    print(f"kvopt {command}: warning: {escape(message)}", file=sys.stderr)


def deprecated(command: str, old: str, new: str) -> None:
    """Say that ``old`` still works but will go: use ``new``."""
    warn(command, f"{old} is deprecated (it still works for now): use {new}")


def add_out(
    p: argparse.ArgumentParser,
    what: str,
    *,
    directory: bool = False,
    required: bool = False,
    aliases: Iterable[str] = (),
) -> None:
    """Add ``--out PATH`` (``-`` = standard output) to ``p``."""
    metavar = "DIR" if directory else "FILE"
    where = "JSON Lines on standard output" if directory else "standard output"
    p.add_argument(
        "--out",
        *aliases,
        required=required,
        metavar=metavar,
        help=f"{what} ('-': {where})",
    )


def add_policy(
    p: argparse.ArgumentParser, *, repeatable: bool, dest: str = "policy", metavar: str = "P"
) -> None:
    """Add ``--policy NAME[:key=value,...]`` (repeatable or once), listing the policies."""
    from kvopt.policies import POLICIES

    what = "a policy, optionally with parameters NAME[:key=value,...]"
    p.add_argument(
        "--policy",
        dest=dest,
        action="append" if repeatable else "store",
        required=True,
        metavar=metavar,
        help=choices_help(what + (" (repeatable)" if repeatable else ""), POLICIES),
    )


def add_family(p: argparse.ArgumentParser) -> None:
    """Add ``--family FAMILY`` (listing the families) and ``--set KEY=VALUE`` for its parameters."""
    from kvopt.generators import FAMILIES

    p.add_argument(
        "--family",
        required=True,
        help=choices_help("instance family (see kvopt generate FAMILY --help)", FAMILIES),
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an instance-family parameter (repeatable); policy parameters go into "
        "--policy NAME:key=value",
    )


def add_simulation(p: argparse.ArgumentParser) -> None:
    """Add what a simulation takes: ``--time-model``, the engine flags
    (:func:`kvopt.cli.engine_options.add_engine_arguments`: ``--batching``, caps, blocks,
    recompute) and ``--oracle``."""
    from kvopt.cli.engine_options import add_engine_arguments
    from kvopt.time_model import TIME_MODELS

    p.add_argument(
        "--time-model",
        metavar="NAME",
        help=choices_help("give rounds durations: figures in seconds, and energy", TIME_MODELS),
    )
    add_engine_arguments(p)
    p.add_argument(
        "--oracle",
        action="store_true",
        help="let policies that plan with predictions see the true outputs when the "
        "instance has none (otherwise refused)",
    )


def add_json(p: argparse.ArgumentParser, what: str = "the report", *, legacy_file: bool = False):
    """Add ``--json``: print ``what`` as JSON on standard output instead of the table.

    With ``legacy_file`` the option still accepts the FILE it took before (deprecated):
    ``--json FILE`` writes the JSON there and keeps the table.
    """
    text = f"print {what} as JSON on standard output instead of the table"
    if legacy_file:
        p.add_argument("--json", nargs="?", const=STDOUT, default=None, metavar="FILE", help=text)
    else:
        p.add_argument("--json", action="store_const", const=STDOUT, default=None, help=text)


def json_target(command: str, value: str | None) -> str | None:
    """``-`` (standard output), a file (the deprecated ``--json FILE``, checked) or ``None``."""
    if value is None or value == STDOUT:
        return value
    deprecated(command, "--json FILE", f"--json > {value}")
    check_output(value)
    return value


def emit(text: str, target: str) -> None:
    """``text`` to standard output (``-``) or atomically into file ``target``."""
    write_output(target, text)


def emit_json(doc: object, target: str, *, indent: int | None = 2) -> None:
    """``doc`` as JSON (one trailing newline) to ``target`` (``-`` = standard output)."""
    emit(json.dumps(doc, indent=indent) + "\n", target)


def human_stream(*targets: str | None):
    """Where human-readable text goes: standard error when any target is standard output."""
    return sys.stderr if STDOUT in targets else sys.stdout


def one_stdout(command: str, **targets: str | None) -> None:
    """Refuse two products on standard output (``--out -`` and ``--json``, say)."""
    named = [k for k, v in targets.items() if v == STDOUT]
    if len(named) > 1:
        from kvopt.errors import KvoptError

        flags = " and ".join(f"--{k.replace('_', '-')}" for k in named)
        raise KvoptError(f"{flags} cannot both write to standard output")


def cpu_count() -> int:
    """CPUs this process may use (the affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def warn_oversubscribed(command: str, jobs: int, threads: int = 1) -> None:
    """Warn when ``jobs * threads`` exceeds the CPU count (the solves then time-share)."""
    cpus = cpu_count()
    if jobs * threads > cpus:
        what = f"--jobs {jobs} x --threads {threads}" if threads > 1 else f"--jobs {jobs}"
        warn(
            command,
            f"{what} = {jobs * threads} exceeds the {cpus} CPU(s): the solves share them, "
            "so time limits buy less search each",
        )


def choices_help(text: str, choices: Iterable[object]) -> str:
    """``text`` followed by the accepted values, for options whose metavar hides them."""
    return f"{text}; one of: {', '.join(str(c) for c in choices)}"


_ROLES = re.compile(r":(?:func|class|mod|meth|data|attr|obj|exc|ref|doc):`~?([^`]+)`")
_LINK = re.compile(r"`([^`<]+?)\s*<[^>]+>`_")


def plain(doc: str | None) -> str | None:
    """A docstring as plain text for ``--help``: no reST roles, literals or ``::``."""
    if not doc:
        return doc
    text = _ROLES.sub(lambda m: m.group(1).rsplit(".", 1)[-1], doc)
    text = _LINK.sub(r"\1", text)
    text = text.replace("``", "")
    text = re.sub(r"(\S)::\n", r"\1:\n", text)
    text = re.sub(r"^(\s*)::\n", "", text, flags=re.M)
    return text

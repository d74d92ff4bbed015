"""The ``kvopt`` command line.

Each sub-command is a module of this package with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; :data:`COMMANDS` lists them in the
order ``kvopt --help`` shows. Errors a user can cause (:class:`~kvopt.errors.KvoptError`)
become one line on standard error and exit code 2; Ctrl-C exits with 130. Control
characters in a message (a newline in a file name or request id) are printed escaped
(:func:`kvopt.text.escape`), so an error is always exactly one line.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

from kvopt import __version__
from kvopt.cli import (
    adversary,
    compare,
    generate,
    info,
    lower_bound,
    paper_bounds,
    plot,
    policies,
    ratio,
    regret,
    simulate,
    solve,
    verify,
)
from kvopt.cli.conventions import plain
from kvopt.errors import KvoptError, SolverError
from kvopt.policies.oracle import OracleWarning
from kvopt.text import escape

#: The sub-command modules, in help order.
COMMANDS = [
    info,
    verify,
    generate,
    simulate,
    compare,
    policies,
    solve,
    lower_bound,
    plot,
    ratio,
    regret,
    adversary,
    paper_bounds,
]

#: Exit codes shared by every command.
EXIT_OK, EXIT_INFEASIBLE, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse's own convention)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n(see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = _Parser(
        prog="kvopt",
        description="Scheduling LLM inference under KV-cache memory limits.",
    )
    parser.add_argument("--version", action="version", version=f"kvopt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for mod in COMMANDS:
        p = sub.add_parser(
            mod.NAME,
            help=mod.HELP,
            description=plain(mod.__doc__),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def _one_line(command: str):
    """A ``warnings.formatwarning`` that prints kvopt's own warnings as one line."""
    default = warnings.formatwarning

    def fmt(message, category, filename, lineno, line=None):  # noqa: ANN001
        if issubclass(category, OracleWarning):
            return f"kvopt {command}: warning: {escape(message)}\n"
        return default(message, category, filename, lineno, line)

    return fmt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    previous = warnings.formatwarning
    warnings.formatwarning = _one_line(str(args.command))
    try:
        return int(args._run(args) or 0)
    except SolverError as e:
        print(f"kvopt {args.command}: solver failure: {escape(e)}", file=sys.stderr)
        return EXIT_INFEASIBLE
    except KvoptError as e:
        print(f"kvopt {args.command}: error: {escape(e)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:  # e.g. --n 10**11: one line, not a traceback
        print(f"kvopt {args.command}: error: out of memory (input too large)", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"kvopt {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    finally:
        warnings.formatwarning = previous


def entry() -> None:  # pragma: no cover - console-script shim
    sys.exit(main())

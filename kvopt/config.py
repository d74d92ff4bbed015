"""Solve options from a TOML file: ``kvopt solve --config FILE.toml``.

The file's top-level keys are the fields of :class:`kvopt.options.SolveOptions` (all
but ``initial``); a table named after a backend holds that backend's own fields::

    time_limit = 30
    threads = 2
    primal = 0          # a lever: every backend that has it
    [milp]
    mip_solver = "highs"
    aggregate = false
    [cpsat]
    time_indexed = true

Anything wrong (not TOML, an unknown key, a value of the wrong type or out of range)
is a :class:`~kvopt.errors.FormatError` naming the file, the place (``line 3 column
5``, or the key such as ``milp.aggregate``) and the problem.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Mapping
from typing import Any

from kvopt.errors import FormatError, KvoptError
from kvopt.files import open_regular_file, read_reason
from kvopt.options import OptionError, SolveOptions

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Top-level keys a file may set (every field but the schedule ``initial``).
FILE_KEYS = tuple(f.name for f in dataclasses.fields(SolveOptions) if f.name != "initial")
_AT = re.compile(r"^(.*?)\s*\(at line (\d+), column (\d+)\)$")


def read_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse a TOML file (a regular file, UTF-8), every failure one :class:`FormatError`."""
    p = str(path)
    f = open_regular_file(p)
    try:
        with f:
            return tomllib.loads(f.read())
    except UnicodeDecodeError as e:
        raise FormatError(f"not UTF-8 text ({e.reason} at byte {e.start})", file=p) from None
    except tomllib.TOMLDecodeError as e:
        m = _AT.match(str(e))
        if m is None:
            raise FormatError(f"invalid TOML: {e}", file=p) from None
        where = f"line {m.group(2)} column {m.group(3)}"
        raise FormatError(f"invalid TOML: {m.group(1)}", file=p, location=where) from None
    except OSError as e:  # a read error after opening (e.g. EIO)
        raise FormatError(f"cannot read: {read_reason(e)}", file=p) from None


def options_from_dict(
    data: Mapping[str, Any], *, file: str | None = None, base: SolveOptions | None = None
) -> SolveOptions:
    """:class:`SolveOptions` from a parsed file (tables are backends), over ``base``.

    Raises
    ------
    FormatError
        Naming ``file`` and the key for an unknown key or a bad value.
    """
    from kvopt.backends import SOLVERS

    fields: dict[str, Any] = {}
    backend = {k: dict(v) for k, v in (base.backend if base else {}).items()}
    for key, value in data.items():
        if key in SOLVERS:
            if not isinstance(value, Mapping):
                raise FormatError(f"must be a table of {key}'s fields", file=file, location=key)
            backend.setdefault(key, {}).update(value)
        elif key in FILE_KEYS and key != "backend":
            fields[key] = value
        else:
            allowed = ", ".join([*(k for k in FILE_KEYS if k != "backend"), *SOLVERS])
            raise FormatError(f"unknown key (allowed: {allowed})", file=file, location=key)
    try:
        return dataclasses.replace(base or SolveOptions(), **fields, backend=backend)
    except OptionError as e:
        raise FormatError(e.message, file=file, location=e.key) from None
    except KvoptError as e:  # e.g. a table for a backend that cannot be imported
        raise FormatError(str(e), file=file) from None


def load_options(path: str | os.PathLike[str], *, base: SolveOptions | None = None) -> SolveOptions:
    """The :class:`SolveOptions` of a TOML file (fields it does not set: from ``base``)."""
    return options_from_dict(read_toml(path), file=str(path), base=base)

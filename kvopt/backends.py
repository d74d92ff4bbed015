"""The registry of exact backends, by name (a leaf: it imports a backend only when used).

Backends are registered as ``"module:function"`` strings, so that ``import kvopt``
stays light. A backend is a function ``backend(instance, *, time_limit, threads, gap,
initial, log, seed, **options) -> Result``; :func:`kvopt.solve` calls it with the
values of a :class:`kvopt.options.SolveOptions`.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

from kvopt.errors import KvoptError

#: Registered backends: name -> "module:function".
SOLVERS: dict[str, str] = {
    "milp": "kvopt.solvers.milp:solve",
    "cpsat": "kvopt.solvers.cpsat:solve",
    "semi-online": "kvopt.solvers.semi_online.dp:solve",
    "identical-stream": "kvopt.solvers.semi_online.stream:solve",
}


def register_solver(name: str, target: str) -> None:
    """Register a backend under ``name`` (``target`` is ``"module:function"``)."""
    SOLVERS[name] = target


def get_solver(name: str) -> Callable[..., Any]:
    """The backend function registered as ``name``."""
    try:
        target = SOLVERS[name]
    except KeyError:
        known = ", ".join(sorted(SOLVERS)) or "none"
        raise KvoptError(f"unknown solver {name!r} (known: {known})") from None
    module, func = target.split(":")
    return getattr(importlib.import_module(module), func)


def keyword_parameters(name: str) -> dict[str, inspect.Parameter]:
    """The named keyword parameters of backend ``name`` (not ``**options``)."""
    sig = inspect.signature(get_solver(name))
    return {
        k: p
        for k, p in sig.parameters.items()
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and k != "instance"
    }

"""Policies named as on the command line: ``name`` or ``name:key=value,key=value``.

:func:`parse_params` reads ``key=value`` strings as the types of the policy's parameters
(true/false, integers, numbers, names); :func:`policy_from_spec` builds the policy. The
CLI (``kvopt simulate --set``, ``kvopt compare --policy``) and the Python API
(``kvopt.simulate(instance, "mcsf:skip=true")``, :func:`kvopt.compare`) share them.
"""

from __future__ import annotations

from typing import Any

from kvopt.policies import POLICIES, make_policy
from kvopt.policies.base import PolicyBase, PolicyError


def parse_value(name: str, text: str, default: Any) -> Any:
    """``text`` read as the type of the parameter's ``default``."""
    if isinstance(default, bool):
        low = text.strip().lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
        raise PolicyError(f"parameter {name!r} must be true or false, got {text!r}")
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise PolicyError(f"parameter {name!r} must be an integer, got {text!r}") from None
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise PolicyError(f"parameter {name!r} must be a number, got {text!r}") from None
    return text


def parse_params(policy: str, items: list[str]) -> dict[str, Any]:
    """``key=value`` items as keyword arguments for :func:`kvopt.policies.make_policy`."""
    if policy not in POLICIES:
        raise PolicyError(f"unknown policy {policy!r} (known: {', '.join(POLICIES)})")
    defaults = POLICIES[policy].parameter_defaults()
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise PolicyError(f"a policy parameter needs KEY=VALUE, got {item!r}")
        if key not in defaults:
            allowed = ", ".join(defaults) or "none"
            raise PolicyError(f"policy {policy!r} has no parameter {key!r} (parameters: {allowed})")
        out[key] = parse_value(key, value, defaults[key])
    return out


def policy_from_spec(spec: str) -> PolicyBase:
    """The policy written ``name`` or ``name:key=value,key=value``.

    Raises
    ------
    PolicyError
        For an unknown name or parameter, or a value of the wrong type.
    """
    name, _, rest = spec.partition(":")
    items = [p for p in rest.split(",") if p.strip()] if rest else []
    return make_policy(name.strip(), **parse_params(name.strip(), items))


def label(policy: Any) -> str:
    """How a policy is named in tables: ``name`` or ``name:key=value,...`` (non-defaults)."""
    name = getattr(policy, "name", type(policy).__name__)
    cls = POLICIES.get(name)
    params = policy.params() if hasattr(policy, "params") else {}
    defaults = cls.parameter_defaults() if cls is not None else {}
    changed = [f"{k}={_text(v)}" for k, v in params.items() if defaults.get(k, object()) != v]
    return name + (":" + ",".join(changed) if changed else "")


def _text(v: Any) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)

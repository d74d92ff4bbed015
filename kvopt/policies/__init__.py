"""Online scheduling policies, one class per module, behind :class:`~kvopt.policies.base.Policy`.

:data:`POLICIES` maps the command-line names to the classes; :func:`make_policy` builds
one from a name and keyword parameters, rejecting unknown names, parameters and values
with a one-line :class:`~kvopt.policies.base.PolicyError`.
"""

from __future__ import annotations

from typing import Any

from kvopt.policies.alpha_clearing import AlphaClearing
from kvopt.policies.alpha_greedy import AlphaGreedy
from kvopt.policies.amax import AMax
from kvopt.policies.amin import AMin
from kvopt.policies.base import Decision, OnlineView, Policy, PolicyBase, PolicyError
from kvopt.policies.compensated import CompensatedCoupling
from kvopt.policies.fcfs import FCFS
from kvopt.policies.hsf import HSF
from kvopt.policies.mc_benchmark import MCBenchmark
from kvopt.policies.mcsf import MCSF
from kvopt.policies.nested_wait import NestedWait
from kvopt.policies.sf import SF
from kvopt.policies.sorted_f import SortedF
from kvopt.policies.vllm import VLLM
from kvopt.policies.wait import Wait

#: Command-line name -> policy class.
POLICIES: dict[str, type[PolicyBase]] = {
    cls.name: cls
    for cls in (
        MCSF,
        MCBenchmark,
        FCFS,
        SF,
        HSF,
        AlphaGreedy,
        AlphaClearing,
        VLLM,
        AMax,
        AMin,
        SortedF,
        CompensatedCoupling,
        Wait,
        NestedWait,
    )
}


def make_policy(name: str, **params: Any) -> PolicyBase:
    """The policy registered as ``name``, built with ``params``.

    Raises
    ------
    PolicyError
        For an unknown name or parameter, or an invalid value.
    """
    try:
        cls = POLICIES[name]
    except KeyError:
        raise PolicyError(f"unknown policy {name!r} (known: {', '.join(POLICIES)})") from None
    known = cls.parameter_defaults()
    unknown = sorted(set(params) - set(known))
    if unknown:
        allowed = ", ".join(known) or "none"
        raise PolicyError(
            f"policy {name!r} has no parameter {unknown[0]!r} (parameters: {allowed})"
        )
    return cls(**params)


__all__ = [
    "POLICIES",
    "AMax",
    "AMin",
    "AlphaClearing",
    "AlphaGreedy",
    "CompensatedCoupling",
    "Decision",
    "FCFS",
    "HSF",
    "MCBenchmark",
    "MCSF",
    "NestedWait",
    "OnlineView",
    "Policy",
    "PolicyBase",
    "PolicyError",
    "SF",
    "SortedF",
    "VLLM",
    "Wait",
    "make_policy",
]

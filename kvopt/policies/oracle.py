"""Predictions are never silent: which policies see true outputs, and the refusal.

A policy *plans with predictions* if it orders or admits requests by a predicted output
length (``lengths`` of a look-ahead policy, or ``order = "predicted"``). On an instance
without predictions, the simulator would give it the true outputs instead
(:class:`~kvopt.policies.base.OnlineView`): it becomes an **oracle**. So does a policy
that is clairvoyant by design (H-SF, Sorted-F). :func:`check_predictions` refuses the
first case unless the caller says ``oracle=True``; tables and plots label every oracle.
"""

from __future__ import annotations

import warnings
from typing import Any

from kvopt.errors import KvoptError
from kvopt.model import Instance
from kvopt.policies.base import PolicyError
from kvopt.time_model import TimeModel, get_time_model

#: Planned-length columns that come from predictions.
PREDICTION_LENGTHS = ("predicted", "output_hi", "output_lo")


class OracleWarning(UserWarning):
    """A prediction-using policy ran on true outputs because the instance has no predictions."""


def plans_with_predictions(policy: Any) -> bool:
    """Whether ``policy`` orders or admits requests by predicted output lengths."""
    if getattr(policy, "clairvoyant", False):
        return False
    lengths = getattr(policy, "lengths", None)
    return lengths in PREDICTION_LENGTHS or getattr(policy, "order", None) == "predicted"


def is_oracle(policy: Any, instance: Instance) -> bool:
    """Whether ``policy`` sees true outputs on ``instance`` (clairvoyant or no predictions)."""
    if getattr(policy, "clairvoyant", False):
        return True
    return plans_with_predictions(policy) and not instance.has_predictions


def refusal(policy: Any, instance: Instance) -> str:
    """The message naming the two ways out."""
    name = getattr(policy, "name", type(policy).__name__)
    return (
        f"policy {name!r} plans with predicted output lengths, but instance "
        f"{instance.name!r} has no predictions: generate it with predictions "
        f"(kvopt generate ... --noise EPS or --interval ALPHA), or pass --oracle "
        f"(Python: oracle=True) to let it see the true outputs"
    )


def check_predictions(policy: Any, instance: Instance, oracle: bool | None) -> bool:
    """Refuse, warn or allow a policy on an instance; returns whether it is an oracle.

    Parameters
    ----------
    policy, instance
        What is about to be simulated.
    oracle
        ``True``: allowed to see true outputs; ``False``: refused
        (:class:`~kvopt.policies.base.PolicyError`); ``None``: allowed with an
        :class:`OracleWarning`.
    """
    if plans_with_predictions(policy) and not instance.has_predictions:
        if oracle is False:
            raise PolicyError(refusal(policy, instance))
        if oracle is None:
            warnings.warn(refusal(policy, instance), OracleWarning, stacklevel=4)
    return is_oracle(policy, instance)


def resolve_run(
    instance: Instance, policy: Any, time_model: TimeModel | str | None, oracle: bool | None
) -> tuple[Any, TimeModel | None, bool]:
    """Names to objects, and the prediction check, for :func:`kvopt.simulate`."""
    if isinstance(policy, str):
        from kvopt.policies.spec import policy_from_spec

        policy = policy_from_spec(policy)
    if isinstance(time_model, str):
        time_model = get_time_model(time_model)
    elif time_model is not None and not callable(getattr(time_model, "round_duration", None)):
        raise KvoptError(
            f"time_model must be a TimeModel or a name, got {type(time_model).__name__}"
        )
    return policy, time_model, check_predictions(policy, instance, oracle)

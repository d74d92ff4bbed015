"""Instance generators: the papers' families, calibrated workloads, traces, adversaries.

Every family is a module with ``NAME``, ``DESCRIPTION``, ``PARAMS`` (a tuple of
:class:`~kvopt.generators.base.Param`) and ``build(rng, name, **params) -> Instance``;
:data:`FAMILIES` maps names to modules. :func:`generate` is the front door: it resolves
the parameters, seeds one :class:`numpy.random.Generator`, builds the instance, optionally
adds predictions (:mod:`kvopt.generators.predictions`) and records the family, seed and
parameters in the instance's metadata. The same seed and parameters always give the same
instance.

Examples
--------
>>> from kvopt.generators import generate
>>> inst = generate("identical", seed=0, n=3, prompt=1, output=2, memory=10)
>>> inst.n, inst.memory
(3, 10)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kvopt.generators import (
    amax,
    blocking_thin,
    identical,
    paper1,
    poisson,
    predictions,
    stochastic,
    trace,
)
from kvopt.generators.base import GeneratorError, Param, as_generator, resolve
from kvopt.model import Instance

#: Family name -> module.
FAMILIES = {m.NAME: m for m in (paper1, poisson, trace, identical, blocking_thin, amax, stochastic)}

#: Options every family accepts: predictions (see :mod:`kvopt.generators.predictions`).
PREDICTION_PARAMS = (
    Param("noise", float, None, "point predictions with relative noise eps (e.g. 0.2)"),
    Param("bias", str, "symmetric", "direction of the noise", predictions.BIASES),
    Param("interval", float, None, "intervals [lo, hi] with accuracy alpha = lo/hi"),
    Param(
        "placement", str, "uniform", "where the truth sits in its interval", predictions.PLACEMENTS
    ),
)


def generate(
    family: str,
    seed: int | np.random.Generator | None = 0,
    *,
    name: str | None = None,
    **params: Any,
) -> Instance:
    """Generate an instance of ``family``.

    Parameters
    ----------
    family
        A key of :data:`FAMILIES` (``paper1-synthetic``, ``poisson``, ``trace``,
        ``identical``, ``blocking-thin``, ``amax-family``, ``stochastic``).
    seed
        An integer seed (recorded in the metadata) or a numpy Generator.
    name
        The instance's name (default ``"<family>-s<seed>"``).
    **params
        The family's parameters (see ``kvopt generate FAMILY --help``) and the prediction
        options ``noise``, ``bias``, ``interval``, ``placement``.

    Raises
    ------
    GeneratorError
        For an unknown family or parameter, or impossible values (one line, naming them).
    """
    try:
        module = FAMILIES[family]
    except KeyError:
        raise GeneratorError(f"unknown family {family!r} (known: {', '.join(FAMILIES)})") from None
    pred_names = {p.name for p in PREDICTION_PARAMS}
    pred = resolve(family, PREDICTION_PARAMS, {k: v for k, v in params.items() if k in pred_names})
    fam = resolve(family, module.PARAMS, {k: v for k, v in params.items() if k not in pred_names})
    rng = as_generator(seed)
    # The predictions draw from their own stream, so adding them leaves the requests alone.
    pred_rng = np.random.default_rng(rng.integers(2**63))
    if name is None:
        name = f"{family}-s{seed}" if not isinstance(seed, np.random.Generator) else family
    inst = module.build(rng, name, **fam)
    inst = predictions.add_predictions(inst, pred_rng, **pred)
    meta = dict(inst.metadata)
    if pred["noise"] is None:
        del pred["bias"]
    if pred["interval"] is None:
        del pred["placement"]
    used = {k: v for k, v in {**fam, **pred}.items() if v is not None}
    meta = {
        "generator": family,
        "seed": seed if not isinstance(seed, np.random.Generator) else None,
        "params": used,
        **meta,
    }
    return inst.replace(metadata=meta)


__all__ = ["FAMILIES", "PREDICTION_PARAMS", "GeneratorError", "Param", "generate"]

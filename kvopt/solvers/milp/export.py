"""Write the MILP of an instance to ``.lp`` or ``.mps`` for other tools."""

from __future__ import annotations

import os
from pathlib import Path

from kvopt.errors import KvoptError
from kvopt.model import Instance
from kvopt.solvers.common import prepare
from kvopt.solvers.milp.model import build_model

_FORMATS = {".lp": "lp", ".mps": "mps"}


def write_model(
    instance: Instance,
    path: str | os.PathLike[str],
    *,
    windows: bool = True,
    symmetry: bool = True,
    sparse_rows: bool = True,
    aggregate: bool = True,
) -> Path:
    """Build the MILP of ``instance`` and write it to ``path`` (format from the suffix).

    The variable ``x[u, k]`` keeps its name (``x(u_k)`` in the files, symbolic labels),
    so a solution of another tool can be read back; with ``aggregate`` (the default, as
    in :func:`kvopt.solvers.milp.solve`) ``u`` numbers the groups of identical requests
    in the order of their first member (:func:`kvopt.solvers.common.identical_units`),
    otherwise ``u`` is the request's index. The options are those of
    :func:`kvopt.solvers.milp.solve`.

    Raises
    ------
    KvoptError
        If the suffix is neither ``.lp`` nor ``.mps``.
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise KvoptError(f"{path}: model files end in .lp or .mps, not {path.suffix!r}")
    prepared = prepare(instance, None, windows=windows, symmetry=symmetry)
    model, _ = build_model(instance, prepared, sparse_rows=sparse_rows, aggregate=aggregate)
    model.write(str(path), format=fmt, io_options={"symbolic_solver_labels": True})
    return path

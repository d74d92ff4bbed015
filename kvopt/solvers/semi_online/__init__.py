"""Exact backends for identical requests: the semi-online DP and the identical stream.

One package for what used to be four top-level modules (their old names,
``kvopt.semi_online``, ``kvopt.semi_online_periodic``, ``kvopt.semi_online_quotient``
and ``kvopt.identical_stream``, still import, as aliases of the modules here):

- :mod:`~kvopt.solvers.semi_online.staircase`: the staircase states and the primitives
  every algorithm on them shares (moves, the move table, the layered DP); a leaf.
- :mod:`~kvopt.solvers.semi_online.quotient`: the minimal automaton of the move table.
- :mod:`~kvopt.solvers.semi_online.periodic`: periodic certificates of the DP.
- :mod:`~kvopt.solvers.semi_online.asymptotics`: the potentials of the proof that a
  certificate always exists (maximum throughput, slopes, the tight moves).
- :mod:`~kvopt.solvers.semi_online.dp`: the exact algorithm for ``n`` identical requests
  at time 0, the ``"semi-online"`` backend of :func:`kvopt.solve`.
- :mod:`~kvopt.solvers.semi_online.stream`: identical requests arriving over time, the
  ``"identical-stream"`` backend.

Everything here needs numpy only (no Pyomo, no OR-Tools).
"""

from kvopt.solvers.semi_online.dp import (
    IdenticalParameters,
    SemiOnlineError,
    counts_to_starts,
    greedy_counts,
    identical_parameters,
    is_prompt_dominated,
    method_for,
    objective_of_counts,
    optimal_counts,
    optimal_groups,
    optimal_starts,
    optimal_sums,
    optimal_total_latency,
    solve,
    window_bound,
)

__all__ = [
    "IdenticalParameters",
    "SemiOnlineError",
    "counts_to_starts",
    "greedy_counts",
    "identical_parameters",
    "is_prompt_dominated",
    "method_for",
    "objective_of_counts",
    "optimal_counts",
    "optimal_groups",
    "optimal_starts",
    "optimal_sums",
    "optimal_total_latency",
    "solve",
    "window_bound",
]

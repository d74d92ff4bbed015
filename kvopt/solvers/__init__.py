"""Exact solvers for the minimum total latency: the MILP and the CP-SAT backend.

Both backends share only what is proven to keep an optimal schedule
(:mod:`~kvopt.solvers.horizon`, :mod:`~kvopt.solvers.heuristic`, the bookkeeping of
:mod:`~kvopt.solvers.common`); their models are written independently
(``models/milp.md``, ``models/cpsat.md``) so that two agreeing optima are two witnesses.
"""

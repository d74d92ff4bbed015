"""The primal side of the exact solvers: good schedules, fast.

:func:`best_schedule` starts from every applicable policy and the earliest-fit orders
(:mod:`~kvopt.solvers.primal.seeds`), improves the best with an iterated local search
over earliest-fit orders (:mod:`~kvopt.solvers.primal.orders`,
:mod:`~kvopt.solvers.primal.ils`) and then with CP-SAT large-neighbourhood search
(:mod:`~kvopt.solvers.primal.lns`). Every schedule it returns is verified.
"""

from kvopt.solvers.primal.search import Improvement, PrimalResult, best_schedule

__all__ = ["Improvement", "PrimalResult", "best_schedule"]

"""kvopt: scheduling LLM inference under KV-cache memory limits.

The model (``models/README.md``): one worker with a KV cache of M tokens processes a
batch per round; every request in the batch produces one token and holds its prompt plus
the tokens produced so far. kvopt computes certified optimal schedules, runs the
literature's online policies, generates calibrated and adversarial instances, and checks
everything with one verifier, :func:`verify`.
"""

from kvopt import calibration  # noqa: F401  (registers the calibrated time models)
from kvopt.errors import FormatError, InstanceError, KvoptError, ScheduleError, Violation
from kvopt.generators import generate
from kvopt.io import Solution, load_instance, load_solution, save_instance, save_solution
from kvopt.model import Instance, Request
from kvopt.result import Result
from kvopt.schedule import Run, Schedule
from kvopt.simulate import SimResult, SimulationError, simulate
from kvopt.solve import solve
from kvopt.solvers.lp_bound import lower_bound
from kvopt.verify import Report, verify

__version__ = "0.1.0"

__all__ = [
    "FormatError",
    "Instance",
    "InstanceError",
    "KvoptError",
    "Report",
    "Request",
    "Result",
    "Run",
    "Schedule",
    "ScheduleError",
    "SimResult",
    "SimulationError",
    "Solution",
    "Violation",
    "generate",
    "load_instance",
    "load_solution",
    "lower_bound",
    "save_instance",
    "save_solution",
    "simulate",
    "solve",
    "verify",
]

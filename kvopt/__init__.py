"""kvopt: scheduling LLM inference under KV-cache memory limits.

The model (``models/README.md``): one worker with a KV cache of M tokens processes a
batch per round; every request in the batch produces one token and holds its prompt plus
the tokens produced so far. kvopt computes certified optimal schedules, runs the
literature's online policies, generates calibrated and adversarial instances, and checks
everything with one verifier, :func:`verify`.
"""

from kvopt import calibration  # noqa: F401  (registers the calibrated time models)
from kvopt.compare import CompareTable, compare
from kvopt.energy import POWER_MODELS, Energy, PowerModel
from kvopt.errors import FormatError, InstanceError, KvoptError, ScheduleError, Violation
from kvopt.generators import FAMILIES, generate
from kvopt.generators.trace import TRACES
from kvopt.generators.trace_formats import FORMATS as TRACE_FORMATS
from kvopt.generators.trace_formats import read_requests
from kvopt.io import Solution, load_instance, load_solution, save_instance, save_solution
from kvopt.model import Instance, Request
from kvopt.policies import POLICIES, make_policy
from kvopt.policies.oracle import OracleWarning
from kvopt.policies.spec import policy_from_spec
from kvopt.result import Result, Status
from kvopt.schedule import Run, Schedule
from kvopt.simulate import SimResult, SimulationError, simulate
from kvopt.solve import solve
from kvopt.solvers.lp_bound import lower_bound
from kvopt.time_model import TIME_MODELS, get_time_model
from kvopt.verify import Report, verify
from kvopt.versions import show_versions

__version__ = "0.1.0"

__all__ = [
    "FAMILIES",
    "POLICIES",
    "POWER_MODELS",
    "TIME_MODELS",
    "TRACES",
    "TRACE_FORMATS",
    "CompareTable",
    "Energy",
    "FormatError",
    "Instance",
    "InstanceError",
    "KvoptError",
    "OracleWarning",
    "PowerModel",
    "Report",
    "Request",
    "Result",
    "Run",
    "Schedule",
    "ScheduleError",
    "SimResult",
    "SimulationError",
    "Solution",
    "Status",
    "Violation",
    "compare",
    "generate",
    "get_time_model",
    "load_instance",
    "load_solution",
    "lower_bound",
    "make_policy",
    "policy_from_spec",
    "read_requests",
    "save_instance",
    "save_solution",
    "show_versions",
    "simulate",
    "solve",
    "verify",
]

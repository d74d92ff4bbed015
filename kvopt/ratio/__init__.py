"""The ratio lab: empirical competitive ratios against certified optima.

* :mod:`~kvopt.ratio.trial`: one trial (generate, run the policies, certify OPT) and
  the sweep configuration with deterministic per-trial seeds;
* :mod:`~kvopt.ratio.store`: the SQLite store (each trial committed as it ends; reruns
  resume);
* :mod:`~kvopt.ratio.executors` and :mod:`~kvopt.ratio.runner`: serial, process-pool and
  Dask execution of a sweep;
* :mod:`~kvopt.ratio.report`: tables, CSV/JSON and plots, exact ratios and upper
  estimates kept apart;
* :mod:`~kvopt.ratio.adversary`: adaptive adversaries with the policy in the loop, and
  growth-exponent fits;
* :mod:`~kvopt.ratio.bound_checks`: checks of the papers' competitive-ratio theorems.
"""

from kvopt.ratio.runner import SweepRun, run_sweep
from kvopt.ratio.store import Store
from kvopt.ratio.trial import PolicySpec, Sweep, TrialSpec, certify, run_trial, trial_seed

__all__ = [
    "PolicySpec",
    "Store",
    "Sweep",
    "SweepRun",
    "TrialSpec",
    "certify",
    "run_sweep",
    "run_trial",
    "trial_seed",
]

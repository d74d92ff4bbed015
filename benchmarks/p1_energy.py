"""Check P1's claim that MC-SF also uses less energy than the memory-aware benchmark.

P1 (``models/literature.md``, "Real trace") simulates 10,000 LMSYS-Chat-1M requests on
Llama-2-70B with two A100s (M = 16,492) at Poisson rates of 50 and 10 requests per second
and says energy is lower with MC-SF, with no figures. This script generates the same
setting with kvopt's ``poisson`` family (LMSYS-like lengths in tokens, a100-tp2 time
model, M = 16,492), runs MC-SF and the memory-aware benchmark (and vLLM-like and FCFS for
reference) with perfect predictions as in P1 (``oracle=True``), and prints the comparison
table and MC-SF's energy relative to the benchmark under the power model of
``models/energy.md`` and four variants of its shape (the uncertainty of the model).

Usage::

    python benchmarks/p1_energy.py [--n 10000] [--rates 50 10] [--jobs 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import time

import kvopt
from kvopt.energy import POWER_MODELS, schedule_energy
from kvopt.metrics import clock_start

#: Length settings: kvopt's LMSYS-like token lengths, and P1's reported means (which are
#: probably words, models/literature.md) as token means.
LENGTHS = {
    "lmsys-tokens": {},
    "p1-means": {"prompt_mean": 40.6, "output_mean": 85.3},
}

POLICIES = ["mcsf", "mc-benchmark", "vllm", "fcfs"]
TIME_MODEL = "a100-tp2-llama2-70b"

#: Variants of the A100 power model's shape (models/energy.md, "Uncertainty"): busy
#: power -25 % / +25 %, per-token watts halved, doubled with idle +30 %.
_PM = POWER_MODELS[TIME_MODEL]
VARIANTS = {
    "model": {},
    "busy -25%": {"busy": 0.75 * _PM.busy},
    "busy +25%": {"busy": 1.25 * _PM.busy},
    "per-token x0.5": {"per_token": 0.5 * _PM.per_token},
    "per-token x2, idle +30%": {"per_token": 2 * _PM.per_token, "idle": 1.3 * _PM.idle},
}


def energy_ratios(inst: kvopt.Instance) -> dict[str, float]:
    """MC-SF's energy over the benchmark's, for each power-model variant."""
    runs = {p: kvopt.simulate(inst, p, TIME_MODEL, oracle=True) for p in ("mcsf", "mc-benchmark")}
    out = {}
    for name, change in VARIANTS.items():
        pm = dataclasses.replace(POWER_MODELS[TIME_MODEL], **change)
        joules = {}
        for p, res in runs.items():
            span = res.makespan_seconds - clock_start(res)
            joules[p] = schedule_energy(res.instance, res.schedule, res.time_model, pm, span).joules
        out[name] = joules["mcsf"] / joules["mc-benchmark"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--rates", type=float, nargs="+", default=[50.0, 10.0])
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    for (lengths, means), rate in itertools.product(LENGTHS.items(), args.rates):
        inst = kvopt.generate(
            "poisson", seed=1, n=args.n, rate=rate, memory=16_492,
            name=f"{lengths}-rate{rate:g}", **means,
        )  # fmt: skip
        t0 = time.perf_counter()
        table = kvopt.compare(inst, POLICIES, time_model=TIME_MODEL, jobs=args.jobs, oracle=True)
        print(table.format())
        print(f"({time.perf_counter() - t0:.1f} s)")
        ratios = energy_ratios(inst)
        print("MC-SF energy / memory-aware benchmark energy:")
        for name, r in ratios.items():
            print(f"  {name:26s} {r:.3f}")
        print()


if __name__ == "__main__":
    main()

"""Generate the known-optimum instances of this folder and certify their optima.

Run from the repository root: ``python instances/known/make_known.py``. For each
seeded instance it solves the MILP and CP-SAT to proven optimality and, for n <= 7,
runs the exhaustive search of ``tests/helpers/exhaustive.py``; it writes the instance files and
``optima.csv`` only if every method agrees (otherwise it stops with an error).

Families (s_i, o_i uniform integers; "tight" M is the largest s_i + o_i, i.e. the
smallest valid cache, plus 0..2 tokens; "loose" M is 2.5 times that):

* ``k<n>_zero_<tight|loose>_<seed>``: every request arrives at 0;
* ``k<n>_rand_<tight|loose>_<seed>``: arrivals uniform in [0, 2n];
* ``k<n>_twins_<seed>``: pairs of identical requests (exercises symmetry breaking).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import kvopt  # noqa: E402
from kvopt.model import Instance  # noqa: E402
from tests.helpers.exhaustive import exhaustive_optimum  # noqa: E402

HERE = Path(__file__).resolve().parent
EXHAUSTIVE_MAX_N = 7


def family(n: int, arrivals: str, memory: str, seed: int) -> Instance:
    """One seeded instance of the families above."""
    codes = {"zero": 0, "rand": 1, "twins": 2, "tight": 0, "loose": 1, "": 2}
    rng = np.random.default_rng([n, seed, codes[arrivals], codes[memory]])
    if arrivals == "twins":
        half = (n + 1) // 2
        s = np.repeat(rng.integers(1, 8, half), 2)[:n]
        o = np.repeat(rng.integers(1, 8, half), 2)[:n]
        a = np.repeat(rng.integers(0, n, half), 2)[:n]
        name = f"k{n:02d}_twins_{seed}"
    else:
        s = rng.integers(1, 9, n)
        o = rng.integers(1, 9, n)
        a = np.zeros(n, dtype=np.int64) if arrivals == "zero" else rng.integers(0, 2 * n + 1, n)
        name = f"k{n:02d}_{arrivals}_{memory}_{seed}"
    peak = int((s + o).max())
    m = peak + int(rng.integers(0, 3)) if memory in ("tight", "") else int(2.5 * peak)
    return Instance.from_arrays(
        name,
        m,
        arrival=a,
        prompt=s,
        output=o,
        metadata={"generator": "instances/known/make_known.py", "seed": seed},
    )


def instances() -> list[Instance]:
    out = []
    for n in range(3, 13):
        for arrivals in ("zero", "rand"):
            for memory in ("tight", "loose"):
                if n > 9 and memory == "loose" and arrivals == "zero":
                    continue  # the loose all-at-zero cases are the slowest to prove
                out.append(family(n, arrivals, memory, seed=1))
    for n in (4, 6, 8):
        out.append(family(n, "twins", "", seed=1))
    return out


def certify(inst: Instance) -> dict:
    row = {"name": inst.name, "n": inst.n, "memory": inst.memory}
    for solver in ("milp", "cpsat"):
        r = kvopt.solve(inst, solver, time_limit=600)
        if r.status != "optimal":
            raise SystemExit(f"{inst.name}: {solver} did not prove optimality ({r.status})")
        row[solver] = r.objective
    row["exhaustive"] = exhaustive_optimum(inst)[0] if inst.n <= EXHAUSTIVE_MAX_N else ""
    values = {row["milp"], row["cpsat"]} | ({row["exhaustive"]} - {""})
    if len(values) != 1:
        raise SystemExit(f"{inst.name}: methods disagree: {row}")
    row["optimum"] = row["milp"]
    return row


def main() -> None:
    rows = []
    for inst in instances():
        row = certify(inst)
        kvopt.save_instance(inst, HERE / f"{inst.name}.json")
        rows.append(row)
        print(row, flush=True)
    with open(HERE / "optima.csv", "w", newline="") as f:
        w = csv.DictWriter(
            f, fieldnames=["name", "optimum", "n", "memory", "milp", "cpsat", "exhaustive"]
        )
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()

"""Step 2 of the tutorial: why shortest-first is not optimal.

The ``blocking-thin`` family (``proofs/blocking_thin.md``): at time 0, B = ceil(sqrt(M))
*blockers* (prompt M - 2, output 1: each holds M - 1 tokens, so it runs alone) and
T = floor(M / 3) *thin* requests (prompt 1, output 2: all fit together). Shortest-first
(SF), FCFS and MC-SF run the blockers first, one per round, and every thin request waits
B rounds; the optimum runs the thin ones first. The script simulates the policies for
growing M, solves the small instances exactly (checking the proof's closed-form optimum
against the solver), and draws the ratio curve against (2/7) sqrt(M) and the two
schedules side by side for M = 25.

Run from the repository root::

    python examples/step2_shortest_first.py [--out examples/figures]
"""

# requires: solver:milp, module:kvopt.simulate, module:kvopt.policies

from __future__ import annotations

import math

import tutorial  # examples/tutorial.py: the --out option and the figure folder

import kvopt
from kvopt.generators import generate
from kvopt.generators.blocking_thin import counts, optimal_objective
from kvopt.plot import plot_solutions
from kvopt.policies import make_policy
from kvopt.simulate import simulate

#: Cache sizes of the ratio curve; the exact solver also runs for those up to EXACT_UP_TO.
SIZES = (6, 9, 12, 16, 25, 36, 49, 64, 100, 144, 256, 400, 625, 900)
EXACT_UP_TO = 36
POLICIES = ("sf", "fcfs", "mcsf")


def main(argv: list[str] | None = None) -> None:
    ap = tutorial.parser(__doc__)
    args = ap.parse_args(argv)
    out = tutorial.figure_folder(args)

    head = f"{'M':>5} {'B':>3} {'T':>4} {'OPT':>7} {'from':>8}"
    print(head + "".join(f"{p:>8}" for p in POLICIES) + f"{'SF/OPT':>8}{'(2/7)√M':>9}")
    ratios = []
    for m in SIZES:
        inst = generate("blocking-thin", seed=0, memory=m)
        b, t = counts(m)
        results = {p: simulate(inst, make_policy(p)) for p in POLICIES}
        opt = optimal_objective(b, t)
        source = "proof"
        if m <= EXACT_UP_TO:  # the solver confirms the proof's optimum
            exact = kvopt.solve(inst, "milp", time_limit=60)
            assert exact.status == "optimal" and exact.objective == opt, (m, exact.objective)
            source = "solver"
        sf = results["sf"].objective
        ratios.append(sf / opt)
        row = f"{m:>5} {b:>3} {t:>4} {opt:>7} {source:>8}"
        row += "".join(f"{results[p].objective:>8}" for p in POLICIES)
        print(row + f"{sf / opt:>8.3f}{2 / 7 * math.sqrt(m):>9.3f}")
    # the ratio keeps growing with M: no constant factor bounds shortest-first
    assert all(b > a for a, b in zip(ratios, ratios[1:], strict=False)), ratios

    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.6), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(SIZES, ratios, marker="o", label="SF / OPT")
    ax.plot(
        SIZES,
        [2 / 7 * math.sqrt(m) for m in SIZES],
        ls="--",
        color="grey",
        label=r"$\frac{2}{7}\sqrt{M}$ (the limit of the proof)",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("KV cache size M (tokens)")
    ax.set_ylabel("total latency, SF / OPT")
    ax.set_title("blocking/thin: shortest-first against the optimum")
    ax.legend()
    fig.savefig(out / "step2_ratio_curve.png", dpi=110)
    print(f"wrote {out / 'step2_ratio_curve.png'}")

    # the two schedules for M = 25
    inst = generate("blocking-thin", seed=0, memory=25)
    sf = simulate(inst, make_policy("sf")).to_solution()
    exact = kvopt.solve(inst, "milp", time_limit=60)
    picture = plot_solutions(inst, [sf, exact], labels=["shortest-first", "optimum (MILP)"])
    print(f"wrote {picture.save(out / 'step2_m25.png')}")


if __name__ == "__main__":
    main()

"""Step 3 of the tutorial: MC-SF against the optimum on P1-style instances.

P1's synthetic experiment (``models/literature.md``) draws M ~ U[30, 50], prompts
s ~ U[1, 5] and outputs o ~ U[1, M - s], with all requests at time 0 or Poisson arrivals,
and compares MC-SF with the hindsight optimum. Its instances have 40-60 requests and
needed Gurobi; a classroom run has seconds, so this step draws the same distributions
with n = 6 requests (``generate("paper1-synthetic", n=6)``), simulates MC-SF, and asks
the exact CP-SAT model for the optimum within a short time limit, warm-started with
MC-SF's schedule. Where the solver proves optimality the ratio is exact; where it does
not, the ratio is reported against its lower bound, as an upper estimate ("<=") — the
two are never mixed silently. The worst instance is drawn, MC-SF next to the optimum.

Run from the repository root::

    python examples/step3_mcsf_vs_optimum.py [--out examples/figures] [--seeds 6]
"""

# requires: solver:cpsat, module:kvopt.simulate, module:kvopt.policies

from __future__ import annotations

import numpy as np
import tutorial  # examples/tutorial.py: the --out option and the figure folder

import kvopt
from kvopt.generators import generate
from kvopt.plot import plot_solutions
from kvopt.policies import make_policy
from kvopt.simulate import simulate


def main(argv: list[str] | None = None) -> None:
    ap = tutorial.parser(__doc__)
    ap.add_argument("--seeds", type=int, default=6, help="instances per arrival model")
    ap.add_argument("--n", type=int, default=6, help="requests per instance")
    ap.add_argument("--time-limit", type=float, default=2.0, help="seconds per exact solve")
    args = ap.parse_args(argv)
    out = tutorial.figure_folder(args)

    print(f"{'arrivals':<9}{'seed':>5}{'M':>4}{'MC-SF':>7}{'OPT/LB':>8}  {'status':<8}{'ratio':>8}")
    rows = []
    for arrivals in ("zero", "poisson"):
        for seed in range(args.seeds):
            inst = generate("paper1-synthetic", seed=seed, n=args.n, arrivals=arrivals)
            mcsf = simulate(inst, make_policy("mcsf"))
            exact = kvopt.solve(
                inst, "cpsat", time_limit=args.time_limit, threads=1, initial=mcsf.schedule
            )
            alg = mcsf.objective
            if exact.status == "optimal":
                ref, kind = exact.objective, "optimal"
                assert alg >= ref  # no policy beats a proven optimum
            else:
                ref, kind = exact.lower_bound, "bound"
            ratio = alg / ref
            rows.append((arrivals, seed, inst, mcsf, exact, ratio, kind))
            sign = "=" if kind == "optimal" else "<="
            print(
                f"{arrivals:<9}{seed:>5}{inst.memory:>4}{alg:>7}{ref:>8.0f}  {kind:<8}"
                f"{sign:>2}{ratio:>6.3f}"
            )
    for arrivals in ("zero", "poisson"):
        proven = [r[5] for r in rows if r[0] == arrivals and r[6] == "optimal"]
        if proven:
            print(
                f"{arrivals}: {len(proven)} proven optima, MC-SF/OPT mean {np.mean(proven):.3f}, "
                f"worst {max(proven):.3f}, MC-SF optimal on {sum(r == 1 for r in proven)}"
            )

    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.4), layout="constrained")
    ax = fig.add_subplot()
    styles = {
        "optimal": dict(marker="o", color="#3b75af", label="exact ratio (proven optimum)"),
        "bound": dict(marker="^", color="#999999", label="ratio <= (solver's lower bound)"),
    }
    for k, arrivals in enumerate(("zero", "poisson")):
        mine = [r for r in rows if r[0] == arrivals]
        x = k + np.linspace(-0.15, 0.15, len(mine))
        for xi, r in zip(x, mine, strict=True):
            ax.scatter([xi], [r[5]], **styles[r[6]])
            styles[r[6]].pop("label", None)  # one legend entry per kind
    ax.axhline(1, color="grey", lw=0.8)
    ax.set_xticks([0, 1], ["all at time 0", "Poisson arrivals"])
    ax.set_ylabel("MC-SF / OPT (total latency)")
    ax.set_title(f"MC-SF against the optimum, P1-style instances with n = {args.n}")
    ax.legend(fontsize=8)
    fig.savefig(out / "step3_ratios.png", dpi=110)
    print(f"wrote {out / 'step3_ratios.png'}")

    # the worst proven case (on a very slow machine, the worst case of any kind)
    proven = [r for r in rows if r[6] == "optimal"] or rows
    worst = max(proven, key=lambda r: r[5])
    arrivals, seed, inst, mcsf, exact = worst[:5]
    picture = plot_solutions(
        inst,
        [mcsf.to_solution(), exact],
        labels=["MC-SF", "optimum (CP-SAT)"],
        title=f"P1-style instance ({arrivals} arrivals, seed {seed}, M = {inst.memory})",
    )
    print(f"wrote {picture.save(out / 'step3_worst.png')}")


if __name__ == "__main__":
    main()

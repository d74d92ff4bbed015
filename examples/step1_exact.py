"""Step 1 of the tutorial: six requests, solved exactly and drawn.

The shipped instance ``instances/example6.json`` (six requests, a 12-token KV cache)
comes with a schedule made by a simple rule, "earliest fit": start every request as
early as the memory allows, in arrival order. Here the exact solver finds the schedule of
minimum total latency, the verifier checks it, and ``kvopt.plot`` draws both side by
side, as a picture and as an interactive page (``kvopt.plot_html``: open it in a browser
and hover the runs to read each request's start, end, latency and memory). A sweep over
the cache size M then shows how the optimum falls towards the trivial lower bound (the
sum of the output lengths) as memory grows.

Run from the repository root::

    python examples/step1_exact.py [--out examples/figures]
"""

# requires: solver:milp, module:kvopt.plot_html

from __future__ import annotations

import tutorial  # examples/tutorial.py: the --out option and the figure folder

import kvopt
from kvopt.plot import plot_solutions
from kvopt.plot_html import write_html
from kvopt.trivial_bounds import trivial_lower_bound

ROOT = tutorial.ROOT


def main(argv: list[str] | None = None) -> None:
    ap = tutorial.parser(__doc__)
    args = ap.parse_args(argv)
    out = tutorial.figure_folder(args)

    inst = kvopt.load_instance(ROOT / "instances" / "example6.json")
    greedy = kvopt.load_solution(ROOT / "instances" / "example6.sol.json")

    # 1. the optimum, with a certificate (status "optimal" = proven)
    result = kvopt.solve(inst, "milp", time_limit=60)
    report = kvopt.verify(inst, result.schedule, allow_eviction=False)
    greedy_report = kvopt.verify(inst, greedy.schedule)
    print(f"{'schedule':<14}{'total latency':>14}{'makespan':>10}{'peak memory':>13}")
    for name, rep in (
        ("earliest fit", greedy_report),
        (f"{result.solver} ({result.status})", report),
    ):
        print(f"{name:<14}{rep.objective:>14}{rep.makespan:>10}{rep.peak_memory:>13}")
    print("optimal starts:", dict(zip(inst.ids, report.start.tolist(), strict=True)))
    print(f"earliest fit / optimum = {greedy_report.objective / report.objective:.3f}")
    # the numbers examples/README.md quotes
    assert result.status == "optimal" and report.objective == 31, report.objective
    assert greedy_report.objective == 42

    # 2. the picture: earliest fit next to the optimum
    picture = plot_solutions(inst, [greedy, result], labels=["earliest fit", "optimum (MILP)"])
    path = picture.save(out / "step1_example6.png")
    print(f"wrote {path}")
    # ... and as a page for the browser (hover a run for its latency; the metrics table)
    page = write_html(inst, {"earliest fit": greedy, "optimum (MILP)": result}, out / "step1.html")
    assert [p.report.objective for p in page.panels] == [42, 31]
    print(f"wrote {out / 'step1.html'} (open it in a browser)")

    # 3. the optimum as a function of the cache size M
    sizes = list(range(int(inst.peak.max()), 25))
    optima = []
    for m in sizes:
        r = kvopt.solve(inst.replace(memory=m), "milp", time_limit=60)
        assert r.status == "optimal", r.status
        optima.append(r.objective)
    bound = [trivial_lower_bound(inst.replace(memory=m)) for m in sizes]
    print("M:      ", " ".join(f"{m:>3}" for m in sizes))
    print("optimum:", " ".join(f"{v:>3}" for v in optima))
    print("bound:  ", " ".join(f"{v:>3.0f}" for v in bound))
    assert all(o >= b for o, b in zip(optima, bound, strict=True))
    # exercise 1(b): starting everybody on arrival needs 22 tokens, so OPT = sum(o) iff M >= 22
    on_arrival = kvopt.verify(inst, kvopt.Schedule.from_starts(inst, inst.arrival), strict=False)
    assert on_arrival.peak_memory == 22 and on_arrival.objective == int(inst.output.sum()) == 21
    assert optima[sizes.index(22)] == 21 and optima[sizes.index(21)] == 22

    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.4), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(sizes, optima, marker="o", label="optimal total latency")
    ax.plot(sizes, bound, marker=".", ls="--", color="grey", label="trivial lower bound")
    ax.set_xlabel("KV cache size M (tokens)")
    ax.set_ylabel("total latency (rounds)")
    ax.set_title("example6: the optimum against the cache size")
    ax.legend()
    fig.savefig(out / "step1_memory_sweep.png", dpi=110)
    print(f"wrote {out / 'step1_memory_sweep.png'}")


if __name__ == "__main__":
    main()

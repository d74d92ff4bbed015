"""Step 4 of the tutorial: a trace-driven simulation with a calibrated A100 time model.

Real requests: a window of 3,000 consecutive requests of the Azure LLM inference trace
2023 (conversation service; ``instances/traces/``), with their real prompt and output
lengths and arrival times in seconds. Real time: the ``a100-tp2-llama2-70b`` time model
(Llama-2-70B on two A100s, fitted from Vidur's measured profiles, ``models/time_models.md``)
gives every round a duration from its batch, and its KV capacity M = 54,067 tokens.
The trace's rate is far above what one replica serves, so it is slowed down
(``rate_scale`` < 1). The script simulates FCFS, shortest-first, MC-SF and a vLLM-like
evicting policy at growing load, draws mean and 99th-percentile latency in seconds
against the arrival rate, and the MC-SF and vLLM schedules of one run side by side
(the lane view that ``kvopt plot`` uses for large instances).

Run from the repository root::

    python examples/step4_trace_simulation.py [--out examples/figures]
"""

# requires: module:kvopt.simulate, module:kvopt.policies

from __future__ import annotations

import tutorial  # examples/tutorial.py: the --out option and the figure folder

from kvopt.generators import generate
from kvopt.plot import plot_solutions
from kvopt.policies import make_policy
from kvopt.simulate import simulate
from kvopt.time_model import get_time_model

POLICIES = ("fcfs", "sf", "mcsf", "vllm")
SCALES = (0.05, 0.1, 0.15, 0.2, 0.25)
TIME_MODEL = "a100-tp2-llama2-70b"


def main(argv: list[str] | None = None) -> None:
    ap = tutorial.parser(__doc__)
    ap.add_argument("--n", type=int, default=3000, help="requests taken from the trace")
    args = ap.parse_args(argv)
    out = tutorial.figure_folder(args)
    model = get_time_model(TIME_MODEL)

    rates, mean, p99 = [], {p: [] for p in POLICIES}, {p: [] for p in POLICIES}
    print(f"{'req/s':>6} {'policy':<6}{'mean s':>9}{'p99 s':>9}{'TTFT s':>8}{'evicted':>8}")
    for scale in SCALES:
        inst = generate(
            "trace",
            seed=0,
            trace="azure-conv-2023",
            n=args.n,
            rate_scale=scale,
            time_model=TIME_MODEL,
        )
        rate = (inst.n - 1) / float(inst.arrival_time.max())
        rates.append(rate)
        for p in POLICIES:
            res = simulate(inst, make_policy(p), time_model=model)
            s = res.summary()
            mean[p].append(s["mean_latency_seconds"])
            p99[p].append(s["p99_latency_seconds"])
            print(
                f"{rate:>6.2f} {p:<6}{s['mean_latency_seconds']:>9.1f}"
                f"{s['p99_latency_seconds']:>9.1f}{s['mean_ttft_seconds']:>8.1f}"
                f"{s['evicted_runs']:>8}"
            )
    # at the lightest load every policy serves requests about as fast as they come
    light = [mean[p][0] for p in POLICIES]
    assert max(light) < 1.5 * min(light), light

    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.6), layout="constrained")
    ax_mean, ax_tail = fig.subplots(1, 2, sharex=True)
    for p in POLICIES:
        ax_mean.plot(rates, mean[p], marker="o", label=p)
        ax_tail.plot(rates, p99[p], marker="o", label=p)
    ax_mean.set_ylabel("mean latency (s)")
    ax_tail.set_ylabel("99th percentile latency (s)")
    for ax in (ax_mean, ax_tail):
        ax.set_xlabel("arrival rate (requests / s)")
        ax.set_yscale("log")
    ax_mean.legend()
    fig.suptitle(
        f"Azure conversation trace, {args.n} requests, Llama-2-70B on 2 x A100 (M = {model.memory})"
    )
    fig.savefig(out / "step4_latency_vs_load.png", dpi=110)
    print(f"wrote {out / 'step4_latency_vs_load.png'}")

    # one run drawn: MC-SF next to the evicting vLLM-like policy (time axis in rounds)
    inst = generate(
        "trace",
        seed=0,
        trace="azure-conv-2023",
        n=args.n,
        rate_scale=0.2,
        time_model=TIME_MODEL,
    )
    runs = [simulate(inst, make_policy(p), time_model=model) for p in ("mcsf", "vllm")]
    # with arrival times in seconds, the simulation decides in which round each request
    # arrives (a busy machine has long rounds): each schedule refers to its own instance
    picture = plot_solutions(
        runs[0].instance,
        [r.to_solution() for r in runs],
        instances=[r.instance for r in runs],
        labels=["MC-SF", "vLLM-like"],
        title=f"{args.n} requests of the Azure conversation trace at 20 % of its rate",
    )
    print(f"wrote {picture.save(out / 'step4_schedules.png')}")


if __name__ == "__main__":
    main()

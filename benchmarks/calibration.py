"""Print the calibrated time models' constants, fit errors and KV capacities.

    python benchmarks/calibration.py

The output is the table of ``models/time_models.md`` (and of benchmarks/README.md,
"Calibrated time models"). It reads only the profiles shipped in kvopt/data/profiling/.
"""

from __future__ import annotations

from kvopt.calibration import HARDWARE, fit_time_model, format_fits
from kvopt.generators.rounds import steady_round_seconds


def main() -> None:
    print(format_fits())
    print()
    for name in sorted(HARDWARE):
        fit = fit_time_model(name)
        s = fit.summary()
        print(
            f"{name}: all-reduce {s['all_reduce_latency_ms']:.4f} ms + "
            f"{s['all_reduce_ms_per_mb']:.5f} ms/MB; prefill-line intercept "
            f"{s['prefill_intercept_ms']:.2f} ms; {fit.capacity.explain()}"
        )
    print()
    print("| model | rate (req/s) | M | regime | round (ms) | mean batch |")
    print("|---|---|---|---|---|---|")
    for name in sorted(HARDWARE):
        tm = fit_time_model(name).model
        for memory in (16492, tm.memory):
            for rate in (1.0, 10.0, 50.0):
                e = steady_round_seconds(tm, rate, 462, 210, memory)
                print(
                    f"| `{name}` | {rate:g} | {memory} | {e.regime} | {1e3 * e.seconds:.1f} "
                    f"| {e.batch:.1f} |"
                )


if __name__ == "__main__":
    main()

"""pytest-benchmark suite of kvopt's hot paths, so that a slowdown is visible.

Three measurements, each also checking its answer (a benchmark that returns a wrong
result fails):

- the verifier on a schedule of 10^5 runs (10^5 requests, one after the other);
- the simulator on 10^4 Poisson requests (the vLLM-like policy, a calibrated time model);
- one exact solve of 20 random requests (CP-SAT, one thread, proven optimal).

Not part of the default test run (``testpaths`` is ``tests/``); ``.ci/run`` runs it once:

    python -m pytest benchmarks/test_hot_paths.py --benchmark-only \
        --benchmark-json=benchmarks/results/hot_paths.json

Results (shared machine) are in ``benchmarks/README.md``, "Hot paths".
"""

from __future__ import annotations

import numpy as np
import pytest

import kvopt

pytest.importorskip("pytest_benchmark")


@pytest.fixture(scope="module")
def serial_100k() -> tuple[kvopt.Instance, kvopt.Schedule]:
    """10^5 requests run one after the other: feasible, 10^5 runs."""
    rng = np.random.default_rng(1)
    n = 100_000
    prompt, output = rng.integers(1, 50, n), rng.integers(1, 50, n)
    inst = kvopt.Instance.from_arrays(
        "serial-100k", 100, arrival=np.zeros(n, dtype=np.int64), prompt=prompt, output=output
    )
    starts = np.concatenate(([0], np.cumsum(output)[:-1]))
    return inst, kvopt.Schedule.from_starts(inst, starts)


def test_verify_100k_runs(benchmark, serial_100k):
    inst, schedule = serial_100k
    report = benchmark(kvopt.verify, inst, schedule, allow_eviction=False)
    completion = np.cumsum(inst.output)
    assert report.feasible and report.objective == int(completion.sum())
    assert len(schedule) == 100_000


def test_simulate_10k_requests(benchmark):
    inst = kvopt.generate("poisson", seed=1, n=10_000)
    model = "a100-tp2-llama2-70b"
    res = benchmark.pedantic(kvopt.simulate, args=(inst, "vllm", model), rounds=3, iterations=1)
    report = kvopt.verify(res.instance, res.to_solution().schedule)
    assert report.feasible and report.objective == res.objective


def test_solve_20_requests(benchmark):
    rng = np.random.default_rng(1)
    n = 20
    inst = kvopt.Instance.from_arrays(
        "rand20",
        30,
        arrival=rng.integers(0, 41, n),
        prompt=rng.integers(1, 11, n),
        output=rng.integers(1, 11, n),
    )

    def solve():
        return kvopt.solve(inst, "cpsat", time_limit=60, threads=1, seed=1)

    res = benchmark.pedantic(solve, rounds=1, iterations=1)
    assert res.status == "optimal" and res.lower_bound == res.objective
    assert kvopt.verify(inst, res.schedule, allow_eviction=False).objective == res.objective

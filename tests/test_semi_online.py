"""Tests of kvopt.semi_online against the exhaustive reference and the verifier."""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest

import kvopt
from kvopt.errors import KvoptError
from kvopt.model import Instance
from kvopt.schedule import Schedule
from kvopt.solvers.semi_online import dp as so
from tests.helpers.semi_online_reference import reference_objective, reference_starts

GRID = [
    (n, s, o, M)
    for s in range(1, 5)
    for o in range(1, 7)
    for M in range(s + o, s + o + 16)
    for n in range(1, 15)
]


def identical(n: int, s: int, o: int, M: int, arrival: int = 0) -> Instance:
    return Instance.from_arrays(
        f"id-{n}-{s}-{o}-{M}",
        M,
        arrival=np.full(n, arrival),
        prompt=np.full(n, s),
        output=np.full(n, o),
    )


def test_matches_exhaustive_reference_on_whole_grid():
    """Every case s <= 4, o <= 6, M <= s + o + 15, n <= 14 (5376 cases), both the
    layered DP and the A* search."""
    assert len(GRID) == 5376
    methods = set()
    for n, s, o, M in GRID:
        best = reference_objective(n, s, o, M)
        for search in ("dp", "astar"):
            x = so.optimal_counts(n, s, o, M, search=search)
            assert x.sum() == n and x[-1] > 0
            assert so.objective_of_counts(x) == best, (n, s, o, M, search)
        # the A* bound is a lower bound
        assert so._cost_bounds(n, s, o, M)[n] <= best
        methods.add(so.method_for(n, s, o, M))
    assert methods == set(so.METHODS)


def test_dp_and_astar_agree_beyond_the_grid():
    for n, s, o, M in [(200, 2, 6, 40), (120, 1, 3, 20), (60, 2, 8, 30), (90, 3, 5, 37)]:
        dp = so.optimal_counts(n, s, o, M, search="dp")
        astar = so.optimal_counts(n, s, o, M, search="astar")
        assert so.objective_of_counts(dp) == so.objective_of_counts(astar)
        inst = identical(n, s, o, M)
        kvopt.verify(
            inst, Schedule.from_starts(inst, so.counts_to_starts(dp)), allow_eviction=False
        )


@pytest.mark.parametrize("n,s,o,M", GRID[::37])
def test_backend_schedule_is_verified_optimal(n, s, o, M):
    inst = identical(n, s, o, M)
    res = kvopt.solve(inst, "semi-online")
    assert res.status == "optimal" and res.solver == "semi-online"
    rep = kvopt.verify(inst, res.schedule, allow_eviction=False)
    assert rep.objective == res.objective == reference_objective(n, s, o, M) + n * o
    assert res.lower_bound == res.objective and res.gap == 0


def test_reference_schedule_is_feasible_and_counterexample():
    # the example: greedy 10, optimum 9
    starts = reference_starts(7, 1, 2, 10)
    inst = identical(7, 1, 2, 10)
    kvopt.verify(inst, Schedule.from_starts(inst, starts), allow_eviction=False)
    assert sum(starts) == 9
    assert list(so.optimal_counts(7, 1, 2, 10)) == [2, 2, 2, 1]
    assert list(so.greedy_counts(7, 1, 2, 10)) == [3, 0, 3, 0, 1]


def test_common_arrival_is_shifted():
    inst = identical(9, 2, 3, 17, arrival=5)
    res = kvopt.solve(inst, "semi-online")
    assert res.objective == reference_objective(9, 2, 3, 17) + 9 * 3
    assert res.schedule.start.min() == 5


def test_greedy_is_feasible_and_never_better():
    worse = 0
    for n, s, o, M in GRID[::7]:
        g = so.greedy_counts(n, s, o, M)
        inst = identical(n, s, o, M)
        kvopt.verify(inst, Schedule.from_starts(inst, so.counts_to_starts(g)), allow_eviction=False)
        gap = so.objective_of_counts(g) - reference_objective(n, s, o, M)
        assert gap >= 0
        worse += gap > 0
    assert worse > 0  # greedy is strictly worse somewhere on the grid


@pytest.mark.parametrize("s", [1, 2, 5, 17])
def test_greedy_not_optimal_family(s):
    """proofs/greedy_not_optimal.md: o = 2, M = 4s + 6."""
    o, M = 2, 4 * s + 6
    for n in range(7, 40):
        g = so.objective_of_counts(so.greedy_counts(n, s, o, M))
        opt = so.objective_of_counts(so.optimal_counts(n, s, o, M))
        m, r = divmod(n, 3)
        assert g == 3 * m * (m - 1) + 2 * r * m  # greedy: 3 every 2 rounds
        p, q = divmod(n, 2)
        assert opt <= p * (p - 1) + q * p  # 2 every round
        assert opt < g
    # ratio of total latencies tends to 4/3
    n = 3000
    g = so.objective_of_counts(so.greedy_counts(n, s, o, M)) + n * o
    m2, r2 = divmod(n, 2)
    assert g / (m2 * (m2 - 1) + r2 * m2 + n * o) > 1.33


def test_prompt_dominated_closed_form_large():
    """n = 10^6, o = 200, s = 1000, M = 4999: four lanes, closed form, verified."""
    n, s, o, M = 1_000_000, 1000, 200, 4999
    assert so.method_for(n, s, o, M) == "prompt-dominated"
    inst = identical(n, s, o, M)
    res = kvopt.solve(inst, "semi-online")
    L, m = 4, n // 4
    assert res.objective == o * L * m * (m - 1) // 2 + n * o
    assert res.metadata["method"] == "prompt-dominated"


@pytest.mark.parametrize(
    "field,values,needle",
    [
        ("prompt", [3, 3, 4], "prompts differ"),
        ("output", [2, 5, 2], "outputs differ"),
        ("arrival", [0, 1, 0], "arrivals differ"),
    ],
)
def test_refuses_non_identical(field, values, needle):
    cols = {"arrival": [0, 0, 0], "prompt": [3, 3, 3], "output": [2, 2, 2]}
    cols[field] = values
    inst = Instance.from_arrays("mixed", 20, **cols)
    with pytest.raises(KvoptError, match=needle):
        kvopt.solve(inst, "semi-online")


def test_refuses_beyond_state_limit_with_bound():
    inst = identical(60, 2, 10, 60)
    with pytest.raises(so.SemiOnlineError, match="lower bound"):
        kvopt.solve(inst, "semi-online", max_states=100)
    with pytest.raises(so.SemiOnlineError, match="stopped"):
        so.optimal_counts(60, 2, 10, 60, max_states=100, search="dp")
    with pytest.raises(so.SemiOnlineError, match="search must be"):
        so.optimal_counts(60, 2, 10, 60, search="bfs")


def test_refuses_large_n_without_dp():
    with pytest.raises(so.SemiOnlineError, match="A\\* fallback"):
        so.optimal_counts(10**6, 150, 200, 1000, max_states=1000)


def test_refuses_huge_batches():
    with pytest.raises(so.SemiOnlineError, match="moves per state"):
        so.optimal_counts(10**9 + 1, 1, 2, 3 * 10**9 + 2)


def test_refuses_oversized_choice_table(monkeypatch):
    monkeypatch.setattr(so, "MAX_TABLE", 1000)
    with pytest.raises(so.SemiOnlineError, match="MAX_TABLE"):
        so.optimal_counts(100, 2, 6, 40)


def test_invalid_parameters():
    with pytest.raises(KvoptError, match="never fits"):
        so.optimal_counts(3, 5, 5, 9)
    with pytest.raises(KvoptError, match="n must be"):
        so.optimal_counts(-1, 1, 1, 5)
    with pytest.raises(KvoptError, match="unknown option"):
        kvopt.solve(identical(2, 1, 1, 5), "semi-online", colour="red")
    assert so.optimal_counts(0, 1, 1, 5).size == 0


def test_memory_grows_between_completions():
    """proofs/completion_times.md: the maximum of every stretch between departures is
    at its last round, so the verifier's check at completion times equals the dense one."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 12))
        prompt = rng.integers(1, 6, n)
        output = rng.integers(1, 8, n)
        start = rng.integers(0, 10, n)
        inst = Instance.from_arrays(
            "r",
            int(prompt.max() + output.max()),
            arrival=np.zeros(n, int),
            prompt=prompt,
            output=output,
        )
        rep = kvopt.verify(inst, Schedule.from_starts(inst, start), strict=False)
        dense = rep.memory_profile
        ends = np.unique(start + output)
        # within every stretch (previous end, this end], memory is non-decreasing
        prev = 0
        for e in ends.tolist():
            stretch = dense[prev:e]  # rounds prev+1 .. e
            # starts inside a stretch only add memory: non-decreasing
            assert np.all(np.diff(stretch) >= 0)
            prev = e
        assert rep.peak_memory == dense.max()
        assert (dense.max() > inst.memory) == (not rep.feasible)


def test_small_cases_by_brute_force_enumeration():
    """An independent judge: enumerate every start vector for tiny cases."""
    for s, o, M, n in itertools.product([1, 2], [1, 2, 3], [4, 6, 8], [1, 2, 3]):
        if s + o > M:
            continue
        best = None
        # one at a time is feasible with sum o n (n - 1) / 2, so no optimal start is later
        horizon = o * n * (n - 1) // 2 + 1
        for starts in itertools.combinations_with_replacement(range(horizon), n):
            inst = identical(n, s, o, M)
            rep = kvopt.verify(inst, Schedule.from_starts(inst, starts), strict=False)
            if rep.feasible and (best is None or sum(starts) < best):
                best = sum(starts)
        assert so.objective_of_counts(so.optimal_counts(n, s, o, M)) == best


def _disagreements(cases: list[tuple[int, int, int, int]]) -> list[dict]:
    from benchmarks.semi_online_grid import agrees, check_cases

    rows = list(check_cases(cases, processes=min(2, os.cpu_count() or 1)))
    assert len(rows) == len(cases)
    return [row for row in rows if not agrees(row)]


def stratified_sample() -> list[tuple[int, int, int, int]]:
    """192 grid cases with n <= 10: for every (s, o) shape of the grid, 8 memories
    M = s + o + d (d = 0, 2, .., 14, shifted by one for every other shape), each with
    one n in 1..10 that cycles with d and the shape, so that every shape is met, every
    memory offset 0..15 and every n occur, and each shape sees 8 different n."""
    shapes = [(s, o) for s in range(1, 5) for o in range(1, 7)]
    return [
        (1 + (3 * d + 7 * j) % 10, s, o, s + o + d + j % 2)
        for j, (s, o) in enumerate(shapes)
        for d in range(0, 16, 2)
    ]


def test_stratified_sample_covers_every_shape_memory_and_n():
    cases = stratified_sample()
    assert set(cases) <= set(GRID) and len(set(cases)) == 192
    assert {c[3] - c[1] - c[2] for c in cases} == set(range(16))
    assert {c[0] for c in cases} == set(range(1, 11))
    for s in range(1, 5):
        for o in range(1, 7):
            shape = [c for c in cases if c[1:3] == (s, o)]
            assert len({c[3] for c in shape}) == 8 and len({c[0] for c in shape}) >= 5


def test_agrees_with_exact_solvers_on_stratified_sample():
    """192 grid cases with n <= 10, every (s, o) shape: the MILP and CP-SAT backends
    both prove optimality, with exactly the semi-online objective (~40 s on 2 cores)."""
    from benchmarks.semi_online_grid import GRID as BENCH_GRID

    assert BENCH_GRID == GRID
    assert _disagreements(stratified_sample()) == []


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("KVOPT_SLOW"), reason="set KVOPT_SLOW=1 (~75 s)")
def test_agrees_with_exact_solvers_on_whole_grid_up_to_ten():
    """Every grid case with n <= 10 (3,840 cases), as above (~75 s on 2 cores)."""
    cases = [case for case in GRID if case[0] <= 10]
    assert len(cases) == 3840
    assert _disagreements(cases) == []


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("KVOPT_SLOW"), reason="set KVOPT_SLOW=1 (~3 min)")
def test_agrees_with_exact_solvers_on_rest_of_grid():
    """The grid cases with 11 <= n <= 14 (1,536 cases), as above."""
    assert _disagreements([case for case in GRID if case[0] > 10]) == []


@pytest.mark.parametrize("s,o,M", [(1, 2, 10), (2, 6, 40), (2, 5, 23), (1000, 200, 4999)])
def test_optimal_sums_match_single_solves(s, o, M):
    sums = so.optimal_sums(40, s, o, M)
    assert sums[0] == 0
    for n in range(1, 41):
        assert sums[n] == so.optimal_total_latency(n, s, o, M) - n * o
    if o <= 6 and M <= s + o + 40:
        assert all(sums[n] == reference_objective(n, s, o, M) for n in range(1, 12))


def test_time_limit_refuses_with_bound():
    inst = identical(2000, 5, 20, 150)  # about 1.7 million staircases
    with pytest.raises(so.SemiOnlineError, match="lower bound"):
        kvopt.solve(inst, "semi-online", time_limit=0.5)

"""Every policy on random instances, hand-checked cases, and invalid parameters."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvopt.model import Instance
from kvopt.policies import POLICIES, PolicyError, make_policy
from kvopt.policies.base import OnlineView
from kvopt.policies.eviction import choose_victims
from kvopt.policies.lookahead import FutureProfile
from kvopt.policies.sorted_f import batch_peak
from kvopt.simulate import SimulationError, simulate

#: Every policy with each of its non-default variants worth covering.
VARIANTS = [
    ("mcsf", {}),
    ("mcsf", {"skip": True}),
    ("mcsf", {"skip": True, "max_scan": 2, "overflow": "evict"}),
    ("mc-benchmark", {}),
    ("fcfs", {}),
    ("fcfs", {"evict_order": "fewest-produced"}),
    ("sf", {"skip": True}),
    ("h-sf", {}),
    ("alpha-greedy", {"alpha": 0.25}),
    ("alpha-clearing", {"alpha": 0.1, "phi": 0.5, "evict_order": "fewest-produced"}),
    ("vllm", {}),
    ("vllm", {"eviction": "sglang"}),
    ("amax", {}),
    ("amin", {}),
    ("amin", {"refine": "double", "evict_order": "latest-arrival"}),
    ("sorted-f", {}),
    ("sorted-f", {"exact_limit": 0}),
    ("cc", {}),
    ("cc", {"scenarios": 2, "rounding": "nearest", "window": 5}),
    ("wait", {}),
    ("wait", {"threshold": 1, "patience": 3}),
    ("nested-wait", {}),
    ("nested-wait", {"threshold": 1, "buffer": 0.0}),
    ("nested-wait", {"buffer": 0.3, "oversize": "waive"}),
]


def test_every_registered_policy_is_covered():
    assert {name for name, _ in VARIANTS} == set(POLICIES)


@st.composite
def instances(draw):
    """Random instances whose predictions never underestimate (or are absent)."""
    M = draw(st.integers(6, 50))
    n = draw(st.integers(1, 14))
    big = draw(st.booleans())  # prompts up to M - 1 exercise the admission caps
    s = [draw(st.integers(1, M - 1 if big else max(1, M // 3))) for _ in range(n)]
    o = [draw(st.integers(1, min(M - si, 20))) for si in s]
    a = [draw(st.integers(0, 15)) for _ in range(n)]
    kind = draw(st.sampled_from(["none", "point", "interval"]))
    cols = {}
    if kind == "point":
        cols["predicted"] = [oi + draw(st.integers(0, 5)) for oi in o]
    elif kind == "interval":
        cols["output_lo"] = [max(1, oi - draw(st.integers(0, 5))) for oi in o]
        cols["output_hi"] = [oi + draw(st.integers(0, 5)) for oi in o]
    return Instance.from_arrays("h", M, arrival=a, prompt=s, output=o, **cols)


@settings(max_examples=100, deadline=None)
@given(instances())
def test_every_policy_completes_every_request_with_a_verified_schedule(inst):
    for name, params in VARIANTS:
        policy = make_policy(name, **params)
        res = simulate(inst, policy)  # verifies (strict) and raises on any overflow
        assert res.report.feasible
        assert (res.report.completion >= 0).all()
        assert res.objective == int(np.sum(res.report.completion - inst.arrival))
        if not policy.may_evict:
            assert res.evictions == 0
            assert res.report.peak_memory <= inst.memory


# -- hand-checked cases ----------------------------------------------------------------


def three_requests() -> Instance:
    # A (s=1, o=2), B (s=6, o=3), C (s=1, o=4), all at 0, M = 10.
    return Instance.from_arrays(
        "three", 10, arrival=[0, 0, 0], prompt=[1, 6, 1], output=[2, 3, 4], ids=["A", "B", "C"]
    )


def test_mcsf_prefix_rule_stops_at_the_first_misfit():
    # t=0: A fits; A+B would hold 3 + 8 = 11 in round 2: stop (C is not tried).
    # t=1: B fits next to A (round 2: 3 + 7 = 10); C would make round 2 hold 12.
    # t=2: C would hold 12 in round 4 (B 9 + C 3); C starts when B ends at 4.
    res = simulate(three_requests(), make_policy("mcsf"))
    assert res.report.start.tolist() == [0, 1, 4]
    assert res.objective == 2 + 4 + 8


def test_mcsf_skip_rule_continues_past_a_misfit():
    # t=0: A fits, B does not, C does (round 2: 3 + 3, round 4: 5). B fits only when
    # C has finished at 4 (at t=2 it would hold 7 + 4 = 11 in round 3).
    res = simulate(three_requests(), make_policy("mcsf", skip=True))
    assert res.report.start.tolist() == [0, 4, 0]
    assert res.objective == 2 + 7 + 4


def vllm_case() -> Instance:
    return Instance.from_arrays(
        "vllm", 10, arrival=[0, 1, 2], prompt=[2, 2, 5], output=[5, 5, 1], ids=["r0", "r1", "r2"]
    )


def runs(res) -> list[tuple[str, int, int]]:
    return sorted(res.schedule.runs)


def test_vllm_evicts_the_latest_arrival_and_requeues_it_at_the_front():
    # r0 at 0, r1 at 1; r2 (needs 6) waits. Round 4 would hold 6 + 5 = 11: at 3 evict
    # r1 (latest arrival), which goes back to the front and restarts at once (6 + 3 <=
    # 10); round 5 would hold 7 + 4: evict r1 again at 4, restart it (7 + 3). r0 ends
    # at 5, then r2 fits (4 + 6).
    res = simulate(vllm_case(), make_policy("vllm", watermark=0.0))
    assert runs(res) == [
        ("r0", 0, 5),
        ("r1", 1, 3),
        ("r1", 3, 4),
        ("r1", 4, 9),
        ("r2", 5, 6),
    ]
    assert res.evictions == 2


def test_sglang_evicts_the_fewest_produced_and_requeues_at_the_tail():
    # At 3 r1 (2 tokens produced, r0 has 3) is evicted and queued behind r2, which
    # blocks the queue until r0 ends at 5; then r2 and r1 both start.
    res = simulate(vllm_case(), make_policy("vllm", eviction="sglang", watermark=0.0))
    assert runs(res) == [("r0", 0, 5), ("r1", 1, 3), ("r1", 5, 10), ("r2", 5, 6)]


def test_vllm_watermark_keeps_memory_free_at_admission():
    # M = 100, watermark 0.2: r1 (prompt 70) would leave less than 20 free next to r0.
    inst = Instance.from_arrays("w", 100, arrival=[0, 0], prompt=[10, 70], output=[3, 3])
    res = simulate(inst, make_policy("vllm", watermark=0.2))
    assert res.report.start.tolist() == [0, 3]
    res = simulate(inst, make_policy("vllm", watermark=0.0))
    assert res.report.start.tolist() == [0, 0]


@pytest.mark.parametrize("name", ["alpha-greedy", "alpha-clearing", "vllm"])
def test_an_empty_machine_admits_a_request_above_the_cap(name):
    # prompt 95 + 1 exceeds (1 - 0.2) * 100 and 0.99 * 100: admitted only when alone
    inst = Instance.from_arrays("cap", 100, arrival=[0, 0], prompt=[95, 2], output=[2, 3])
    res = simulate(inst, make_policy(name))
    assert res.report.start.tolist() == [0, 2]


def test_fcfs_is_alpha_greedy_with_alpha_zero():
    rng = np.random.default_rng(3)
    n, M = 60, 50
    s = rng.integers(1, 12, n)
    inst = Instance.from_arrays(
        "g", M, arrival=np.sort(rng.integers(0, 40, n)), prompt=s, output=rng.integers(1, 30, n)
    )
    a = simulate(inst, make_policy("fcfs"))
    b = simulate(inst, make_policy("alpha-greedy", alpha=0.0))
    assert a.schedule == b.schedule
    assert a.evictions > 0  # the case exercises eviction


def test_a_live_locking_policy_is_stopped():
    # Found by search: evicting the request that produced most restarts it at the
    # front of the FCFS queue, and the same requests are evicted for ever.
    inst = Instance.from_arrays(
        "lock",
        43,
        arrival=[4, 13, 10, 0, 6, 13, 8, 0, 12],
        prompt=[8, 4, 5, 1, 2, 1, 3, 12, 10],
        output=[19, 11, 13, 20, 15, 13, 11, 12, 19],
    )
    with pytest.raises(SimulationError, match="live-lock"):
        simulate(inst, make_policy("fcfs", evict_order="most-produced"), max_evictions=500)
    assert simulate(inst, make_policy("fcfs")).report.feasible


def test_alpha_clearing_evicts_at_least_a_fraction():
    inst = Instance.from_arrays(
        "c", 20, arrival=[0, 0, 0, 0], prompt=[1, 1, 1, 1], output=[8, 8, 8, 8]
    )
    # all four start (4 * 2 <= 20); round 4 would hold 4 * 5 = 20, round 5 24 > 20:
    # greedy evicts one (the latest arrival), phi = 0.5 clears two.
    g = simulate(inst, make_policy("alpha-greedy", alpha=0.0))
    c = simulate(inst, make_policy("alpha-clearing", alpha=0.0, phi=0.5))
    assert [r for r in g.schedule.runs if r.end == 4] == [("r3", 0, 4)]
    assert sorted(r for r in c.schedule.runs if r.end == 4) == [("r2", 0, 4), ("r3", 0, 4)]


def test_amin_plans_with_the_lower_end_and_evicts_on_overflow():
    # Both start at 0 planned as 1 token; round 4 would hold 12 > 10: at 3 the later
    # arrival r1 (tie on tokens produced) is evicted, has l~ = 4, and restarts at once
    # since r0 (planned to end at 4) leaves room: round 4 holds 6 + 3.
    inst = Instance.from_arrays(
        "amin", 10, arrival=[0, 0], prompt=[2, 2], output=[4, 4], output_lo=[1, 1], output_hi=[4, 4]
    )
    res = simulate(inst, make_policy("amin"))
    assert runs(res) == [("r0", 0, 4), ("r1", 0, 3), ("r1", 3, 7)]
    amax = simulate(inst, make_policy("amax"))  # plans with 4: r1 waits until round 4 holds 10
    assert runs(amax) == [("r0", 0, 4), ("r1", 2, 6)]


def test_sorted_f_picks_the_batch_of_smallest_f():
    # {r0, r1}: F = 2/4; {r0, r1, r2}: F = 6/9 (feasible: round 1 holds 10); {r0}: 1.
    inst = Instance.from_arrays("sf", 10, arrival=[0, 0, 0], prompt=[1, 1, 5], output=[1, 1, 4])
    for limit in (10, 0):  # exact, then the heuristic
        res = simulate(inst, make_policy("sorted-f", exact_limit=limit))
        assert res.report.start.tolist() == [0, 0, 1]
        assert res.objective == 1 + 1 + 5


def test_batch_peak():
    assert batch_peak([(1, 1), (1, 1), (5, 4)]) == 10
    assert batch_peak([(5, 4)]) == 9
    assert batch_peak([]) == 0


def test_choose_victims_orders():
    running = {0: 0, 1: 2, 2: 1}  # request -> start
    arrival_seq = [2, 0, 1]  # request 0 arrived last
    prompt = [1, 1, 1]
    t = 5
    assert choose_victims("latest-arrival", running, arrival_seq, prompt, t, 1) == [0]
    assert choose_victims("fewest-produced", running, arrival_seq, prompt, t, 1) == [1]
    assert choose_victims("most-produced", running, arrival_seq, prompt, t, 1) == [0]
    # request 1 frees 1 + 6 - 2 = 5 tokens; 6 needs a second victim
    assert choose_victims("fewest-produced", running, arrival_seq, prompt, t, 6) == [1, 2]
    assert choose_victims("latest-arrival", running, arrival_seq, prompt, t, 0) == []
    assert len(choose_victims("latest-arrival", running, arrival_seq, prompt, t, 1, 1.0)) == 3


def test_future_profile_matches_brute_force():
    rng = np.random.default_rng(0)
    for _ in range(200):
        M = int(rng.integers(20, 80))
        prof = FutureProfile(M)
        t = 10
        running = []
        for i in range(int(rng.integers(0, 6))):
            k = int(rng.integers(0, t + 1))
            end = int(rng.integers(t + 1, t + 15))
            s = int(rng.integers(1, 8))
            running.append((s, k, end))
            prof.add(end, s - k, i)
        prof.rebuild()
        s, L = int(rng.integers(1, 8)), int(rng.integers(1, 15))

        def fits(tau, s=s, L=L, running=running, M=M):
            for tp in range(tau + 1, tau + L + 1):
                mem = sum(sj + tp - k for sj, k, e in running if e >= tp) + s + tp - tau
                if mem > M:
                    return False
            return True

        assert prof.fits(s, L, t) == fits(t)
        if running:
            limit = min(e for _, _, e in running) - 1
            brute = next((tau for tau in range(t, limit + 1) if fits(tau)), None)
            assert prof.earliest(s, L, t, limit) == brute


def test_online_view_hides_the_output_unless_clairvoyant():
    inst = Instance.from_arrays("v", 10, arrival=[0], prompt=[2], output=[3], predicted=[5])
    assert OnlineView(inst, clairvoyant=False).output is None
    view = OnlineView(inst, clairvoyant=True)
    assert view.output == [3] and view.predicted == [5]
    assert view.output_lo == view.output_hi == [5]


# -- invalid parameters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("nope", {}, "unknown policy"),
        ("mcsf", {"alpha": 0.1}, "no parameter 'alpha'"),
        ("mcsf", {"skip": "yes"}, "true or false"),
        ("mcsf", {"max_scan": -1}, ">= 0"),
        ("mcsf", {"overflow": "ignore"}, "raise, evict"),
        ("alpha-greedy", {"alpha": 1.0}, "in \\[0.0, 1.0\\)"),
        ("alpha-greedy", {"alpha": -0.1}, "alpha"),
        ("alpha-clearing", {"phi": 0.0}, "phi"),
        ("alpha-clearing", {"phi": 1.5}, "phi"),
        ("fcfs", {"evict_order": "random"}, "must be one of"),
        ("vllm", {"eviction": "tgi"}, "must be one of vllm, sglang"),
        ("vllm", {"watermark": True}, "watermark"),
        ("amin", {"refine": "triple"}, "refine"),
        ("sorted-f", {"exact_limit": 30}, "<= 16"),
        ("sorted-f", {"max_rejects": 0}, ">= 1"),
    ],
)
def test_invalid_parameters_are_rejected(name, params, message):
    with pytest.raises(PolicyError, match=message):
        make_policy(name, **params)


def test_params_round_trip():
    for name, params in VARIANTS:
        p = make_policy(name, **params)
        assert make_policy(name, **p.params()).params() == p.params()


def test_sorted_f_heuristic_batches_are_feasible_and_never_beat_exact():
    rng = np.random.default_rng(5)
    for _ in range(100):
        M = int(rng.integers(10, 40))
        n = int(rng.integers(1, 9))
        s = rng.integers(1, M // 3 + 1, n)
        o = np.array([rng.integers(1, M - x + 1) for x in s])
        inst = Instance.from_arrays("b", M, arrival=[0] * n, prompt=s, output=o)
        policy = make_policy("sorted-f")
        policy.reset(OnlineView(inst, clairvoyant=True))
        cand = list(range(n))
        exact, heur = policy._exact(cand), policy._heuristic(cand)
        for batch in (exact, heur):
            assert batch and batch_peak([(int(s[i]), int(o[i])) for i in batch]) <= M
        assert policy._f(exact) <= policy._f(heur) + 1e-12


@pytest.mark.parametrize(
    ("name", "starts"),
    [
        ("fcfs", [0, 1]),  # arrival order: A, then B once A has finished
        ("mc-benchmark", [0, 1]),
        ("h-sf", [0, 1]),  # true lengths: A (1) before B (5)
        ("sf", [5, 0]),  # predictions: B (5) before A (6); A never fits next to B
        ("mcsf", [5, 0]),
    ],
)
def test_queue_orders_on_a_two_request_conflict(name, starts):
    # A (s=12, o=1, predicted 6) and B (s=9, o=5, predicted 5), both at 0, M = 20: they
    # never fit together (round 1 would hold 13 + 10 = 23).
    inst = Instance.from_arrays(
        "two", 20, arrival=[0, 0], prompt=[12, 9], output=[1, 5], predicted=[6, 5], ids=["A", "B"]
    )
    res = simulate(inst, make_policy(name))
    assert res.report.start.tolist() == starts
    assert res.evictions == 0

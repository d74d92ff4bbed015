"""The simulator: event skipping against round-by-round references, time, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvopt.model import Instance
from kvopt.policies import make_policy
from kvopt.policies.base import Decision
from kvopt.simulate import SimulationError, simulate
from kvopt.time_model import UNIT, LinearTimeModel


@st.composite
def instances(draw, predictions=("none", "over", "interval", "under")):
    """Small random instances; predictions none / over / interval / possibly under."""
    M = draw(st.integers(8, 40))
    n = draw(st.integers(1, 12))
    s = [draw(st.integers(1, max(1, M // 4))) for _ in range(n)]
    o = [draw(st.integers(1, min(M - si, 15))) for si in s]
    a = [draw(st.integers(0, 12)) for _ in range(n)]
    kind = draw(st.sampled_from(predictions))
    cols = {}
    if kind == "over":
        cols["predicted"] = [oi + draw(st.integers(0, 4)) for oi in o]
    elif kind == "under":
        cols["predicted"] = [max(1, oi + draw(st.integers(-4, 4))) for oi in o]
    elif kind == "interval":
        cols["output_lo"] = [max(1, oi - draw(st.integers(0, 4))) for oi in o]
        cols["output_hi"] = [oi + draw(st.integers(0, 4)) for oi in o]
    return Instance.from_arrays("h", M, arrival=a, prompt=s, output=o, **cols)


def naive_lookahead(
    inst: Instance, lengths: list[int], by_length: bool, skip: bool, max_scan: int = 0
):
    """MC-SF's rule applied literally, round by round, checking every future round."""
    M, n = inst.memory, inst.n
    s, o, a = inst.prompt.tolist(), inst.output.tolist(), inst.arrival.tolist()
    L = [max(1, min(lengths[i], M - s[i])) for i in range(n)]
    start = [-1] * n
    running: dict[int, int] = {}
    waiting: list[int] = []
    done, t = 0, 0
    while done < n:
        for i in list(running):
            if running[i] + o[i] == t:
                del running[i]
                done += 1
        if done == n:
            break
        waiting += [i for i in range(n) if a[i] == t]
        plan = {j: max(L[j], t - k + 1) for j, k in running.items()}
        key = (lambda i: (L[i], a[i], i)) if by_length else (lambda i: (a[i], i))
        U: list[int] = []
        queue = sorted(waiting, key=key)
        for i in queue[:max_scan] if skip and max_scan else queue:
            trial = U + [i]
            horizon = t + max(L[j] for j in trial)
            ok = True
            for tp in range(t + 1, horizon + 1):
                mem = sum(s[j] + tp - k for j, k in running.items() if k + plan[j] >= tp)
                mem += sum(s[j] + tp - t for j in trial if t + L[j] >= tp)
                if mem > M:
                    ok = False
                    break
            if ok:
                U.append(i)
            elif not skip:
                break
        for i in U:
            waiting.remove(i)
            running[i] = t
            start[i] = t
        mem_next = sum(s[j] + t + 1 - k for j, k in running.items())
        if mem_next > M:
            return None  # overflow
        t += 1
    return start


LOOKAHEAD = {
    "mcsf": ("predicted", True),
    "mc-benchmark": ("predicted", False),
    "h-sf": ("output", True),
    "amax": ("output_hi", True),
}


def _lengths(inst: Instance, column: str) -> list[int]:
    if column == "output":
        return inst.output.tolist()
    if column == "predicted" and inst.predicted is not None:
        return inst.predicted.tolist()
    if inst.output_hi is not None:
        return inst.output_hi.tolist()
    if inst.predicted is not None:
        return inst.predicted.tolist()
    return inst.output.tolist()


@settings(max_examples=150, deadline=None)
@given(
    instances(), st.sampled_from(sorted(LOOKAHEAD)), st.booleans(), st.sampled_from([0, 0, 1, 2])
)
def test_lookahead_policies_match_round_by_round_reference(inst, name, skip, max_scan):
    column, by_length = LOOKAHEAD[name]
    expected = naive_lookahead(inst, _lengths(inst, column), by_length, skip, max_scan)
    policy = make_policy(name, skip=skip, max_scan=max_scan)
    if expected is None:
        with pytest.raises(SimulationError, match="overflows"):
            simulate(inst, policy)
        return
    res = simulate(inst, policy)
    assert res.report.start.tolist() == expected
    assert res.evictions == 0


@settings(max_examples=40, deadline=None)
@given(instances(predictions=("under",)), st.sampled_from(["mcsf", "mc-benchmark", "amax"]))
def test_lookahead_policies_with_overflow_evict_survive_underestimates(inst, name):
    res = simulate(inst, make_policy(name, overflow="evict"))
    assert res.report.feasible and (res.report.completion >= 0).all()
    if res.evictions:
        with pytest.raises(SimulationError, match="overflow=evict"):
            simulate(inst, make_policy(name))


class EveryRound:
    """Wrap a policy so that the simulator asks it at every round boundary."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name
        self.may_evict = inner.may_evict
        self.clairvoyant = inner.clairvoyant

    def reset(self, view):
        self.inner.reset(view)

    def arrive(self, t, requests):
        self.inner.arrive(t, requests)

    def complete(self, t, requests):
        self.inner.complete(t, requests)

    def decide(self, t):
        d = self.inner.decide(t)
        return Decision(d.start, d.evict, t + 1)

    def params(self):
        return self.inner.params()


@settings(max_examples=80, deadline=None)
@given(
    instances(),
    st.sampled_from(
        [
            ("fcfs", {}),
            ("sf", {"skip": True}),
            ("alpha-greedy", {"alpha": 0.3}),
            ("alpha-clearing", {"phi": 0.5}),
            ("vllm", {}),
            ("vllm", {"eviction": "sglang"}),
        ]
    ),
)
def test_greedy_policies_skip_only_rounds_where_nothing_changes(inst, spec):
    name, params = spec
    fast = simulate(inst, make_policy(name, **params))
    slow = simulate(inst, EveryRound(make_policy(name, **params)))
    assert fast.schedule == slow.schedule
    assert fast.events <= slow.events


def _stepped_clock(inst: Instance, res, model) -> np.ndarray:
    """Seconds at each round boundary, summing the duration of every round."""
    prof = res.report.profile
    horizon = res.report.makespan
    t0 = int(inst.arrival.min())
    clock = np.zeros(horizon + 1)
    for r in range(t0 + 1, horizon + 1):
        batch = prof.batch(r)
        first = prof.start[batch] + 1 == r
        d = model.round_duration(
            int((~first).sum()),
            int(prof.prompt[batch][first].sum()),
            int(res.report.memory_at(r)[0]),
        )
        clock[r] = clock[r - 1] + d
    return clock


@settings(max_examples=30, deadline=None)
@given(instances(predictions=("none",)), st.sampled_from(["mcsf", "vllm", "sorted-f"]))
def test_calibrated_time_sums_every_round(inst, name):
    model = LinearTimeModel("test", base=0.05, c_dec=0.001, c_pre=0.0003, c_ctx=1e-5)
    res = simulate(inst, make_policy(name), model)
    clock = _stepped_clock(inst, res, model)
    a = res.instance.arrival
    c = res.report.completion
    np.testing.assert_allclose(res.latency_seconds, clock[c] - clock[a], atol=1e-9)
    first = res.report.first_start + 1
    np.testing.assert_allclose(res.ttft_seconds, clock[first] - clock[a], atol=1e-9)
    assert res.makespan_seconds == pytest.approx(clock[res.report.makespan])


def test_unit_time_gives_latency_in_rounds():
    inst = Instance.from_arrays(
        "u", 20, arrival=[0, 0, 3, 9], prompt=[3, 4, 2, 5], output=[5, 6, 2, 4]
    )
    res = simulate(inst, make_policy("mcsf"), UNIT)
    np.testing.assert_allclose(res.latency_seconds, res.latency)
    np.testing.assert_allclose(res.ttft_seconds, res.ttft)


def test_arrival_times_join_the_first_round_at_or_after_them():
    # rounds last 1 s (+ 0.5 s per decode request): r1 arrives during a 1.5 s round
    model = LinearTimeModel("t", base=1.0, c_dec=0.5)
    inst = Instance.from_arrays(
        "s",
        100,
        arrival=[0, 0, 0],
        prompt=[5, 5, 5],
        output=[4, 2, 1],
        arrival_time=[0.0, 1.2, 10.0],
    )
    res = simulate(inst, make_policy("fcfs"), model)
    # r0 starts at boundary 0 (clock 0); round 1 (prefill only) lasts 1.0 s, round 2
    # (one decode) 1.5 s: r1 arrives at 1.2 s and joins boundary 2 (clock 2.5). Round 3
    # has one decode (r0) and r1's prefill: 1.5 s; round 4 two decodes: 2.0 s. Both end
    # at boundary 4 (clock 6.0). The machine is then idle: r2 starts at 10 s, at
    # boundary 5, and its single round lasts 1.0 s.
    assert res.instance.arrival.tolist() == [0, 2, 5]
    assert res.report.start.tolist() == [0, 2, 5]
    np.testing.assert_allclose(res.latency_seconds, [6.0, 6.0 - 1.2, 1.0])
    np.testing.assert_allclose(res.ttft_seconds, [1.0, 4.0 - 1.2, 1.0])
    assert res.metadata["arrivals"] == "arrival_time (seconds)"


def test_overflow_of_a_non_evicting_policy_raises():
    # predictions underestimate: MC-SF packs both, then they outgrow M
    inst = Instance.from_arrays(
        "o", 10, arrival=[0, 0], prompt=[2, 2], output=[6, 6], predicted=[1, 1]
    )
    with pytest.raises(SimulationError, match="overflows the memory"):
        simulate(inst, make_policy("mcsf"))


class _Bad:
    name, may_evict, clairvoyant = "bad", False, False

    def __init__(self, decision):
        self.decision = decision

    def reset(self, view):
        pass

    def arrive(self, t, requests):
        pass

    def complete(self, t, requests):
        pass

    def decide(self, t):
        return self.decision

    def params(self):
        return {}


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        (Decision(), "stalls"),
        (Decision([1]), "has not arrived"),
        (Decision([5]), "does not exist"),
        (Decision([], [0]), "may not evict"),
        (Decision([], [], 0), "wake"),
    ],
)
def test_invalid_decisions_raise(decision, message):
    inst = Instance.from_arrays("b", 10, arrival=[0, 20], prompt=[1, 1], output=[1, 1])
    with pytest.raises(SimulationError, match=message):
        simulate(inst, _Bad(decision))


def test_metadata_says_when_true_outputs_stand_in_for_predictions():
    inst = Instance.from_arrays("p", 10, arrival=[0], prompt=[1], output=[3])
    res = simulate(inst, make_policy("mcsf"))
    assert res.metadata["perfect_predictions"] is True
    with_pred = inst.replace(predicted=np.array([4]))
    assert simulate(with_pred, make_policy("mcsf")).metadata["prediction_source"] == "predicted"


def test_solution_carries_metrics_and_is_verified():
    inst = Instance.from_arrays("v", 12, arrival=[0, 1, 1], prompt=[2, 3, 1], output=[4, 2, 5])
    res = simulate(inst, make_policy("vllm"))
    sol = res.to_solution()
    assert sol.solver == "vllm" and sol.status == "feasible"
    assert sol.objective == res.report.objective
    assert sol.metrics["events"] == res.events
    assert sol.metadata["params"] == {"eviction": "vllm", "watermark": 0.01}


def test_empty_instance():
    inst = Instance.from_arrays("e", 5, arrival=[], prompt=[], output=[])
    res = simulate(inst, make_policy("mcsf"))
    assert res.objective == 0 and len(res.schedule) == 0


def test_a_policy_that_never_starts_anything_is_a_stall_not_a_hang():
    """A policy that keeps asking to wake up but starts nothing once everything has
    arrived (found: nested-wait on blocking-thin with M = 25 looped forever) ends in a
    SimulationError after 10 (sum(o) + n) + 1000 idle rounds."""
    from kvopt.errors import KvoptError
    from kvopt.model import Instance
    from kvopt.policies.base import Decision, PolicyBase
    from kvopt.simulate import simulate

    class Sleeper(PolicyBase):
        name = "sleeper"

        def reset(self, view):
            pass

        def arrive(self, t, requests):
            pass

        def complete(self, t, requests):
            pass

        def decide(self, t):
            return Decision([], [], t + 1)

    inst = Instance.from_arrays("s", 10, arrival=[0, 0], prompt=[1, 1], output=[2, 3])
    with pytest.raises(KvoptError, match="stalls"):
        simulate(inst, Sleeper())

"""Engine settings: batch caps, KV blocks, recompute, chunked prefill (models/batching.md)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvopt.cli import main
from kvopt.engine import HeldMemory, pass_tokens, rounded
from kvopt.errors import KvoptError
from kvopt.generators import generate
from kvopt.model import Instance
from kvopt.policies import make_policy
from kvopt.simulate import simulate
from kvopt.time_model import LinearTimeModel
from kvopt.verify import verify
from tests.test_simulate import EveryRound, instances

A100 = "a100-tp2-llama2-70b"
MODEL = LinearTimeModel("test", base=0.05, c_dec=0.001, c_pre=0.0003, c_ctx=1e-5)
ENGINE_POLICIES = ("vllm", "fcfs", "sf", "alpha-greedy", "alpha-clearing")


def _trace(n=120, memory=8000, seconds=True):
    inst = generate(
        "trace", seed=0, trace="azure-conv-2023", n=n, sample="head", memory=memory,
        overflow="clip",
    )  # fmt: skip
    return inst if seconds else inst.replace(arrival_time=None)


def _round_memory(res, block: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per round: tokens held, tokens rounded to blocks, running requests (from runs)."""
    rep = res.report
    prof = rep.profile
    horizon = rep.makespan
    tokens = np.zeros(horizon + 1, dtype=np.int64)
    blocks = np.zeros(horizon + 1, dtype=np.int64)
    count = np.zeros(horizon + 1, dtype=np.int64)
    for r in range(1, horizon + 1):
        batch = prof.batch(r)
        held = prof.prompt[batch] + r - prof.start[batch]
        tokens[r] = held.sum()
        blocks[r] = sum(rounded(int(x), block) for x in held)
        count[r] = len(batch)
    return tokens, blocks, count


# -- the pieces --------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 20),
    st.lists(st.tuples(st.integers(1, 60), st.integers(0, 30)), min_size=1, max_size=12),
    st.integers(0, 40),
)
def test_held_memory_matches_a_direct_sum(block, reqs, after):
    held = HeldMemory(block)
    for s, k in reqs:
        held.add(s, k)
    after = max(after, max(k for _, k in reqs))

    def direct(r):
        return sum(rounded(s + r - k, block) for s, k in reqs)

    for r in range(after + 1, after + 3 * block + 5):
        assert held.at(r) == direct(r)
    memory = direct(after + 1) + held.C * (block + 7)
    first = held.first_over(memory, after)
    assert direct(first) > memory and direct(first - 1) <= memory
    s0, k0 = reqs[0]
    held.remove(s0, k0)
    rest = reqs[1:]
    assert held.at(after + 2) == sum(rounded(s + after + 2 - k, block) for s, k in rest)


def test_rounded_and_pass_tokens():
    assert [rounded(x, 16) for x in (1, 15, 16, 17, 32, 33)] == [16, 16, 16, 32, 32, 48]
    assert rounded(7, 1) == 7
    assert pass_tokens([100, 300], 5, "sum") == 405
    assert pass_tokens([100, 300], 5, "padded") == 605  # 2 x 300 + 5
    assert pass_tokens([], 5, "padded") == 5


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"block_size": 0}, "block size must be an integer >= 1"),
        ({"max_requests": 0}, "max_requests must be an integer >= 1"),
        ({"max_tokens": 2.5}, "max_tokens must be an integer >= 1"),
        ({"token_cap": "max"}, "unknown token cap 'max'"),
        ({"batching": "chunked"}, "needs a token budget"),
        ({"recompute": 1}, "recompute must be true or false"),
    ],
)
def test_bad_engine_settings_are_refused(kw, match):
    with pytest.raises(KvoptError, match=match):
        simulate(_trace(20), "vllm", A100, **kw)


def test_recompute_and_chunked_need_a_calibrated_time_model():
    with pytest.raises(KvoptError, match="recompute needs a calibrated time model"):
        simulate(_trace(20), "vllm", "unit", recompute=True)
    with pytest.raises(KvoptError, match="'chunked' needs a calibrated time model"):
        simulate(_trace(20), "vllm", None, batching="chunked", max_tokens=512)


@pytest.mark.parametrize("kw", [{"block_size": 16}, {"max_requests": 8}, {"max_tokens": 99}])
def test_policies_that_do_not_honour_caps_or_blocks_are_refused(kw):
    with pytest.raises(KvoptError, match="does not honour batch caps or KV blocks"):
        simulate(_trace(20), "mcsf", A100, oracle=True, **kw)


def test_default_engine_is_the_papers_model_bit_for_bit():
    inst = _trace(200)
    for name in ENGINE_POLICIES:
        a = simulate(inst, name, A100, oracle=True)
        b = simulate(inst, name, A100, oracle=True, block_size=1, token_cap="padded")
        assert (
            a.schedule == b.schedule
            and a.summary()["mean_latency_seconds"] == (b.summary()["mean_latency_seconds"])
        )
        assert "block_size" not in a.metadata and "token_cap" in b.metadata


# -- blocks ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(instances(predictions=("none",)), st.integers(2, 9), st.sampled_from(ENGINE_POLICIES))
def test_block_memory_stays_within_m_and_verify_stays_valid(inst, block, name):
    inst = _fit_blocks(inst, block)
    res = simulate(inst, make_policy(name), block_size=block)
    assert verify(res.instance, res.schedule, allow_eviction=True).feasible
    tokens, blocks, _ = _round_memory(res, block)
    assert (blocks <= inst.memory).all()  # what the simulator enforced
    assert (tokens <= blocks).all()  # so verify's check in tokens is implied
    verified = [int(res.report.memory_at(r)[0]) for r in range(1, len(tokens))]
    assert tokens[1:].tolist() == verified


def test_blocks_admit_less_than_tokens():
    # two prompts of 17 tokens: 18 + 18 = 36 tokens fit M = 40, but 32 + 32 blocks do not
    inst = Instance.from_arrays("b", 40, arrival=[0, 0], prompt=[17, 17], output=[2, 2])
    tok = simulate(inst, make_policy("fcfs"))
    blk = simulate(inst, make_policy("fcfs"), block_size=16)
    assert tok.report.first_start.tolist() == [0, 0]
    assert blk.report.first_start.tolist() == [0, 2]


def test_blocks_evict_when_a_block_boundary_is_crossed():
    # prompts 14 and 1, M = 48: in round r they hold 15 + 2r tokens (over M from r = 17)
    # but, in blocks of 16, 16 + 32 = 48 up to r = 15 and 32 + 32 at r = 16: the first
    # eviction comes one boundary earlier.
    inst = Instance.from_arrays("e", 48, arrival=[0, 0], prompt=[14, 1], output=[30, 30])
    tok = simulate(inst, make_policy("vllm", watermark=0.0))
    blk = simulate(inst, make_policy("vllm", watermark=0.0), block_size=16)
    assert tok.schedule.runs[0].end == 16 and blk.schedule.runs[0].end == 15
    tokens, blocks, _ = _round_memory(blk, 16)
    assert (blocks <= 48).all() and (tokens <= 48).all()


# -- caps --------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    instances(predictions=("none",)),
    st.integers(1, 4),
    st.integers(1, 30),
    st.sampled_from(["sum", "padded"]),
    st.sampled_from(["mixed", "prefill-first"]),
)
def test_batch_caps_hold_in_every_round(inst, max_requests, max_tokens, rule, batching):
    res = simulate(
        inst, make_policy("vllm"), MODEL, batching=batching, max_requests=max_requests,
        max_tokens=max_tokens, token_cap=rule,
    )  # fmt: skip
    assert verify(res.instance, res.schedule, allow_eviction=True).feasible
    _, _, count = _round_memory(res, 1)
    assert count.max() <= max_requests
    starts: dict[int, list[int]] = {}
    idx, _ = res.schedule.indices(res.instance)
    for i, k in zip(idx.tolist(), res.schedule.start.tolist(), strict=True):
        starts.setdefault(k, []).append(int(inst.prompt[i]))
    for k, prompts in starts.items():
        decodes = int(count[k + 1]) - len(prompts) if batching == "mixed" else 0
        tokens = pass_tokens(prompts, decodes, rule)
        assert tokens <= max_tokens or (len(prompts) == 1 and decodes == 0)


def test_request_cap_delays_admission():
    inst = _trace(200, memory=54_067)
    free = simulate(inst, "vllm", A100)
    capped = simulate(inst, "vllm", A100, max_requests=4)
    _, _, count = _round_memory(capped, 1)
    assert count.max() == 4
    assert capped.summary()["mean_latency_seconds"] > free.summary()["mean_latency_seconds"]


# -- recompute ---------------------------------------------------------------------------


def test_recompute_charges_the_generated_tokens_of_a_restart():
    inst = _trace(120, seconds=False)
    plain = simulate(inst, "vllm", A100)
    again = simulate(inst, "vllm", A100, recompute=True)
    assert plain.evictions > 0
    assert again.schedule == plain.schedule  # rounds: unchanged
    assert again.makespan_seconds > plain.makespan_seconds
    assert again.summary().get("energy_joules") is None and again.metadata["recompute"]


def test_recompute_adds_c_pre_per_regenerated_token():
    # r0 (prompt 6) runs alone, is evicted by r1's growth, restarts: its restarted first
    # round prefills 6 + the tokens it had produced.
    model = LinearTimeModel("t", base=1.0, c_pre=0.5)
    inst = Instance.from_arrays("r", 16, arrival=[0, 0], prompt=[6, 6], output=[4, 3])
    plain = simulate(inst, make_policy("vllm", watermark=0.0), model)
    again = simulate(inst, make_policy("vllm", watermark=0.0), model, recompute=True)
    runs = plain.report.evicted_runs
    assert runs >= 1 and again.schedule == plain.schedule
    lost = int((plain.schedule.end - plain.schedule.start).sum() - inst.output.sum())
    assert again.makespan_seconds == pytest.approx(plain.makespan_seconds + 0.5 * lost)


# -- chunked prefill ---------------------------------------------------------------------


def test_chunked_with_a_large_budget_is_mixed():
    inst = _trace(120)
    mixed = simulate(inst, "vllm", A100)
    big = simulate(inst, "vllm", A100, batching="chunked", max_tokens=10**7)
    assert big.schedule == mixed.schedule
    np.testing.assert_array_equal(big.latency_seconds, mixed.latency_seconds)


def test_chunked_splits_an_admission_round_into_iterations():
    # r0 decodes; r1 (prompt 10) is admitted at 2 with budget 4: iteration 1 holds r0's
    # decode and 3 prompt tokens, then chunks of 4 and 3: 3 iterations, 2 more bases.
    model = LinearTimeModel("t", base=1.0, c_dec=0.5, c_pre=0.1)
    inst = Instance.from_arrays("c", 100, arrival=[0, 2], prompt=[5, 10], output=[4, 2])
    mixed = simulate(inst, make_policy("fcfs"), model)
    chunk = simulate(inst, make_policy("fcfs"), model, batching="chunked", max_tokens=4)
    assert chunk.schedule == mixed.schedule
    # round 1: r0 alone, 1 + 5 tokens > 4: iterations of 4 then 1 prompt tokens: 2 bases
    # round 3: 1 + 10 > 4: r0's decode + 3, then 4, then 3: 3 bases
    np.testing.assert_allclose(chunk.latency_seconds - mixed.latency_seconds, [3.0, 2.0])
    np.testing.assert_allclose(chunk.ttft_seconds - mixed.ttft_seconds, [1.0, 2.0])


def test_chunked_metadata_and_schedule_verify():
    inst = _trace(120)
    res = simulate(
        inst, "vllm", A100, batching="chunked", max_tokens=512, block_size=16,
        max_requests=32,
    )  # fmt: skip
    assert verify(res.instance, res.schedule, allow_eviction=True).feasible
    assert res.metadata["batching"] == "chunked" and res.metadata["max_tokens"] == 512


# -- command line ------------------------------------------------------------------------


def test_cli_engine_flags(tmp_path, capsys):
    src = tmp_path / "t.json"
    assert main(["generate", "trace", "--n", "40", "--sample", "head", "--out", str(src)]) == 0
    out = tmp_path / "o.json"
    sim = ["simulate", str(src), "--policy", "vllm", "--out", str(out), "--time-model", A100]
    flags = ["--batching", "prefill-first", "--block-size", "16", "--max-requests", "128"]
    flags += ["--max-tokens", "4096", "--token-cap", "padded", "--recompute"]
    capsys.readouterr()
    assert main([*sim, *flags, "--json"]) == 0
    assert '"mean_latency_seconds"' in capsys.readouterr().out
    assert main(["verify", str(src), str(out)]) == 0
    capsys.readouterr()
    assert main([*sim, "--max-requests", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "max_requests must be an integer >= 1" in err
    mcsf = ["simulate", str(src), "--policy", "mcsf", "--oracle", "--out", str(out)]
    assert main([*mcsf, "--block-size", "16"]) == 2
    assert "does not honour" in capsys.readouterr().err
    cmp = ["compare", str(src), "--policy", "vllm", "--policy", "fcfs", "--time-model", A100]
    assert main([*cmp, "--jobs", "1", "--no-progress", *flags]) == 0
    capsys.readouterr()
    assert main([*cmp, "--jobs", "1", "--no-progress", "--batching", "chunked"]) == 2
    assert "needs a token budget" in capsys.readouterr().err


# -- events: the simulator asks the policy only where its decision can change ----------


class _Asked(EveryRound):
    """A policy of the engine's caps and blocks without ``quiet``, so the simulator asks it
    at every event (``every_round=False``) or at every boundary (``True``)."""

    def __init__(self, inner, every_round: bool) -> None:
        super().__init__(inner)
        self.engine_limits = inner.engine_limits
        self.every_round = every_round

    def decide(self, t):
        return super().decide(t) if self.every_round else self.inner.decide(t)


ENGINE_SETTINGS = (
    st.sampled_from(ENGINE_POLICIES),
    st.sampled_from([1, 4]),
    st.sampled_from([None, 2]),
    st.sampled_from([None, 12]),
    st.sampled_from(["mixed", "prefill-first"]),
)


def _fit_blocks(inst: Instance, block: int) -> Instance:
    """``inst`` with M and outputs such that every request fits alone in blocks."""
    inst = inst.replace(memory=max(inst.memory, rounded(int(inst.prompt.max()) + 1, block) * 2))
    return inst.replace(output=np.minimum(inst.output, inst.memory - inst.prompt - block).clip(1))


def _engine(block, max_requests, max_tokens, batching) -> dict:
    return dict(
        batching=batching, block_size=block, max_requests=max_requests, max_tokens=max_tokens,
        token_cap="padded",
    )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(instances(predictions=("none",)), *ENGINE_SETTINGS, st.booleans())
def test_quiet_skips_change_nothing(inst, name, block, max_requests, max_tokens, batching, sec):
    # a quiet policy is not asked at arrivals behind its blocked head: bit for bit what
    # asking it at every event gives, in rounds and in seconds
    inst = _fit_blocks(inst, block)
    if sec:
        inst = inst.replace(arrival_time=inst.arrival * 0.5 + 0.01 * np.arange(inst.n))
    kw = _engine(block, max_requests, max_tokens, batching)
    fast = simulate(inst, make_policy(name), MODEL, **kw)
    asked = simulate(inst, _Asked(make_policy(name), every_round=False), MODEL, **kw)
    assert fast.schedule == asked.schedule and fast.events <= asked.events
    assert fast.latency_seconds.tolist() == asked.latency_seconds.tolist()
    assert fast.ttft_seconds.tolist() == asked.ttft_seconds.tolist()


@settings(max_examples=60, deadline=None)
@given(instances(predictions=("none",)), *ENGINE_SETTINGS)
def test_events_are_every_boundary_where_a_decision_can_change(
    inst, name, block, max_requests, max_tokens, batching
):
    # asked at every round boundary, the policies start the same runs: the events (with
    # the token cap's wake-up at the next boundary) miss no boundary where it matters
    inst = _fit_blocks(inst, block)
    kw = _engine(block, max_requests, max_tokens, batching)
    fast = simulate(inst, make_policy(name), MODEL, **kw)
    slow = simulate(inst, _Asked(make_policy(name), every_round=True), MODEL, **kw)
    assert fast.schedule == slow.schedule and fast.events <= slow.events


@pytest.mark.parametrize("batching", ["mixed", "prefill-first"])
def test_a_request_held_back_by_the_token_cap_starts_at_the_next_boundary(batching):
    # two prompts of 6 in one pass are 12 padded tokens > 10: the second waits one round
    # (vLLM schedules every iteration), not until the first completes at 20
    inst = Instance.from_arrays("tok", 100, arrival=[0, 0], prompt=[6, 6], output=[20, 20])
    res = simulate(inst, make_policy("vllm"), MODEL, batching=batching, max_tokens=10)
    assert res.schedule.start.tolist() == [0, 1]
    assert verify(res.instance, res.schedule, allow_eviction=True).feasible


def test_an_arrival_that_jumps_the_queue_is_asked_for():
    # sf orders by output: r1 (prompt 7) is blocked behind r0's memory at 0, but r2
    # (output 3) arrives at 2 at the head of the queue and fits; a policy whose queue
    # order lets arrivals pass a blocked head is never quiet
    inst = Instance.from_arrays("q", 20, arrival=[0, 0, 2], prompt=[12, 7, 1], output=[5, 9, 3])
    for policy in (make_policy("sf"), _Asked(make_policy("sf"), every_round=True)):
        res = simulate(inst, policy)
        assert res.report.first_start.tolist() == [0, 5, 2]

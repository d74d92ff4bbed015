"""Trace replay: named traces from the checkout, generic CSVs, sampling, scaling, clipping."""

import csv
import itertools

import numpy as np
import pytest

from kvopt.generators import GeneratorError, generate
from kvopt.generators.trace import TRACES, read_trace, trace_path, traces_dir


def _first_rows(path, k):
    with open(path, newline="") as f:
        return list(itertools.islice(csv.DictReader(f), k))


@pytest.mark.parametrize("name", sorted(TRACES))
def test_named_traces_ship_with_the_checkout(name):
    p = trace_path(name)
    assert p.parent == traces_dir() and p.is_file()
    assert (traces_dir() / "README.md").is_file()


def test_azure_head_matches_the_file():
    inst = generate("trace", seed=0, trace="azure-conv-2023", n=50, sample="head")
    rows = _first_rows(trace_path("azure-conv-2023"), 50)
    assert inst.ids[0] == "row1"
    assert [int(r["num_prefill_tokens"]) for r in rows] == inst.prompt.tolist()
    assert [int(r["num_decode_tokens"]) for r in rows] == inst.output.tolist()
    t = np.array([float(r["arrived_at"]) for r in rows])
    assert np.allclose(inst.arrival_time, t - t[0])
    assert inst.metadata["requests_in_trace"] == 19366


def test_mooncake_timestamps_are_milliseconds():
    t, s, o = read_trace(trace_path("mooncake-conversation"))
    assert t.size == 12031 and s.max() > 100_000
    assert 3000 < t.max() < 4000  # about one hour, in seconds


def test_rate_scale_and_sampling():
    one = generate("trace", seed=5, n=300, trace="azure-code-2023")
    two = generate("trace", seed=5, n=300, trace="azure-code-2023", rate_scale=2.0)
    assert np.allclose(two.arrival_time, one.arrival_time / 2)
    assert one.ids == two.ids
    rnd = generate("trace", seed=5, n=300, trace="azure-code-2023", sample="random")
    assert np.all(np.diff(rnd.arrival_time) >= 0) and rnd.arrival_time[0] == 0
    assert rnd.arrival_time[-1] > 10 * one.arrival_time[-1]  # a thinned process


def test_request_longer_than_memory_is_reported_or_clipped():
    kw = {"trace": "mooncake-conversation", "n": 400, "sample": "head", "memory": 20000}
    with pytest.raises(GeneratorError, match=r"row \d+: prompt \+ output .* overflow=clip"):
        generate("trace", **kw)
    inst = generate("trace", overflow="clip", **kw)
    assert inst.n == 400  # never dropped
    assert inst.peak.max() <= 20000 and inst.metadata["clipped"] > 0
    full = generate("trace", overflow="clip", **{**kw, "memory": 10**6})
    changed = (full.prompt != inst.prompt) | (full.output != inst.output)
    assert changed.sum() == inst.metadata["clipped"]


def test_generic_csv(tmp_path):
    p = tmp_path / "mine.csv"
    p.write_text("timestamp,prompt,output\n500,10,5\n0,20,3\n1500,7,9\n")
    inst = generate("trace", trace=str(p), time_model="unit", memory=100)
    assert inst.ids == ("row2", "row1", "row3")  # sorted by arrival
    assert inst.arrival_time.tolist() == [0.0, 0.5, 1.5]
    assert inst.arrival.tolist() == [0, 1, 2]  # unit time: ceil(seconds)
    sec = generate("trace", trace=str(p), time_model="unit", memory=100, time_unit="s")
    assert sec.arrival_time.tolist() == [0.0, 500.0, 1500.0]


def test_missing_named_trace(tmp_path):
    with pytest.raises(GeneratorError, match="missing"):
        generate("trace", trace="azure-conv-2023", trace_dir=str(tmp_path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("when,prompt,output\n0,1,1\n", "no arrival column"),
        ("arrival,prompt,output\n0,x,1\n", "row 1"),
        ("arrival,prompt,output\n0,0,1\n", "prompt must be >= 1"),
        ("arrival,prompt,output\n0,1,1\nnan,1,1\n", "row 2: arrival is not finite"),
        ("arrival,prompt,output\n", "no requests"),
    ],
)
def test_bad_trace_files(tmp_path, text, message):
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    with pytest.raises(GeneratorError, match=message):
        generate("trace", trace=str(bad))

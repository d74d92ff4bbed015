"""Trace readers on small real samples (tests/data/traces, with attribution)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

import kvopt
from kvopt.cli import main
from kvopt.generators.base import GeneratorError
from kvopt.generators.trace_formats import parse_columns, read_requests

DATA = Path(__file__).parent / "data" / "traces"


def rows(name):
    with (DATA / name).open(newline="") as f:
        return list(csv.reader(f))[1:]


def test_azure_original_columns_match_the_relative_seconds_reshipped_by_vidur():
    az = read_requests(DATA / "azure_conv_2023_head.csv")
    vid = read_requests(DATA / "vidur_splitwise_conv_head.csv")
    assert az.format == "azure-2023" and vid.format == "vidur"
    assert az.times.size == 200 and az.times[0] == 0.0
    k = vid.times.size
    np.testing.assert_allclose(az.times[:k], vid.times, atol=1e-6)
    assert az.prompt[:k].tolist() == vid.prompt.tolist()
    assert az.output[:k].tolist() == vid.output.tolist()
    raw = rows("azure_conv_2023_head.csv")
    assert az.prompt.tolist() == [int(r[1]) for r in raw]
    assert az.output.tolist() == [int(r[2]) for r in raw]


def test_azure_code_trace_and_dates_become_seconds_since_the_first():
    az = read_requests(DATA / "azure_code_2023_head.csv")
    assert az.times.size == 100 and np.all(np.diff(az.times) >= 0)
    # 2023-11-16 18:17:03.9799600 -> 18:17:04.0319600
    assert az.times[1] == pytest.approx(0.052, abs=1e-9)
    assert az.notes["arrivals"].startswith("dates")


def test_mooncake_jsonl_timestamps_are_milliseconds():
    mc = read_requests(DATA / "mooncake_conversation_head.jsonl")
    lines = [json.loads(x) for x in (DATA / "mooncake_conversation_head.jsonl").open()]
    assert mc.format == "mooncake" and mc.times.size == len(lines) == 100
    assert mc.times.tolist() == [x["timestamp"] / 1000 for x in lines]
    assert mc.prompt.tolist() == [x["input_length"] for x in lines]
    assert mc.output.tolist() == [x["output_length"] for x in lines]


def test_burstgpt_timestamp_is_seconds_despite_its_name():
    b = read_requests(DATA / "burstgpt_1_head.csv")
    assert b.format == "burstgpt"
    assert b.times.tolist() == [5.0, 45.0, 118.0]
    assert b.prompt.tolist() == [472, 1087, 417] and b.output.tolist() == [18, 230, 276]


def test_vllm_results_drop_failed_requests_and_say_arrivals_are_missing():
    v = read_requests(DATA / "vllm_results_fixture.json")
    assert v.format == "vllm-results"
    assert v.prompt.tolist() == [512, 300, 200, 64] and v.output.tolist() == [128, 256, 200, 56]
    assert v.rows.tolist() == [1, 2, 4, 5] and v.notes["dropped_failed"] == 1
    assert v.times.tolist() == [0.0] * 4 and "not in the file" in v.notes["arrivals"]


def test_vllm_results_with_start_times(tmp_path):
    data = json.loads((DATA / "vllm_results_fixture.json").read_text())
    data["start_times"] = [10.0, 10.5, 11.0, 12.0, 13.0]
    p = tmp_path / "r.json"
    p.write_text(json.dumps(data))
    assert read_requests(p).times.tolist() == [10.0, 10.5, 12.0, 13.0]


def test_explicit_columns_and_case_insensitive_headers(tmp_path):
    p = tmp_path / "mine.csv"
    p.write_text("When , In Tok,OUT TOK\n0.5,10,3\n1.5,20,4\n")
    d = read_requests(p, columns="arrival=when,prompt=in tok,output=Out Tok")
    assert d.format == "columns" and d.times.tolist() == [0.5, 1.5]
    assert d.prompt.tolist() == [10, 20] and d.output.tolist() == [3, 4]
    q = tmp_path / "upper.csv"
    q.write_text("ARRIVAL_TIME,PROMPT,OUTPUT\n0,5,6\n")
    assert read_requests(q).format == "generic"
    j = tmp_path / "mine.jsonl"
    j.write_text('{"T": 1, "P": 7, "O": 2}\n\n{"T": 3, "P": 8, "O": 1}\n')
    assert read_requests(j, columns="arrival=t,prompt=p,output=o").prompt.tolist() == [7, 8]


@pytest.mark.parametrize(
    ("text", "columns", "message"),
    [
        ("a,b,c\n1,2,3\n", None, "no arrival column"),
        ("a,b,c\n1,2,3\n", "arrival=a,prompt=x,output=c", "no column 'x' for prompt"),
        ("a,b,c\n1,2,3\n", "arrival=a,prompt=b", "no output"),
        ("a,b,c\n1,2,3\n", "when=a", "columns must be"),
        (
            "arrival,prompt,output\nsoon,2,3\n",
            None,
            "row 1: arrival is neither a number nor a date",
        ),
        ("arrival,prompt,output\n0,2.5,3\n", None, "row 1: prompt must be a whole number"),
        ("arrival,prompt,output\n0,2,0\n", None, "row 1: output must be >= 1"),
        ("arrival,prompt,output\n", None, "no requests"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path, text, columns, message):
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(GeneratorError, match=message) as e:
        read_requests(p, columns=columns)
    msg = str(e.value)
    assert "\n" not in msg and (str(p) in msg or msg.startswith("trace: columns"))


def test_bad_json_is_one_line(tmp_path):
    p = tmp_path / "x.json"
    p.write_text('{"input_lens": [1]')
    with pytest.raises(GeneratorError, match="not JSON"):
        read_requests(p)
    p.write_text('{"rows": []}')
    with pytest.raises(GeneratorError, match="vLLM benchmark results"):
        read_requests(p)
    q = tmp_path / "x.jsonl"
    q.write_text('{"timestamp": 0, "input_length": 1, "output_length": 1}\n[1]\n')
    with pytest.raises(GeneratorError, match="line 2: not a JSON object"):
        read_requests(q)
    assert parse_columns(None) is None


def test_generate_trace_reads_every_format_from_the_cli(tmp_path):
    for name in ("azure_conv_2023_head.csv", "mooncake_conversation_head.jsonl",
                 "burstgpt_1_head.csv", "vllm_results_fixture.json"):  # fmt: skip
        out = tmp_path / f"{name}.json"
        argv = ["generate", "trace", "--trace", str(DATA / name), "--overflow", "clip"]
        assert main([*argv, "--seed", "1", "--out", str(out)]) == 0, name
        inst = kvopt.load_instance(out)
        assert inst.n == read_requests(DATA / name).times.size
        assert inst.arrival_time is not None


def test_generate_trace_with_columns(tmp_path, capsys):
    p = tmp_path / "mine.csv"
    p.write_text("t,in,out\n0,10,3\n0.5,20,4\n")
    out = tmp_path / "i.json"
    argv = ["generate", "trace", "--trace", str(p), "--columns", "arrival=t,prompt=in,output=out"]
    assert main([*argv, "--out", str(out)]) == 0
    assert kvopt.load_instance(out).prompt.tolist() == [10, 20]
    assert main(["generate", "trace", "--trace", str(p), "--out", str(out)]) == 2
    assert "columns=" in capsys.readouterr().err

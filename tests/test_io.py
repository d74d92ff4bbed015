"""Instance and solution files: round trips, schemas, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from kvopt import (
    FormatError,
    Instance,
    InstanceError,
    Request,
    Schedule,
    Solution,
    load_instance,
    load_solution,
    save_instance,
    save_solution,
    verify,
)

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = {
    kind: json.loads((ROOT / "instances" / f"{kind}.schema.json").read_text())
    for kind in ("instance", "solution")
}


def write(tmp_path: Path, name: str, data) -> Path:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data))
    return p


def good_instance() -> dict:
    return {
        "name": "g",
        "memory": 10,
        "requests": [
            {"id": "a", "arrival": 0, "prompt": 3, "output": 2},
            {"id": "b", "arrival": 1, "prompt": 2, "output": 4},
        ],
    }


def test_instance_round_trip(tmp_path):
    inst = Instance(
        "rt",
        50,
        [
            Request("a", 0, 3, 5, predicted=6, output_lo=4, output_hi=8, arrival_time=0.25),
            Request("b", 2, 1, 1, predicted=1, output_lo=1, output_hi=2, arrival_time=1.5),
        ],
        metadata={"seed": 3},
    )
    p = tmp_path / "rt.json"
    save_instance(inst, p)
    back = load_instance(p)
    assert back == inst
    jsonschema.validate(json.loads(p.read_text()), SCHEMA["instance"])


def test_solution_round_trip(tmp_path):
    inst = load_instance(ROOT / "instances" / "example6.json")
    sol = load_solution(ROOT / "instances" / "example6.sol.json")
    report = verify(inst, sol.schedule)
    assert report.objective == sol.objective
    p = tmp_path / "s.json"
    sol2 = Solution(
        "example6",
        "test",
        "feasible",
        report.objective,
        12.5,
        0.1,
        sol.schedule,
        metadata={"x": 1},
        metrics=report.summary(),
    )
    save_solution(sol2, p)
    back = load_solution(p)
    assert back.schedule == sol.schedule and back.lower_bound == 12.5
    assert back.metrics["objective"] == report.objective
    jsonschema.validate(json.loads(p.read_text()), SCHEMA["solution"])


def test_shipped_examples_match_schemas():
    for f in sorted((ROOT / "instances").rglob("*.json")):
        if f.name.endswith(".schema.json"):
            continue
        data = json.loads(f.read_text())
        kind = "solution" if "runs" in data else "instance"
        jsonschema.validate(data, SCHEMA[kind])
        (load_solution if kind == "solution" else load_instance)(f)


@pytest.mark.parametrize(
    ("mutate", "location", "message"),
    [
        (lambda d: d.pop("memory"), None, "missing key 'memory'"),
        (lambda d: d.update(extra=1), None, "unknown key 'extra'"),
        (lambda d: d.update(memory="10"), "memory", "must be an integer"),
        (lambda d: d.update(memory=10.5), "memory", "must be an integer"),
        (lambda d: d.update(requests={}), "requests", "must be an array"),
        (lambda d: d["requests"][1].pop("output"), "requests[1]", "missing key 'output'"),
        (lambda d: d["requests"][1].update(prmpt=2), "requests[1]", "unknown key 'prmpt'"),
        (
            lambda d: d["requests"][0].update(prompt=True),
            "requests[0].prompt",
            "must be an integer",
        ),
        (lambda d: d["requests"][0].update(id=7), "requests[0].id", "non-empty string"),
        (lambda d: d["requests"].append(5), "requests[2]", "must be an object"),
    ],
)
def test_malformed_instance_shape(tmp_path, mutate, location, message):
    d = good_instance()
    mutate(d)
    p = write(tmp_path, "bad.json", d)
    with pytest.raises(FormatError) as e:
        load_instance(p)
    assert e.value.file == str(p)
    assert e.value.location == location
    assert message in str(e.value)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize(
    ("mutate", "request_id", "field"),
    [
        (lambda d: d["requests"][1].update(prompt=0), "b", "prompt"),
        (lambda d: d["requests"][1].update(output=9), "b", "output"),
        (lambda d: d["requests"][1].update(id="a"), "a", "id"),
        (lambda d: d["requests"][0].update(predicted=2), "b", "predicted"),
        (
            lambda d: (
                d["requests"][0].update(output_lo=3, output_hi=4),
                d["requests"][1].update(output_lo=1, output_hi=4),
            ),
            "a",
            "output_lo",
        ),
    ],
)
def test_invalid_instance_names_file_request_field(tmp_path, mutate, request_id, field):
    d = good_instance()
    mutate(d)
    p = write(tmp_path, "bad.json", d)
    with pytest.raises(InstanceError) as e:
        load_instance(p)
    assert (e.value.file, e.value.request, e.value.field) == (str(p), request_id, field)
    assert str(p) in str(e.value) and repr(request_id) in str(e.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "invalid JSON"),
        ('{"name": "x", "memory": NaN, "requests": []}', "NaN"),
        ("", "invalid JSON"),
        ("[1, 2]", "must be an object"),
    ],
)
def test_not_json(tmp_path, text, message):
    p = write(tmp_path, "x.json", text)
    with pytest.raises(FormatError, match=message):
        load_instance(p)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FormatError, match="no such file"):
        load_instance(tmp_path / "nope.json")
    with pytest.raises(FormatError, match="directory"):
        load_instance(tmp_path)


@pytest.mark.parametrize(
    ("mutate", "location"),
    [
        (lambda d: d.update(status="great"), "status"),
        (lambda d: d.update(objective=1.5), "objective"),
        (lambda d: d.update(runtime=None), "runtime"),
        (lambda d: d["runs"][0].update(start="0"), "runs[0].start"),
        (lambda d: d["runs"][0].pop("end"), "runs[0]"),
        (lambda d: d.pop("lower_bound"), None),
    ],
)
def test_malformed_solution(tmp_path, mutate, location):
    d = json.loads((ROOT / "instances" / "example6.sol.json").read_text())
    mutate(d)
    p = write(tmp_path, "bad.sol.json", d)
    with pytest.raises(FormatError) as e:
        load_solution(p)
    assert e.value.location == location


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    inst = Instance("a", 5, [Request("x", 0, 1, 1)])
    save_instance(inst, tmp_path / "sub" / "a.json")
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["a.json"]
    sched = Schedule([("x", 0, 1)])
    save_solution(Solution("a", "t", "feasible", 1, None, 0, sched), tmp_path / "sub" / "a.sol")
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["a.json", "a.sol"]

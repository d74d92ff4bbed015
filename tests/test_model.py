import numpy as np
import pytest

from kvopt import Instance, InstanceError, Request


def test_request_valid_and_peak():
    r = Request("a", 0, 3, 5, predicted=4, output_lo=2, output_hi=7)
    assert r.peak == 8
    assert r.as_dict() == {
        "id": "a",
        "arrival": 0,
        "prompt": 3,
        "output": 5,
        "predicted": 4,
        "output_lo": 2,
        "output_hi": 7,
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"prompt": 0}, "prompt"),
        ({"output": 0}, "output"),
        ({"arrival": -1}, "arrival"),
        ({"prompt": 2.0}, "prompt"),
        ({"prompt": True}, "prompt"),
        ({"predicted": 0}, "predicted"),
        ({"output_lo": 2}, "output_hi"),
        ({"output_lo": 6, "output_hi": 9}, "output_lo"),
        ({"output_lo": 1, "output_hi": 4}, "output_hi"),
        ({"arrival_time": -0.5}, "arrival_time"),
        ({"arrival_time": float("nan")}, "arrival_time"),
    ],
)
def test_request_rejects(kwargs, field):
    base = {"id": "r7", "arrival": 0, "prompt": 3, "output": 5}
    base.update(kwargs)
    with pytest.raises(InstanceError) as e:
        Request(**base)
    assert e.value.field == field
    assert e.value.request == "r7"
    assert "r7" in str(e.value) and field in str(e.value)


def test_request_empty_id():
    with pytest.raises(InstanceError, match="id"):
        Request("", 0, 1, 1)


def test_instance_arrays_and_access():
    inst = Instance("t", 10, [Request("a", 0, 3, 2), Request("b", 4, 2, 4)])
    assert inst.n == len(inst) == 2
    assert inst.ids == ("a", "b")
    assert inst.arrival.tolist() == [0, 4]
    assert inst.index("b") == 1 and "b" in inst and "z" not in inst
    assert inst["b"].output == 4 and inst[0].id == "a"
    assert inst.predicted is None and not inst.has_predictions
    with pytest.raises(ValueError):
        inst.prompt[0] = 5  # read-only


def test_instance_rejects_duplicate_ids_and_too_large_requests():
    with pytest.raises(InstanceError, match="duplicate") as e:
        Instance("t", 10, [Request("a", 0, 1, 1), Request("a", 0, 1, 1)])
    assert e.value.request == "a"
    with pytest.raises(InstanceError, match="can never run") as e:
        Instance("t", 10, [Request("a", 0, 1, 1), Request("big", 0, 6, 5)])
    assert e.value.request == "big"
    with pytest.raises(InstanceError, match="memory"):
        Instance("t", 0, [])
    with pytest.raises(InstanceError, match="memory"):
        Instance("t", 10.0, [])  # type: ignore[arg-type]


def test_instance_predictions_all_or_none():
    with pytest.raises(InstanceError, match="all requests or none") as e:
        Instance("t", 10, [Request("a", 0, 1, 1, predicted=1), Request("b", 0, 1, 1)])
    assert e.value.request == "b" and e.value.field == "predicted"


def test_from_arrays_matches_constructor_and_validates():
    reqs = [Request(f"r{i}", i, 1 + i % 3, 2 + i % 4, predicted=3) for i in range(6)]
    a = Instance("t", 20, reqs)
    b = Instance.from_arrays(
        "t",
        20,
        arrival=[r.arrival for r in reqs],
        prompt=[r.prompt for r in reqs],
        output=[r.output for r in reqs],
        predicted=[3] * 6,
    )
    assert a == b
    assert b.requests == a.requests
    with pytest.raises(InstanceError) as e:
        Instance.from_arrays("t", 20, arrival=[0, 0], prompt=[1, 0], output=[1, 1])
    assert e.value.request == "r1" and e.value.field == "prompt"
    with pytest.raises(InstanceError, match="integer") as e:
        Instance.from_arrays("t", 20, arrival=[0, 0.5], prompt=[1, 1], output=[1, 1])
    assert e.value.request == "r1"
    with pytest.raises(InstanceError, match="interval"):
        Instance.from_arrays(
            "t", 20, arrival=[0], prompt=[1], output=[5], output_lo=[1], output_hi=[4]
        )


def test_replace_and_subset():
    inst = Instance.from_arrays("t", 20, arrival=[0, 1, 2], prompt=[1, 2, 3], output=[4, 5, 6])
    sub = inst.subset([2, 0])
    assert sub.ids == ("r2", "r0") and sub.output.tolist() == [6, 4]
    bigger = inst.replace(memory=30, name="u")
    assert bigger.memory == 30 and bigger.name == "u"
    with pytest.raises(InstanceError):
        inst.replace(memory=5)


def test_large_instance_is_fast():
    import time

    rng = np.random.default_rng(0)
    n = 200_000
    t0 = time.perf_counter()
    inst = Instance.from_arrays(
        "big",
        10_000,
        arrival=np.sort(rng.integers(0, 10**6, n)),
        prompt=rng.integers(1, 500, n),
        output=rng.integers(1, 500, n),
    )
    assert inst.n == n
    assert time.perf_counter() - t0 < 5

"""Solution files of simulations in calibrated time re-verify against their own rounds."""

from __future__ import annotations

import json

import pytest

from kvopt import generate, save_instance, save_solution, simulate
from kvopt.cli import main
from kvopt.errors import FormatError
from kvopt.io import load_instance, load_solution, solution_instance
from kvopt.policies import make_policy
from kvopt.time_model import get_time_model


@pytest.fixture
def files(tmp_path):
    inst = generate("trace", trace="azure-conv-2023", n=400, memory=16492, seed=2)
    assert inst.arrival_time is not None
    res = simulate(inst, make_policy("mcsf"), get_time_model("a100-tp2-llama2-70b"))
    ipath, spath = tmp_path / "i.json", tmp_path / "s.json"
    save_instance(inst, ipath)
    save_solution(res.to_solution(), spath)
    return inst, res, ipath, spath


def test_simulated_rounds_are_recorded_and_verify(files, capsys):
    inst, res, ipath, spath = files
    sol = load_solution(spath)
    assert sol.metadata["arrival_rounds"] == res.instance.arrival.tolist()
    # the simulation put some arrivals in other rounds than the generator's estimate
    assert sol.metadata["arrival_rounds"] != inst.arrival.tolist()
    assert solution_instance(load_instance(ipath), sol).arrival.tolist() == (
        res.instance.arrival.tolist()
    )
    assert main(["verify", str(ipath), str(spath)]) == 0
    assert "metadata.arrival_rounds" in capsys.readouterr().out


def test_without_the_rounds_the_nominal_arrivals_are_used(files):
    _, _, ipath, spath = files
    d = json.loads(spath.read_text())
    del d["metadata"]["arrival_rounds"]
    spath.write_text(json.dumps(d))
    assert main(["verify", str(ipath), str(spath)]) == 1


@pytest.mark.parametrize("mutate", ["shorter", "negative", "reversed"])
def test_malformed_or_contradictory_rounds_are_bad_input(files, mutate, capsys):
    _, _, ipath, spath = files
    d = json.loads(spath.read_text())
    rounds = d["metadata"]["arrival_rounds"]
    if mutate == "shorter":
        rounds.pop()
    elif mutate == "negative":
        rounds[0] = -1
    else:
        d["metadata"]["arrival_rounds"] = [max(rounds) - r for r in rounds]
    spath.write_text(json.dumps(d))
    assert main(["verify", str(ipath), str(spath)]) == 2
    assert "metadata.arrival_rounds" in capsys.readouterr().err
    with pytest.raises(FormatError):
        solution_instance(load_instance(ipath), load_solution(spath))


def test_plot_uses_the_simulated_rounds(files, tmp_path):
    pytest.importorskip("matplotlib")
    _, _, ipath, spath = files
    assert main(["plot", str(ipath), str(spath), "--out", str(tmp_path / "p.png")]) == 0

"""``kvopt generate``: files that load, determinism, one-line errors with exit code 2."""

import json

import pytest

from kvopt.cli import main
from kvopt.generators import FAMILIES
from kvopt.io import load_instance

ARGS = {
    "paper1-synthetic": ["--arrivals", "poisson", "--rate", "1.0"],
    "poisson": ["--n", "100", "--rate", "50", "--memory", "16492", "--noise", "0.2"],
    "trace": ["--trace", "azure-code-2023", "--n", "100", "--interval", "0.5"],
    "identical": ["--n", "7"],
    "blocking-thin": ["--memory", "25"],
    "amax-family": ["--alpha", "0.5", "--n", "40"],
    "stochastic": ["--types", "1:4,2:6-9", "--memory", "30", "--load", "0.9", "--n", "80"],
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_generate_writes_a_valid_instance(family, tmp_path, capsys):
    out = tmp_path / f"{family}.json"
    assert main(["generate", family, *ARGS[family], "--seed", "3", "--out", str(out)]) == 0
    inst = load_instance(out)
    assert inst.metadata["generator"] == family and inst.metadata["seed"] == 3
    again = tmp_path / "again.json"
    assert main(["generate", family, *ARGS[family], "--seed", "3", "--out", str(again)]) == 0
    assert out.read_text() == again.read_text()
    assert main(["info", str(out)]) == 0
    assert "offered load" in capsys.readouterr().out


def test_generate_to_stdout(capsys):
    assert main(["generate", "identical", "--n", "2", "--out", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["requests"]) == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["identical", "--prompt", "9", "--memory", "10"], "exceeds memory"),
        (["trace", "--trace", "nowhere.csv"], "neither a named trace"),
        (["poisson", "--time-model", "tpu"], "unknown time model"),
        (["amax-family", "--alpha", "2"], "alpha must be in"),
        (["poisson", "--rate", "fast"], "invalid float value"),
        (["poisson", "--lengths", "zipf"], "invalid choice"),
    ],
)
def test_generate_bad_parameters_exit_2(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        code = main(["generate", *argv, "--out", str(tmp_path / "x.json")])
        raise SystemExit(code)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.json").exists()


def test_generate_requires_out(capsys):
    with pytest.raises(SystemExit) as e:
        main(["generate", "identical"])
    assert e.value.code == 2


def test_family_help_lists_parameters(capsys):
    with pytest.raises(SystemExit) as e:
        main(["generate", "trace", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "--rate-scale" in out and "--overflow" in out and "--noise" in out

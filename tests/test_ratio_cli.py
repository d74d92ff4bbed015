import pytest

from kvopt.cli import main


@pytest.mark.parametrize(
    "argv",
    [
        ["adversary", "--policy", "mcsf", "--sizes", "16,x"],
        ["adversary", "--policy", "mcsf", "--sizes", "0,4"],
        ["adversary", "--policy", "mcsf", "--sizes", ""],
        ["bounds", "--alphas", "0.5,2"],
        ["bounds", "--alphas", "a"],
        ["bounds", "--instances", "0"],
        ["ratio", "--policy", "mcsf", "--policy", "mcsf", "--family", "x"],
        ["ratio", "--policy", "mcsf", "--family", "x", "--trials", "-1"],
        ["ratio", "--policy", "mcsf", "--family", "x", "--seed", "-3"],
        ["ratio", "--policy", "mcsf:alpha", "--family", "x"],
        ["ratio", "--family", "x"],  # --policy is required
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as e:  # argparse's own usage errors
        code = e.code
    assert code == 2
    err = capsys.readouterr().err
    assert "error" in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["ratio", "adversary", "bounds"])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    assert e.value.code == 0
    assert "usage" in capsys.readouterr().out

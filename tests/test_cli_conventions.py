"""The command-line conventions (README, "Command-line conventions") hold in every command."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from kvopt.cli import build_parser, main
from kvopt.cli import conventions as conv
from kvopt.io import load_instance
from kvopt.time_model import TIME_MODELS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "instances" / "example6.json"


def _parsers() -> dict[str, argparse.ArgumentParser]:
    """Every sub-command's parser (and every ``generate FAMILY``), by its prog."""
    out: dict[str, argparse.ArgumentParser] = {}

    def walk(p: argparse.ArgumentParser) -> None:
        out[p.prog] = p
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for child in action.choices.values():
                    walk(child)

    walk(build_parser())
    return out


PARSERS = _parsers()


@pytest.mark.parametrize("prog", sorted(PARSERS))
def test_help_is_plain_text(prog):
    text = PARSERS[prog].format_help()
    for markup in ("``", ":func:", ":class:", ":mod:", "::\n", "`_"):
        assert markup not in text, f"{prog} --help shows {markup!r}"


@pytest.mark.parametrize("prog", sorted(PARSERS))
def test_help_lists_every_choice(prog):
    parser = PARSERS[prog]
    text = " ".join(parser.format_help().split())
    for action in parser._actions:
        if action.choices and not isinstance(action, argparse._SubParsersAction):
            for choice in action.choices:
                assert str(choice) in text, f"{prog} {action.option_strings}: {choice}"


@pytest.mark.parametrize("command", ["simulate", "compare", "generate poisson"])
def test_help_lists_the_calibrated_time_models(command):
    text = " ".join(PARSERS[f"kvopt {command}"].format_help().split()).replace("- ", "-")
    assert len(TIME_MODELS) >= 4
    for name in TIME_MODELS:
        assert name in text


@pytest.mark.parametrize("prog", sorted(PARSERS))
def test_json_always_prints_to_stdout_and_out_takes_a_path(prog):
    for action in PARSERS[prog]._actions:
        if "--json" in action.option_strings:
            assert action.const == conv.STDOUT and action.default is None
        if "--out" in action.option_strings:
            assert action.metavar in ("FILE", "DIR") and "'-'" in action.help


def test_plain_strips_roles_literals_and_double_colons():
    doc = "Use :func:`kvopt.verify` and ``--out``.\n\nExamples::\n\n    kvopt x\n"
    assert conv.plain(doc) == "Use verify and --out.\n\nExamples:\n\n    kvopt x\n"


def test_two_generated_files_of_one_seed_have_distinct_names(tmp_path, capsys):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    base = ["generate", "identical", "--prompt", "1", "--output", "2", "--memory", "10"]
    assert main([*base, "--n", "3", "--seed", "1", "--out", str(a)]) == 0
    assert main([*base, "--n", "4", "--seed", "1", "--out", str(b)]) == 0
    na, nb = load_instance(a).name, load_instance(b).name
    assert na.startswith("identical-s1-") and nb.startswith("identical-s1-") and na != nb
    assert main([*base, "--n", "3", "--seed", "1", "--out", "-"]) == 0  # same file, same name
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["name"] == na
    assert main(["solve", str(a), str(b), "--solver", "semi-online"]) == 0


def test_solve_out_dash_prints_json_lines_and_the_table_on_stderr(capsys):
    assert (
        main(["solve", str(EXAMPLE), "--solver", "cpsat", "--time-limit", "20", "--out", "-"]) == 0
    )
    cap = capsys.readouterr()
    (doc,) = [json.loads(line) for line in cap.out.splitlines()]
    assert doc["instance"] == "example6" and doc["objective"] == 31
    assert "objective" in cap.err and "example6" in cap.err


def test_solve_json_prints_rows_instead_of_the_table(capsys):
    assert main(["solve", str(EXAMPLE), "--solver", "cpsat", "--time-limit", "20", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["solver"], r["objective"], r["status"]) for r in rows] == [("cpsat", 31, "optimal")]


def test_oversubscription_warns(monkeypatch, capsys):
    monkeypatch.setattr(conv, "cpu_count", lambda: 2)
    conv.warn_oversubscribed("solve", 2, 2)
    assert "--jobs 2 x --threads 2 = 4 exceeds the 2 CPU(s)" in capsys.readouterr().err
    conv.warn_oversubscribed("solve", 2, 1)
    assert capsys.readouterr().err == ""


def test_solve_warns_when_jobs_times_threads_exceed_the_cpus(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(conv, "cpu_count", lambda: 1)
    argv = ["solve", str(EXAMPLE), "--solver", "cpsat", "--threads", "2", "--time-limit", "20"]
    assert main(argv) == 0
    assert "exceeds the 1 CPU(s)" in capsys.readouterr().err


def test_adversary_save_is_a_deprecated_alias_of_out(tmp_path, capsys):
    argv = ["adversary", "--policy", "fcfs", "--sizes", "4,9"]
    assert main([*argv, "--save", str(tmp_path / "a")]) == 0
    assert "--save DIR is deprecated" in capsys.readouterr().err
    assert main([*argv, "--out", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(
        p.name for p in (tmp_path / "b").iterdir()
    )
    assert main([*argv, "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["policy"] == "fcfs" and [r["size"] for r in row["rows"]] == [4, 9]


def test_deprecated_json_file_still_writes_the_file(tmp_path, capsys):
    target = tmp_path / "adv.json"
    assert main(["adversary", "--policy", "fcfs", "--sizes", "4,9", "--json", str(target)]) == 0
    cap = capsys.readouterr()
    assert "--json FILE is deprecated" in cap.err and "fitted growth exponent" in cap.out
    assert json.loads(target.read_text())[0]["policy"] == "fcfs"


def test_bounds_writes_nothing_without_out(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["bounds", "--check", "amax", "--instances", "1", "--alphas", "0.5"]
    assert main(argv) in (0, 1)
    assert list(tmp_path.iterdir()) == []

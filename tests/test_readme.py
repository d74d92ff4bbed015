"""The README's commands work as written (run from a scratch folder).

Every ``kvopt ...`` line of a ``bash`` block and every ``python`` block runs, in
document order, in a temporary folder that sees the repository's ``instances/`` and
``examples/``; each must exit 0. Set-up lines (``python -m pip``, ``python -m pytest``)
and lines whose comment says they take minutes are not run here: the set-up lines are
what CI itself runs, and the long ones are covered by shorter tests of the same command.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_blocks() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(m.group(1), m.group(2)) for m in re.finditer(r"```(\w+)\n(.*?)```", text, re.S)]


def bash_commands(block: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", "", block)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if not line.startswith("kvopt ") or "minutes" in line:
            continue
        out.append(f'"{sys.executable}" -m kvopt ' + line[len("kvopt ") :])
    return out


def steps() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for lang, body in readme_blocks():
        if lang == "bash":
            out += [("bash", c) for c in bash_commands(body)]
        elif lang == "python":
            out.append(("python", body))
    return out


def test_readme_has_commands():
    kinds = [k for k, _ in steps()]
    assert kinds.count("bash") >= 10 and kinds.count("python") >= 2


#: The options (and the shell redirection) through which a README command names a file.
OUTPUT_OPTIONS = ("--out", "--csv", "--plot", "--html", "--store", "--json", ">", "-o")


def named_outputs(commands: list[str]) -> set[str]:
    """The top-level names of every path the commands name as an output."""
    names = set()
    for cmd in commands:
        words = cmd.split()
        for opt, value in zip(words, words[1:], strict=False):
            if opt in OUTPUT_OPTIONS and value not in OUTPUT_OPTIONS and value[0] != "-":
                names.add(value.split("/")[0])
    return names


def test_named_outputs_reads_options_and_redirections():
    cmds = ["kvopt x --out out/a.json --csv b.csv", "kvopt y --json > c/d.json", "kvopt z --json"]
    assert named_outputs(cmds) == {"out", "b.csv", "c"}


def test_readme_commands_write_only_under_out():
    """The README's commands name only ``out/...`` as outputs (nothing in the root)."""
    commands = [c for k, c in steps() if k == "bash"]
    assert named_outputs(commands) == {"out"}


def test_readme_commands_run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("repo")  # the commands' root; HOME is elsewhere
    home = tmp_path_factory.mktemp("home")
    for name in ("instances", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "docs").mkdir()
    env_path = str(ROOT)
    failures = []
    for kind, code in steps():
        cmd = ["bash", "-c", code] if kind == "bash" else [sys.executable, "-c", code]
        r = subprocess.run(
            cmd,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            env={
                "PYTHONPATH": env_path,
                "PATH": "/usr/bin:/bin",
                "MPLBACKEND": "Agg",
                "HOME": str(home),
            },
        )
        if r.returncode != 0:
            failures.append(f"{code[:200]!r} -> exit {r.returncode}: {r.stderr[-800:]}")
    if failures:
        pytest.fail("README commands failed:\n" + "\n".join(failures))
    left = {p.name for p in tmp_path.iterdir()} - {"instances", "examples", "docs", "out"}
    left -= named_outputs([c for k, c in steps() if k == "bash"])
    assert not left, f"README commands left files no --out named: {sorted(left)}"

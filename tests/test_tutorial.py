"""The tutorial in ``examples/`` runs end to end (each step under about 20 s).

Every ``examples/step*.py`` is collected automatically and run as a user would run it,
in a fresh interpreter from the repository root, writing its figures to a temporary
folder; the scripts check their own claims (optimality, ratios) with assertions. The
interactive pages a step writes (``*.html``) are opened in headless Chromium when it is
installed (required in CI, see ``tests/helpers/browser.py``) and must render without console
output.

A script names what it needs beyond the foundation in a comment line
``# requires: solver:milp, module:kvopt.simulate``; a step whose requirement is not
(yet) part of the package is skipped with the missing piece as the reason.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import browser

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[1]
STEPS = sorted((ROOT / "examples").glob("step*.py"))


def missing_requirements(script: Path) -> list[str]:
    """The requirements named in ``script``'s ``# requires:`` line that are not met."""
    from kvopt.solve import SOLVERS

    match = re.search(r"^# requires:(.*)$", script.read_text(encoding="utf-8"), re.M)
    needs = [r.strip() for r in match.group(1).split(",")] if match else []
    missing = []
    for need in needs:
        kind, _, name = need.partition(":")
        if kind == "solver":
            ok = name in SOLVERS
        elif kind == "module":
            ok = importlib.util.find_spec(name) is not None
        else:
            raise AssertionError(f"{script.name}: unknown requirement {need!r}")
        if not ok:
            missing.append(need)
    return missing


@pytest.mark.parametrize("script", STEPS, ids=[s.stem for s in STEPS])
def test_tutorial_step_runs(script, tmp_path):
    missing = missing_requirements(script)
    if missing:
        pytest.skip(f"{script.name} needs {', '.join(missing)}, not in this checkout")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "Agg"
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    elapsed = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    figures = sorted(tmp_path.glob("*.png"))
    assert figures, "the step wrote no figure"
    for f in figures:
        assert f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f.stat().st_size > 5_000
    for page in sorted(tmp_path.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert 'id="kvopt-data"' in text and "src=" not in text, f"{page.name}: not a kvopt page"
        if browser.available():
            opened = browser.open_page(page, tmp_path)
            assert opened.console == [], f"{page.name}: console output {opened.console}"
            assert 'data-kvopt="rendered"' in opened.dom, f"{page.name} was not drawn"
    print(f"{script.name}: {elapsed:.1f} s")


def test_every_step_is_in_the_tutorial_readme():
    text = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    for s in STEPS:
        assert s.name in text, f"examples/README.md does not mention {s.name}"
    assert text.count("**Answer") >= len(STEPS), "every step needs an exercise with its answer"

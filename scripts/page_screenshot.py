"""Redraw ``docs/plot_html.png``: the README's interactive page, screenshot in Chromium.

Usage (from the repository root, with Chromium installed)::

    python scripts/page_screenshot.py [--out docs/plot_html.png]

Runs the README's commands (the optimum of ``instances/example6.json`` with the MILP, the
vLLM-like policy, ``kvopt plot ... --html``) in a temporary folder, opens the page
headless with the hover box on r4's evicted run (``#hover=`` in the address), and saves
the screenshot with 48 colours to keep it small.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from kvopt.cli import main as kvopt

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "plot_html.png"))
    args = ap.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        raise SystemExit("needs Chromium (apt-get install chromium)")
    inst = str(ROOT / "instances" / "example6.json")
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        assert kvopt(["solve", inst, "--solver", "milp", "--out", tmp]) == 0
        vllm = str(t / "example6.vllm.json")
        assert kvopt(["simulate", inst, "--policy", "vllm", "--out", vllm]) == 0
        page = t / "example6.html"
        opt = str(t / "example6.sol.json")
        assert kvopt(["plot", inst, vllm, "--compare", opt, "--html", str(page)]) == 0
        shot = t / "shot.png"
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                f"--user-data-dir={t / 'profile'}",
                "--window-size=1200,640",
                f"--screenshot={shot}",
                page.as_uri() + "#hover=0,gantt,0.403,0.583",  # r4's evicted run, time 7
            ],
            check=True,
            capture_output=True,
        )
        from PIL import Image  # comes with matplotlib

        image = Image.open(shot).convert("RGB").quantize(colors=48)
        image.save(args.out, optimize=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""How large and how fast the interactive page (`kvopt plot --html`) is at 10^2..10^4 requests.

For each size N: a Poisson instance with LMSYS-like lengths (``generate("poisson", n=N,
rate=RATE)``, M = 54,067 tokens: 2 x A100), simulated with MC-SF and with the vLLM-like policy
(which evicts), both schedules checked by the verifier; then the page with the MC-SF
schedule alone and the page with both side by side is written, and its size and the
time to build and write it are measured (wall and CPU time).

    python benchmarks/html_size.py [--sizes 100,1000,10000] [--rate 4] [--out DIR] [--browser]

Prints one Markdown row per size and page (as in ``benchmarks/README.md``). With
``--browser`` each page is also opened in headless Chromium, and the time its script took
to prepare the data and draw every panel the first time (``data-kvopt-ms``) is added.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from kvopt.generators import generate
from kvopt.model import Instance
from kvopt.plot import build_panels
from kvopt.plot_html import write_html
from kvopt.policies import make_policy
from kvopt.simulate import simulate
from kvopt.verify import verify


def schedules(n: int, rate: float, seed: int = 1) -> tuple[Instance, dict]:
    """The instance of size ``n`` and its MC-SF and vLLM-like schedules (verified)."""
    inst = generate("poisson", seed=seed, n=n, rate=rate)
    out = {}
    for label, policy in (("MC-SF", make_policy("mcsf")), ("vLLM-like", make_policy("vllm"))):
        res = simulate(inst, policy)
        verify(inst, res.schedule)
        out[label] = res.to_solution()
    return inst, out


def measure(inst: Instance, sols: dict, path: Path) -> tuple[int, float, float]:
    """Bytes of the page of ``sols`` at ``path``, wall and CPU seconds to build + write."""
    w0, c0 = time.perf_counter(), time.process_time()
    write_html(inst, sols, path)
    return path.stat().st_size, time.perf_counter() - w0, time.process_time() - c0


def draw_ms(page: Path, profile: Path) -> str:
    """Milliseconds the page's script took to draw in headless Chromium (its own clock)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        raise SystemExit("--browser needs Chromium (apt-get install chromium)")
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}"]
    cmd += ["--window-size=1400,1000", "--dump-dom", page.resolve().as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    m = re.search(r'data-kvopt-ms="([0-9.]+)"', dom)
    return f"{m.group(1)} ms" if m else "not drawn"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000", help="comma-separated request counts")
    ap.add_argument("--rate", type=float, default=4.0, help="arrivals per second")
    ap.add_argument("--out", help="folder for the pages (default: a temporary folder)")
    ap.add_argument("--browser", action="store_true", help="also time the drawing in Chromium")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.out or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        extra = " drawn in Chromium |" if args.browser else ""
        print(
            "| requests | schedules | runs (evicted) | rounds | lanes | size | wall | CPU |" + extra
        )
        print("|---|---|---|---|---|---|---|---|" + ("---|" if args.browser else ""))
        for n in (int(x) for x in args.sizes.split(",")):
            inst, sols = schedules(n, args.rate)
            for pick in (["MC-SF"], ["MC-SF", "vLLM-like"]):
                chosen = {k: sols[k] for k in pick}
                path = folder / f"poisson-{n}-{len(pick)}.html"
                size, wall, cpu = measure(inst, chosen, path)
                panels, _ = build_panels(inst, list(chosen.values()), lane_image=False)
                reps = [p.report for p in panels]
                runs = " / ".join(f"{r.runs:,} ({r.evicted_runs:,})" for r in reps)
                rounds = " / ".join(f"{r.makespan:,}" for r in reps)
                rows = " / ".join(str(p.rows) for p in panels)
                print(
                    f"| {n:,} | {' + '.join(pick)} | {runs} | {rounds} | "
                    f"{rows} | {size / 1024:,.0f} kB | "
                    f"{wall:.2f} s | {cpu:.2f} s |"
                    + (f" {draw_ms(path, Path(tmp) / 'profile')} |" if args.browser else "")
                )


if __name__ == "__main__":
    main()

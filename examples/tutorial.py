"""What the tutorial's steps share: the command line (``--out``) and the figure folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from kvopt.plot import require_matplotlib

#: The repository root (the steps read ``instances/`` from it).
ROOT = Path(__file__).resolve().parents[1]


def parser(doc: str) -> argparse.ArgumentParser:
    """A step's argument parser: its docstring's first line and ``--out FOLDER``."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "examples" / "figures"), help="figure folder")
    return ap


def figure_folder(args: argparse.Namespace) -> Path:
    """The folder for the step's figures (created), after checking matplotlib is there."""
    require_matplotlib()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    return out

"""Regenerate the example instances in ``instances/examples/``.

    python scripts/make_examples.py

Each example is ``kvopt.generate(family, seed=..., **params)`` written with
``save_instance``; ``tests/test_examples.py`` checks that the shipped files are exactly
what this script produces.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kvopt.generators import generate  # noqa: E402
from kvopt.io import save_instance  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "instances" / "examples"

#: file stem -> (family, seed, parameters)
EXAMPLES = {
    "paper1-synthetic-zero": ("paper1-synthetic", 1, {}),
    "paper1-synthetic-poisson": ("paper1-synthetic", 1, {"arrivals": "poisson", "rate": 1.0}),
    "poisson-a100-tp2-rate10": (
        "poisson",
        1,
        {"n": 200, "rate": 10.0, "memory": 16492, "noise": 0.2},
    ),
    "trace-azure-conv-2023": ("trace", 1, {"trace": "azure-conv-2023", "n": 200}),
    "trace-azure-code-2023": (
        "trace",
        1,
        {"trace": "azure-code-2023", "n": 200, "interval": 0.5},
    ),
    "trace-mooncake-conversation": (
        "trace",
        1,
        {"trace": "mooncake-conversation", "n": 100, "memory": 54067, "overflow": "clip"},
    ),
    "identical-s1-o2-m10": ("identical", 0, {"n": 7, "prompt": 1, "output": 2, "memory": 10}),
    "blocking-thin-m100": ("blocking-thin", 0, {"memory": 100}),
    "amax-family-alpha0.5": ("amax-family", 0, {"alpha": 0.5, "n": 60}),
    "stochastic-load0.9": ("stochastic", 1, {"n": 200, "types": "2:20", "load": 0.9}),
}


def build(stem: str):
    family, seed, params = EXAMPLES[stem]
    return generate(family, seed=seed, name=stem, **params)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for stem in EXAMPLES:
        save_instance(build(stem), OUT / f"{stem}.json")
        print(f"wrote instances/examples/{stem}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Search for an (s, o, M) without a periodic certificate (a counterexample to the
conjecture of ``proofs/semi_online_periodic.md``). Deterministic; prints Markdown.

For every non-prompt-dominated ``(s, o, M)`` with ``s <= --s``, ``2 <= o <= --o`` and
``s + o <= M <= s + o + --extra``, runs :func:`kvopt.semi_online_periodic.certify`
with an empty cache and the default horizons, and reports how many got a checked
certificate, the largest horizon ``R``, period ``P`` and start ``R0`` needed, and
every parameter set without one (with its number of staircases). A certificate
that is returned is a proof for its parameters; a missing one is either a memory
limit or a candidate counterexample.

Usage::

    python -m benchmarks.semi_online_certificate_search [--s 6] [--o 10] [--extra 30]
"""

from __future__ import annotations

import argparse
import time

from kvopt import semi_online as so
from kvopt import semi_online_periodic as periodic


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--s", type=int, default=6)
    ap.add_argument("--o", type=int, default=10)
    ap.add_argument("--extra", type=int, default=30)
    args = ap.parse_args()
    began, cpu = time.perf_counter(), time.process_time()
    tried, missing = 0, []
    worst = {"horizon": (0,), "period": (0,), "start": (0,)}
    for s in range(1, args.s + 1):
        for o in range(2, args.o + 1):
            for M in range(s + o, s + o + args.extra + 1):
                if so.is_prompt_dominated(s, o, M):
                    continue
                tried += 1
                periodic._CACHE.pop((s, o, M), None)
                nxt = so._enumerate_staircases(s, o, M, so.MAX_STATES)
                cert = periodic.certify(s, o, M, nxt)
                if cert is None:
                    missing.append((s, o, M, nxt.shape[0]))
                    continue
                for key in worst:
                    value = getattr(cert, key)
                    if value > worst[key][0]:
                        worst[key] = (value, s, o, M)
    print(
        f"| parameter sets | certified | largest R (at s, o, M) | largest P | largest R0 | "
        f"wall (s) | CPU (s) |\n|---|---|---|---|---|---|---|\n"
        f"| {tried:,} | {tried - len(missing):,} | {worst['horizon'][0]} at "
        f"{worst['horizon'][1:]} | {worst['period'][0]} at {worst['period'][1:]} | "
        f"{worst['start'][0]} at {worst['start'][1:]} | {time.perf_counter() - began:.0f} | "
        f"{time.process_time() - cpu:.0f} |"
    )
    for s, o, M, K in missing:
        print(f"- no certificate: s={s}, o={o}, M={M} (K={K:,})")


if __name__ == "__main__":
    main()

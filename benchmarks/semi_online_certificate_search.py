"""Search for an (s, o, M) without a periodic certificate (a counterexample to the
conjecture of ``proofs/semi_online_periodic.md``). Deterministic; prints Markdown.

For every non-prompt-dominated ``(s, o, M)`` with ``s <= --s``, ``2 <= o <= --o`` and
``s + o <= M <= s + o + --extra``, runs :func:`kvopt.semi_online_periodic.certify`
with an empty cache and the default horizons, and reports how many got a checked
certificate, the largest horizon ``R``, period ``P`` and start ``R0`` needed, and
every parameter set without one (with its number of staircases). A certificate
that is returned is a proof for its parameters; a missing one is either a memory
limit or a candidate counterexample.

With ``--diagnose s,o,M`` it instead checks one parameter set past the limits of
``certify``: the DP runs on the minimal automaton to ``--horizon`` without a choice
table, keeping only the last ``--keep`` layers, and the checks of Theorem 3 are run
there (``_try_period``). If they pass, the certificate is a proof of ``Z*(n)`` for
every ``n`` (values only: without the choice table no schedule is written).

Usage::

    python -m benchmarks.semi_online_certificate_search [--s 6] [--o 10] [--extra 30]
    python -m benchmarks.semi_online_certificate_search --diagnose 150,200,1000 --horizon 900
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from kvopt.solvers.semi_online import dp as so
from kvopt.solvers.semi_online import periodic
from kvopt.solvers.semi_online import quotient as sq


def diagnose(s: int, o: int, M: int, R: int, keep: int) -> None:
    """Theorem 3's checks at horizon ``R`` on the minimal automaton, values only."""
    began, cpu = time.perf_counter(), time.process_time()
    small = sq.minimise(so.enumerate_staircases(s, o, M, so.MAX_STATES))
    q = small.shape[1] - 1
    rows, empty = [], np.zeros(R + 1, dtype=np.int64)
    for r, value, _ in so.dp_layers(small, R, None):
        empty[r] = value[0]
        if r > R - keep:
            rows.append(value.astype(np.int64))
    p0 = periodic._smallest_period(np.diff(empty, 2), keep // 3)
    got = None
    for P in range(p0 or keep, keep // 3 + 1, p0 or keep):
        got = periodic._try_period(small, rows, R - keep + 1, R, P, q)
        if got is not None:
            break
    head = f"s={s}, o={o}, M={M}: {small.shape[0]:,} states, horizon {R}"
    cost = f"({time.perf_counter() - began:.0f} s wall, {time.process_time() - cpu:.0f} s CPU)"
    if got is None:
        print(f"{head}: no period passes the checks {cost}")
        return
    ell, R0, delta, _ = got
    n = 10**6
    base = R - ((R - n) % P)
    m = (n - base) // P
    value = int(empty[base]) + m * ell * base + ell * P * m * (m - 1) // 2 + m * int(delta[0])
    print(
        f"{head}: checks pass with P={P}, ell={ell}, R0={R0}; Z*(10^6) = {value:,}, "
        f"total latency {value + n * o:,} {cost}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--s", type=int, default=6)
    ap.add_argument("--o", type=int, default=10)
    ap.add_argument("--extra", type=int, default=30)
    ap.add_argument("--diagnose", help="s,o,M: check one parameter set past the limits")
    ap.add_argument("--horizon", type=int, default=900)
    ap.add_argument("--keep", type=int, default=40)
    args = ap.parse_args()
    if args.diagnose:
        s, o, M = (int(v) for v in args.diagnose.split(","))
        diagnose(s, o, M, args.horizon, args.keep)
        return
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
                nxt = so.enumerate_staircases(s, o, M, so.MAX_STATES)
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

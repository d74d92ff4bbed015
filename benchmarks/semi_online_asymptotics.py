"""The constants of Theorem 5 (proofs/semi_online_periodic.md) against the DP.

For each parameter set: the staircases ``K``, the largest throughput ``rho`` of a
cycle, the proven range ``[-lower, upper]`` of ``U = V - r^2/(2 rho) - beta r``
and the range actually taken on ``r <= R`` by every staircase, the explicit ``M1``
from which only tight moves are optimal, and the certificate's period ``P``, slope
``ell`` and start ``R0`` (found by :func:`kvopt.solvers.semi_online.periodic.certify`)
with the check ``ell = P / rho``. Deterministic; prints a Markdown table and the CPU
seconds of the potentials.

Usage::

    python -m benchmarks.semi_online_asymptotics [--r 1000]
"""

from __future__ import annotations

import argparse
import time
from fractions import Fraction

from kvopt.solvers.semi_online import asymptotics as asy
from kvopt.solvers.semi_online import dp as so
from kvopt.solvers.semi_online import periodic
from kvopt.solvers.semi_online.staircase import dp_layers

CASES = [(1, 3, 20), (2, 5, 23), (2, 6, 40), (3, 6, 40), (2, 10, 60), (1, 8, 60), (2, 20, 66)]


def row(s: int, o: int, M: int, r_max: int) -> str:
    nxt = so.enumerate_staircases(s, o, M, so.MAX_STATES)
    start = time.process_time()
    pot = asy.potentials(nxt)
    cpu = time.process_time() - start
    lo, hi = Fraction(0), Fraction(0)
    for r, value, _ in dp_layers(nxt, r_max, None):
        u, S = pot.residuals(r, value)
        lo, hi = min(lo, Fraction(int(min(u)), S)), max(hi, Fraction(int(max(u)), S))
    cert = periodic.certify(s, o, M, nxt)
    P, ell, R0 = cert.period, cert.slope, cert.start
    return (
        f"| ({s}, {o}, {M}) | {nxt.shape[0]:,} | {pot.rate} | [{float(-pot.lower):.1f}, "
        f"{float(pot.upper):.1f}] | [{float(lo):.1f}, {float(hi):.1f}] | {pot.invariant_from:,} "
        f"| {P} | {ell} | {R0} | {ell * pot.rate == P} | {cpu:.2f} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--r", type=int, default=1000, help="DP layers compared (default 1000)")
    args = ap.parse_args()
    print(
        "| (s, o, M) | K | rho | proven range of U | range on r <= R | M1 | P | ell | R0 "
        "| ell = P/rho | CPU s (potentials) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for s, o, M in CASES:
        print(row(s, o, M, args.r))


if __name__ == "__main__":
    main()

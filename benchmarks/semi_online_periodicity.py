"""Is the optimal sum of starts eventually a quasi-polynomial in n? (An observation.)

For each parameter set, computes ``Z*(n)`` for every ``n <= N`` with one run of the
layered DP (:func:`kvopt.semi_online.optimal_sums`), and reports the smallest period
``P`` of the second differences on the second half of the range, and from which ``n``
on they are periodic. Prints the Markdown table of ``models/semi_online.md``. Nothing
here is a proof: it only shows the pattern on the computed range.

Usage::

    python -m benchmarks.semi_online_periodicity [--n 3000]
"""

from __future__ import annotations

import argparse

import numpy as np

from kvopt.solvers.semi_online import dp as so

CASES = [(2, 6, 40), (1, 3, 20), (2, 5, 23), (2, 10, 60), (3, 6, 40)]


def period(d2: np.ndarray, max_period: int = 400) -> tuple[int | None, int | None]:
    tail = d2[d2.size // 2 :]
    for p in range(1, min(max_period, tail.size // 2)):
        if np.array_equal(tail[p:], tail[:-p]):
            bad = np.flatnonzero(d2[p:] != d2[:-p])
            return p, int(bad[-1]) + 1 if bad.size else 0
    return None, None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000)
    args = ap.parse_args()
    print(
        "| (s, o, M) | K | n range | period of second differences | periodic from n | one period |"
    )
    print("|---|---|---|---|---|---|")
    for s, o, M in CASES:
        n = args.n if o < 10 else args.n // 2
        K = so.enumerate_staircases(s, o, M, so.MAX_STATES).shape[0]
        d2 = np.diff(so.optimal_sums(n, s, o, M), 2)
        p, start = period(d2)
        one = ", ".join(str(int(v)) for v in d2[-p:]) if p else "-"
        print(f"| ({s}, {o}, {M}) | {K:,} | 0..{n} | {p} | {start} | {one} |")


if __name__ == "__main__":
    main()

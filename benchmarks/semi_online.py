"""How far does the exact semi-online algorithm scale? Prints Markdown tables.

Three measurements (see ``models/semi_online.md``):

1. the closed forms at ``n = 10^6``, ``o = 200`` (all at once; prompt-dominated),
   end to end through ``kvopt.solve(..., "semi-online")`` including verification;
2. the exact staircase algorithms as ``o`` grows (``s = 2``, ``M = 3 (s + o)``,
   ``n = 40``) and as ``n`` grows (``s = 2``, ``o = 6``, ``M = 40`` and ``o = 10``,
   ``M = 60``): number of staircases ``K``, seconds of the layered DP and of A*
   (stopped at ``--max-states``), and ``K`` for larger ``o`` (up to 200), where the
   enumeration stops at ``LARGE`` = 3,000,000 staircases or 12,000,000 moves;
3. periodic certificates (``kvopt/semi_online_periodic.py``) at ``n = 10^6`` for
   ``o`` from 6 to 200: staircases, seconds to enumerate them and to find and check
   the certificate, then ``kvopt.solve`` of the 10^6-request instance end to end
   (cold: cache cleared, so enumeration and certificate included; and warm), with
   the certificate's values compared with the plain DP for every ``n <= 1000``
   (``n <= 300`` where ``K > 50,000``);
4. the minimal automaton (:mod:`kvopt.semi_online_quotient`) of the certificate
   rows: staircases ``K``, states after Moore refinement, CPU seconds (values
   compared with the plain DP for ``n <= 60``);
5. greedy (MC-SF's rule) against the optimum on a few instances.

Usage::

    python benchmarks/semi_online.py [--max-states 300000] [--only certificates|minimise]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

import kvopt
from kvopt.model import Instance
from kvopt.solvers.semi_online import dp as so

#: ``max_states`` for the larger-o table (the move table is limited to 4x as many cells).
LARGE = 3_000_000


#: ``(s, o, M)`` of the certificate and minimisation tables.
CERTIFICATE_ROWS = [
    (2, 6, 40),
    (2, 10, 60),
    (2, 20, 66),
    (2, 30, 96),
    (10, 50, 200),
    (1, 100, 250),
    (1, 200, 402),
    (100, 200, 700),
    (5, 20, 150),
    (150, 200, 1000),
]


def identical(n: int, s: int, o: int, M: int) -> Instance:
    return Instance.from_arrays(
        "bench", M, arrival=np.zeros(n, np.int64), prompt=np.full(n, s), output=np.full(n, o)
    )


def closed_forms() -> None:
    print("| case | n | s | o | M | method | objective | solve + verify (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for label, (n, s, o, M) in {
        "prompt-dominated (L = 4)": (1_000_000, 1000, 200, 4999),
        "prompt-dominated (L = 50)": (1_000_000, 10_000, 200, 510_000),
        "all at once": (1_000_000, 10, 200, 210_000_000),
    }.items():
        inst = identical(n, s, o, M)
        t = time.perf_counter()
        res = kvopt.solve(inst, "semi-online")
        dt = time.perf_counter() - t
        print(
            f"| {label} | {n:,} | {s} | {o} | {M:,} | {res.metadata['method']} | "
            f"{res.objective:,} | {dt:.2f} |"
        )


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    try:
        out = fn(*args, **kwargs)
    except so.SemiOnlineError:
        out = None
    return out, time.perf_counter() - t


def search_row(n: int, s: int, o: int, M: int, astar: bool, max_states: int) -> str:
    W = M // (s + 1)
    t = time.perf_counter()
    nxt = so.enumerate_staircases(s, o, M, 10_000_000)
    build = time.perf_counter() - t
    dp, t_dp = timed(so.optimal_total_latency, n, s, o, M, search="dp")
    if astar:
        opt, t_astar = timed(
            so.optimal_total_latency, n, s, o, M, search="astar", max_states=max_states
        )
        if opt is not None:
            assert opt == dp
            a = f"{t_astar:.2f}"
        else:
            a = f"> {max_states:,} states ({t_astar:.1f} s)"
    else:
        a = "-"
    return (
        f"| {n:,} | {s} | {o} | {M} | {W} | {nxt.shape[0]:,} | {build:.2f} | {dp:,} | "
        f"{t_dp:.2f} | {a} |"
    )


def search(max_states: int) -> None:
    head = (
        "| n | s | o | M | W | staircases K | build K (s) | optimal total latency | "
        "DP (s) | A* (s) |"
    )
    rule = "|---|---|---|---|---|---|---|---|---|---|"
    print(head)
    print(rule)
    for o in (2, 3, 4, 6, 8, 10, 12, 14, 16):
        print(search_row(40, 2, o, 3 * (2 + o), True, max_states))
    print()
    print(head)
    print(rule)
    for n in (100, 800, 10_000, 100_000):
        print(search_row(n, 2, 6, 40, n <= 800, max_states))
    for n in (1_000, 10_000):
        print(search_row(n, 2, 10, 60, n <= 1_000, max_states))
    print(search_row(1_000_000, 1, 3, 20, False, max_states))
    print()
    print("| n | s | o | M | q | W | staircases K | build K (s) | DP (s) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s, o, M in [
        (2, 20, 66),
        (2, 30, 96),
        (1, 200, 402),
        (100, 200, 700),
        (5, 20, 150),
        (150, 200, 1000),
    ]:
        t = time.perf_counter()
        try:
            K = f"{so.enumerate_staircases(s, o, M, LARGE).shape[0]:,}"
            build = time.perf_counter() - t
            _, t_dp = timed(so.optimal_total_latency, 1000, s, o, M, search="dp", max_states=LARGE)
            dp = f"{t_dp:.2f}"
        except so.SearchLimit:
            build = time.perf_counter() - t
            K, dp = "over the limit", "refused"
        print(
            f"| 1,000 | {s} | {o} | {M} | {M // (s + o)} | {M // (s + 1)} | {K} | "
            f"{build:.1f} | {dp} |"
        )


def certificates() -> None:
    from kvopt.solvers.semi_online import periodic

    print(
        "| s | o | M | q | W | staircases K | enumerate (s) | certificate wall / CPU (s) | "
        "states | P | ell | R0 | R | DP check | n = 10^6 cold (s) | warm (s) | "
        "optimal total latency |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    n = 1_000_000
    for s, o, M in CERTIFICATE_ROWS:
        head = f"| {s} | {o} | {M} | {M // (s + o)} | {M // (s + 1)} |"
        periodic._CACHE.pop((s, o, M), None)
        t = time.perf_counter()
        try:
            nxt = so.enumerate_staircases(s, o, M, so.MAX_STATES)
        except so.SearchLimit:
            print(f"{head} over the limit | {time.perf_counter() - t:.1f} | - | " + "- | " * 6
                  + "refused | - | - |")  # fmt: skip
            continue
        build = time.perf_counter() - t
        t, cpu = time.perf_counter(), time.process_time()
        cert = periodic.certify(s, o, M, nxt)
        t_cert = f"{time.perf_counter() - t:.1f} / {time.process_time() - cpu:.1f}"
        if cert is None:
            print(f"{head} {nxt.shape[0]:,} | {build:.1f} | {t_cert} | none | " + "- | " * 8)
            continue
        upto = 1000 if nxt.shape[0] <= 50_000 else 300
        sums = so.optimal_sums(upto, s, o, M)
        assert all(cert.value(k) == sums[k] for k in range(upto + 1))
        check = f"n <= {upto} equal"
        periodic._CACHE.pop((s, o, M), None)
        inst = identical(n, s, o, M)
        res, cold = timed(kvopt.solve, inst, "semi-online")
        assert res.metadata["algorithm"] == "periodic" and res.status == "optimal"
        _, warm = timed(kvopt.solve, inst, "semi-online")
        print(
            f"{head} {nxt.shape[0]:,} | {build:.1f} | {t_cert} | {cert.nxt.shape[0]:,} | "
            f"{cert.period} | "
            f"{cert.slope} | {cert.start} | {cert.horizon} | {check} | {cold:.1f} | "
            f"{warm:.1f} | {res.objective:,} |"
        )


def minimise() -> None:
    from kvopt.solvers.semi_online import quotient as sq

    print(
        "| s | o | M | q | staircases K | minimal states | K / minimal | enumerate CPU (s) | "
        "minimise CPU (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for s, o, M in CERTIFICATE_ROWS:
        t = time.process_time()
        nxt = so.enumerate_staircases(s, o, M, so.MAX_STATES)
        build = time.process_time() - t
        t = time.process_time()
        small = sq.minimise(nxt)
        cpu = time.process_time() - t
        assert (so._staircase_dp(60, small, None, choices=False)[1]
                == so._staircase_dp(60, nxt, None, choices=False)[1]).all()  # fmt: skip
        print(
            f"| {s} | {o} | {M} | {M // (s + o)} | {nxt.shape[0]:,} | {small.shape[0]:,} | "
            f"{nxt.shape[0] / small.shape[0]:.1f} | {build:.1f} | {cpu:.1f} |",
            flush=True,
        )


def greedy() -> None:
    print("| n | s | o | M | greedy total latency | optimal | ratio |")
    print("|---|---|---|---|---|---|---|")
    for n, s, o, M in [
        (7, 1, 2, 10),
        (1000, 1, 2, 10),
        (1000, 5, 2, 26),
        (60, 1, 3, 20),
        (60, 2, 5, 23),
        (40, 2, 10, 60),
    ]:
        g = so.objective_of_counts(so.greedy_counts(n, s, o, M)) + n * o
        opt = so.optimal_total_latency(n, s, o, M, max_states=5_000_000)
        print(f"| {n} | {s} | {o} | {M} | {g:,} | {opt:,} | {g / opt:.4f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-states", type=int, default=300_000)
    ap.add_argument("--only", choices=["closed", "search", "certificates", "minimise", "greedy"])
    args = ap.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, python "
        f"{platform.python_version()}\n"
    )
    parts = {
        "closed": closed_forms,
        "search": lambda: search(args.max_states),
        "certificates": certificates,
        "minimise": minimise,
        "greedy": greedy,
    }
    for name, part in parts.items():
        if args.only in (None, name):
            part()
            print()


if __name__ == "__main__":
    main()

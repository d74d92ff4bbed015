"""Theorem 5 of proofs/semi_online_periodic.md: the intermediate claims, one by one.

The potentials are built from the move table alone (no DP values); every test here
confronts them with the layered DP or with the certificates found from DP values,
so a wrong potential, a wrong rate or a false bound fails.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from kvopt.solvers.semi_online import asymptotics as asy
from kvopt.solvers.semi_online import dp as so
from kvopt.solvers.semi_online import periodic
from kvopt.solvers.semi_online.quotient import minimise
from kvopt.solvers.semi_online.staircase import dp_layers
from tests.helpers.semi_online_reference import certificate_grid

GRID = certificate_grid()
LARGER = [(1, 8, 60), (2, 10, 60), (2, 20, 66), (3, 9, 50), (5, 7, 70), (1, 20, 45)]


def _sample(k: int, seed: int) -> list[tuple[int, int, int]]:
    rng = np.random.default_rng(seed)
    return [GRID[i] for i in rng.choice(len(GRID), size=k, replace=False)]


def _table(s, o, M):
    return so.enumerate_staircases(s, o, M, so.MAX_STATES)


def _layers(nxt, r_max):
    """``V(., r)`` for ``r = 0 .. r_max`` as a list of int arrays."""
    rows = [np.zeros(nxt.shape[0], dtype=np.int64)]
    rows += [value.copy() for _, value, _ in dp_layers(nxt, r_max, None)]
    return rows


def _most_per_time(nxt, t_max):
    """Most requests any walk of exactly ``t`` moves from the empty staircase starts."""
    K, width = nxt.shape
    neg = -(10**9)
    best = np.full(K, neg, dtype=np.int64)
    best[0] = 0
    out = [0]
    for _ in range(t_max):
        new = np.full(K, neg, dtype=np.int64)
        for x in range(width):
            ok = (nxt[:, x] >= 0) & (best > neg)
            np.maximum.at(new, nxt[ok, x], best[ok] + x)
        best = new
        out.append(int(best.max()))
    return out


@pytest.mark.parametrize("s,o,M", _sample(40, seed=18) + LARGER)
def test_rate_and_potential_are_what_the_proof_says(s, o, M):
    """rho is the long-run throughput (walks of t moves start rho t + O(K q)), beta is
    a potential (gamma >= 0), the tight moves are exactly gamma = 0, every state
    empties by waiting, and the certificate's slope is P / rho."""
    nxt = _table(s, o, M)
    K, width = nxt.shape
    pot = asy.potentials(nxt)
    q = width - 1
    for t, most in enumerate(_most_per_time(nxt, 3 * K)):
        assert abs(most - pot.rate * t) <= K * q, (t, most)
    for i in range(K):
        for x in range(width):
            j = int(nxt[i, x])
            if j < 0:
                assert not pot.tight[i, x]
                continue
            gamma = 1 - Fraction(x) / pot.rate + pot.beta[j] - pot.beta[i]
            assert gamma >= 0 and (gamma == 0) == pot.tight[i, x], (i, x, gamma)
    state, steps = np.arange(K), 0
    while (state != 0).any():  # the x = 0 moves reach the empty staircase
        state, steps = nxt[state, 0], steps + 1
        assert steps < o
    assert pot.critical.any() and not pot.tight[0, 0]


@pytest.mark.parametrize("s,o,M", _sample(25, seed=5) + LARGER[1:])
def test_value_function_stays_within_the_proven_bounds(s, o, M):
    """-lower <= V(sigma, r) - r^2 / (2 rho) - beta_sigma r <= upper for every
    staircase and every r up to 800 (Steps 4 and 5 of the proof)."""
    nxt = _table(s, o, M)
    pot = asy.potentials(nxt)
    rows = _layers(nxt, 800)
    u, S = pot.residuals(7, rows[7])
    assert all(Fraction(u[i], S) + pot.phi(i, 7) == rows[7][i] for i in range(nxt.shape[0]))
    for r, row in enumerate(rows):
        u, S = pot.residuals(r, row)
        assert (u >= -pot.lower * S).all() and (u <= pot.upper * S).all(), r


@pytest.mark.parametrize("s,o,M", [(1, 2, 10), (1, 3, 20), (2, 6, 40), (2, 5, 23), (1, 4, 12)])
def test_from_m1_every_optimal_move_is_tight(s, o, M):
    """Step 6: for r >= M1 no non-tight move attains the minimum of recursion (2), so
    the recursion is a time-invariant min-plus recursion over the tight moves."""
    nxt = _table(s, o, M)
    pot = asy.potentials(nxt)
    q = nxt.shape[1] - 1
    M1 = pot.invariant_from
    rows = _layers(nxt, M1 + 4 * q + 40)
    for r in range(M1, len(rows)):
        for x in range(q + 1):
            ok = np.flatnonzero(nxt[:, x] >= 0)
            value = (r - x) + rows[r - x][nxt[ok, x]]
            optimal = ok[value == rows[r][ok]]
            assert pot.tight[optimal, x].all(), (r, x)


def _tight_recursion(nxt, pot, U, m):
    """Layer ``m`` of U from the earlier ones by the time-invariant min-plus recursion
    over the tight moves, ``U(s, m) = min_tight kappa + U(s_x, m - x)`` (Step 6)."""
    K, width = nxt.shape
    new: list[Fraction | None] = [None] * K
    depth = np.zeros(K, dtype=np.int64)
    for i in range(K):
        j = i
        while j != 0:
            j, depth[i] = int(nxt[j, 0]), depth[i] + 1
    for i in sorted(range(K), key=lambda i: depth[i]):  # x = 0 targets come first
        for x in range(width):
            if not pot.tight[i, x]:
                continue
            j = int(nxt[i, x])
            kappa = -Fraction(x * x) / (2 * pot.rate) - pot.beta[i] * x
            below = new[j] if x == 0 else U[m - x][j]
            if below is not None and (new[i] is None or kappa + below < new[i]):
                new[i] = kappa + below
    return new


@pytest.mark.parametrize("s,o,M", [(1, 2, 10), (1, 3, 20), (2, 5, 23), (2, 4, 15), (3, 6, 40)])
def test_the_tight_min_plus_recursion_reproduces_the_dp(s, o, M):
    """From M1 on, the DP's U-values are generated by the constant min-plus recursion
    over the tight moves alone, seeded with the DP's layers below M1."""
    nxt = _table(s, o, M)
    pot = asy.potentials(nxt)
    q = nxt.shape[1] - 1
    M1 = pot.invariant_from
    rows = _layers(nxt, M1 + 6 * q + 30)
    U = [[int(v) - pot.phi(i, r) for i, v in enumerate(row)] for r, row in enumerate(rows)]
    generated = U[:M1]
    for m in range(M1, len(rows)):
        generated.append(_tight_recursion(nxt, pot, generated, m))
    assert generated == U


@pytest.mark.parametrize("s,o,M", LARGER)
def test_certificates_follow_from_the_potentials(s, o, M):
    """Corollary of Theorem 5: every certificate has ell = P / rho and
    delta_sigma = P^2 / (2 rho) + beta_sigma P, with rho and beta computed from the
    move table only and the certificate from DP values only."""
    periodic._CACHE.pop((s, o, M), None)
    nxt = _table(s, o, M)
    cert = periodic.certify(s, o, M, nxt)
    assert cert is not None
    pot = asy.potentials(nxt)
    P = cert.period
    assert cert.slope * pot.rate == P
    assert P % pot.rate.numerator == 0
    for i in range(nxt.shape[0]):
        assert cert.delta[i] == Fraction(P * P) / (2 * pot.rate) + pot.beta[i] * P, i


@pytest.mark.parametrize("s,o,M", [(2, 6, 40), (3, 6, 40), (2, 10, 60)])
def test_minimal_automaton_has_the_same_rate_and_slopes(s, o, M):
    """The proof applies to the quotient too (same values, so the same rho and the
    same beta on every class: beta is read off V by Theorem 5)."""
    nxt = _table(s, o, M)
    small = minimise(nxt)
    from kvopt.solvers.semi_online.quotient import equivalence_classes

    cls = equivalence_classes(nxt)
    big, little = asy.potentials(nxt), asy.potentials(small)
    assert big.rate == little.rate
    assert all(big.beta[i] == little.beta[int(cls[i])] for i in range(nxt.shape[0]))


def test_the_checks_fail_on_tables_that_break_the_hypotheses():
    """A table that is not strongly connected, and a forged potential, are caught."""
    broken = np.array([[0, 1], [1, -1]])  # state 1 never returns to state 0
    with pytest.raises(AssertionError, match="strongly connected"):
        asy.potentials(broken)
    two = np.array([[0, 1], [0, -1]])  # start one, then wait: rate 1/2
    pot = asy.potentials(two)
    assert pot.rate == Fraction(1, 2)
    rows = _layers(two, 50)
    for r in range(51):
        assert all(-pot.lower <= int(rows[r][i]) - pot.phi(i, r) <= pot.upper for i in (0, 1))
    # the closed form for this table: the k-th request starts at time 2(k - 1)
    assert [int(rows[r][0]) for r in range(6)] == [r * (r - 1) for r in range(6)]


def test_karp_mean_and_components_on_small_graphs():
    """Karp's maximum cycle mean and the strong components on hand-made graphs."""
    # cycle 0 -> 1 -> 0 with weights 3, 0 (mean 3/2) and a loop on 0 of weight 1
    assert asy.max_mean(2, [0, 1, 0], [1, 0, 0], [3, 0, 1]) == Fraction(3, 2)
    assert asy.max_mean(3, [0, 1, 2], [1, 2, 0], [1, 1, 5]) == Fraction(7, 3)
    label = asy.strong_components(5, [0, 1, 2, 3, 4], [1, 0, 3, 2, 4])
    assert label[0] == label[1] != label[2] == label[3] != label[4]


def test_every_grid_parameter_set_follows_the_potentials():
    """The certificate relation of Theorem 5 on every grid parameter set."""
    assert len(GRID) > 250
    for s, o, M in GRID:
        test_certificates_follow_from_the_potentials(s, o, M)

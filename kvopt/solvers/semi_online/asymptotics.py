"""The two-level potential behind the eventual periodicity of the semi-online values.

Theorem 5 of ``proofs/semi_online_periodic.md`` proves that the value function
``V(sigma, r)`` of the staircase automaton is eventually periodic for every
``(s, o, M)``. Its proof builds, from the move table alone (no DP), a rational
*rate* ``rho`` (the most requests per time of any cycle), one rational slope
``beta[sigma]`` per state and one offset ``eta[sigma]``, such that

    -lower <= V(sigma, r) - r**2 / (2 rho) - beta[sigma] * r <= upper

for every ``r``, and, for ``r >= invariant_from``, every optimal move is a *tight*
move (``gamma == 0`` below). :func:`potentials` computes all of it with exact
integers and fractions, and checks every intermediate claim of the proof on the
way (it raises ``AssertionError`` if one fails), so the tests can confront the
constants with the DP.

Meant for the proof's checks on small automata: Karp's algorithm keeps a
``K x (K + 1)`` table, and the relaxations use Python integers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

#: Largest automaton :func:`potentials` accepts (Karp's table is ``K x (K + 1)``).
MAX_STATES = 3000


@dataclass(frozen=True)
class Potentials:
    """The objects of the proof of Theorem 5 for one move table.

    Attributes
    ----------
    rate
        ``rho``: the largest mean number of starts per time over the cycles.
    beta
        ``beta[sigma]``, the slope of state ``sigma`` (a :class:`~fractions.Fraction`).
    eta
        ``eta[sigma]``, the second-level offset (a :class:`~fractions.Fraction`).
    tight
        ``tight[sigma, x]``: the move is allowed and ``gamma(sigma, x) = 0``.
    critical
        ``critical[sigma]``: the state lies on a cycle of rate ``rho``.
    upper, lower
        The bounds of ``U = V - Phi`` proven in the theorem: ``-lower <= U <= upper``.
    invariant_from
        ``M1``: from ``r = M1`` on every optimal move is tight.
    """

    rate: Fraction
    beta: tuple[Fraction, ...]
    eta: tuple[Fraction, ...]
    tight: np.ndarray
    critical: np.ndarray
    upper: Fraction
    lower: Fraction
    invariant_from: int

    def phi(self, sigma: int, r: int) -> Fraction:
        """``Phi(sigma, r) = r^2 / (2 rho) + beta[sigma] r``."""
        return Fraction(r * r) / (2 * self.rate) + self.beta[sigma] * r

    def residuals(self, r: int, values: np.ndarray) -> tuple[np.ndarray, int]:
        """``U(., r) = V(., r) - Phi(., r)`` as integer numerators over one denominator.

        ``values`` is the DP layer ``V(., r)``; returns ``(numerators, denominator)``
        with Python integers (exact, vectorised over the states).
        """
        a, b = self.rate.numerator, self.rate.denominator
        D = math.lcm(*(f.denominator for f in self.beta))
        beta_num = np.array([int(f * D) for f in self.beta], dtype=object)
        S = 2 * a * D
        return S * values.astype(object) - (r * r * b * D) - 2 * a * r * beta_num, S


def _edges(nxt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(source, target, x)`` of every allowed move of the table."""
    src, x = np.nonzero(nxt >= 0)
    return src, nxt[src, x], x


def max_mean(n: int, src, dst, weight, source: int = 0) -> Fraction:
    """Karp's maximum cycle mean of a strongly connected graph on ``n`` vertices.

    ``weight`` are integers. ``F[k][v]`` is the heaviest walk of exactly ``k`` edges
    from ``source`` to ``v``; the answer is
    ``max_v min_k (F[n][v] - F[k][v]) / (n - k)`` over finite entries [Karp 1978].
    """
    neg = -(2**62)
    src, dst = np.asarray(src), np.asarray(dst)
    w = np.asarray(weight, dtype=np.int64)
    F = np.full((n + 1, n), neg, dtype=np.int64)
    F[0, source] = 0
    for k in range(1, n + 1):
        ok = F[k - 1, src] > neg
        np.maximum.at(F[k], dst[ok], F[k - 1, src[ok]] + w[ok])
    best_num = np.zeros(n, dtype=object)
    best_den = np.zeros(n, dtype=object)
    seen = np.zeros(n, dtype=bool)
    for k in range(n):
        ok = (F[k] > neg) & (F[n] > neg)
        num = (F[n] - F[k]).astype(object)
        den = n - k
        better = ok & (~seen | (num * best_den < best_num * den))
        best_num[better], best_den[better] = num[better], den
        seen |= ok
    assert seen.any(), "the graph has no cycle through the source's reach"
    return max(Fraction(int(best_num[v]), int(best_den[v])) for v in np.flatnonzero(seen))


def strong_components(n: int, src, dst) -> np.ndarray:
    """Label of the strongly connected component of every vertex (iterative Tarjan)."""
    adj: list[list[int]] = [[] for _ in range(n)]
    for u, v in zip(np.asarray(src).tolist(), np.asarray(dst).tolist(), strict=True):
        adj[u].append(v)
    index = [-1] * n
    low = [0] * n
    on = [False] * n
    label = np.full(n, -1, dtype=np.int64)
    stack: list[int] = []
    counter = comps = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on[v] = True
            if i < len(adj[v]):
                work.append((v, i + 1))
                w = adj[v][i]
                if index[w] < 0:
                    work.append((w, 0))
                elif on[w]:
                    low[v] = min(low[v], index[w])
                continue
            if work and work[-1][0] != v:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on[w] = False
                    label[w] = comps
                    if w == v:
                        break
                comps += 1
    return label


def _relax(src, dst, weight, init) -> np.ndarray:
    """Least ``init[t] + weight(path)`` over the paths from each vertex to some ``t``.

    Bellman-Ford on Python integers (``math.inf`` for "none"); raises
    ``AssertionError`` if it does not settle within ``n + 1`` rounds, i.e. if a
    negative cycle is reachable.
    """
    value = np.array(init, dtype=object)
    w = np.asarray(weight, dtype=object)
    for _ in range(value.size + 1):
        new = value.copy()
        cand = w + value[dst]
        for e in np.flatnonzero(cand < new[src]):  # few per round
            if cand[e] < new[src[e]]:
                new[src[e]] = cand[e]
        if all(new == value):
            return value
        value = new
    raise AssertionError("a negative cycle: the potential does not exist")


def _cycle_states(n: int, src, dst) -> np.ndarray:
    """Whether each vertex lies on a cycle of the graph given by its edges."""
    label = strong_components(n, src, dst)
    inside = label[src] == label[dst]
    on = np.zeros(n, dtype=bool)
    on[src[inside]] = True
    return on


def _class_slopes(K: int, src, dst, x, crit_edge, Bhat, a: int, b: int):
    """``c[tau] = beta_hat[tau] + lambda_class(tau)`` on critical states (else inf).

    ``lambda`` is the least mean per request, over the cycles of the class, of the
    second-level weight ``-x^2 / (2 rho) - beta_hat x`` (Step 2 of the proof).
    """
    label = strong_components(K, src[crit_edge], dst[crit_edge])
    init = np.full(K, math.inf, dtype=object)
    for cl in np.unique(label[src[crit_edge]]):
        members = np.flatnonzero(label == cl)
        pos = {int(v): i for i, v in enumerate(members)}
        sel = np.flatnonzero(crit_edge & (label[src] == cl))
        # 2a * kappa_hat = -(b x^2 + 2 Bhat x), an integer; min mean = -max mean of -
        wt = [b * int(x[e]) ** 2 + 2 * int(Bhat[src[e]]) * int(x[e]) for e in sel]
        es = [pos[int(src[e])] for e in sel]
        ed = [pos[int(dst[e])] for e in sel]
        mu = -max_mean(len(members), es, ed, wt)  # per time, scaled by 2a
        lam = mu * b / (2 * a * a)  # per request: divide by rho = a / b
        for v in members:
            init[v] = Fraction(int(Bhat[v]), a) + lam
    return init


def _scaled(values) -> tuple[int, np.ndarray]:
    """A common denominator ``D`` and ``D * values`` as Python integers."""
    fr = [Fraction(v) for v in values]
    D = math.lcm(*(f.denominator for f in fr))
    return D, np.array([int(f * D) for f in fr], dtype=object)


def potentials(nxt: np.ndarray) -> Potentials:
    """Build and check the potentials of Theorem 5 for a move table.

    ``nxt[i, x]`` is the state reached from ``i`` by the move ``x`` (``-1`` if not
    allowed), state 0 the empty staircase, as produced by
    :func:`kvopt.solvers.semi_online.staircase.enumerate_staircases` or by the
    minimal automaton. Every claim of the proof that can be checked on the table is
    asserted here.
    """
    K, width = nxt.shape
    assert K <= MAX_STATES, f"{K} states: too many for the exact check"
    src, dst, x = _edges(nxt)
    label = strong_components(K, src, dst)
    assert (label == label[0]).all(), "the automaton is not strongly connected"
    rho = max_mean(K, src, dst, x)
    a, b = rho.numerator, rho.denominator
    W = a - b * x.astype(object)  # a * (1 - x / rho): cycles have W-sum >= 0
    Bhat = _relax(src, dst, W, [0] * K)  # a * beta_hat: a potential, gamma >= 0
    tight_hat = W + Bhat[dst] - Bhat[src] == 0
    on = _cycle_states(K, src[tight_hat], dst[tight_hat])
    tlab = strong_components(K, src[tight_hat], dst[tight_hat])
    crit_edge = tight_hat.copy()
    crit_edge[tight_hat] = tlab[src[tight_hat]] == tlab[dst[tight_hat]]
    D, beta_init = _scaled_init(_class_slopes(K, src, dst, x, crit_edge, Bhat, a, b), a)
    betaD = _relax(src, dst, W * (D // a), beta_init)  # D * beta, Step 3
    gammaD = W * (D // a) + betaD[dst] - betaD[src]
    assert (gammaD >= 0).all(), "beta is not a potential"
    tight = gammaD == 0
    assert (tight[crit_edge]).all(), "a critical move is not tight"
    tlab2 = strong_components(K, src[tight], dst[tight])
    assert (crit_edge[tight] == (tlab2[src[tight]] == tlab2[dst[tight]])).all(), (
        "a tight cycle is not critical"
    )
    return _second_level(nxt, src, dst, x, rho, D, betaD, gammaD, tight, on)


def _scaled_init(init, a: int) -> tuple[int, np.ndarray]:
    """:func:`_scaled` of the finite entries (a multiple of ``a``); inf stays inf."""
    finite = [v for v in init if v != math.inf]
    D, _ = _scaled(finite + [Fraction(1, a)])
    out = np.array([v if v == math.inf else int(v * D) for v in init], dtype=object)
    return D, out


def _second_level(nxt, src, dst, x, rho, D, betaD, gammaD, tight, critical) -> Potentials:
    """Steps 4 and 5 of the proof: ``eta`` and the explicit constants."""
    K = nxt.shape[0]
    a, b = rho.numerator, rho.denominator
    S = math.lcm(2 * a, D)
    xo = x.astype(object)
    kappaS = -(xo * xo) * b * (S // (2 * a)) - betaD[src] * xo * (S // D)  # S * kappa
    ts, td, tk = src[tight], dst[tight], kappaS[tight]
    nu = _relax(ts, td, tk, [0] * K)  # no negative tight cycle
    zero = tk + nu[td] - nu[ts] == 0
    Z = _cycle_states(K, ts[zero], td[zero])  # states on tight cycles of zero kappa-sum
    assert Z.any(), "no tight cycle of zero second-level weight"
    etaS = _relax(ts, td, tk, [0 if z else math.inf for z in Z])
    assert all(v != math.inf for v in etaS), "a state cannot reach Z by tight moves"
    H = Fraction(int(max(etaS) - min(etaS)), S)
    upper = H + max(Fraction(0), Fraction(int(max(kappaS)), S))
    slack = kappaS + etaS[dst] - etaS[src]  # S * (kappa + eta' - eta)
    assert (slack[tight] >= 0).all(), "eta is not a second-level potential"
    gammaS = gammaD * (S // D)
    loose = ~tight
    M0 = max([0] + [-(-int(-slack[e]) // int(gammaS[e])) for e in np.flatnonzero(loose)])
    beta = tuple(Fraction(int(v), D) for v in betaD)
    q = nxt.shape[1] - 1
    top = M0 + q - 1  # Phi(sigma, .) is convex: its maximum on [0, top] is at an end
    phi_max = max(Fraction(top * top) / (2 * rho) + beta[i] * top for i in range(K))
    lower = H + max(Fraction(0), phi_max)
    M1 = q
    for e in np.flatnonzero(loose):
        reach = (upper + lower - Fraction(int(kappaS[e]), S)) / Fraction(int(gammaS[e]), S)
        M1 = max(M1, math.floor(reach) + 1 + int(x[e]))
    eta = tuple(Fraction(int(v), S) for v in etaS)
    tight_table = np.zeros(nxt.shape, dtype=bool)
    tight_table[src[tight], x[tight]] = True
    return Potentials(rho, beta, eta, tight_table, critical, upper, lower, M1)

"""Periodic certificates (kvopt.semi_online_periodic) against the plain layered DP."""

from __future__ import annotations

import time

import numpy as np
import pytest

import kvopt
from kvopt.errors import KvoptError
from kvopt.model import Instance
from kvopt.schedule import Schedule
from kvopt.solvers.semi_online import dp as so
from kvopt.solvers.semi_online import periodic
from tests.helpers.semi_online_reference import certificate_grid


def _fresh(s, o, M, **kwargs):
    periodic._CACHE.pop((s, o, M), None)
    nxt = so.enumerate_staircases(s, o, M, so.MAX_STATES)
    return nxt, periodic.certify(s, o, M, nxt, **kwargs)


GRID_PARAMETERS = certificate_grid()


def test_certificates_on_every_grid_parameter_set_match_the_dp():
    """Every (s, o, M) of the semi-online grid that needs the staircases: a certificate
    is found, and its O(1) values equal the layered DP's for every n <= 600."""
    assert len(GRID_PARAMETERS) > 250
    for s, o, M in GRID_PARAMETERS:
        nxt, cert = _fresh(s, o, M)
        assert cert is not None, (s, o, M)
        _, dp = so._staircase_dp(600, nxt, None, choices=False)
        assert [cert.value(n) for n in range(601)] == dp.tolist(), (s, o, M)


@pytest.mark.parametrize(
    "s,o,M", [(1, 3, 20), (2, 6, 40), (2, 10, 60), (1, 8, 60), (4, 8, 80), (2, 20, 66)]
)
def test_certificate_values_and_schedules_match_the_dp_beyond_its_horizon(s, o, M):
    """Values for every n <= 2500 (past the horizon R = 256) and, for a sample of n,
    the schedule walked from the certificate has exactly that sum of starts and
    passes the verifier."""
    nxt, cert = _fresh(s, o, M)
    assert cert is not None and cert.horizon < 2500
    _, dp = so._staircase_dp(2500, nxt, None, choices=False)
    assert [cert.value(n) for n in range(2501)] == dp.tolist()
    for n in (1, 7, cert.horizon, cert.horizon + 1, 999, 2500):
        times, sizes = cert.groups(n)
        assert sizes.sum() == n and (sizes > 0).all() and (np.diff(times) > 0).all()
        assert int(np.dot(times, sizes)) == dp[n]
        inst = Instance.from_arrays(
            "p", M, arrival=np.zeros(n, int), prompt=np.full(n, s), output=np.full(n, o)
        )
        kvopt.verify(inst, Schedule.from_starts(inst, np.repeat(times, sizes)))


def test_a_million_requests_in_seconds():
    """o = 20 and o = 30, n = 10^6: optimal with a certificate, verified schedule."""
    for s, o, M in [(2, 20, 66), (2, 30, 96)]:
        periodic._CACHE.pop((s, o, M), None)
        n = 10**6
        inst = Instance.from_arrays(
            "big", M, arrival=np.zeros(n, int), prompt=np.full(n, s), output=np.full(n, o)
        )
        began = time.perf_counter()
        res = kvopt.solve(inst, "semi-online")
        assert time.perf_counter() - began < 60
        assert res.status == "optimal" and res.metadata["algorithm"] == "periodic"
        cert = periodic.cached(s, o, M)
        assert res.objective == cert.value(n) + n * o


def test_wrong_periods_and_forged_certificates_are_rejected():
    s, o, M = 2, 6, 40
    nxt, cert = _fresh(s, o, M)
    assert cert.period == 6
    _, dp = so._staircase_dp(256, nxt, None, choices=False)
    rows = []
    for _r, value, _ in so.dp_layers(nxt, 256, None):
        rows.append(value)
    window = np.stack([np.zeros(nxt.shape[0], dtype=np.int64)] + rows)
    assert periodic._try_period(nxt, window, 0, 256, 6, M // (s + o)) is not None
    for wrong in (1, 4, 5, 7):  # not periods of the value function
        assert periodic._try_period(nxt, window, 0, 256, wrong, M // (s + o)) is None
    forged = periodic.PeriodicCertificate(
        cert.period, cert.slope - 1, cert.start, cert.horizon, cert.nxt, cert.choice,
        cert.empty_values, cert.delta, cert.eventual,
    )  # fmt: skip
    assert forged.value(1000) != cert.value(1000)
    with pytest.raises(AssertionError, match="periodic certificate"):
        forged.groups(1000)


def test_no_certificate_falls_back_to_the_dp_or_refuses(monkeypatch):
    s, o, M = 2, 10, 60
    with monkeypatch.context() as patch:
        patch.setattr(periodic, "_try_period", lambda *args: None)  # no period ever passes
        _, cert = _fresh(s, o, M)
        assert cert is None and periodic.is_cached(s, o, M)  # a complete search: cached
        with pytest.raises(KvoptError, match="no periodic certificate"):
            so.optimal_groups(3000, s, o, M, search="periodic")
        info: dict = {}
        times, sizes = so.optimal_groups(3000, s, o, M, info=info)
        assert info["algorithm"] == "dp" and sizes.sum() == 3000
    periodic._CACHE.pop((s, o, M), None)
    info = {}
    times2, sizes2 = so.optimal_groups(3000, s, o, M, info=info)
    assert info["algorithm"] == "periodic" and info["period"] == 5
    assert np.dot(times, sizes) == np.dot(times2, sizes2)


def test_interrupted_or_restricted_searches_are_not_cached(monkeypatch):
    s, o, M = 2, 6, 40
    with monkeypatch.context() as patch:
        patch.setattr(periodic, "_try_period", lambda *args: None)
        _, cert = _fresh(s, o, M, deadline=time.perf_counter() - 1)
        assert cert is None and not periodic.is_cached(s, o, M)
    _, cert = _fresh(s, o, M, horizons=(16,))
    assert cert is None and not periodic.is_cached(s, o, M)
    _, cert = _fresh(s, o, M)
    assert cert is not None and periodic.cached(s, o, M) is cert


@pytest.mark.parametrize("seed", range(8))
def test_random_parameters_certificates_agree_with_the_dp(seed):
    """Random (s, o, M) with o up to 12: optimal_sums through the certificate (n_max
    above PERIODIC_MIN_N) equals the plain DP for every n, and its overflow guard
    raises instead of wrapping around."""
    rng = np.random.default_rng(seed)
    while True:
        s, o = int(rng.integers(1, 8)), int(rng.integers(2, 13))
        M = s + o + int(rng.integers(0, 4 * (s + o)))
        if not so.is_prompt_dominated(s, o, M):
            break
    nxt, cert = _fresh(s, o, M)
    assert cert is not None, (s, o, M)
    n_max = so.PERIODIC_MIN_N + 100
    _, dp = so._staircase_dp(n_max, nxt, None, choices=False)
    assert np.array_equal(so.optimal_sums(n_max, s, o, M), dp), (s, o, M)
    with pytest.raises(OverflowError):
        cert.values(2**31)


@pytest.mark.parametrize("s,o,M", [(1, 3, 20), (2, 6, 40), (2, 5, 23), (3, 6, 40)])
def test_eventual_periodicity_gives_a_certificate_at_every_later_horizon(s, o, M):
    """Proposition 4: once the values are periodic (checked here on every layer up to
    500), the checks pass at later horizons with the same period and slope, and every
    optimal move of the last period has Delta = 0 (not only the one chosen)."""
    nxt, cert = _fresh(s, o, M)
    assert cert is not None
    q = nxt.shape[1] - 1
    rows = [np.zeros(nxt.shape[0], dtype=np.int64)]
    rows += [value.copy() for _, value, _ in so.dp_layers(nxt, 500, None)]
    P, ell = cert.period, cert.slope
    for r in range(cert.start, 500 - P + 1):  # (A) on the whole computed range
        assert (rows[r + P] - rows[r] - ell * r == cert.delta).all(), r
    for R in (300, 500):
        got = periodic._try_period(nxt, rows, 0, R, P, q)
        assert got is not None and got[0] == ell
        delta = got[2]
        for r in range(R - P + 1, R + 1):
            for x in range(q + 1):
                ok = np.flatnonzero((nxt[:, x] >= 0) & (x <= r))
                tight = (r - x) + rows[r - x][nxt[ok, x]] == rows[r][ok]
                at = ok[tight]
                assert (P - ell * x + delta[nxt[at, x]] - delta[at] == 0).all(), (R, r, x)

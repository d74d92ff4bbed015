"""The minimal staircase automaton (kvopt.semi_online_quotient) against the plain DP."""

from __future__ import annotations

import numpy as np
import pytest

import kvopt
from kvopt.model import Instance
from kvopt.schedule import Schedule
from kvopt.solvers.semi_online import dp as so
from kvopt.solvers.semi_online import quotient as sq
from tests.helpers.semi_online_reference import reference_objective
from tests.test_semi_online_periodic import GRID_PARAMETERS


def synchronous_moore(nxt: np.ndarray) -> np.ndarray:
    """Textbook Moore refinement (all classes every round), written independently."""
    allowed = nxt >= 0
    cls = np.unique(allowed.sum(axis=1), return_inverse=True)[1].reshape(-1)
    while True:
        succ = np.where(allowed, cls[np.maximum(nxt, 0)], -1)
        new = np.unique(np.column_stack([cls, succ]), axis=0, return_inverse=True)[1]
        new = new.reshape(-1)
        if new.max() == cls.max():
            return new
        cls = new


def test_quotient_values_equal_the_staircase_dp_on_the_grid():
    """Every (s, o, M) of the grid that needs the staircases: the quotient's values
    V(empty, r) equal the staircases' for r <= 120, and (every fourth parameter set)
    the exhaustive reference for r <= 14; the quotient is never larger, and strictly
    smaller on most."""
    smaller = 0
    for i, (s, o, M) in enumerate(GRID_PARAMETERS):
        nxt = so.enumerate_staircases(s, o, M, so.MAX_STATES)
        small = sq.minimise(nxt)
        assert small.shape[0] <= nxt.shape[0]
        smaller += small.shape[0] < nxt.shape[0]
        plain = so._staircase_dp(120, nxt, None, choices=False)[1]
        quotient = so._staircase_dp(120, small, None, choices=False)[1]
        assert quotient.tolist() == plain.tolist(), (s, o, M)
        for n in range(1, 15 if i % 4 == 0 else 1):
            assert quotient[n] == reference_objective(n, s, o, M), (s, o, M, n)
    assert smaller > 100


def test_classes_are_a_congruence_and_minimal():
    """The classes are the textbook Moore partition; members of a class have the same
    moves into the same classes; and every two classes are distinguishable (the
    table-filling algorithm on the quotient marks every pair)."""
    for s, o, M in [(1, 3, 20), (2, 6, 40), (2, 5, 23), (3, 6, 40), (1, 8, 30), (2, 10, 60)]:
        nxt = so.enumerate_staircases(s, o, M, so.MAX_STATES)
        cls = sq.equivalence_classes(nxt)
        assert cls[0] == 0
        reference = synchronous_moore(nxt)
        # the same partition: the pairs (cls, reference) form a bijection
        assert np.unique(np.column_stack([cls, reference]), axis=0).shape[0] == cls.max() + 1
        assert reference.max() == cls.max()
        small = sq.quotient(nxt, cls)
        allowed = nxt >= 0
        assert ((small[cls] >= 0) == allowed).all()
        assert (small[cls][allowed] == cls[nxt[allowed]]).all()
        # table filling: distinguishable pairs of classes
        k = small.shape[0]
        okay = small >= 0
        apart = (okay.sum(axis=1)[:, None] != okay.sum(axis=1)[None, :]).copy()
        while True:
            grown = apart.copy()
            for x in range(small.shape[1]):
                both = okay[:, x][:, None] & okay[:, x][None, :]
                tgt = np.maximum(small[:, x], 0)
                grown |= both & apart[np.ix_(tgt, tgt)]
            if (grown == apart).all():
                break
            apart = grown
        assert (apart | np.eye(k, dtype=bool)).all(), (s, o, M)


def test_quotient_extends_the_plain_dp_past_the_table_limit(monkeypatch):
    """With MAX_TABLE between the quotient's and the staircases' choice tables,
    search='auto' solves on the quotient (verified, equal to the plain DP) where it
    refused before; below both it still refuses."""
    n, s, o, M = 400, 2, 10, 60
    nxt = so.enumerate_staircases(s, o, M, so.MAX_STATES)
    small = sq.minimise(nxt)
    K, k = nxt.shape[0], small.shape[0]
    assert k < K
    monkeypatch.setattr(so, "MAX_TABLE", (k + K) // 2 * (n + 1))
    info: dict = {}
    times, sizes = so.optimal_groups(n, s, o, M, info=info)
    assert info["states"] == k and info["staircases"] == K and info["algorithm"] == "dp"
    assert int(np.dot(times, sizes)) == so._staircase_dp(n, nxt, None, choices=False)[1][n]
    inst = Instance.from_arrays(
        "q", M, arrival=np.zeros(n, int), prompt=np.full(n, s), output=np.full(n, o)
    )
    kvopt.verify(inst, Schedule.from_starts(inst, np.repeat(times, sizes)))
    monkeypatch.setattr(so, "MAX_TABLE", k * (n + 1) - 1)
    with pytest.raises(so.SemiOnlineError, match="MAX_TABLE"):
        so.optimal_groups(n, s, o, M)


def test_certificate_found_on_the_quotient_when_the_table_limit_binds():
    """With a choice-table limit that no horizon of the staircases fits but R = 64 of
    the quotient does, certify succeeds on the quotient; its values equal the plain
    DP's for every n <= 600 and its schedules are verified."""
    from kvopt.solvers.semi_online import periodic

    s, o, M = 2, 10, 60
    nxt = so.enumerate_staircases(s, o, M, so.MAX_STATES)
    k = sq.minimise(nxt).shape[0]
    periodic._CACHE.pop((s, o, M), None)
    try:
        cert = periodic.certify(s, o, M, nxt, max_table=k * 65)
    finally:
        periodic._CACHE.pop((s, o, M), None)
    assert cert is not None and cert.nxt.shape[0] == k < nxt.shape[0]
    assert cert.describe()["staircases"] == nxt.shape[0] and cert.describe()["states"] == k
    plain = so._staircase_dp(600, nxt, None, choices=False)[1]
    assert [cert.value(n) for n in range(601)] == plain.tolist()
    for n in (5, 64, 65, 600):
        times, sizes = cert.groups(n)
        inst = Instance.from_arrays(
            "c", M, arrival=np.zeros(n, int), prompt=np.full(n, s), output=np.full(n, o)
        )
        kvopt.verify(inst, Schedule.from_starts(inst, np.repeat(times, sizes)))
        assert int(np.dot(times, sizes)) == plain[n]

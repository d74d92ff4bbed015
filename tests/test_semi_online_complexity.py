"""Propositions 6 and 7 of proofs/semi_online_complexity.md."""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
import pytest

from kvopt.solvers.semi_online import dp as so
from kvopt.solvers.semi_online.quotient import minimise

EASY = [(o, o // 2, (o // 2) * (o - 1) + 1) for o in range(3, 12)]


@pytest.mark.parametrize("o,q,s", EASY)
def test_minimal_automaton_of_prompt_dominated_parameters_is_binomial(o, q, s):
    """The family of Proposition 7, plus the largest prompt-dominated M for two more
    prompts: exactly C(o - 1 + q, q) states, before and after minimisation."""
    cases = [(s, q * (s + o))]
    for s2 in (o * o, 3 * o):  # other prompt-dominated parameter sets with this q
        M2 = min((q + 1) * (s2 + 1) - 1, (q + 1) * (s2 + o) - 1)
        if so.is_prompt_dominated(s2, o, M2) and M2 // (s2 + o) == q:
            cases.append((s2, M2))
    for s_, M in cases:
        assert so.is_prompt_dominated(s_, o, M), (s_, M)
        nxt = so.enumerate_staircases(s_, o, M, so.MAX_STATES)
        assert nxt.shape[0] == comb(o - 1 + q, q)
        assert minimise(nxt).shape[0] == comb(o - 1 + q, q)


def _accepted(nxt, word) -> bool:
    i = 0
    for x in word:
        if x >= nxt.shape[1] or nxt[i, x] < 0:
            return False
        i = int(nxt[i, x])
    return True


@pytest.mark.parametrize("s,o,M", [(3, 3, 6), (4, 3, 14), (7, 4, 22), (9, 5, 28)])
def test_prompt_dominated_language_is_the_slot_rule(s, o, M):
    """Every move sequence of length 8 with moves <= q + 1: accepted by the staircase
    automaton iff every o consecutive times hold at most q starts (the slot rule)."""
    assert so.is_prompt_dominated(s, o, M)
    q = M // (s + o)
    nxt = so.enumerate_staircases(s, o, M, so.MAX_STATES)
    for word in itertools.product(range(q + 2), repeat=8):
        sums = np.convolve(word, np.ones(o, dtype=int))
        assert _accepted(nxt, word) == bool((sums <= q).all()), word


def test_unary_encodings_are_sparse():
    """At most L^5 strings 1^n 0 1^s 0 1^o 0 1^M 0 1^Z of length <= L."""
    for L in range(4, 40):
        # length l: 4 separators and l - 4 ones shared by the five numbers
        count = sum(comb(ones + 4, 4) for ones in range(L - 3))
        assert count == comb(L - 4 + 5, 5) <= L**5

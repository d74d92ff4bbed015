"""Canonical minimisation of the staircase automaton (Moore refinement).

The layered DP of :mod:`kvopt.solvers.semi_online.dp` runs over the ``K`` staircases reachable
from the empty one, with the move table ``nxt`` (``nxt[i, x]`` the staircase reached
from ``i`` by starting ``x`` requests, ``-1`` where ``x`` is not allowed). Two
staircases that allow exactly the same sequences of moves have the same cost to go
for every number of waiting requests (``proofs/semi_online_quotient.md``), so the DP
may run over the classes of that equivalence instead. This module computes the
coarsest such partition by Moore's refinement: start from the classes of equal
*cap* (set of allowed moves), and split a class while two of its members move, for
some ``x``, into different classes. The result is the minimal automaton of the
language of feasible move sequences; the deletion rules of the staircases
(Lemma 4 of ``proofs/semi_online_optimality.md``) are a sufficient condition for
merging, this is the exact one.
"""

from __future__ import annotations

import time

import numpy as np


def _pair_labels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dense labels of the pairs ``(a[i], b[i])`` (both in ``[-1, 2^31)``)."""
    key = (a.astype(np.int64) + 1) * (np.int64(1) << 32) + (b.astype(np.int64) + 1)
    _, inverse = np.unique(key, return_inverse=True)
    return inverse.reshape(-1)


def _first_occurrence_order(labels: np.ndarray) -> np.ndarray:
    """Relabel so that classes are numbered by their first member (class of 0 is 0)."""
    count = int(labels.max()) + 1
    first = np.full(count, labels.size, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(labels.size, dtype=np.int64))
    rank = np.empty(count, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(count, dtype=np.int64)
    return rank[labels]


def _predecessors(nxt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pred[ptr[j]:ptr[j + 1]]``: the staircases with a move into ``j``."""
    K, width = nxt.shape
    allowed = nxt >= 0
    src = np.repeat(np.arange(K, dtype=np.int64), width).reshape(K, width)[allowed]
    dst = nxt[allowed]
    order = np.argsort(dst, kind="stable")
    ptr = np.searchsorted(dst[order], np.arange(K + 1, dtype=np.int64))
    return src[order], ptr


def _signatures(nxt: np.ndarray, cls: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Dense labels of ``(cls[i], cls[nxt[i, 0]], ..., cls[nxt[i, q]])`` over ``members``."""
    rows = nxt[members]
    labels = cls[members]
    for x in range(nxt.shape[1]):
        col = rows[:, x]
        labels = _pair_labels(labels, np.where(col >= 0, cls[np.maximum(col, 0)], -1))
    return labels


def equivalence_classes(nxt: np.ndarray, deadline: float | None = None) -> np.ndarray:
    """``cls[i]``: the class of staircase ``i`` under language equivalence.

    Moore refinement with a work list: start from the classes of equal cap (number
    of allowed moves) and, round after round, split every class in which some
    member moved into a class that changed in the previous round, by the classes of
    its members' successors; stop when nothing changes. Every split separates
    staircases with different move languages (by induction, the partition stays
    coarser than language equivalence), and at the end every class is stable (a
    bisimulation, so finer than language equivalence): the result is exactly the
    language equivalence (``proofs/semi_online_quotient.md``). Classes are numbered
    by their first member, so staircase 0 (the empty one) is in class 0.

    Raises
    ------
    TimeoutError
        Past ``deadline`` (a ``time.perf_counter()`` value).
    """
    K = nxt.shape[0]
    cls = _first_occurrence_order((nxt >= 0).sum(axis=1).astype(np.int64))
    count = int(cls.max()) + 1
    pred, ptr = _predecessors(nxt)
    changed = np.arange(K, dtype=np.int64)
    while changed.size:
        if deadline is not None and time.perf_counter() > deadline:
            raise TimeoutError("state minimisation stopped at the deadline")
        lengths = ptr[changed + 1] - ptr[changed]
        starts = np.repeat(ptr[changed], lengths)
        within = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(lengths) - lengths, lengths
        )
        mark = np.zeros(count, dtype=bool)
        mark[cls[pred[starts + within]]] = True
        members = np.flatnonzero(mark[cls])
        labels = _signatures(nxt, cls, members)
        # within each old class, the label of its first member keeps the old number
        keeps = np.full(int(labels.max()) + 1 if labels.size else 0, False)
        first_label = np.full(count, -1, dtype=np.int64)
        first_label[cls[members[::-1]]] = labels[::-1]  # first member of each class
        keeps[first_label[first_label >= 0]] = True
        fresh = np.flatnonzero(~keeps[labels])
        if fresh.size == 0:
            break
        new_ids = np.unique(labels[fresh], return_inverse=True)[1].reshape(-1) + count
        count = int(new_ids.max()) + 1
        changed = members[fresh]
        cls = cls.copy()
        cls[changed] = new_ids
    return _first_occurrence_order(cls)


def quotient(nxt: np.ndarray, cls: np.ndarray) -> np.ndarray:
    """The move table of the classes: ``out[c, x] = cls[nxt[i, x]]`` for any ``i`` in ``c``.

    Well defined because ``cls`` is a congruence (:func:`equivalence_classes`); row 0
    is the class of the empty staircase.
    """
    count = int(cls.max()) + 1
    rep = np.full(count, cls.size, dtype=np.int64)
    np.minimum.at(rep, cls, np.arange(cls.size, dtype=np.int64))
    rows = nxt[rep]
    return np.where(rows >= 0, cls[np.maximum(rows, 0)], -1)


def minimise(nxt: np.ndarray, deadline: float | None = None) -> np.ndarray:
    """The minimal move table equivalent to ``nxt`` (same DP values from row 0)."""
    return quotient(nxt, equivalence_classes(nxt, deadline))

"""Iterated local search over earliest-fit orders.

The search space is the order in which :func:`kvopt.solvers.heuristic.place` places the
requests. The local search is first-improvement *relocation* (move one request to another
position of the order, at most ``reach`` positions away: on four P1 instances with
n = 44-59, ``reach = 20`` reached the same local optimum as unlimited moves on three and a
better one on the fourth, in half the time); the first descent
scans positions in index order like :func:`kvopt.solvers.heuristic.earliest_fit` (with
unlimited reach it reaches the same local optimum from the same order), later descents
scan them in a random order. Between descents the order is
*perturbed* (a random segment is shuffled, or a double bridge ``A B C D -> A C B D``
exchanges two adjacent segments), a descent moves only the requests near the perturbed
positions, a full descent follows if the result is within ``accept`` (relative) of the
best found, and the new local optimum is accepted when it is within ``accept`` of the
best; otherwise the search returns to the best order.
The perturbations, the acceptance rule and their parameters are our choice, not taken
from the literature (a reconstruction of the standard ILS scheme).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from kvopt.solvers.primal.orders import OrderState


def relocate_descent(
    state: OrderState,
    *,
    deadline: float,
    rng: np.random.Generator | None = None,
    reach: int | None = None,
    positions: range | None = None,
) -> bool:
    """First-improvement relocation until no move improves or the deadline passes.

    Parameters
    ----------
    state
        The current order; changed in place.
    deadline
        A :func:`time.perf_counter` value.
    rng
        ``None``: scan positions in index order (as ``earliest_fit``); otherwise in a
        random order drawn from ``rng``.
    reach
        Move a request at most this many positions (``None``: anywhere).
    positions
        Move only the requests at these positions (``None``: all).

    Returns
    -------
    bool
        Whether any move was made.
    """
    n = state.n
    r = n if reach is None else reach
    span = range(n) if positions is None else positions
    moved, improved = False, True
    while improved and time.perf_counter() < deadline:
        improved = False
        for p in span if rng is None else rng.permutation(span).tolist():
            order = state.order
            near = range(max(0, p - r), min(n, p + r + 1))
            for q in near if rng is None else rng.permutation(near).tolist():
                if q == p:
                    continue
                trial = order[:p] + order[p + 1 :]
                trial.insert(q, order[p])
                first = min(p, q)
                if state.evaluate(trial, first, state.value, max(p, q)) is not None:
                    state.commit(trial, first)
                    moved = improved = True
                    break
            if time.perf_counter() >= deadline:
                break
    return moved


def perturb(
    order: list[int], rng: np.random.Generator, *, segment: int = 8
) -> tuple[list[int], range]:
    """A random segment shuffle (length 3..``segment``) or a double bridge, half and half.

    The double bridge ``A B C D -> A C B D`` exchanges two adjacent segments of total
    length at most ``2 * segment``. Returns the new order and the positions it changed.
    """
    n = len(order)
    out = list(order)
    if n < 4:
        rng.shuffle(out)
        return out, range(n)
    if rng.random() < 0.5:
        length = int(rng.integers(3, min(segment, n) + 1))
        i = int(rng.integers(0, n - length + 1))
        part = out[i : i + length]
        rng.shuffle(part)
        out[i : i + length] = part
        return out, range(i, i + length)
    length = int(rng.integers(3, min(2 * segment, n) + 1))
    i = int(rng.integers(0, n - length + 1))
    j = i + int(rng.integers(1, length))
    k = i + length
    return out[:i] + out[j:k] + out[i:j] + out[k:], range(i, k)


def iterated_local_search(
    state: OrderState,
    *,
    deadline: float,
    rng: np.random.Generator,
    max_iterations: int | None = None,
    patience: int | None = 200,
    accept: float = 0.0,
    segment: int = 8,
    reach: int | None = 20,
    on_improve: Callable[[np.ndarray, int, str], None] | None = None,
) -> tuple[list[int], int]:
    """Descend from ``state``'s order, then perturb-and-descend until the deadline.

    Parameters
    ----------
    state
        The starting order (changed in place).
    deadline
        A :func:`time.perf_counter` value; every descent checks it.
    rng
        The only source of randomness (the result is deterministic for a seed when the
        deadline does not bind, e.g. with ``max_iterations``).
    max_iterations
        Perturbations at most (``None``: until the deadline).
    patience
        Stop after this many perturbations in a row that did not improve the best
        (``None``: never).
    accept
        Accept a perturbed local optimum within this relative distance of the best.
    segment
        Longest shuffled segment of a perturbation.
    reach
        Longest relocation of a descent (:func:`relocate_descent`).
    on_improve
        Called with ``(starts, value, what)`` whenever the best order improves.

    Returns
    -------
    order, value
        The best order found and the total latency of its earliest-fit schedule.
    """
    relocate_descent(state, deadline=deadline, reach=reach)
    best_order, best = list(state.order), state.value
    if on_improve is not None:
        on_improve(state.starts(), best, "ils descent")
    current, value = best_order, best
    it = stale = 0
    while time.perf_counter() < deadline and (max_iterations is None or it < max_iterations):
        if patience is not None and stale >= patience:
            break
        it += 1
        stale += 1
        trial, changed = perturb(current, rng, segment=segment)
        state.reset(trial)
        r = state.n if reach is None else reach
        near = range(max(0, changed.start - r), min(state.n, changed.stop + r))
        relocate_descent(state, deadline=deadline, rng=rng, reach=reach, positions=near)
        if state.value <= best * (1 + accept):  # promising: descend everywhere
            relocate_descent(state, deadline=deadline, rng=rng, reach=reach)
        if state.value < best:
            best_order, best, stale = list(state.order), state.value, 0
            if on_improve is not None:
                on_improve(state.starts(), best, f"ils iteration {it}")
        if state.value <= value or state.value <= best * (1 + accept):
            current, value = list(state.order), state.value
        else:
            current, value = best_order, best
    return best_order, best

"""The owner LP: the time-indexed LP strengthened by the owner rows (``models/owner_lp.md``).

Columns are the pairs ``(i, k)`` of the safe start windows (start ``k`` of request ``i``,
cost ``k + o_i - a_i``), with one assignment row per request. For every round ``t`` and
integer ``theta = 0 .. M`` the **owner row**

    sum_{(i, k) running in t} [ g - (cap - theta)^+ ] x_{i,k} <= theta

is valid (``proofs/owner_lp.md``), where ``g = s_i + t - k`` is the memory of the pair in
round ``t`` and ``cap = cap_i(k + o_i - t)`` the owner capacity of
:func:`kvopt.owner.capacity`; ``theta = M`` is the plain memory row. Rows are generated
lazily: each round's most violated ``theta`` is found exactly by one sort (the violation
is concave in ``theta`` and peaks where the LP's weight of pairs with ``cap > theta``
reaches 1), and the loop re-solves from the previous basis: after new rows with HiGHS's
dual simplex, after new columns with its primal simplex (``OwnerLP(alternate=True)``).

The bound is **not** HiGHS's objective value: it is the Lagrangian value of the rows'
duals, rounded down to multiples of ``2**-24`` and evaluated in exact integer arithmetic
over every window column, ``L(pi) = sum_i min_k (c_ik + sum_r pi_r A_r,ik) - sum_r pi_r
b_r``. It is valid for every ``pi >= 0``, whatever the LP solver's tolerances or status,
and the same on every machine that gets the same duals.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from kvopt.model import Instance
from kvopt.owner import capacity, capacity_at, other_prompt_min
from kvopt.solvers.horizon import StartWindows
from kvopt.solvers.rows import OwnerRow, RefillRow, Row, most_violated_refill

#: Duals are rounded down to multiples of 2**-SCALE_BITS for the exact Lagrangian.
SCALE_BITS = 24


@dataclass(frozen=True)
class WindowColumns:
    """The window pairs and, per round, the memory and owner capacity of each.

    Columns are grouped by request (``first[i] .. first[i+1] - 1``). The entries
    ``(column, g, cap, p)`` of round ``t`` are ``entries[ptr[t] : ptr[t + 1]]``, with
    ``p`` the peak ``s_i + o_i`` of the pair's request; ``memory`` is ``M``.
    """

    request: np.ndarray
    start: np.ndarray
    cost: np.ndarray
    first: np.ndarray
    ptr: np.ndarray
    column: np.ndarray
    g: np.ndarray
    cap: np.ndarray
    p: np.ndarray
    memory: int

    @property
    def rounds(self) -> int:
        """The last round any pair runs in."""
        return self.ptr.size - 2


def window_columns(instance: Instance, windows: StartWindows) -> WindowColumns:
    """Every pair ``(i, k)`` with ``earliest_i <= k <= latest_i`` and its rounds."""
    s, o, a = instance.prompt, instance.output, instance.arrival
    width = windows.latest - windows.earliest + 1
    request = np.repeat(np.arange(instance.n), width)
    first = np.concatenate(([0], np.cumsum(width)))
    start = windows.earliest[request] + (np.arange(request.size) - first[request])
    cost = start + o[request] - a[request]
    # one entry per (column, round): t = k + j for j = 1 .. o_i
    span = o[request]
    column = np.repeat(np.arange(request.size), span)
    offset = np.concatenate(([0], np.cumsum(span)))
    j = np.arange(column.size) - offset[column] + 1
    r = request[column]
    t = start[column] + j
    g = s[r] + j
    sigma = other_prompt_min(instance)
    cap = capacity(s[r] + o[r], sigma[r], instance.memory, o[r] - j)
    order = np.argsort(t, kind="stable")
    horizon = int(t.max()) if t.size else 0
    ptr = np.searchsorted(t[order], np.arange(horizon + 2))
    peak = (s[r] + o[r])[order]
    return WindowColumns(
        request,
        start,
        cost.astype(np.int64),
        first,
        ptr,
        column[order],
        g[order],
        cap[order],
        peak,
        int(instance.memory),
    )


def row_coefficients(cols: WindowColumns, t: int, theta: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns and coefficients ``g - (cap - theta)^+`` of the owner row ``(t, theta)``
    over every window pair running in round ``t`` (zeros dropped)."""
    return coefficients_of(cols, OwnerRow(t, theta))


def coefficients_of(cols: WindowColumns, row: Row) -> tuple[np.ndarray, np.ndarray]:
    """Columns and coefficients of ``row`` (:mod:`kvopt.solvers.rows`) over every window
    pair running in its round (zeros dropped)."""
    lo, hi = cols.ptr[row.round], cols.ptr[row.round + 1]
    coef = np.asarray(row.coefficients(cols.g[lo:hi], cols.cap[lo:hi], cols.p[lo:hi], cols.memory))
    keep = coef != 0
    return cols.column[lo:hi][keep], coef[keep].astype(np.int64)


def most_violated_clique(
    cols: WindowColumns, t: int, x: np.ndarray, counts: int, tol: float
) -> RefillRow | None:
    """The most violated refill clique of round ``t`` at ``x`` with ``q <= counts``
    (:func:`kvopt.solvers.rows.most_violated_refill`), or ``None``."""
    lo, hi = cols.ptr[t], cols.ptr[t + 1]
    xv = x[cols.column[lo:hi]]
    return most_violated_refill(cols.g[lo:hi], cols.p[lo:hi], xv, cols.memory, t, counts, tol)


def most_violated(cols: WindowColumns, t: int, x: np.ndarray, tol: float) -> int | None:
    """``theta`` of the most violated owner row of round ``t`` at ``x`` (per column).

    The violation ``sum [g - (cap - theta)^+] x - theta`` is concave in ``theta`` with
    slope ``(weight of pairs with cap > theta) - 1``, so it peaks at the capacity where
    the weight of the pairs sorted by decreasing capacity reaches 1. ``None`` if no row of
    round ``t`` is violated by more than ``tol (1 + theta)``.
    """
    lo, hi = cols.ptr[t], cols.ptr[t + 1]
    xv = x[cols.column[lo:hi]]
    used = xv > 1e-9
    xu, cu, gu = xv[used], cols.cap[lo:hi][used], cols.g[lo:hi][used]
    # every coefficient is <= theta (g <= cap), so a row can only be violated where the
    # pairs of the round carry a total weight of at least 1
    if xu.sum() < 1 - 1e-9:
        return None
    order = np.argsort(-cu, kind="stable")
    cum = np.cumsum(xu[order])
    theta = int(cu[order][min(int(np.searchsorted(cum, 1 - 1e-9)), order.size - 1)])
    violation = float((gu - np.maximum(cu - theta, 0)) @ xu) - theta
    return theta if violation > tol * (1 + theta) else None


def reduced_costs(cols: WindowColumns, rows: list[Row], pi: np.ndarray) -> np.ndarray:
    """``c_j + sum_r pi_r A_rj`` for every window column, exactly (``pi`` integers,
    costs scaled by ``2**SCALE_BITS``)."""
    acc = cols.cost << SCALE_BITS
    live = np.flatnonzero(pi > 0)
    if live.size == 0:
        return acc
    parts = [coefficients_of(cols, rows[r]) for r in live.tolist()]
    col = np.concatenate([c for c, _ in parts])
    val = np.concatenate([v * pi[r] for (_, v), r in zip(parts, live.tolist(), strict=True)])
    order = np.argsort(col, kind="stable")
    col, val = col[order], val[order]
    starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
    acc = acc.copy()
    acc[col[starts]] += np.add.reduceat(val, starts)
    return acc


def scaled_duals(duals: np.ndarray) -> np.ndarray:
    """``pi = max(0, -duals)`` rounded down to multiples of ``2**-SCALE_BITS``, as integers
    (HiGHS's duals of ``<=`` rows of a minimisation are ``<= 0``)."""
    pi = np.floor(np.maximum(0.0, -np.asarray(duals, dtype=np.float64)) * (1 << SCALE_BITS))
    return np.minimum(pi, 2.0**40).astype(np.int64)  # keeps every product below 2**63


def lagrangian_bound(cols: WindowColumns, rows: list[Row], pi: np.ndarray, acc: np.ndarray) -> int:
    """``ceil(L(pi))`` with ``L(pi) = sum_i min_k acc_ik - sum_r pi_r theta_r`` (scaled).

    Valid for every ``pi >= 0``: for an integral schedule ``x`` in the windows that
    satisfies the rows, ``c x >= c x + sum_r pi_r (A_r x - theta_r) >= L(pi)``.
    """
    per_request = np.minimum.reduceat(acc, cols.first[:-1])
    rhs = np.array([row.rhs for row in rows], dtype=np.int64)
    total = int(per_request.sum()) - int((pi * rhs).sum()) if rows else int(per_request.sum())
    return -(-total >> SCALE_BITS)


@dataclass
class OwnerLPResult:
    """What the row and column generation reached.

    Attributes
    ----------
    bound
        The best proven lower bound (exact Lagrangian value, rounded up), or ``None``
        if no LP was solved.
    lp_value
        HiGHS's objective at the last solve (reporting only; not a proof).
    rows, columns, iterations, seconds
        Owner rows and columns in the LP, LP solves, and wall time.
    complete
        No violated row and no column of negative reduced cost was left: ``bound`` is
        the owner LP's optimum (rounded up).
    x
        The last LP solution over every window column (``None`` if none).
    rows_list
        The generated rows (:class:`~kvopt.solvers.rows.OwnerRow`,
        :class:`~kvopt.solvers.rows.RefillRow`).
    binding
        The generated rows other than plain memory rows (``theta = M``) that are tight
        at ``x`` (slack <= 1e-6): the ones worth adding to an integer model.
    """

    bound: int | None
    lp_value: float | None
    rows: int
    columns: int
    iterations: int
    seconds: float
    complete: bool = False
    x: np.ndarray | None = None
    rows_list: list[Row] = field(default_factory=list)
    binding: list[Row] = field(default_factory=list)


class OwnerLP:
    """The owner LP over the windows, by row and column generation with HiGHS.

    Parameters
    ----------
    instance
        The instance.
    windows
        Safe start windows (they keep an optimal schedule, so the LP bounds the optimum).
    start
        A feasible schedule's start times inside the windows: its columns start the LP
        (which is then always feasible), with ``width`` starts on each side.
    threads
        HiGHS threads.
    width
        Starts on each side of the schedule's start that the LP begins with.
    price
        Columns of negative reduced cost added per request and iteration.
    refill
        Largest ``q`` of the refill cliques separated with the owner rows
        (``proofs/refill_cliques.md``); 0: owner rows only.
    drop_after
        A generated row that is slack with a zero dual in this many consecutive solves
        is deleted (``None``: rows are kept); separation adds it again if it is violated
        later. Dropping keeps the bound valid: the Lagrangian value uses the rows present.
    alternate
        Add rows and columns in separate solves: while rows are violated, only rows
        (re-solved by the dual simplex, whose basis stays dual feasible); when none is,
        only priced columns (re-solved by the primal simplex, whose basis stays primal
        feasible). ``False``: both in every solve, HiGHS's default simplex. Either way
        the loop ends only with neither left. Measured on a 50-request P1 instance:
        the bound within 0.1 % of its final value in 32 CPU s instead of 96
        (``benchmarks/owner_lp_speed.py``).
    """

    def __init__(
        self,
        instance: Instance,
        windows: StartWindows,
        start: np.ndarray,
        *,
        threads: int = 1,
        width: int = 25,
        price: int = 10,
        refill: int = 0,
        drop_after: int | None = 3,
        alternate: bool = True,
    ) -> None:
        import highspy

        self.instance, self.price, self.refill = instance, price, int(refill)
        self.alternate = bool(alternate)
        self.cols = window_columns(instance, windows)
        self.rows: list[Row] = []
        self.idle = np.zeros(0, dtype=np.int64)
        self.drop_after, self.dropped = drop_after, 0
        self.by_round: dict[int, list[int]] = {}
        self.lp_of = np.full(self.cols.request.size, -1, dtype=np.int64)
        self.full_of: list[int] = []
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", int(threads))
        h.setOptionValue("presolve", "off")  # it ignores the time limit (lp_bound.py)
        n = instance.n
        h.addRows(n, np.ones(n), np.ones(n), 0, np.zeros(n, dtype=np.int32), [], [])
        self.highs = h
        k = self.cols.start
        near = np.abs(k - np.asarray(start)[self.cols.request]) <= width
        self._add_columns(np.flatnonzero(near | (k == windows.earliest[self.cols.request])))

    def _add_columns(self, full: np.ndarray) -> None:
        """Add window columns (full indices) with their coefficients in existing rows."""
        full = full[self.lp_of[full] < 0]
        if full.size == 0:
            return
        cols, inst = self.cols, self.instance
        s, o, m = inst.prompt, inst.output, inst.memory
        sigma = other_prompt_min(inst)
        index, value, starts = [], [], []
        for j in full.tolist():
            starts.append(len(index))
            i, k = int(cols.request[j]), int(cols.start[j])
            index.append(i)
            value.append(1.0)
            p, oi = int(s[i] + o[i]), int(o[i])
            for t in range(k + 1, k + oi + 1):
                for r in self.by_round.get(t, ()):
                    g, d = int(s[i]) + t - k, k + oi - t
                    cap = capacity_at(p, int(sigma[i]), m, d)
                    coef = int(self.rows[r].coefficients(g, cap, p, m))
                    if coef:
                        index.append(inst.n + r)
                        value.append(float(coef))
        base = len(self.full_of)
        self.lp_of[full] = base + np.arange(full.size)
        self.full_of.extend(full.tolist())
        self.highs.addCols(
            full.size,
            cols.cost[full].astype(np.float64),
            np.zeros(full.size),
            np.ones(full.size),
            len(index),
            np.array(starts, dtype=np.int32),
            np.array(index, dtype=np.int32),
            np.array(value, dtype=np.float64),
        )

    def _add_rows(self, new: list[Row]) -> None:
        import highspy

        index, value, starts = [], [], []
        for row in new:
            self.by_round.setdefault(row.round, []).append(len(self.rows))
            self.rows.append(row)
            c, coef = coefficients_of(self.cols, row)
            lp = self.lp_of[c]
            keep = lp >= 0
            starts.append(sum(map(len, index)))
            index.append(lp[keep])
            value.append(coef[keep])
        self.idle = np.concatenate([self.idle, np.zeros(len(new), dtype=np.int64)])
        self.highs.addRows(
            len(new),
            np.full(len(new), -highspy.kHighsInf),
            np.array([row.rhs for row in new], dtype=np.float64),
            int(sum(map(len, index))),
            np.array(starts, dtype=np.int32),
            np.concatenate(index).astype(np.int32),
            np.concatenate(value).astype(np.float64),
        )

    def _solve(self, deadline: float | None) -> tuple[np.ndarray, np.ndarray, float] | None:
        import highspy

        h = self.highs
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left <= 0.05:
                return None
            h.setOptionValue("time_limit", h.getRunTime() + left)  # cumulative in HiGHS
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        sol = h.getSolution()
        x = np.zeros(self.cols.request.size)
        x[self.full_of] = sol.col_value
        self._count_idle(np.asarray(sol.row_dual), np.asarray(sol.row_value))
        return x, np.asarray(sol.row_dual, dtype=np.float64), h.getInfo().objective_function_value

    def _count_idle(self, duals: np.ndarray, activity: np.ndarray, tol: float = 1e-9) -> None:
        """Count, per generated row, the consecutive solves in which it was slack with a
        zero dual."""
        n = self.instance.n
        rhs = np.array([row.rhs for row in self.rows], dtype=np.float64)
        idle = (np.abs(duals[n:]) <= tol) & (activity[n:] < rhs - 1e-6 * (1 + rhs))
        self.idle = np.where(idle, self.idle + 1, 0)

    def _drop_idle(self) -> None:
        """Delete the rows idle for ``drop_after`` solves (they come back if violated)."""
        if self.drop_after is None:
            return
        gone = np.flatnonzero(self.idle >= self.drop_after)
        if gone.size == 0:
            return
        self.highs.deleteRows(int(gone.size), (gone + self.instance.n).astype(np.int32))
        keep = np.ones(len(self.rows), dtype=bool)
        keep[gone] = False
        self.rows = [row for row, k in zip(self.rows, keep.tolist(), strict=True) if k]
        self.idle = self.idle[keep]
        self.by_round = {}
        for r, row in enumerate(self.rows):
            self.by_round.setdefault(row.round, []).append(r)
        self.dropped += int(gone.size)

    def _priced(self, acc: np.ndarray, assignment: np.ndarray) -> np.ndarray:
        """Up to ``price`` columns per request with negative reduced cost, not in the LP."""
        cols = self.cols
        scale = float(1 << SCALE_BITS)
        rc = acc / scale - assignment[cols.request]
        cand = np.flatnonzero((rc < -1e-6) & (self.lp_of < 0))
        if cand.size == 0:
            return cand
        order = np.lexsort((rc[cand], cols.request[cand]))
        cand = cand[order]
        req = cols.request[cand]
        rank = np.arange(cand.size) - np.searchsorted(req, req)
        return cand[rank < self.price]

    def run(
        self, *, time_limit: float | None = None, max_iterations: int = 500, tol: float = 1e-6
    ) -> OwnerLPResult:
        """Generate rows and columns until none is left, the limit, or ``max_iterations``."""
        began = time.perf_counter()
        deadline = None if time_limit is None else began + time_limit
        best, value, x, it, complete = None, None, None, 0, False
        n = self.instance.n
        while it < max_iterations:
            got = self._solve(deadline)
            if got is None:
                break
            x, duals, value = got
            it += 1
            pi = scaled_duals(duals[n:])
            acc = reduced_costs(self.cols, self.rows, pi)
            bound = lagrangian_bound(self.cols, self.rows, pi, acc)
            best = bound if best is None else max(best, bound)
            rows = self._separate(x, tol)
            columns = self._priced(acc, duals[:n]) if not (rows and self.alternate) else None
            if not rows and not columns.size:
                complete = True
                break
            self._drop_idle()
            if rows:
                self._add_rows(rows)
            if columns is not None:
                self._add_columns(columns)
            if self.alternate:  # the simplex that keeps the basis usable (see class doc)
                self.highs.setOptionValue("simplex_strategy", 1 if columns is None else 4)
        return OwnerLPResult(
            best,
            None if value is None else float(value),
            len(self.rows),
            len(self.full_of),
            it,
            time.perf_counter() - began,
            complete,
            x,
            list(self.rows),
            self.binding(x),
        )

    def _separate(self, x: np.ndarray, tol: float) -> list[Row]:
        """Each round's most violated owner row and (with ``refill``) refill clique."""
        rows: list[Row] = []
        for t in range(1, self.cols.rounds + 1):
            theta = most_violated(self.cols, t, x, tol)
            if theta is not None:
                rows.append(OwnerRow(t, theta))
            if self.refill:
                clique = most_violated_clique(self.cols, t, x, self.refill, tol)
                if clique is not None:
                    rows.append(clique)
        return rows

    def binding(self, x: np.ndarray | None, slack: float = 1e-6) -> list[Row]:
        """The rows other than memory rows that ``x`` meets with equality (up to
        ``slack``)."""
        if x is None:
            return []
        out = []
        for row in self.rows:
            if isinstance(row, RefillRow) or row.theta < self.instance.memory:
                c, coef = coefficients_of(self.cols, row)
                if row.rhs - float(coef @ x[c]) <= slack * (1 + row.rhs):
                    out.append(row)
        return out


def owner_lp_bound(
    instance: Instance,
    windows: StartWindows,
    start: np.ndarray,
    *,
    time_limit: float | None = None,
    threads: int = 1,
    refill: int = 0,
) -> OwnerLPResult:
    """Solve the owner LP over ``windows`` from the schedule ``start`` (:class:`OwnerLP`;
    ``refill``: the largest ``q`` of the refill cliques separated too, 0 for none)."""
    if instance.n == 0:
        return OwnerLPResult(0, 0.0, 0, 0, 0, 0.0, True)
    lp = OwnerLP(instance, windows, start, threads=threads, refill=refill)
    return lp.run(time_limit=time_limit)

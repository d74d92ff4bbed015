"""Checks of the papers' competitive-ratio theorems on generated instances.

Each check samples instances that satisfy a theorem's hypotheses, measures the ratio
the theorem speaks about, and reports the bound, the worst ratio found, the instance
attaining it and whether the bound held. A violated bound is a finding, never something
to tune away: the instance is saved so that anyone can re-check it.

The theorems (``models/literature.md``; how sure we are is marked there):

* **MC-SF** (P1 v4/v5, [S2]): all requests at 0, identical prompts, exact predictions,
  ``M >= 2 max(s + o)``: ``MC-SF / OPT <= 9216`` (the product of the constants 1536
  and 6 of the two lemmas).
* **𝒜_max** (P2, [S], rendering uncertain): identical prompts, all at 0, every output in
  a common interval ``[l, u]``, ``alpha = l / u``: ``A_max / H-SF <= (1 + 1/alpha) /
  (2 alpha)``; the lower curve ``(1 + alpha^(-1/2)) / (2 alpha)`` is a worst-case
  statement (some instance reaches it), reported for comparison, not checked.
* **𝒜_min** (P2, [A]): same setting, ``A_min / H-SF = O(log 1/alpha)``. No constant is
  published, so nothing can be *violated*; the check reports the worst ratio per alpha,
  its slope against ``ln(1/alpha)`` and the polynomial exponent in ``1/alpha``
  (near 0 for logarithmic growth).
* **Sorted-F** (P3, [S]): all at 0, heterogeneous prompts and outputs, no eviction:
  ``Sorted-F / OPT <= 48``.

Ratios against OPT are exact where the exact solvers certify OPT; elsewhere ALG/lower
bound is an upper estimate: it proves the bound held when it is below the bound, and
makes the check *inconclusive* (never "violated") when it is above.

The instance samplers below are the theorems' hypothesis classes (our choice of ranges,
a reconstruction [R]); the 𝒜_max check also runs ``kvopt.generate("amax-family")``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kvopt.model import Instance
from kvopt.report_table import render_table

#: ``(instance, policy name) -> total latency``.
RunFn = Callable[[Instance, str], int]
#: ``(instance, known upper bounds) -> certificate`` as :func:`kvopt.ratio.trial.certify`.
CertifyFn = Callable[[Instance, dict[str, int]], dict[str, Any]]


@dataclass
class Finding:
    """The outcome of one bound check."""

    check: str
    statement: str
    bound: str
    worst_ratio: float | None = None
    worst_kind: str = ""
    held: bool | None = None
    instances: int = 0
    certified: int = 0
    worst_instance: Instance | None = field(default=None, repr=False)
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.held is None:
            return "n/a" if not self.note.startswith("inconclusive") else "inconclusive"
        return "held" if self.held else "VIOLATED"

    def consider(self, ratio: float, kind: str, instance: Instance) -> None:
        """Keep ``instance`` if its ratio is the worst so far."""
        if self.worst_ratio is None or ratio > self.worst_ratio:
            self.worst_ratio, self.worst_kind, self.worst_instance = ratio, kind, instance


# -- samplers of the hypothesis classes ---------------------------------------------------


def sample_mcsf(rng: np.random.Generator, n_max: int = 8) -> Instance:
    """All at 0, one prompt size, exact predictions, ``M >= 2 max(s + o)``."""
    n = int(rng.integers(3, n_max, endpoint=True))
    s = int(rng.integers(1, 4, endpoint=True))
    o = rng.integers(1, 8, endpoint=True, size=n)
    memory = 2 * int((s + o).max()) + int(rng.integers(0, 6, endpoint=True))
    return Instance.from_arrays(
        "mcsf-class",
        memory,
        arrival=np.zeros(n, np.int64),
        prompt=np.full(n, s),
        output=o,
        predicted=o,
        metadata={"class": "mcsf-theorem"},
    )


def sample_interval(rng: np.random.Generator, alpha: float, n_max: int = 40) -> Instance:
    """All at 0, one prompt size, outputs uniform in a common interval ``[l, u]``."""
    n = int(rng.integers(5, n_max, endpoint=True))
    s = int(rng.integers(1, 4, endpoint=True))
    u = int(rng.integers(4, 32, endpoint=True))
    lo = max(1, math.ceil(alpha * u))
    o = rng.integers(lo, u, endpoint=True, size=n)
    memory = int(rng.integers(s + u, 3 * (s + u), endpoint=True))
    return Instance.from_arrays(
        f"interval-a{alpha:g}",
        memory,
        arrival=np.zeros(n, np.int64),
        prompt=np.full(n, s),
        output=o,
        output_lo=np.full(n, lo),
        output_hi=np.full(n, u),
        metadata={"class": "p2-interval", "alpha": lo / u},
    )


def sample_sorted_f(rng: np.random.Generator, n_max: int = 8) -> Instance:
    """All at 0, heterogeneous prompts and outputs."""
    n = int(rng.integers(3, n_max, endpoint=True))
    s = rng.integers(1, 8, endpoint=True, size=n)
    o = rng.integers(1, 8, endpoint=True, size=n)
    memory = int((s + o).max()) + int(rng.integers(0, 12, endpoint=True))
    return Instance.from_arrays(
        "sorted-f-class",
        memory,
        arrival=np.zeros(n, np.int64),
        prompt=s,
        output=o,
        metadata={"class": "p3"},
    )


# -- the checks -----------------------------------------------------------------------------


def alpha_of(instance: Instance) -> float:
    """The interval accuracy ``min_i l_i / u_i`` of an instance with intervals."""
    return float((instance.output_lo / instance.output_hi).min())


def amax_upper(alpha: float) -> float:
    """𝒜_max's upper curve ``(1 + 1/alpha) / (2 alpha)``."""
    return (1 + 1 / alpha) / (2 * alpha)


def amax_lower(alpha: float) -> float:
    """𝒜_max's lower curve ``(1 + alpha^(-1/2)) / (2 alpha)``."""
    return (1 + alpha**-0.5) / (2 * alpha)


def _against_opt(
    check: Finding,
    bound: float,
    policy: str,
    instances: Sequence[Instance],
    run: RunFn,
    certify: CertifyFn,
) -> Finding:
    inconclusive = 0
    for inst in instances:
        alg = run(inst, policy)
        cert = certify(inst, {policy: alg})
        check.instances += 1
        if cert["status"] == "optimal":
            check.certified += 1
            ratio, kind = alg / cert["objective"], "exact"
        else:
            ratio, kind = alg / cert["lower_bound"], "upper estimate"
            inconclusive += ratio > bound
        check.consider(
            ratio,
            kind,
            inst.replace(
                metadata={
                    **inst.metadata,
                    "alg": alg,
                    **{
                        "opt_" + k: v
                        for k, v in cert.items()
                        if k in ("status", "objective", "lower_bound")
                    },
                }
            ),
        )
    exact_bad = check.worst_kind == "exact" and (check.worst_ratio or 0) > bound
    if exact_bad:
        check.held = False
    elif inconclusive:
        check.held = None
        check.note = f"inconclusive: {inconclusive} uncertified instance(s) with ALG/LB > bound"
    else:
        check.held = True
    return check


def check_mcsf(rng: np.random.Generator, count: int, run: RunFn, certify: CertifyFn) -> Finding:
    """MC-SF's constant under its conditions, against certified OPT."""
    f = Finding(
        "mcsf",
        "MC-SF / OPT, all at 0, identical prompts, exact predictions, M >= 2 max(s+o)",
        "<= 9216",
    )
    return _against_opt(f, 9216.0, "mcsf", [sample_mcsf(rng) for _ in range(count)], run, certify)


def check_sorted_f(rng: np.random.Generator, count: int, run: RunFn, certify: CertifyFn) -> Finding:
    """Sorted-F's constant 48 against certified OPT."""
    f = Finding("sorted-f", "Sorted-F / OPT, all at 0, heterogeneous prompts", "<= 48")
    insts = [sample_sorted_f(rng) for _ in range(count)]
    return _against_opt(f, 48.0, "sorted-f", insts, run, certify)


def _interval_instances(
    rng: np.random.Generator, alpha: float, count: int, family: Callable[[float], Instance] | None
) -> list[Instance]:
    insts = [sample_interval(rng, alpha) for _ in range(count)]
    if family is not None:
        insts.append(family(alpha))
    return insts


_P2_CLASS = "A_max / H-SF, all at 0, identical prompts, outputs in [l, u], alpha = l/u"


def _interval_ratios(
    rng: np.random.Generator,
    count: int,
    run: RunFn,
    alpha: float,
    family: Callable[[float], Instance] | None,
    policy: str,
):
    """``(instance, its alpha, policy / H-SF)`` over the instances of one alpha."""
    for inst in _interval_instances(rng, alpha, count, family):
        yield inst, alpha_of(inst), run(inst, policy) / run(inst, "h-sf")


def check_amax(
    rng: np.random.Generator,
    count: int,
    run: RunFn,
    alphas: Sequence[float],
    family: Callable[[float], Instance] | None = None,
) -> Finding:
    """𝒜_max / H-SF against the upper curve in alpha (each instance at its own alpha)."""
    f = Finding(
        "amax",
        _P2_CLASS,
        "<= (1 + 1/alpha) / (2 alpha)  [lower curve (1 + alpha^-1/2) / (2 alpha) reported]",
    )
    f.held = True
    closest = (0.0, 1.0)  # (ratio / upper curve, alpha)
    for alpha in alphas:
        worst, worst_a = 0.0, alpha
        for inst, a, ratio in _interval_ratios(rng, count, run, alpha, family, "amax"):
            f.instances += 1
            f.consider(ratio, f"vs H-SF, alpha={a:.3g}", inst)
            closest = max(closest, (ratio / amax_upper(a), a))
            if ratio > amax_upper(a) + 1e-9:
                f.held = False
            if ratio > worst:
                worst, worst_a = ratio, a
        f.rows.append(
            {
                "alpha": alpha,
                "worst": worst,
                "at alpha": worst_a,
                "lower curve": amax_lower(worst_a),
                "upper curve": amax_upper(worst_a),
                "reaches lower": worst >= amax_lower(worst_a) - 1e-9,
            }
        )
    f.note = f"closest to the upper curve: {closest[0]:.3f} of it, at alpha={closest[1]:.3g}"
    return f


def check_amin(
    rng: np.random.Generator,
    count: int,
    run: RunFn,
    alphas: Sequence[float],
    family: Callable[[float], Instance] | None = None,
) -> Finding:
    """𝒜_min / H-SF: growth in log(1/alpha) (no constant published)."""
    f = Finding(
        "amin", _P2_CLASS.replace("A_max", "A_min"), "O(log 1/alpha), no constant published"
    )
    for alpha in alphas:
        worst = 0.0
        for inst, _, ratio in _interval_ratios(rng, count, run, alpha, family, "amin"):
            f.instances += 1
            f.consider(ratio, "vs H-SF", inst)
            worst = max(worst, ratio)
        f.rows.append(
            {
                "alpha": alpha,
                "worst": worst,
                "worst/(1+ln(1/alpha))": worst / (1 + math.log(1 / alpha)),
            }
        )
    xs = np.array([math.log(1 / r["alpha"]) for r in f.rows])
    ys = np.array([r["worst"] for r in f.rows])
    if np.ptp(xs) > 0:
        slope = float(np.polyfit(xs, ys, 1)[0])
        keep = xs > 0
        expo = float(np.polyfit(xs[keep], np.log(ys[keep]), 1)[0]) if keep.sum() >= 2 else math.nan
        f.note = (
            f"slope of worst ratio vs ln(1/alpha): {slope:.3f}; "
            f"exponent of worst ratio in 1/alpha: {expo:.3f} (0 = logarithmic)"
        )
    return f


def format_finding(f: Finding) -> str:
    """A few lines per check."""
    lines = [f"[{f.check}] {f.statement}", f"  bound: {f.bound}"]
    worst = "-" if f.worst_ratio is None else f"{f.worst_ratio:.4f} ({f.worst_kind})"
    lines.append(
        f"  instances: {f.instances}"
        + (
            f", OPT certified on {f.certified}"
            if f.certified or f.check in ("mcsf", "sorted-f")
            else ""
        )
    )
    lines.append(f"  worst ratio found: {worst}")
    if f.rows:
        headers = list(dict.fromkeys(k for r in f.rows for k in r))
        rows = [[r.get(k) for k in headers] for r in f.rows]
        lines.append(render_table(headers, rows, rule=True, indent=4))
    if f.note:
        lines.append(f"  {f.note}")
    lines.append(f"  verdict: {f.verdict}")
    return "\n".join(lines)

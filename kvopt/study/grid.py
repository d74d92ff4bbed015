"""The policies of P1's real-trace study and their tuning grids.

MC-SF (P1's algorithm) runs twice: with the true outputs (``mcsf-oracle``, labelled an
oracle: P1's setting) and with the workload's noisy point predictions (``mcsf-noisy``;
``overflow=evict``, since predictions that underestimate may overflow the memory). The
benchmarks, each tuned over a grid (a reconstruction of P1's search: its alpha values
0.1-0.3 and phi values; vLLM's parameter is its free-memory watermark):

* ``alpha-greedy`` (alpha-protection greedy): alpha in {0.1, 0.15, 0.2, 0.25, 0.3};
* ``alpha-clearing`` (alpha-protection phi-clearing): the same alphas x phi in {0.1, 0.2};
* ``vllm`` (vLLM-like, Vidur's scheduler): watermark in {0.01, 0.05, 0.1}.
"""

from __future__ import annotations

from dataclasses import dataclass

ALPHAS = (0.1, 0.15, 0.2, 0.25, 0.3)
PHIS = (0.1, 0.2)
WATERMARKS = (0.01, 0.05, 0.1)


@dataclass(frozen=True)
class StudyPolicy:
    """One configuration of the study.

    Attributes
    ----------
    label
        The name in tables and plots (``mcsf-oracle``, ``alpha-greedy:alpha=0.2``).
    spec
        The policy as :func:`kvopt.simulate` takes it (``"name:key=value,..."``).
    family
        The policy it configures: ``mcsf``, ``alpha-greedy``, ``alpha-clearing``, ``vllm``.
    oracle
        Whether it sees the true outputs (MC-SF with perfect predictions).
    predictions
        Whether it plans with the instance's noisy predictions.
    """

    label: str
    spec: str
    family: str
    oracle: bool = False
    predictions: bool = False

    @property
    def benchmark(self) -> bool:
        """Whether it is one of the benchmarks MC-SF is compared with."""
        return self.family != "mcsf"


def study_policies(
    alphas: tuple[float, ...] = ALPHAS,
    phis: tuple[float, ...] = PHIS,
    watermarks: tuple[float, ...] = WATERMARKS,
    noisy: bool = True,
) -> tuple[StudyPolicy, ...]:
    """MC-SF (oracle, and noisy if ``noisy``) and every benchmark configuration."""
    out = [StudyPolicy("mcsf-oracle", "mcsf", "mcsf", oracle=True)]
    if noisy:
        out.append(StudyPolicy("mcsf-noisy", "mcsf:overflow=evict", "mcsf", predictions=True))
    for a in alphas:
        spec = f"alpha-greedy:alpha={a:g}"
        out.append(StudyPolicy(spec, spec, "alpha-greedy"))
    for a in alphas:
        for p in phis:
            spec = f"alpha-clearing:alpha={a:g},phi={p:g}"
            out.append(StudyPolicy(spec, spec, "alpha-clearing"))
    for w in watermarks:
        spec = f"vllm:watermark={w:g}"
        out.append(StudyPolicy(spec, spec, "vllm"))
    return tuple(out)

"""The LP relaxation bound and the model export."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

import kvopt
from kvopt.errors import KvoptError
from kvopt.model import Instance
from kvopt.solvers.common import prepare
from kvopt.solvers.lp_bound import lp_value, others_lp_bounds
from kvopt.solvers.milp import write_model
from kvopt.trivial_bounds import trivial_lower_bound

KNOWN = Path(__file__).resolve().parents[1] / "instances" / "known"


def _known(limit_n: int = 9):
    with open(KNOWN / "optima.csv") as f:
        return [(r["name"], int(r["optimum"])) for r in csv.DictReader(f) if int(r["n"]) <= limit_n]


@pytest.mark.parametrize(("name", "optimum"), _known())
def test_lower_bound_is_valid_and_at_least_trivial(name, optimum):
    inst = kvopt.load_instance(KNOWN / f"{name}.json")
    lb = kvopt.lower_bound(inst)
    assert trivial_lower_bound(inst) <= lb <= optimum


def test_lp_bound_beats_the_trivial_bound_somewhere():
    gains = [
        kvopt.lower_bound(kvopt.load_instance(KNOWN / f"{n}.json"))
        - trivial_lower_bound(kvopt.load_instance(KNOWN / f"{n}.json"))
        for n, _ in _known(7)
    ]
    assert max(gains) > 0


def test_lower_bound_of_two_requests_that_cannot_overlap():
    # optimum 6 (serial); the LP may split both runs in halves and reaches only 5; the
    # owner rows see that the two can never share a round
    inst = Instance.from_arrays("two", 6, arrival=[0, 0], prompt=[2, 2], output=[2, 2])
    assert kvopt.solve(inst, "milp").objective == 6
    assert kvopt.lower_bound(inst, method="trivial") == 5
    assert kvopt.lower_bound(inst) == kvopt.lower_bound(inst, method="owner-capacity") == 6
    assert lp_value(inst, prepare(inst, None, lp_windows=False)) == pytest.approx(5.0)


def test_lower_bounds_without_each_request_are_valid():
    inst = kvopt.load_instance(KNOWN.parent / "example6.json")
    prepared = prepare(inst, None)
    bounds = others_lp_bounds(inst, prepared)
    for i, b in enumerate(bounds):
        rest = inst.subset([j for j in range(inst.n) if j != i])
        assert b is not None and b <= kvopt.solve(rest, "cpsat").objective


@pytest.mark.parametrize("suffix", [".lp", ".mps"])
def test_export_writes_the_model(tmp_path, suffix):
    inst = kvopt.load_instance(KNOWN.parent / "example6.json")
    path = write_model(inst, tmp_path / f"example6{suffix}")
    text = path.read_text()
    assert "x(" in text or "x[" in text
    assert len(text) > 200


def test_export_rejects_unknown_format(tmp_path):
    inst = kvopt.load_instance(KNOWN.parent / "example6.json")
    with pytest.raises(KvoptError, match=r"\.lp or \.mps"):
        write_model(inst, tmp_path / "model.txt")


@pytest.mark.parametrize("method", ["trivial", "owner-capacity", "lp", "owner-lp"])
def test_lower_bound_does_not_import_pyomo(method):
    """``kvopt.lower_bound`` solves with highspy alone (a fresh interpreter tells)."""
    code = (
        "import sys, kvopt\n"
        "inst = kvopt.load_instance(sys.argv[1])\n"
        f"print(kvopt.lower_bound(inst, method={method!r}))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pyomo'))\n"
    )
    example = Path(__file__).resolve().parents[1] / "instances" / "example6.json"
    r = subprocess.run(
        [sys.executable, "-c", code, str(example)], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    value, flags = r.stdout.splitlines()
    assert int(value) >= 21 and flags == "[]"


def test_import_kvopt_loads_no_solver_or_dataframe_library():
    """``import kvopt`` (every CLI command) loads the solvers on first use, not at import."""
    code = (
        "import sys, kvopt\n"
        "heavy = ('ortools', 'pyomo', 'highspy', 'pandas', 'matplotlib')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"

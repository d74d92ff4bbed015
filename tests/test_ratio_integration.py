"""The ratio lab wired to the real generators, policies and exact solvers."""

import importlib.util
import json
import math

import numpy as np
import pytest

pytest.importorskip("kvopt.policies")
needs_solvers = pytest.mark.skipif(
    importlib.util.find_spec("kvopt.solvers") is None, reason="exact solvers not merged yet"
)

from kvopt import verify  # noqa: E402
from kvopt.cli import main  # noqa: E402
from kvopt.ratio import PolicySpec, Store, Sweep, run_sweep  # noqa: E402
from kvopt.ratio import adversary as adv  # noqa: E402
from kvopt.ratio.bound_checks import check_amax, check_amin, check_mcsf, check_sorted_f  # noqa: E402
from kvopt.ratio.trial import certify, make_instance, run_policy  # noqa: E402
from kvopt.solve import solve  # noqa: E402

TINY = {"n": 4, "memory": 12}  # paper1-synthetic, small enough to certify in well under 1 s


def runner(name):
    def run(inst):
        return run_policy(inst, PolicySpec(name))

    return run


def run_fn(inst, name):
    return run_policy(inst, PolicySpec(name))[0]


def certify_fn(inst, upper):
    return certify(inst, solvers=("milp",), time_limit=20, upper=upper)


@needs_solvers
def test_real_trials_bracket_opt_and_policies_never_beat_it():
    sweep = Sweep(
        "paper1-synthetic",
        (PolicySpec("mcsf"), PolicySpec("fcfs"), PolicySpec("sf")),
        4,
        seed=3,
        params=TINY,
        time_limit=20,
        solvers=("milp", "cpsat"),
    )
    with Store() as st:
        res = run_sweep(sweep, st, progress=False)
    assert not res.errors and len(res.records) == 4
    for rec in res.records:
        opt = rec["opt"]
        assert opt["status"] == "optimal", rec
        assert all(alg >= opt["objective"] for alg in rec["alg"].values())
        inst = make_instance("paper1-synthetic", rec["seed"], TINY)
        assert inst.n == rec["n"] and inst.memory == rec["memory"]


@needs_solvers
def test_cli_ratio_resumes_writes_outputs_and_rejects_bad_input(tmp_path, capsys):
    store, out = tmp_path / "r.sqlite", tmp_path / "r"
    args = ["ratio", "--policy", "mcsf", "--policy", "fcfs", "--family", "paper1-synthetic"]
    args += ["--set", "n=4", "--set", "memory=12", "--trials", "3", "--seed", "1"]
    args += ["--time-limit", "20", "--solver", "milp", "--store", str(store)]
    assert main(args + ["--csv", f"{out}.csv", "--json", f"{out}.json"]) == 0
    first = capsys.readouterr().out
    assert "3 run now, 0 from the store" in first and "mcsf" in first
    assert main(args + ["--trials", "4"]) == 0
    assert "1 run now, 3 from the store" in capsys.readouterr().out
    doc = json.loads((tmp_path / "r.json").read_text())
    assert [s["policy"] for s in doc["summary"]] == ["mcsf", "fcfs"]
    assert (tmp_path / "r.csv").read_text().count("\n") == 1 + 3 * 2
    assert main(args + ["--policy", "nonsense"]) == 2
    assert main(["ratio", "--policy", "mcsf", "--family", "nope", "--trials", "1"]) == 2
    assert main(args + ["--set", "oops"]) == 2
    assert main(args + ["--jobs", "0"]) == 2
    assert main(args + ["--time-limit", "0"]) == 2
    assert "error" in capsys.readouterr().err


@pytest.mark.parametrize("policy", ["mcsf", "fcfs", "sf"])
def test_adaptive_adversary_against_real_policies(policy):
    sizes = [16, 64, 256, 1024]
    rows = adv.adaptive_rows(runner(policy), sizes)
    expo = adv.fit_exponent(sizes, [r.ratio for r in rows])
    assert 0.45 < expo < 0.55
    assert all(r.detail["shorts"] == math.isqrt(r.size) for r in rows)


@pytest.mark.parametrize("policy", ["mcsf", "fcfs", "sf"])
def test_blocking_thin_against_real_policies(policy):
    sizes = [64, 256, 1024, 4096]
    insts = [(m, make_instance("blocking-thin", 0, {"memory": m})) for m in sizes]
    rows = adv.static_rows(runner(policy), insts)
    for (_, inst), r in zip(insts, rows, strict=True):
        assert r.opt == inst.metadata["optimal_objective"]
        assert r.alg == inst.metadata["policy_objective"]
    assert 0.4 < adv.fit_exponent(sizes, [r.ratio for r in rows]) < 0.55


@needs_solvers
def test_closed_forms_match_exact_solvers():
    inst, _, _ = adv.play(adv.LongShortAdversary(9), runner("mcsf"))
    for name in ("milp", "cpsat"):
        res = solve(inst, name, time_limit=30, threads=1)
        assert res.status == "optimal" and res.objective == adv.long_short_opt(inst)[0]
    bt = make_instance("blocking-thin", 0, {"memory": 12})
    res = solve(bt, "milp", time_limit=30, threads=1)
    assert res.status == "optimal" and res.objective == adv.blocking_thin_opt(bt)[0]


@needs_solvers
def test_bound_checks_with_real_policies_on_tiny_cases():
    rng = np.random.default_rng(0)
    for check in (check_mcsf, check_sorted_f):
        f = check(rng, 2, run_fn, certify_fn)
        assert f.instances == 2 and f.worst_ratio >= 1.0 - 1e-9
        assert f.held is not False, f  # a violation would be a finding to report
        verify(f.worst_instance, run_policy(f.worst_instance, PolicySpec(f.check))[1])
    fam = lambda a: make_instance("amax-family", 0, {"alpha": a, "n": 60})  # noqa: E731
    amax = check_amax(rng, 2, run_fn, [1.0, 0.25], fam)
    assert amax.held is True and amax.rows[0]["worst"] == pytest.approx(1.0)
    assert amax.rows[1]["worst"] > 1.0  # the family forces A_max to pack fewer requests
    amin = check_amin(rng, 2, run_fn, [1.0, 0.5, 0.25])
    assert amin.held is None and amin.rows[0]["worst"] == pytest.approx(1.0)


@needs_solvers
def test_cli_ratio_on_a_dask_local_cluster(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    args = ["ratio", "--policy", "mcsf", "--family", "paper1-synthetic", "--set", "n=4"]
    args += ["--set", "memory=12", "--trials", "3", "--seed", "2", "--time-limit", "20"]
    args += ["--solver", "milp", "--store", str(tmp_path / "d.sqlite")]
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        assert main(args + ["--scheduler", cluster.scheduler_address]) == 0
    assert "3 run now" in capsys.readouterr().out
    assert main(args) == 0  # the same sweep, now served from the store
    assert "0 run now, 3 from the store" in capsys.readouterr().out


def test_identical_family_certified_by_the_semi_online_solver():
    pytest.importorskip("kvopt.solvers.semi_online")
    params = {"n": 20, "prompt": 1, "output": 2, "memory": 10}
    sweep = Sweep(
        "identical",
        (PolicySpec("mcsf"), PolicySpec("fcfs")),
        2,
        params=params,
        solvers=("semi-online",),
    )
    with Store() as st:
        res = run_sweep(sweep, st, progress=False)
    for rec in res.records:
        assert rec["opt"]["status"] == "optimal" and rec["opt"]["source"] == "semi-online"
        assert min(rec["alg"].values()) >= rec["opt"]["objective"]


def test_lp_bound_joins_the_certificate_when_solvers_do_not_prove():
    from kvopt.trivial_bounds import trivial_lower_bound

    inst = make_instance("paper1-synthetic", 5, {"n": 6, "memory": 14})
    alg = run_fn(inst, "fcfs")
    cert = certify(inst, solvers=(), upper={"fcfs": alg}, lp_bound=True, time_limit=20)
    assert cert["solvers"][-1]["solver"] == "lp-bound"
    lp = cert["solvers"][-1]["lower_bound"]
    assert trivial_lower_bound(inst) <= lp <= alg
    assert cert["lower_bound"] == (float(alg) if cert["status"] == "optimal" else lp)
    sweep = Sweep("f", (PolicySpec("x"),), 1, time_limit=5)
    assert "lp_bound" not in sweep.config() and sweep.config()["time_limit"] == 5.0
    assert Sweep("f", (PolicySpec("x"),), 1, lp_bound=True).config()["lp_bound"] is True

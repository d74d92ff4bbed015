import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kvopt import verify
from kvopt.errors import KvoptError
from kvopt.ratio import Store, run_sweep
from kvopt.ratio.executors import DaskCluster, LocalPool, Serial, make_executor
from kvopt.ratio.trial import PolicySpec, Sweep, combine_certificates, trial_seed
from kvopt.report_table import Progress
from tests.helpers.ratio_toy import (
    brute_solve,
    failing_trial,
    one_at_a_time,
    toy_instance,
    toy_sweep,
    toy_trial,
)

TESTS = Path(__file__).parent
ROOT = TESTS.parent


def test_trial_seeds_are_deterministic_and_distinct():
    seeds = [trial_seed(5, t) for t in range(50)]
    assert seeds == [trial_seed(5, t) for t in range(50)]
    assert len(set(seeds)) == 50
    assert trial_seed(6, 0) != trial_seed(5, 0)
    assert all(0 <= s < 2**63 for s in seeds)
    with pytest.raises(KvoptError):
        trial_seed(-1, 0)


def test_toy_trial_brackets_are_sound():
    # the machinery's reference: exhaustive OPT verified, and never above ALG
    for seed in range(5):
        inst = toy_instance(seed)
        res = brute_solve(inst, "brute")
        verify(inst, res.schedule, allow_eviction=False)
        alg = verify(inst, one_at_a_time(inst), allow_eviction=False).objective
        assert res.objective <= alg


def test_combine_certificates():
    c = combine_certificates({"a": 12, "b": 10, "c": None}, {"t": 8.7, "s": None})
    assert c == {"status": "bound", "objective": 10, "lower_bound": 8.7, "source": "b"}
    c = combine_certificates({"a": 10}, {"t": 9.0, "s": 9.5})  # ceil(9.5) = 10: proven
    assert c["status"] == "optimal" and c["lower_bound"] == 10.0
    assert combine_certificates({}, {})["status"] == "bound"
    with pytest.raises(AssertionError):
        combine_certificates({"a": 10}, {"t": 11.0})


def test_sweep_validation():
    p = (PolicySpec("x"),)
    with pytest.raises(KvoptError):
        Sweep("f", (), 3)
    with pytest.raises(KvoptError):
        Sweep("f", p + p, 3)
    with pytest.raises(KvoptError):
        Sweep("f", p, -1)
    with pytest.raises(KvoptError):
        Sweep("f", p, 3, time_limit=0)
    assert PolicySpec.parse("alpha-greedy:alpha=0.2,x=a").label == "alpha-greedy:alpha=0.2,x=a"
    assert PolicySpec.parse("alpha-greedy:alpha=0.2").params == (("alpha", 0.2),)
    with pytest.raises(KvoptError):
        PolicySpec.parse("mcsf:oops")


def test_serial_sweep_resumes_and_extends():
    with Store() as st:
        first = run_sweep(toy_sweep(4), st, trial_fn=toy_trial, progress=False)
        assert first.ran == [0, 1, 2, 3] and first.skipped == 0
        again = run_sweep(toy_sweep(4), st, trial_fn=toy_trial, progress=False)
        assert again.ran == [] and again.skipped == 4
        assert again.records == first.records
        longer = run_sweep(toy_sweep(6), st, trial_fn=toy_trial, progress=False)
        assert longer.ran == [4, 5] and len(longer.records) == 6
        other = run_sweep(toy_sweep(2, seed=8), st, trial_fn=toy_trial, progress=False)
        assert other.ran == [0, 1]  # another seed is another sweep
    for rec in first.records:
        assert rec["opt"]["status"] == "optimal"
        assert rec["alg"]["sequential"] >= rec["opt"]["objective"]


def test_failed_trials_are_recorded_and_retried():
    with Store() as st:
        run = run_sweep(toy_sweep(5), st, trial_fn=failing_trial, progress=False)
        assert sorted(run.errors) == [1, 4] and "on purpose" in run.errors[1]
        assert [r["trial"] for r in run.records] == [0, 2, 3]
        retry = run_sweep(toy_sweep(5), st, trial_fn=toy_trial, progress=False)
        assert sorted(retry.ran) == [1, 4] and len(retry.records) == 5


def test_pool_matches_serial():
    with Store() as a, Store() as b:
        serial = run_sweep(toy_sweep(6), a, trial_fn=toy_trial, progress=False)
        pooled = run_sweep(
            toy_sweep(6), b, trial_fn=toy_trial, executor=LocalPool(2), progress=False
        )
    assert sorted(pooled.ran) == list(range(6))
    assert pooled.records == serial.records


def test_dask_local_cluster_matches_serial():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        Store() as a,
        Store() as b,
    ):
        serial = run_sweep(toy_sweep(5), a, trial_fn=toy_trial, progress=False)
        ex = make_executor(jobs=1, scheduler=cluster.scheduler_address)
        assert isinstance(ex, DaskCluster)
        first = run_sweep(toy_sweep(3), b, trial_fn=toy_trial, executor=ex, progress=False)
        rest = run_sweep(toy_sweep(5), b, trial_fn=failing_trial, executor=ex, progress=False)
    assert sorted(first.ran) == [0, 1, 2]
    assert sorted(rest.ran) == [3, 4] and sorted(rest.errors) == [4]
    assert rest.records == serial.records[:4]


def test_unreachable_scheduler_is_a_clear_error():
    pytest.importorskip("distributed")
    ex = DaskCluster("tcp://127.0.0.1:9")
    ex._connect = lambda: (_ for _ in ()).throw(KvoptError("cannot reach"))  # no 20 s wait
    with pytest.raises(KvoptError, match="cannot reach"), Store() as st:
        run_sweep(toy_sweep(1), st, trial_fn=toy_trial, executor=ex, progress=False)


def test_make_executor():
    assert isinstance(make_executor(1), Serial)
    assert isinstance(make_executor(3), LocalPool)
    with pytest.raises(KvoptError):
        LocalPool(0)


def test_killed_sweep_resumes_with_the_remaining_trials(tmp_path):
    store = tmp_path / "kill.sqlite"
    n = 10
    env = dict(os.environ, KVOPT_TOY_DELAY="0.3", PYTHONPATH=f"{ROOT}{os.pathsep}{TESTS}")
    cmd = [sys.executable, str(TESTS / "helpers" / "ratio_toy.py"), str(store), str(n)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, cwd=ROOT)
    key = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until a few trials are stored
        time.sleep(0.05)
        if store.exists():
            with Store(store) as st:
                keys = list(st.sweeps())
                if keys and len(st.finished(keys[0])) >= 3:
                    key = keys[0]
                    break
    proc.kill()
    proc.wait()
    assert key is not None, "the sweep never stored three trials"
    with Store(store) as st:
        stored = st.finished(key)
    assert 3 <= len(stored) < n, "killed too late to test resuming"
    env.pop("KVOPT_TOY_DELAY")
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, check=True)
    ran = sorted(int(t) for t in out.stdout.split())
    assert ran == sorted(set(range(n)) - stored)
    with Store(store) as st, Store() as fresh:
        full = run_sweep(toy_sweep(n), fresh, trial_fn=toy_trial, progress=False)
        assert st.records(key) == full.records  # same results as an uninterrupted sweep


def test_progress_bar_draws_only_when_enabled():
    buf = io.StringIO()
    with Progress(4, stream=buf, enabled=True, interval=0) as bar:
        bar.update()
        bar.update(failed=True)
    text = buf.getvalue()
    assert "2/4 trials" in text and "1 failed" in text and text.endswith("\n")
    quiet = io.StringIO()
    with Progress(4, stream=quiet) as bar:  # StringIO is not a terminal
        bar.update()
    assert quiet.getvalue() == ""

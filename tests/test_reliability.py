"""Reliability under faults and odd input (issue 13, items 2-12): killed parents and
workers, files that are not files, long names, file modes and stale temporaries, control
characters, hostile numbers, false claims, mismatched solutions, and several ratio
drivers on one store. Each test fails if its defect comes back."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from kvopt.cli import main
from kvopt.files import TEMP_SUFFIX, stale_temporaries, write_atomic, write_text_atomic
from kvopt.ratio import Store, run_sweep
from kvopt.ratio.store import Claims
from tests.helpers.ratio_toy import toy_sweep, toy_trial

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
EXAMPLE = ROOT / "instances" / "example6.json"
EXAMPLE_SOL = ROOT / "instances" / "example6.sol.json"
ENV = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{TESTS}")


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def _instance(tmp_path: Path, requests: list[dict], name: str = "t", memory: int = 10) -> Path:
    return _write(tmp_path / f"{name}.json", {"name": name, "memory": memory, "requests": requests})


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state not in ("Z", "X")


def _wait_for(check, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _pids(directory: Path, kind: str, count: int) -> list[int]:
    found = lambda: sorted(directory.glob(f"{kind}-*"))  # noqa: E731
    _wait_for(lambda: len(found()) >= count, what=f"{count} {kind} worker(s)")
    return [int(p.name.split("-")[1]) for p in found()]


def _helper(command: str, args: list[str], pids: Path, **kw) -> subprocess.Popen:
    env = dict(ENV, KVOPT_TEST_PIDS=str(pids))
    cmd = [sys.executable, "-m", "tests.helpers.reliability_helpers", command, *args]
    return subprocess.Popen(cmd, env=env, cwd=ROOT, text=True, **kw)


# -- item 2: workers die with their parent -------------------------------------------


@pytest.mark.parametrize("command", ["solve", "ratio"])
def test_workers_die_when_the_parent_is_killed(tmp_path, command):
    pids = tmp_path / "pids"
    pids.mkdir()
    if command == "solve":
        files = [_instance(tmp_path, [{"id": "a", "arrival": 0, "prompt": 1, "output": 1}], n)
                 for n in ("slow1", "slow2")]  # fmt: skip
        args = [str(f) for f in files] + ["--jobs", "2"]
    else:
        args = ["--policy", "fcfs", "--family", "identical", "--trials", "4", "--jobs", "2"]
        args += ["--no-progress"]
    proc = _helper(command, args, pids, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = _pids(pids, "solve" if command == "solve" else "trial", 2)
    assert all(_running(w) for w in workers)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _wait_for(lambda: not any(_running(w) for w in workers), 10, "the workers to die")


# -- item 3: a worker killed from outside ----------------------------------------------


def test_a_killed_worker_is_one_line_exit_1_and_finished_files_are_kept(tmp_path):
    pids, out = tmp_path / "pids", tmp_path / "out"
    pids.mkdir()
    fast = _write(tmp_path / "fast.json", EXAMPLE.read_text().replace("example6", "fast"))
    slow = _instance(tmp_path, [{"id": "a", "arrival": 0, "prompt": 1, "output": 1}], "slow")
    args = [str(fast), str(slow), "--jobs", "2", "--time-limit", "20", "--out", str(out)]
    proc = _helper("solve", args, pids, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    (worker,) = _pids(pids, "solve", 1)
    _wait_for(lambda: (out / "fast.sol.json").exists(), what="the fast solve's file")
    os.kill(worker, signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert "worker process died" in lines[0] and str(slow) in lines[0]
    assert "fast" in stdout and (out / "fast.sol.json").exists()
    assert main(["verify", str(fast), str(out / "fast.sol.json")]) == 0


def test_a_killed_ratio_worker_fails_only_the_trials_in_flight():
    from kvopt.ratio.executors import LocalPool
    from tests.helpers.ratio_toy import dying_trial

    with Store() as st:
        run = run_sweep(toy_sweep(6), st, trial_fn=dying_trial, executor=LocalPool(2))
        assert 1 in run.errors and len(run.errors) <= 2  # trial 1, and the one beside it
        assert all("terminated abruptly" in msg for msg in run.errors.values())
        assert {r["trial"] for r in run.records} == set(range(6)) - set(run.errors)
        retry = run_sweep(toy_sweep(6), st, trial_fn=toy_trial)
        assert sorted(retry.ran) == sorted(run.errors) and len(retry.records) == 6


# -- items 4 and 5: files that are not regular files, symbolic-link loops --------------


def _limited() -> None:  # a reader that ignored the rule would exhaust memory: cap it
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "/dev/urandom", "directory"])
@pytest.mark.parametrize("command", ["info", "verify", "trace"])
def test_reading_what_is_not_a_regular_file_is_refused(tmp_path, kind, command):
    if kind == "fifo":
        target = tmp_path / "pipe.json"
        os.mkfifo(target)
    elif kind == "directory":
        target = tmp_path / "dir.json"
        target.mkdir()
    else:
        target = Path(kind)
    argv = {
        "info": ["info", str(target)],
        "verify": ["verify", str(EXAMPLE), str(target)],
        "trace": ["generate", "trace", "--trace", str(target), "--out", str(tmp_path / "o")],
    }[command]
    res = subprocess.run(
        [sys.executable, "-m", "kvopt", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
        preexec_fn=_limited,
    )
    assert res.returncode == 2, res.stderr
    (line,) = res.stderr.strip().splitlines()
    want = "is a directory, not a file" if kind == "directory" else ", not a regular file"
    assert f"{target}: is " in line and want in line and "Traceback" not in res.stderr


def test_a_symbolic_link_loop_is_one_line_exit_2(tmp_path, capsys):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.symlink_to(b)
    b.symlink_to(a)
    assert main(["info", str(a)]) == 2
    assert main(["verify", str(EXAMPLE), str(b)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all("symbolic-link loop" in e for e in err)
    assert f"{a}: too many levels of symbolic links" in err[0]


# -- item 6: output paths are checked before the work ----------------------------------


def test_solve_checks_long_output_names_before_solving(tmp_path, capsys, monkeypatch):
    import kvopt.cli.solve as solve_cli

    def no_pool(*args, **kwargs):
        raise AssertionError("solving started although the output cannot be written")

    monkeypatch.setattr(solve_cli, "worker_pool", no_pool)
    name = "n" * 250  # + ".sol.json" is over the usual 255-byte limit
    inst = _instance(tmp_path, [{"id": "a", "arrival": 0, "prompt": 1, "output": 1}], "long")
    _write(inst, inst.read_text().replace('"long"', f'"{name}"'))
    assert main(["solve", str(inst), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "file name too long" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "heavy"),
    [
        (["simulate", str(EXAMPLE), "--policy", "fcfs"], ("kvopt.cli.simulate", "simulate")),
        (["generate", "identical", "--n", "3"], ("kvopt.cli.generate", "generate")),
        (["plot", str(EXAMPLE), str(EXAMPLE_SOL)], ("kvopt.plot", "plot_solutions")),
    ],
)
def test_long_output_names_fail_before_the_work(tmp_path, capsys, monkeypatch, argv, heavy):
    import importlib

    def work(*args, **kwargs):
        raise AssertionError("the work started although the output cannot be written")

    monkeypatch.setattr(importlib.import_module(heavy[0]), heavy[1], work)
    out = tmp_path / ("y" * 300 + ".png")
    assert main([*argv, "--out", str(out)]) == 2
    assert f"{out}: file name too long (304 bytes" in capsys.readouterr().err


def test_a_name_at_the_limit_is_written_through_a_shortened_temporary(tmp_path):
    target = tmp_path / ("x" * (255 - len(".json")) + ".json")
    write_text_atomic(target, "{}")
    assert target.read_text() == "{}" and [p.name for p in tmp_path.iterdir()] == [target.name]


# -- item 7: file modes and stale temporaries -----------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_respect_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        argv = ["simulate", str(EXAMPLE), "--policy", "fcfs", "--out", str(tmp_path / "s")]
        assert main(argv) == 0
    finally:
        os.umask(old)
    assert (tmp_path / "s").stat().st_mode & 0o777 == mode


def test_replacing_a_file_keeps_its_mode(tmp_path):
    target = tmp_path / "keep.json"
    target.write_text("old")
    target.chmod(0o640)
    write_text_atomic(target, "new")
    assert target.read_text() == "new" and target.stat().st_mode & 0o777 == 0o640


_WRITER = """
import sys, time
from kvopt.files import write_atomic
def slow(tmp):
    open(tmp, "w").write("half")
    print("writing", flush=True)
    time.sleep(300)
write_atomic(sys.argv[1], slow)
"""


def test_a_temporary_left_by_kill_9_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "out.json"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, text=True, env=ENV
    )
    assert proc.stdout.readline().strip() == "writing"
    proc.kill()
    proc.wait()
    (left,) = [p for p in tmp_path.iterdir() if p.name.endswith(TEMP_SUFFIX)]
    assert left.name.startswith(".out.json.") and not target.exists()
    assert stale_temporaries(tmp_path) == [left]
    # a live writer's temporary (this process) is not stale and survives
    live = tmp_path / f".other.json.{left.name.split('.')[-2].split('-')[0]}-{os.getpid()}-0"
    live = live.with_name(live.name + TEMP_SUFFIX)
    live.write_text("busy")
    write_text_atomic(tmp_path / "next.json", "{}")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["next.json", live.name])


def test_a_failed_write_removes_its_temporary(tmp_path):
    def fail(tmp: str) -> None:
        Path(tmp).write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(Exception, match="No space"):
        write_atomic(tmp_path / "x.json", fail)
    assert list(tmp_path.iterdir()) == []


# -- item 8: control characters in printed user text -----------------------------------


def test_a_newline_in_a_request_id_cannot_forge_a_line(tmp_path, capsys):
    rid = "r1\nfeasible"
    inst = _instance(
        tmp_path,
        [
            {"id": rid, "arrival": 0, "prompt": 3, "output": 2},
            {"id": "r2", "arrival": 0, "prompt": 3, "output": 2},
        ],
        memory=6,
    )
    runs = [{"request": rid, "start": 0, "end": 2}, {"request": "r2", "start": 0, "end": 2}]
    sol = _write(
        tmp_path / "s.json",
        {"instance": "t", "solver": "x\x1b[2J", "status": "feasible", "objective": 4,
         "lower_bound": None, "runtime": 0, "runs": runs},
    )  # fmt: skip
    assert main(["verify", str(inst), str(sol)]) == 1
    out = capsys.readouterr().out
    assert "r1\\nfeasible holds" in out and "x\\x1b[2J" in out
    assert "\nfeasible" not in out and "\x1b" not in out


def test_a_newline_in_a_path_or_name_stays_on_one_line(tmp_path, capsys):
    bad = tmp_path / "a\nb.json"
    assert main(["info", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "a\\nb.json: no such file" in err
    inst = _instance(tmp_path, [{"id": "a", "arrival": 0, "prompt": 1, "output": 1}])
    _write(inst, inst.read_text().replace('"name": "t"', '"name": "t\\u2028x\\ny"'))
    assert main(["info", str(inst)]) == 0
    assert main(["solve", str(inst), "--time-limit", "5"]) == 0
    out = capsys.readouterr().out
    assert "instance t\\u2028x\\ny:" in out and "\u2028" not in out
    assert sum("t\\u2028x\\ny" in line for line in out.splitlines()) == 2


# -- item 9: duplicate keys and hostile numbers ----------------------------------------


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"name": "t", "memory": 10, "memory": 3, "requests": []}', "duplicate key 'memory'"),
        (
            '{"name": "t", "memory": 9, "requests": [{"id": "a", "arrival": 0, '
            '"prompt": 1, "prompt": 5, "output": 1}]}',
            "the object with id 'a': duplicate key 'prompt'",
        ),
    ],
)
def test_duplicate_json_keys_are_refused(tmp_path, capsys, text, needle):
    inst = _write(tmp_path / "d.json", text)
    assert main(["info", str(inst)]) == 2
    assert f"{inst}: {needle}" in capsys.readouterr().err


def test_duplicate_keys_in_a_solution_are_refused(tmp_path, capsys):
    text = EXAMPLE_SOL.read_text().replace('"objective": 42', '"objective": 42, "objective": 1')
    sol = _write(tmp_path / "s.json", text)
    assert main(["verify", str(EXAMPLE), str(sol)]) == 2
    assert f"{sol}: duplicate key 'objective'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("requests", "needle"),
    [
        (
            [{"id": "a", "arrival": 0, "prompt": 1, "output": 1, "arrival_time": 1e308}],
            "request 'a': field 'arrival_time': must be a finite number of seconds in [0, 2**53",
        ),
        (
            [
                {"id": "a", "arrival": -1, "prompt": 1, "output": 1},
                {"id": "b", "arrival": 2**63, "prompt": 1, "output": 1},
            ],
            "request 'b': field 'arrival': must be an integer <= 2**53 - 1 = 9007199254740991, "
            "got 9223372036854775808",
        ),
        (
            [
                {"id": "a", "arrival": 0, "prompt": 1, "output": 1},
                {"id": "b", "arrival": 2**63, "prompt": 1, "output": 1},
            ],
            "request 'b': field 'arrival': must be an integer <= 2**53 - 1",
        ),
    ],
)
def test_out_of_range_numbers_are_one_clean_line(tmp_path, capsys, requests, needle):
    inst = _instance(tmp_path, requests)
    assert main(["info", str(inst)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"{inst}: {needle}" in line and "np." not in line


def test_a_negative_runtime_in_a_solution_is_refused(tmp_path, capsys):
    d = json.loads(EXAMPLE_SOL.read_text())
    d["runtime"] = -1.5
    sol = _write(tmp_path / "s.json", d)
    assert main(["verify", str(EXAMPLE), str(sol)]) == 2
    assert f"{sol}: runtime: must be a number of seconds >= 0" in capsys.readouterr().err


def test_a_negative_arrival_in_a_trace_is_refused(tmp_path, capsys):
    csv_path = _write(tmp_path / "t.csv", "arrival_time,prompt,output\n0,5,5\n-3,4,3\n")
    argv = ["generate", "trace", "--trace", str(csv_path), "--out", str(tmp_path / "o.json")]
    assert main(argv) == 2
    assert f"{csv_path}: row 2: arrival_time must be a time in [0" in capsys.readouterr().err
    assert not (tmp_path / "o.json").exists()


# -- item 10: kvopt plot warns on false claims ------------------------------------------


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"objective": 40}, "claims objective 40, the schedule has 42"),
        ({"lower_bound": 100}, "claims lower bound 100, above the total latency 42"),
        ({}, None),
    ],
)
@pytest.mark.parametrize("picture", ["--out", "--html"])
def test_plot_warns_about_false_claims_like_verify(tmp_path, capsys, change, needle, picture):
    d = json.loads(EXAMPLE_SOL.read_text())
    d.update(change)
    sol = _write(tmp_path / "s.json", d)
    code = 1 if needle else 0
    out = tmp_path / ("p.png" if picture == "--out" else "p.html")
    assert main(["plot", str(EXAMPLE), str(sol), picture, str(out)]) == code
    assert main(["verify", str(EXAMPLE), str(sol)]) == code
    captured = capsys.readouterr()
    if needle:
        assert f"kvopt plot: warning: earliest-fit: the file {needle}" in captured.err
        assert f"WARNING: the file {needle}" in captured.out
    else:
        assert "warning" not in captured.err.lower()


# -- item 11: a solution of another instance with the same name ------------------------


def test_verify_refuses_a_solution_whose_requests_are_not_the_instances(tmp_path, capsys):
    other = _instance(tmp_path, [{"id": "q1", "arrival": 0, "prompt": 1, "output": 6}], "example6")
    for command in (["verify"], ["plot", "--out", str(tmp_path / "p.png")]):
        assert main([command[0], str(other), str(EXAMPLE_SOL), *command[1:]]) == 2
        err = capsys.readouterr().err
        assert "names request 'r1', which is not in instance 'example6'" in err
        assert "another instance with the same name" in err


def test_verify_refuses_a_solution_of_other_requests_with_the_same_ids(tmp_path, capsys):
    sol = tmp_path / "s.json"
    assert main(["simulate", str(EXAMPLE), "--policy", "fcfs", "--out", str(sol)]) == 0
    assert main(["verify", str(EXAMPLE), str(sol)]) == 0
    d = json.loads(EXAMPLE.read_text())
    d["requests"][0]["arrival"] += 1  # same name, same ids, another instance
    other = _write(tmp_path / "example6.json", d)
    capsys.readouterr()
    assert main(["verify", str(other), str(sol)]) == 2
    err = capsys.readouterr().err
    assert f"{sol}: metadata.instance_digest: was computed for another instance" in err


# -- item 12: several drivers on one ratio store ---------------------------------------


def test_two_drivers_split_a_sweep_and_take_over_a_killed_ones_trials(tmp_path):
    store, log = tmp_path / "s.sqlite", tmp_path / "starts.log"
    n = 8
    env = dict(ENV, KVOPT_TOY_DELAY="0.3", KVOPT_TOY_LOG=str(log))
    cmd = [sys.executable, str(TESTS / "helpers" / "ratio_toy.py"), str(store), str(n), "3"]
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    second = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)

    def starts() -> list[tuple[int, int]]:
        text = log.read_text() if log.exists() else ""
        return [tuple(map(int, line.split())) for line in text.splitlines()]

    def both_busy() -> bool:
        by = Counter(pid for _, pid in starts())
        return by[first.pid] >= 2 and by[second.pid] >= 2

    _wait_for(both_busy, what="both drivers to run trials")
    first.kill()
    first.wait()
    killed_starts = [t for t, pid in starts() if pid == first.pid]
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 0
    with Store(store) as st, Store() as fresh:
        (key,) = st.sweeps()
        assert st.finished(key) == set(range(n))  # nothing lost
        assert st.records(key) == run_sweep(toy_sweep(n), fresh, trial_fn=toy_trial).records
        assert st._db.execute("SELECT COUNT(*) FROM claims").fetchone() == (0,)
    counts = Counter(t for t, _ in starts())
    twice = sorted(t for t, c in counts.items() if c > 1)
    # nothing computed twice, except the one trial the killed driver had in flight
    assert set(counts) == set(range(n)) and all(c <= 2 for c in counts.values())
    assert twice in ([], [killed_starts[-1]])
    assert set(map(int, out.split())) == set(range(n)) - set(killed_starts) | set(twice)


def test_a_claim_whose_lease_ran_out_is_taken_over(tmp_path):
    with Store(tmp_path / "s.sqlite") as st:
        key = st.register({"family": "x"})
        st._db.execute(
            "INSERT INTO claims VALUES (?, 0, 'elsewhere:1:x', ?)", (key, time.time() + 0.3)
        )
        with Claims(st, key, trials=2, lease=5) as claims:
            assert claims.claim() == 1  # trial 0 is someone else's (another machine)
            assert claims.claim() is None and claims.others_running()
            time.sleep(0.4)  # its lease runs out: the trial is taken over
            assert claims.claim() == 0
            owner = st._db.execute("SELECT owner FROM claims WHERE trial=0").fetchone()[0]
            assert owner == claims.owner


def test_a_lapsed_claim_on_a_trial_that_failed_here_does_not_block_the_driver(tmp_path):
    with Store(tmp_path / "s.sqlite") as st:
        key = st.register({"family": "x"})
        with Claims(st, key, trials=1, lease=5) as claims:
            assert claims.claim() == 0
            st.put(key, 0, 0, {"error": "boom"}, status="error", owner=claims.owner)
            # another driver retried the failed trial and vanished without a trace
            st._db.execute(
                "INSERT INTO claims VALUES (?, 0, 'elsewhere:1:x', ?)", (key, time.time() - 1)
            )
            assert claims.claim() is None  # failed here once: left for the next run
            assert not claims.others_running()  # so the driver does not wait forever

"""SolveOptions: one frozen object that kvopt.solve reads and hands to every backend."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

import kvopt
from kvopt import Instance, Schedule
from kvopt.backends import get_solver
from kvopt.options import COMMON, LEVERS, OptionError, SolveOptions
from kvopt.result import Result
from kvopt.solve import SOLVERS

TINY = Instance.from_arrays("tiny", 10, arrival=[0, 0], prompt=[3, 4], output=[2, 3])
SEEN: list[dict] = []


def recording_backend(instance, *, time_limit=None, threads=1, gap=0.0, initial=None,
                      log=False, seed=0, primal=None, flavour: str = "plain"):  # fmt: skip
    """A backend with one lever (``primal``) and one field of its own (``flavour``)."""
    SEEN.append(dict(time_limit=time_limit, threads=threads, gap=gap, initial=initial,
                     log=log, seed=seed, primal=primal, flavour=flavour))  # fmt: skip
    sched = Schedule.from_starts(instance, [0, 2])
    return Result(instance.name, "rec", "feasible", 7, None, 0.0, sched)


@pytest.fixture
def recorder(monkeypatch):
    monkeypatch.setitem(SOLVERS, "rec", "tests.test_options:recording_backend")
    SEEN.clear()
    return SEEN


def test_the_backend_receives_the_values_of_the_options(recorder):
    opts = SolveOptions(time_limit=5, threads=2, gap=0.1, seed=3, primal=0.5, windows=False)
    kvopt.solve(TINY, "rec", opts.replace("rec", flavour="spicy"))
    assert recorder[-1] == dict(time_limit=5, threads=2, gap=0.1, initial=None, log=False,
                                seed=3, primal=0.5, flavour="spicy")  # fmt: skip
    # windows is a lever this backend does not have: it is not passed (no TypeError)


def test_keyword_calls_still_work_and_route_to_the_backend(recorder):
    kvopt.solve(TINY, "rec", time_limit=9, flavour="mild")
    assert recorder[-1]["time_limit"] == 9 and recorder[-1]["flavour"] == "mild"
    kvopt.solve(TINY, "rec")
    assert recorder[-1]["primal"] is None and recorder[-1]["flavour"] == "plain"  # own defaults


def test_a_milp_field_reaches_the_milp():
    res = kvopt.solve(TINY, "milp", time_limit=10, aggregate=False, stop_at_bound=False)
    assert res.metadata["options"]["aggregate"] is False


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"time_limit": 0}, "time_limit: must be a number of seconds > 0"),
        ({"time_limit": float("inf")}, "time_limit"),
        ({"threads": 0}, "threads: must be an integer >= 1"),
        ({"threads": True}, "threads"),
        ({"gap": 1.0}, "gap: must be a number in [0, 1)"),
        ({"owner_share": 1.5}, "owner_share: must be a number in [0, 1]"),
        ({"primal": -1}, "primal: must be a number >= 0"),
        ({"warm_start": "yes"}, "warm_start: must be a boolean"),
        ({"initial": [0, 1]}, "initial: must be a Schedule"),
        (
            {"backend": {"milp": {"aggregat": False}}},
            "milp.aggregat: unknown option for solver 'milp'",
        ),
        ({"backend": {"milp": {"aggregate": 1}}}, "milp.aggregate: must be a boolean, got 1"),
        ({"backend": {"milp": {"mip_solver": 3}}}, "milp.mip_solver: must be a string"),
        ({"backend": {"cpsat": {"parameters": 3}}}, "cpsat.parameters: must be a table"),
        ({"backend": {"milp": {"threads": 2}}}, "milp.threads: is a common option"),
        ({"backend": {"nope": {"a": 1}}}, "unknown solver 'nope'"),
    ],
)
def test_bad_options_are_refused_when_made(changes, needle):
    with pytest.raises(kvopt.KvoptError) as err:
        SolveOptions(**changes)
    assert needle in str(err.value)


def test_an_unknown_keyword_of_solve_names_the_backend():
    with pytest.raises(OptionError, match="milp.bogus: unknown option for solver 'milp'"):
        kvopt.solve(TINY, "milp", bogus=1)


def test_the_options_are_frozen_and_cross_to_worker_processes():
    opts = SolveOptions(time_limit=3, backend={"milp": {"solver_options": {"presolve": "off"}}})
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.threads = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        opts.backend["milp"]["aggregate"] = False  # type: ignore[index]
    back = pickle.loads(pickle.dumps(opts))
    assert back == opts and back.keywords("milp")["solver_options"] == {"presolve": "off"}
    assert isinstance(back.keywords("milp")["solver_options"], dict)  # what the backend wants


def test_every_lever_is_a_parameter_of_the_exact_backends():
    """The levers cannot drift from the backends' signatures."""
    milp = inspect.signature(get_solver("milp")).parameters
    cpsat = inspect.signature(get_solver("cpsat")).parameters
    assert set(COMMON) <= set(milp) and set(COMMON) <= set(cpsat)
    assert set(LEVERS) <= set(milp)
    assert set(LEVERS) - set(cpsat) == {"stop_at_bound"}


def test_to_dict_gives_what_was_set():
    opts = SolveOptions(time_limit=3, primal=0, backend={"cpsat": {"time_indexed": False}})
    assert opts.to_dict() == {"time_limit": 3, "threads": 1, "gap": 0.0, "log": False,
                              "seed": 0, "primal": 0, "cpsat": {"time_indexed": False}}  # fmt: skip

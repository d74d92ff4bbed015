import sqlite3

import pytest

from kvopt.errors import KvoptError
from kvopt.ratio.store import Store, sweep_key


def test_put_finished_records_roundtrip(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store(path) as st:
        key = st.register({"family": "f", "seed": 1})
        st.put(key, 2, 22, {"trial": 2, "x": [1, 2]})
        st.put(key, 0, 11, {"trial": 0})
        st.put(key, 1, 33, {"trial": 1, "error": "boom"}, status="error")
        assert st.finished(key) == {0, 2}
        assert st.count(key) == {"done": 2, "error": 1}
    with Store(path) as st:  # persisted, in trial order, limit respected
        assert [r["trial"] for r in st.records(key)] == [0, 2]
        assert [r["trial"] for r in st.records(key, limit=1)] == [0]
        assert st.records(key, status="error")[0]["error"] == "boom"
        st.put(key, 1, 33, {"trial": 1})  # a rerun replaces the error
        assert st.finished(key) == {0, 1, 2}
        assert list(st.sweeps().values()) == [{"family": "f", "seed": 1}]


def test_key_ignores_order_but_not_values():
    assert sweep_key({"a": 1, "b": [1, 2]}) == sweep_key({"b": [1, 2], "a": 1})
    assert sweep_key({"a": 1}) != sweep_key({"a": 2})


def test_sweeps_are_kept_apart():
    with Store() as st:
        k1, k2 = st.register({"seed": 1}), st.register({"seed": 2})
        st.put(k1, 0, 0, {})
        assert st.finished(k1) == {0} and st.finished(k2) == set()
        assert st.register({"seed": 1}) == k1


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_text("this is not sqlite " * 100)
    with pytest.raises(KvoptError, match="not a usable SQLite store"):
        Store(bad)


def test_other_schema_version_is_rejected(tmp_path):
    path = tmp_path / "old.sqlite"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='0' WHERE name='schema'")
    db.commit()
    db.close()
    with pytest.raises(KvoptError, match="schema"):
        Store(path)

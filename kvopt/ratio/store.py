"""A SQLite store of sweep trials: every finished trial is committed at once.

A *sweep* is identified by a key, the SHA-256 of its canonical configuration (family,
parameters, policies, seed, time limit, solvers; **not** the number of trials, so that
``--trials 200`` after ``--trials 100`` only runs the 100 new ones). Each trial is one
row ``(sweep, trial)`` holding its JSON record; it is committed as soon as the trial
finishes, so a crash or Ctrl-C loses at most the trials still running, and rerunning
the same sweep skips every trial already stored. Trials that failed are stored with
status ``"error"`` and are run again on the next attempt.

The database uses SQLite's write-ahead log, so a reader (``kvopt ratio`` printing a
report) never blocks the writer. Only the process driving a sweep writes; workers
(processes or Dask) return records to it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Mapping
from typing import Any

from kvopt.errors import KvoptError

#: Bumped when the record layout changes, so old stores are never misread.
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sweeps (
    key TEXT PRIMARY KEY,
    config TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS trials (
    sweep TEXT NOT NULL REFERENCES sweeps(key),
    trial INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'error')),
    record TEXT NOT NULL,
    finished REAL NOT NULL,
    PRIMARY KEY (sweep, trial)
);
"""


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no whitespace: equal configurations, equal text."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def sweep_key(config: Mapping[str, Any]) -> str:
    """The key of a sweep: a hash of its canonical configuration."""
    text = canonical_json({"schema": SCHEMA_VERSION, **config})
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Store:
    """Trials of one or more sweeps in a SQLite file.

    Parameters
    ----------
    path
        The database file (created if missing), or ``":memory:"`` for a store that
        lives only as long as this object (no resuming).

    Examples
    --------
    >>> with Store(":memory:") as store:
    ...     key = store.register({"family": "x"})
    ...     store.put(key, 0, 123, {"alg": {}})
    ...     sorted(store.finished(key))
    [0]
    """

    def __init__(self, path: str | os.PathLike[str] = ":memory:") -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, timeout=30.0)
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE name='schema'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                self._db.commit()
            elif row[0] != str(SCHEMA_VERSION):
                raise KvoptError(
                    f"{self.path}: store schema {row[0]}, this kvopt writes "
                    f"{SCHEMA_VERSION}; use another --store file"
                )
        except sqlite3.DatabaseError as e:
            raise KvoptError(f"{self.path}: not a usable SQLite store ({e})") from None

    # -- context manager ------------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database (everything is already committed)."""
        self._db.close()

    # -- sweeps ---------------------------------------------------------------------

    def register(self, config: Mapping[str, Any]) -> str:
        """Record a sweep's configuration (once) and return its key."""
        key = sweep_key(config)
        self._db.execute(
            "INSERT OR IGNORE INTO sweeps VALUES (?, ?, ?)",
            (key, canonical_json(config), time.time()),
        )
        self._db.commit()
        return key

    def sweeps(self) -> dict[str, dict[str, Any]]:
        """Every stored sweep: key -> configuration."""
        rows = self._db.execute("SELECT key, config FROM sweeps ORDER BY created")
        return {k: json.loads(c) for k, c in rows}

    # -- trials ---------------------------------------------------------------------

    def put(
        self,
        key: str,
        trial: int,
        seed: int,
        record: Mapping[str, Any],
        status: str = "done",
    ) -> None:
        """Store (or replace) one trial's record and commit at once."""
        self._db.execute(
            "INSERT OR REPLACE INTO trials VALUES (?, ?, ?, ?, ?, ?)",
            (key, int(trial), int(seed), status, canonical_json(record), time.time()),
        )
        self._db.commit()

    def finished(self, key: str) -> set[int]:
        """Indices of the trials of sweep ``key`` that completed without error."""
        rows = self._db.execute("SELECT trial FROM trials WHERE sweep=? AND status='done'", (key,))
        return {t for (t,) in rows}

    def records(
        self, key: str, *, limit: int | None = None, status: str = "done"
    ) -> list[dict[str, Any]]:
        """The records of sweep ``key`` in trial order (only trials ``< limit``)."""
        sql = "SELECT record FROM trials WHERE sweep=? AND status=?"
        args: tuple[Any, ...] = (key, status)
        if limit is not None:
            sql += " AND trial < ?"
            args += (int(limit),)
        rows = self._db.execute(sql + " ORDER BY trial", args)
        return [json.loads(r) for (r,) in rows]

    def count(self, key: str) -> dict[str, int]:
        """Number of stored trials of sweep ``key`` per status."""
        rows = self._db.execute(
            "SELECT status, COUNT(*) FROM trials WHERE sweep=? GROUP BY status", (key,)
        )
        return dict(rows.fetchall())

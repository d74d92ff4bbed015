"""A SQLite store of sweep trials: every finished trial is committed at once.

A *sweep* is identified by a key, the SHA-256 of its canonical configuration (family,
parameters, policies, seed, time limit, solvers; **not** the number of trials, so that
``--trials 200`` after ``--trials 100`` only runs the 100 new ones). Each trial is one
row ``(sweep, trial)`` holding its JSON record; it is committed as soon as the trial
finishes, so a crash or Ctrl-C loses at most the trials still running, and rerunning
the same sweep skips every trial already stored. Trials that failed are stored with
status ``"error"`` and are run again on the next attempt.

The database uses SQLite's write-ahead log, so a reader (``kvopt ratio`` printing a
report) never blocks the writer. Workers (processes or Dask) return records to the
process driving the sweep, which alone writes.

Several drivers on the machine holding the file may share one store (two ``kvopt
ratio`` processes, or one with local workers and one feeding a Dask cluster): a driver
*claims* a trial before running it (:class:`Claims`), with a *lease* that it renews
while the trial runs. Other drivers skip claimed trials, so nothing is computed twice;
when a driver dies (``kill -9``) its leases lapse and the others take its trials over,
so nothing is lost.
A driver whose lease ran out while its trial was still running may still store it:
the first finished record of a trial is kept, later ones are dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

from kvopt.errors import KvoptError
from kvopt.workers import process_alive

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
CREATE TABLE IF NOT EXISTS claims (
    sweep TEXT NOT NULL REFERENCES sweeps(key),
    trial INTEGER NOT NULL,
    owner TEXT NOT NULL,
    expires REAL NOT NULL,
    PRIMARY KEY (sweep, trial)
);
"""

#: Seconds a claimed trial stays reserved without a renewal (``kvopt ratio --lease``).
DEFAULT_LEASE = 60.0


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no whitespace: equal configurations, equal text."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def sweep_key(config: Mapping[str, Any]) -> str:
    """The key of a sweep: a hash of its canonical configuration."""
    text = canonical_json({"schema": SCHEMA_VERSION, **config})
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _connect(path: str) -> sqlite3.Connection:
    """A connection in autocommit mode: transactions are explicit (:meth:`Store._write`)."""
    return sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)


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
            self._db = _connect(self.path)
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE name='schema'").fetchone()
            if row is None:
                self._db.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
                )
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
        return key

    def sweeps(self) -> dict[str, dict[str, Any]]:
        """Every stored sweep: key -> configuration."""
        rows = self._db.execute("SELECT key, config FROM sweeps ORDER BY created")
        return {k: json.loads(c) for k, c in rows}

    # -- trials ---------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking SQLite's write lock at once (``IMMEDIATE``)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def put(
        self,
        key: str,
        trial: int,
        seed: int,
        record: Mapping[str, Any],
        status: str = "done",
        *,
        owner: str | None = None,
    ) -> None:
        """Store one trial's record and commit at once.

        A record replaces an earlier error of the trial, never a finished record (the
        first finished record is kept). With ``owner``, that owner's claim of the trial
        is released in the same transaction.
        """
        with self._write() as db:
            db.execute(
                "INSERT INTO trials VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sweep, trial) "
                "DO UPDATE SET seed=excluded.seed, status=excluded.status, "
                "record=excluded.record, finished=excluded.finished "
                "WHERE trials.status != 'done'",
                (key, int(trial), int(seed), status, canonical_json(record), time.time()),
            )
            if owner is not None:
                db.execute(
                    "DELETE FROM claims WHERE sweep=? AND trial=? AND owner=?",
                    (key, int(trial), owner),
                )

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


class Claims:
    """This driver's claims on the trials of one sweep, with leases kept alive.

    Use it as a context manager: while it is open, a thread renews this driver's
    leases every ``lease / 3`` seconds (through its own connection), so a trial may
    run much longer than the lease; when the driver dies, renewal stops and the
    leases run out after at most ``lease`` seconds.

    Parameters
    ----------
    store
        The store.
    key
        The sweep.
    trials
        The sweep's number of trials (claims are for ``0 .. trials-1``).
    lease
        Seconds a claim stays reserved without renewal.
    """

    def __init__(self, store: Store, key: str, trials: int, lease: float = DEFAULT_LEASE):
        if not lease > 0:
            raise KvoptError(f"--lease must be > 0 seconds, got {lease}")
        self.store, self.key, self.trials, self.lease = store, key, int(trials), float(lease)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._next = 0  # trials below it were looked at (claimed, done or someone else's)
        self._tried: set[int] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def poll(self) -> float:
        """Seconds between two looks at the store while waiting."""
        return min(1.0, self.lease / 4)

    def __enter__(self) -> Claims:
        if self.store.path != ":memory:":  # no other driver can see an in-memory store
            self._thread = threading.Thread(target=self._renew_loop, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self.store._write() as db:  # hand back what was not run
            db.execute("DELETE FROM claims WHERE sweep=? AND owner=?", (self.key, self.owner))

    def _renew_loop(self) -> None:
        db = _connect(self.store.path)
        try:
            while not self._stop.wait(self.lease / 3):
                with contextlib.suppress(sqlite3.OperationalError):  # busy: next time
                    db.execute(
                        "UPDATE claims SET expires=? WHERE owner=?",
                        (time.time() + self.lease, self.owner),
                    )
        finally:
            db.close()

    def claim(self) -> int | None:
        """Claim the next trial to run, or ``None`` if none is free now.

        First a trial whose claim lapsed (its lease ran out, or its driver was a
        process of this machine that no longer exists), then the next trial that is
        neither done nor claimed. A trial is claimed at most once per driver: one that
        failed here is left for the next run.
        """
        now = time.time()
        with self.store._write() as db:
            rows = db.execute(
                "SELECT trial, owner, expires FROM claims WHERE sweep=? AND trial<?",
                (self.key, self.trials),
            ).fetchall()
            held = {t for t, owner, expires in rows if not self._lapsed(owner, expires, now)}
            lapsed = sorted({t for t, _, _ in rows} - held - self._tried)
            trial = next((t for t in lapsed if not self._done(db, t)), None)
            while trial is None and self._next < self.trials:
                t, self._next = self._next, self._next + 1
                if t not in self._tried and t not in held and not self._done(db, t):
                    trial = t
            if trial is None:
                return None
            db.execute(
                "INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?)",
                (self.key, trial, self.owner, now + self.lease),
            )
        self._tried.add(trial)
        return trial

    def _lapsed(self, owner: str, expires: float, now: float) -> bool:
        """Whether a claim may be taken over: expired, or its local driver is gone."""
        if expires < now:
            return True
        host, _, rest = owner.partition(":")
        pid = rest.partition(":")[0]
        return (
            owner != self.owner
            and host == socket.gethostname()
            and pid.isdigit()
            and not process_alive(int(pid))
        )

    def _done(self, db: sqlite3.Connection, trial: int) -> bool:
        row = db.execute(
            "SELECT 1 FROM trials WHERE sweep=? AND trial=? AND status='done'", (self.key, trial)
        ).fetchone()
        return row is not None

    def others_running(self) -> bool:
        """Whether other drivers hold live claims on trials not yet done.

        Lapsed claims do not count: :meth:`claim` takes them over, or, for a trial
        that already failed here, leaves them to the next run.
        """
        now = time.time()
        rows = self.store._db.execute(
            "SELECT c.owner, c.expires FROM claims c WHERE c.sweep=? AND c.owner!=? AND "
            "c.trial<? AND NOT EXISTS (SELECT 1 FROM trials t WHERE t.sweep=c.sweep AND "
            "t.trial=c.trial AND t.status='done')",
            (self.key, self.owner, self.trials),
        ).fetchall()
        return any(not self._lapsed(owner, expires, now) for owner, expires in rows)

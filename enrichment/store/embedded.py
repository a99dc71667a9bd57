"""The embedded adapter: Snowflake SQL on DuckDB files, through fakesnow, shared by processes.

DuckDB lets one process at a time open a database file. The app and any number of
`python -m enrichment.run` processes share the store by taking turns: a unit of work takes an
exclusive `flock` on `<home>/store.lock` (which also serialises threads of one process, since each
unit opens its own file description), opens the files, runs, commits and closes. Opening costs
about 0.1 s, so units are kept to one page render or one job step. A unit that cannot get the lock
within `lock_timeout` raises StoreUnavailable with a sentence, never DuckDB's lock error.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from enrichment.errors import StoreUnavailable, UserFacingError
from enrichment.store import fakesnow_quirks
from enrichment.store.port import Db, Store, affected_from_result, checked_table_name


class EmbeddedDb(Db):
    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._cursor = connection.cursor()

    def _run(self, sql: str, params: Sequence[Any]) -> tuple[list[str], list[tuple]]:
        self._cursor.execute(sql, list(params) if params else None)
        description = self._cursor.description or []
        columns = [d[0] for d in description]
        try:
            rows = self._cursor.fetchall() if columns else []
        except Exception:  # statements without a result set
            rows = []
        return columns, rows

    def _affected(self, columns: list[str], rows: list[tuple], sql: str) -> int:
        return affected_from_result(columns, rows)

    def bulk_insert(self, table: str, frame: pd.DataFrame) -> int:
        if frame.empty:
            return 0
        name = checked_table_name(table)
        if name.count(".") == 0:
            name = f"{self._connection.database}.{self._connection.schema}.{name}"
        duck = fakesnow_quirks.duckdb_connection(self._connection)
        view = f"bulk_{uuid.uuid4().hex}"
        duck.register(view, frame)
        try:
            duck.execute(f"INSERT INTO {name} BY NAME SELECT * FROM {view}")
        finally:
            duck.unregister(view)
        return len(frame)


class EmbeddedStore(Store):
    kind = "embedded"

    def __init__(self, home: Path, database: str, schema: str, lock_timeout: float = 60.0) -> None:
        self.home = Path(home)
        self.database = database
        self.schema = schema
        self.lock_timeout = lock_timeout
        self._thread_lock = threading.Lock()
        self._in_unit = threading.local()
        fakesnow_quirks.silence_known_warnings()
        fakesnow_quirks.install_statement_cache()
        fakesnow_quirks.remove_stage_folder_at_exit()
        self._prepare_home()

    @property
    def db_dir(self) -> Path:
        return self.home / "db"

    def _prepare_home(self) -> None:
        try:
            self.db_dir.mkdir(parents=True, exist_ok=True)
            probe = self.home / ".write-probe"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise UserFacingError(
                f"ENRICHMENT_HOME {str(self.home)!r} cannot be written ({exc.strerror or exc}); "
                f"point ENRICHMENT_HOME at a folder you can write to."
            ) from None

    def _acquire(self, handle, deadline: float) -> None:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreUnavailable(
                        f"The embedded store in {str(self.home)!r} stayed busy for {self.lock_timeout:.0f} s; "
                        f"try again in a moment, or stop the process that holds it."
                    ) from None
                time.sleep(0.005)

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        """Exclusive use of the store, handed over fairly.

        A bare flock lets the process that just released it take it straight back (it is running; the
        waiters are asleep), which starved other processes in tests. So a waiter first takes a
        turnstile, then waits for the store while holding it: the previous holder, coming back for
        another unit, must pass the turnstile and so queues behind the waiter.
        """
        deadline = time.monotonic() + self.lock_timeout
        with open(self.home / "store.turnstile", "a+") as turnstile, open(self.home / "store.lock", "a+") as store:
            self._acquire(turnstile, deadline)
            try:
                self._acquire(store, deadline)
            finally:
                fcntl.flock(turnstile.fileno(), fcntl.LOCK_UN)
            try:
                yield
            finally:
                fcntl.flock(store.fileno(), fcntl.LOCK_UN)

    @contextmanager
    def unit(self) -> Iterator[Db]:
        if getattr(self._in_unit, "active", False):
            # The thread lock is not re-entrant: a nested unit would wait for itself forever.
            raise RuntimeError("A unit of work was opened inside another on the same thread; reuse the outer `db`.")
        with self._thread_lock, self._file_lock():
            self._in_unit.active = True
            try:
                with self._open() as db:
                    yield db
            finally:
                self._in_unit.active = False

    @contextmanager
    def _open(self) -> Iterator[Db]:
        from fakesnow.instance import FakeSnow  # imported late: heavy, and unused on Snowflake

        try:
            fake = FakeSnow(db_path=self.db_dir, nop_regexes=fakesnow_quirks.NOP_REGEXES)
            connection = fake.connect(database=self.database, schema=self.schema, paramstyle="qmark")
        except Exception as exc:
            if fakesnow_quirks.is_lock_conflict(exc):
                raise StoreUnavailable(
                    f"Another program has the embedded store in {str(self.home)!r} open without its lock; "
                    f"close it and try again."
                ) from None
            raise
        try:
            db = EmbeddedDb(connection)
            db._run(fakesnow_quirks.ATTACH_ACCOUNT_USAGE, [])
            db._run(f"USE SCHEMA {self.database}.{self.schema}", [])
            yield db
        finally:
            try:
                connection.close()
            finally:
                fake.duck_conn.close()

def remove_store_files(home: Path) -> None:
    """Delete the embedded database files (used by `demo reset`), under the store lock."""
    store_dir = Path(home) / "db"
    if not store_dir.exists():
        return
    with open(Path(home) / "store.lock", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        for path in store_dir.iterdir():
            if path.is_file():
                os.unlink(path)

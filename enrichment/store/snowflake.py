"""The Snowflake adapter: a Snowpark Session, from wherever the caller got it.

Sessions come from `st.connection("snowflake").session()` (the app, locally or in Streamlit in
Snowflake), from a named connection in ~/.snowflake/connections.toml (the runner), or from the
session a stored procedure is handed. Every session is set to UTC and tagged, so the product's own
queries are recognisable in QUERY_HISTORY and never mistaken for a benchmark's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from enrichment.errors import StoreUnavailable, UserFacingError
from enrichment.store.port import Db, Store, affected_from_result, checked_table_name

PRODUCT_QUERY_TAG = "flakebench-enrichment"
log = logging.getLogger("enrichment.store.snowflake")


class SnowparkDb(Db):
    def __init__(self, session: Any) -> None:
        self._session = session

    def _run(self, sql: str, params: Sequence[Any]) -> tuple[list[str], list[tuple]]:
        frame = self._session.sql(sql, params=list(params) if params else None)
        result = frame.collect()
        columns = [name.strip('"') for name in frame.schema.names] if result is not None else []
        if result and hasattr(result[0], "_fields"):
            columns = list(result[0]._fields)
        return columns, [tuple(row) for row in result]

    def _affected(self, columns: list[str], rows: list[tuple], sql: str) -> int:
        return affected_from_result(columns, rows)

    def bulk_insert(self, table: str, frame: Any) -> int:
        """write_pandas into an existing table. JSON text lands as strings in VARIANT columns, so on a
        real account this is only for plain columns; the product's enrichers write with INSERT ... SELECT."""
        if frame.empty:
            return 0
        parts = checked_table_name(table).split(".")
        kwargs = {}
        if len(parts) == 3:
            kwargs = {"database": parts[0], "schema": parts[1]}
        elif len(parts) == 2:
            kwargs = {"schema": parts[0]}
        self._session.write_pandas(frame, parts[-1], auto_create_table=False, overwrite=False,
                                   quote_identifiers=False, **kwargs)
        return len(frame)


def _first_value(session: Any, sql: str) -> Any:
    rows = session.sql(sql).collect()
    return rows[0][0] if rows else None


def prepare_session(session: Any, database: str, schema: str) -> Any:
    """UTC, our own query tag, and the product's schema as the current one.

    Owner's-rights contexts (Streamlit in Snowflake, owner's-rights procedures) refuse ALTER SESSION
    and USE. There the session must already be right: the TIMEZONE parameter of the app owner's user
    or account set to UTC, and the app created in FlakeBench's schema. Anything else is one sentence.
    """
    for statement in ("ALTER SESSION SET TIMEZONE = 'UTC'", f"ALTER SESSION SET QUERY_TAG = '{PRODUCT_QUERY_TAG}'"):
        try:
            session.sql(statement).collect()
        except Exception as exc:  # checked below where it matters
            log.warning("could not run %r here (%s)", statement, " ".join(str(exc).split())[:200])
    try:
        session.sql(f"USE SCHEMA {database}.{schema}").collect()  # identifiers validated in config
    except Exception as exc:
        log.warning("could not switch schema (%s)", " ".join(str(exc).split())[:200])
    rows = session.sql("SHOW PARAMETERS LIKE 'TIMEZONE' IN SESSION").collect()
    # SHOW PARAMETERS answers key, value, default, level, ...: the value is the second column.
    timezone = str(rows[0][1] if rows else "").strip()
    if timezone.upper() not in ("UTC", "ETC/UTC", "GMT"):
        raise UserFacingError(
            f"The Snowflake session runs in time zone {timezone or 'unknown'!r} and it cannot be set to UTC here; "
            f"set TIMEZONE = 'UTC' on the user or account that runs the enrichment."
        )
    current = f"{_first_value(session, 'SELECT CURRENT_DATABASE()')}.{_first_value(session, 'SELECT CURRENT_SCHEMA()')}"
    if current.upper() != f"{database}.{schema}":
        raise UserFacingError(
            f"The Snowflake session is in {current}, not {database}.{schema}, and cannot switch here; create the app "
            f"in FlakeBench's schema or set ENRICHMENT_DATABASE/ENRICHMENT_SCHEMA to match."
        )
    return session


def session_from_connection_name(name: str | None) -> Any:
    """A Snowpark Session from ~/.snowflake/connections.toml (or the default connection)."""
    from snowflake.snowpark import Session

    try:
        builder = Session.builder
        if name:
            builder = builder.config("connection_name", name)
        return builder.create()
    except Exception as exc:  # the connector's own messages are long; keep the first line
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if name and ("connection" in first_line.lower() or "not found" in first_line.lower()):
            raise UserFacingError(
                f"The Snowflake connection {name!r} was not found or could not be opened ({first_line}); "
                f"check ~/.snowflake/connections.toml or set ENRICHMENT_CONNECTION to an existing name."
            ) from None
        raise StoreUnavailable(
            f"Could not connect to Snowflake ({first_line}); check the connection settings and network."
        ) from None


class SnowflakeStore(Store):
    kind = "snowflake"

    def __init__(self, session: Any, database: str, schema: str) -> None:
        self.database = database
        self.schema = schema
        self._session = prepare_session(session, database, schema)
        # Snowpark sessions are not thread-safe; Streamlit runs each browser tab in a thread.
        self._lock = threading.RLock()

    @property
    def session(self) -> Any:
        return self._session

    @contextmanager
    def unit(self) -> Iterator[Db]:
        with self._lock:
            yield SnowparkDb(self._session)

    def close(self) -> None:
        self._session.close()

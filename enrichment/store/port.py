"""The one data-access port: everything in the product reads and writes through it.

A `Store` hands out units of work (`with store.unit() as db:`). Inside a unit, `db.rows()` returns
a list of dicts keyed by upper-case column name, `db.frame()` a DataFrame, `db.execute()` the
number of affected rows. Values are bound with qmark (`?`) placeholders, never formatted into text.
Statement names resolve to files in `sql/` (see `sqlfiles`).

Two adapters implement it: `embedded.EmbeddedStore` (DuckDB through fakesnow) and
`snowflake.SnowflakeStore` (a Snowpark Session).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd

from enrichment.store.sqlfiles import resolve


def normalize_value(value: Any) -> Any:
    """Make values from either adapter look the same: plain numbers, naive UTC datetimes."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def normalize_param(value: Any) -> Any:
    """Bind aware datetimes as naive UTC, containers as JSON text (parsed in SQL with PARSE_JSON)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=str)
    return value


def json_batch(items: Sequence[Any]) -> str:
    """A batch of ids or row objects as one JSON text, read in SQL with TABLE(FLATTEN(PARSE_JSON(?))).

    One bound value carries the whole batch, so a statement covers many runs without building SQL
    text. Datetimes become naive-UTC ISO text (cast back with ::TIMESTAMP_NTZ); NaN and infinities,
    which JSON cannot hold, become null.
    """
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: plain(v) for key, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, dt.datetime):
            return normalize_param(value).isoformat(sep=" ", timespec="microseconds")
        if isinstance(value, decimal.Decimal):
            return normalize_value(value)
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value

    return json.dumps(plain(list(items)))


class Db(ABC):
    """A connection inside one unit of work."""

    @abstractmethod
    def _run(self, sql: str, params: Sequence[Any]) -> tuple[list[str], list[tuple]]:
        """Run one statement; return column names and raw rows."""

    @abstractmethod
    def _affected(self, columns: list[str], rows: list[tuple], sql: str) -> int:
        """The number of rows a DML statement touched."""

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        columns, raw = self._run(resolve(sql), [normalize_param(p) for p in params])
        names = [c.upper() for c in columns]
        return [dict(zip(names, (normalize_value(v) for v in row))) for row in raw]

    def one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else next(iter(row.values()))

    def frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        columns, raw = self._run(resolve(sql), [normalize_param(p) for p in params])
        names = [c.upper() for c in columns]
        return pd.DataFrame([[normalize_value(v) for v in row] for row in raw], columns=names)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        text = resolve(sql)
        columns, raw = self._run(text, [normalize_param(p) for p in params])
        return self._affected(columns, raw, text)

    def execute_many(self, sql: str, param_rows: Sequence[Sequence[Any]]) -> int:
        return sum(self.execute(sql, params) for params in param_rows)

    @abstractmethod
    def bulk_insert(self, table: str, frame: pd.DataFrame) -> int:
        """Append a DataFrame to a table by column name (the demo world, test fixtures, benchmarks).

        `table` may be qualified (SNOWFLAKE.ACCOUNT_USAGE_SIM.X); every part must be a plain identifier.
        VARIANT/OBJECT/ARRAY columns take JSON text.
        """

    @contextmanager
    def transaction(self) -> Iterator["Db"]:
        """All statements inside commit together or not at all."""
        self._run("BEGIN", [])
        try:
            yield self
        except BaseException:
            self._run("ROLLBACK", [])
            raise
        else:
            self._run("COMMIT", [])


_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*){0,2}$")


def checked_table_name(table: str) -> str:
    if not _PLAIN_NAME.match(table):
        raise ValueError(f"{table!r} is not a plain, optionally qualified, table name")
    return table.upper()


def affected_from_result(columns: list[str], rows: list[tuple]) -> int:
    """Snowflake answers DML with a one-row result: 'number of rows updated/inserted/deleted'."""
    if not rows:
        return 0
    total = 0
    for name, value in zip(columns, rows[0]):
        if "number of" in name.lower() and "multi-joined" not in name.lower():
            total += int(value or 0)
    return total


class Store(ABC):
    kind: str = "abstract"

    @abstractmethod
    @contextmanager
    def unit(self) -> Iterator[Db]:
        """One unit of work. Keep it short: on the embedded store it holds the cross-process lock."""

    def close(self) -> None:  # pragma: no cover - adapters override when they hold resources
        pass

    # Conveniences for single statements; each opens its own unit.
    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.unit() as db:
            return db.rows(sql, params)

    def frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        with self.unit() as db:
            return db.frame(sql, params)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self.unit() as db:
            return db.execute(sql, params)

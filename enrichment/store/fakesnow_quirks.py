"""Everything the embedded store needs to look like Snowflake, in one place.

fakesnow translates Snowflake SQL to DuckDB. A few statements the product sends to a real account
are not implemented there, one warning is noise, and one temporary folder is left behind. The quirks
are covered by tests/test_fakesnow_quirks.py (bulk appends by tests/test_store_and_migrations.py), so
an upgrade of fakesnow that changes behaviour fails loudly.
"""

from __future__ import annotations

import warnings

# Session settings a real account needs (UTC, our own query tag) but fakesnow does not implement.
# fakesnow already runs DuckDB in UTC, so answering them with success is faithful.
NOP_REGEXES = [
    r"^\s*alter\s+session\s+set\s+timezone\s*=.*$",
    r"^\s*alter\s+session\s+set\s+query_tag\s*=.*$",
    r"^\s*alter\s+session\s+set\s+lock_timeout\s*=.*$",
    r"^\s*alter\s+session\s+set\s+statement_timeout_in_seconds\s*=.*$",
]

# On a real account the SNOWFLAKE database always exists. Embedded, it is a separate DuckDB file that
# has to be attached on every connection before SNOWFLAKE.ACCOUNT_USAGE can be read.
ATTACH_ACCOUNT_USAGE = "CREATE DATABASE IF NOT EXISTS SNOWFLAKE"


def silence_known_warnings() -> None:
    """fakesnow on duckdb 2 warns about an extra Arrow copy on every query; it is harmless."""
    warnings.filterwarnings("ignore", message=".*Arrow output on a DB-API result makes an extra copy.*")


_stage_cleanup_registered = False


def remove_stage_folder_at_exit() -> None:
    """fakesnow makes a temporary folder for stages when it is imported and never removes it. The
    product stages nothing, so without this every process (a cron runner once a minute) would leave an
    empty `fakesnow_bucket_*` folder in the temporary directory. Only an empty folder is removed."""
    global _stage_cleanup_registered
    if _stage_cleanup_registered:
        return
    import atexit
    import os

    from fakesnow.transforms import stage

    def remove_if_empty(path: str = stage.LOCAL_BUCKET_PATH) -> None:
        try:
            os.rmdir(path)
        except OSError:  # gone already, or something was staged there after all: leave it
            pass

    atexit.register(remove_if_empty)
    _stage_cleanup_registered = True


def is_lock_conflict(exc: BaseException) -> bool:
    """DuckDB refuses a second process on the same file with this message."""
    text = str(exc)
    return "Could not set lock on file" in text or "Conflicting lock is held" in text


def duckdb_connection(fake_connection):
    """The DuckDB cursor behind a fakesnow connection, for bulk appends of DataFrames.

    fakesnow keeps it in a private attribute; reading it here, in one place, means an upgrade that
    renames it breaks one tested function instead of the product.
    """
    return fake_connection._duck_conn


# --- Statement cache -------------------------------------------------------------------------
# fakesnow parses every statement and runs some thirty sqlglot transforms over it on every call,
# about 50 ms for the product's larger statements: that, not DuckDB, dominated a runner pass. The
# product binds every value with `?`, so the same text always yields the same DuckDB statement for a
# given current database and schema. We cache the parse and the transform of data statements
# (SELECT/INSERT/UPDATE/DELETE) by text, and hand fakesnow a copy each time.
_CACHE_LIMIT = 2048
_installed = False


def install_statement_cache() -> None:
    global _installed
    if _installed:
        return
    import fakesnow.cursor as fs_cursor
    from sqlglot import exp

    original_parse = fs_cursor.parse_one
    original_transform = fs_cursor.FakeSnowflakeCursor._transform
    parsed: dict[str, object] = {}
    transformed: dict[tuple, object] = {}
    cacheable = (exp.Select, exp.Insert, exp.Update, exp.Delete, exp.Union)

    # The parse of a command is keyed by its text; its transform by that same text (remembered on
    # the copy handed out, so no SQL has to be generated to build the key) plus the current
    # database and schema, which some transforms read.
    def cached_parse(command: str, *args, **kwargs):
        hit = parsed.get(command)
        if hit is None:
            hit = original_parse(command, *args, **kwargs)
            if len(parsed) < _CACHE_LIMIT:
                parsed[command] = hit
        copy = hit.copy()
        copy.meta["enrichment_command"] = command
        return copy

    def cached_transform(self, expression, params):
        command = expression.meta.get("enrichment_command")
        if command is None or not isinstance(expression, cacheable):
            return original_transform(self, expression, params)
        key = (command, self._conn.database, self._conn.schema)
        hit = transformed.get(key)
        if hit is None:
            hit = original_transform(self, expression, params)
            if len(transformed) < _CACHE_LIMIT:
                transformed[key] = hit
        return hit.copy()

    fs_cursor.parse_one = cached_parse
    fs_cursor.FakeSnowflakeCursor._transform = cached_transform
    _installed = True

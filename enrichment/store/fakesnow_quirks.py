"""Everything the embedded store needs to look like Snowflake, in one place.

fakesnow translates Snowflake SQL to DuckDB. A few statements the product sends to a real account
are not implemented there, and one warning is noise. Each quirk below is covered by
tests/test_fakesnow_quirks.py, so an upgrade of fakesnow that changes behaviour fails loudly.
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

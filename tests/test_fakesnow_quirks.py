"""What enrichment/store/fakesnow_quirks.py makes the embedded store do, so an upgrade of fakesnow or
DuckDB that changes it fails here rather than in the product."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from conftest import ROOT
from enrichment.store import fakesnow_quirks


def test_session_settings_a_real_account_needs_are_accepted(store):
    with store.unit() as db:
        for statement in ("ALTER SESSION SET TIMEZONE = 'UTC'", "ALTER SESSION SET QUERY_TAG = 'flakebench'",
                          "ALTER SESSION SET LOCK_TIMEOUT = 60",
                          "ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 600"):
            db.execute(statement)
        assert db.scalar("SELECT 1") == 1


def test_account_usage_is_readable_in_every_unit_of_work(store):
    for _ in range(2):  # the SNOWFLAKE database is a separate file, attached again on each connection
        with store.unit() as db:
            assert db.scalar("SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY") >= 0


def test_the_statement_cache_keeps_binds_apart_and_follows_use_schema(store):
    with store.unit() as db:
        # The same text with other values bound: the cached parse must not keep the first values.
        assert [db.scalar("SELECT ? + 1", [n]) for n in (1, 41)] == [2, 42]
        # The same text in another schema: the cached transform must not point at the first schema.
        db.execute("CREATE SCHEMA IF NOT EXISTS FLAKEBENCH.OTHER")
        db.execute("CREATE TABLE FLAKEBENCH.TEST_RESULTS.QUIRK_PROBE (V INT)")
        db.execute("CREATE TABLE FLAKEBENCH.OTHER.QUIRK_PROBE (V INT)")
        db.execute("INSERT INTO FLAKEBENCH.TEST_RESULTS.QUIRK_PROBE VALUES (1)")
        db.execute("INSERT INTO FLAKEBENCH.OTHER.QUIRK_PROBE VALUES (2)")
        db.execute("USE SCHEMA FLAKEBENCH.TEST_RESULTS")  # CREATE SCHEMA made OTHER current, as on Snowflake
        first = db.scalar("SELECT MAX(V) FROM QUIRK_PROBE")
        db.execute("USE SCHEMA FLAKEBENCH.OTHER")
        second = db.scalar("SELECT MAX(V) FROM QUIRK_PROBE")
    assert (first, second) == (1, 2)


def test_another_program_holding_the_files_is_recognised(store):
    """DuckDB's refusal of a second process is turned into a sentence by the adapter; this is how it
    recognises it."""
    database_file = next(p for p in store.db_dir.iterdir() if p.name.upper().startswith("FLAKEBENCH"))
    with store.unit():
        refused = subprocess.run([sys.executable, "-c", f"import duckdb; duckdb.connect({str(database_file)!r})"],
                                 capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert fakesnow_quirks.is_lock_conflict(Exception(refused.stderr)), refused.stderr[-500:]
    assert not fakesnow_quirks.is_lock_conflict(Exception("Table with name X does not exist"))


def test_a_process_leaves_no_stage_folder_behind(home):
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from enrichment.store.embedded import EmbeddedStore
        from fakesnow.transforms import stage
        store = EmbeddedStore({str(home)!r}, "FLAKEBENCH", "TEST_RESULTS")
        with store.unit() as db:
            db.scalar("SELECT 1")
        print(stage.LOCAL_BUCKET_PATH)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    folder = done.stdout.strip().splitlines()[-1]
    assert "fakesnow_bucket_" in folder
    assert not os.path.exists(folder), f"{folder} was left behind"

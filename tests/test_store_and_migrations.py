from __future__ import annotations

import pytest

from enrichment.errors import UserFacingError
from enrichment.schema import SCHEMA_VERSION, migrate
from enrichment.schema.migrate import all_migrations
from enrichment.simulation.documented_columns import DOCUMENTED_COLUMNS
from enrichment.store.embedded import EmbeddedStore


def test_migrations_are_recorded_and_rerunning_changes_nothing(store):
    with store.unit() as db:
        before = db.rows("SELECT VERSION, NAME FROM ENRICHMENT_SCHEMA_MIGRATIONS ORDER BY VERSION")
    assert [r["VERSION"] for r in before] == [m.version for m in all_migrations()]
    with store.unit() as db:
        db.execute(
            "INSERT INTO DELAYED_ENRICHMENT_QUEUE (JOB_ID, TEST_ID, RUN_ID, STATUS) VALUES (?, ?, ?, ?)",
            ["j1", "r1", "r1", "PENDING"],
        )
    assert migrate(store) == []
    with store.unit() as db:
        after = db.rows("SELECT VERSION, NAME FROM ENRICHMENT_SCHEMA_MIGRATIONS ORDER BY VERSION")
        kept = db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_QUEUE")
    assert after == before
    assert kept == 1  # re-running migrations never drops rows


def test_store_reopened_keeps_data(store, home):
    store.execute("INSERT INTO DELAYED_ENRICHMENT_QUEUE (JOB_ID, TEST_ID, RUN_ID, STATUS) VALUES ('a','a','a','PENDING')")
    reopened = EmbeddedStore(home, "FLAKEBENCH", "TEST_RESULTS")
    assert migrate(reopened) == []
    assert reopened.rows("SELECT JOB_ID FROM DELAYED_ENRICHMENT_QUEUE") == [{"JOB_ID": "a"}]


def test_store_from_newer_version_is_refused_untouched(store):
    store.execute(
        "INSERT INTO ENRICHMENT_SCHEMA_MIGRATIONS (VERSION, NAME) VALUES (?, ?)", [SCHEMA_VERSION + 1, "future"]
    )
    with pytest.raises(UserFacingError, match="newer version"):
        migrate(store)


def test_simulated_views_have_every_documented_column_in_order(store):
    with store.unit() as db:
        for view, documented in DOCUMENTED_COLUMNS.items():
            reported = db.rows(
                "SELECT COLUMN_NAME FROM SNOWFLAKE.INFORMATION_SCHEMA.COLUMNS "
                "WHERE TABLE_SCHEMA = 'ACCOUNT_USAGE' AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
                [view],
            )
            assert [r["COLUMN_NAME"] for r in reported] == [name for name, _ in documented], view


def test_unwritable_home_is_one_clear_sentence(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    with pytest.raises(UserFacingError, match="cannot be written"):
        EmbeddedStore(blocked / "home", "FLAKEBENCH", "TEST_RESULTS")


def test_dml_reports_affected_rows(store):
    with store.unit() as db:
        assert db.execute("INSERT INTO DELAYED_ENRICHMENT_QUEUE (JOB_ID, TEST_ID, RUN_ID, STATUS) VALUES ('a','a','a','P'), ('b','b','b','P')") == 2
        assert db.execute("UPDATE DELAYED_ENRICHMENT_QUEUE SET STATUS = ? WHERE JOB_ID = ?", ["X", "a"]) == 1
        assert db.execute("UPDATE DELAYED_ENRICHMENT_QUEUE SET STATUS = ? WHERE JOB_ID = ?", ["X", "zzz"]) == 0
        assert db.execute("DELETE FROM DELAYED_ENRICHMENT_QUEUE WHERE STATUS = ?", ["P"]) == 1


def test_transaction_rolls_back_on_error(store):
    with pytest.raises(RuntimeError):
        with store.unit() as db, db.transaction():
            db.execute("INSERT INTO DELAYED_ENRICHMENT_QUEUE (JOB_ID, TEST_ID, RUN_ID, STATUS) VALUES ('a','a','a','P')")
            raise RuntimeError("boom")
    assert store.rows("SELECT * FROM DELAYED_ENRICHMENT_QUEUE") == []


def test_bulk_insert_appends_by_column_name_with_json(store):
    import pandas as pd

    frame = pd.DataFrame({"JOB_ID": ["a", "b"], "RUN_ID": ["r", "r"], "TEST_ID": ["r", "r"],
                          "STATUS": ["PENDING", "PENDING"], "ENRICHMENT_TYPES": ['["QUERY_HISTORY"]', "[]"]})
    with store.unit() as db:
        assert db.bulk_insert("DELAYED_ENRICHMENT_QUEUE", frame) == 2
        rows = db.rows("SELECT JOB_ID, ARRAY_SIZE(ENRICHMENT_TYPES) AS N FROM DELAYED_ENRICHMENT_QUEUE ORDER BY JOB_ID")
    assert rows == [{"JOB_ID": "a", "N": 1}, {"JOB_ID": "b", "N": 0}]
    with pytest.raises(ValueError):
        with store.unit() as db:
            db.bulk_insert("X; DROP TABLE Y", frame)


def test_a_nested_unit_on_one_thread_fails_fast_instead_of_hanging(store):
    with store.unit():
        with pytest.raises(RuntimeError, match="inside another"):
            with store.unit():
                pass
    assert store.rows("SELECT 1 AS ONE") == [{"ONE": 1}]  # the store is usable afterwards


class AccountLikeStore(EmbeddedStore):
    """The embedded engine standing in for a real account: embedded-only migrations are not run."""

    kind = "snowflake"


def test_a_real_account_without_flakebench_tables_is_refused_untouched(home):
    account = AccountLikeStore(home, "FLAKEBENCH", "TEST_RESULTS")
    with pytest.raises(UserFacingError, match="QUERY_EXECUTIONS: \\(table missing\\)"):
        migrate(account)
    tables = account.rows("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = CURRENT_SCHEMA()")
    assert tables == []  # nothing was created


def test_a_real_account_with_flakebench_tables_gets_only_the_product_migrations(home):
    from enrichment.schema.migrate import MIGRATIONS_DIR
    from enrichment.store.sqlfiles import split_script

    account = AccountLikeStore(home, "FLAKEBENCH", "TEST_RESULTS")
    with account.unit() as db:  # FlakeBench's own tables, as FlakeBench creates them
        for statement in split_script((MIGRATIONS_DIR / "0001_flakebench_tables.embedded.sql").read_text()):
            db.execute(statement)
    applied = migrate(account)
    assert applied and not any("flakebench_tables" in a or "simulated" in a for a in applied)
    assert migrate(account) == []

"""Broken input ends in a recorded, readable reason on the job; other jobs carry on."""

from __future__ import annotations

import datetime as dt

import pytest

from enrichment.config import Settings
from enrichment.simulation.seed import seed_demo
from tests.engine_helpers import SEEDED_AT, pass_at, type_rows

SCALE = 0.05
SETTINGS = Settings(latency_scale=SCALE, max_attempts=2)
LATE = SEEDED_AT + dt.timedelta(hours=30)


@pytest.fixture
def world(store):
    seed_demo(store, runs=15, seed=21, latency_scale=SCALE, now=SEEDED_AT)
    return store


def completed_runs(store, table_type: str) -> list[str]:
    with store.unit() as db:
        return [r["RUN_ID"] for r in db.rows(
            "SELECT RUN_ID FROM TEST_RESULTS WHERE TEST_ID = RUN_ID AND STATUS = 'COMPLETED' AND TABLE_TYPE = ? "
            "AND END_TIME > ? ORDER BY RUN_ID", [table_type, SEEDED_AT - dt.timedelta(days=3)])]


def statuses(store, run_id: str) -> dict[str, str]:
    return {t: r["STATUS"] for t, r in type_rows(store, run_id).items()}


def test_broken_runs_get_a_reason_and_the_rest_carry_on(world):
    standard = completed_runs(world, "STANDARD")
    hybrid = completed_runs(world, "HYBRID")
    unknown, no_end, reversed_run, future, no_workers = standard[0], standard[1], hybrid[0], hybrid[1], hybrid[2]
    healthy = [r for r in standard[2:] + hybrid[3:]]
    with world.unit() as db:
        db.execute("UPDATE TEST_RESULTS SET TABLE_TYPE = 'UNISTORE' WHERE RUN_ID = ?", [unknown])
        for run in (no_end, reversed_run, future, no_workers):
            db.execute("DELETE FROM QUERY_EXECUTIONS WHERE TEST_ID IN (SELECT TEST_ID FROM TEST_RESULTS WHERE RUN_ID = ? AND TEST_ID <> RUN_ID)", [run])
        db.execute("UPDATE TEST_RESULTS SET END_TIME = NULL WHERE TEST_ID = ?", [no_end])
        db.execute("UPDATE RUN_STATUS SET END_TIME = NULL WHERE RUN_ID = ?", [no_end])
        db.execute("UPDATE TEST_RESULTS SET END_TIME = DATEADD(hour, -5, START_TIME) WHERE TEST_ID = ?", [reversed_run])
        db.execute("UPDATE TEST_RESULTS SET END_TIME = DATEADD(day, 30, START_TIME) WHERE TEST_ID = ?", [future])
        db.execute("DELETE FROM TEST_RESULTS WHERE RUN_ID = ? AND TEST_ID <> RUN_ID", [no_workers])
        db.execute("UPDATE TEST_RESULTS SET TEST_CONFIG = PARSE_JSON('[1, 2, \"not an object\"]') WHERE TEST_ID = ?", [healthy[0]])
    pass_at(world, SETTINGS, LATE)

    def detail(run, etype="QUERY_HISTORY"):
        return type_rows(world, run)[etype]["DETAIL"]

    assert set(statuses(world, unknown).values()) == {"SKIPPED"} and "Unknown TABLE_TYPE 'UNISTORE'" in detail(unknown)
    assert set(statuses(world, no_end).values()) == {"SKIPPED"} and "no END_TIME" in detail(no_end)
    assert set(statuses(world, reversed_run).values()) == {"SKIPPED"} and "reversed" in detail(reversed_run)
    assert set(statuses(world, future).values()) == {"SKIPPED"} and "future" in detail(future)
    assert statuses(world, no_workers)["AGGREGATE"] == "SKIPPED" and "no worker rows" in detail(no_workers, "AGGREGATE")
    for run in healthy:
        assert "PENDING" not in statuses(world, run).values() and "FAILED" not in statuses(world, run).values()


def test_an_unreadable_view_fails_only_its_type_and_names_the_grant(world):
    with world.unit() as db:
        db.execute("DROP VIEW SNOWFLAKE.ACCOUNT_USAGE.LOCK_WAIT_HISTORY")
    hybrid = completed_runs(world, "HYBRID")[0]
    pass_at(world, SETTINGS, LATE)
    rows = type_rows(world, hybrid)
    assert rows["LOCK_CONTENTION"]["STATUS"] == "PENDING" and rows["LOCK_CONTENTION"]["ERROR_COUNT"] == 1
    assert rows["AGGREGATE"]["STATUS"] == "COMPLETED" and rows["QUERY_HISTORY"]["STATUS"] == "COMPLETED"
    # Backoff, then the last attempt: FAILED with the grant named, the job FAILED, other jobs done.
    pass_at(world, SETTINGS, LATE + dt.timedelta(hours=1))
    rows = type_rows(world, hybrid)
    assert rows["LOCK_CONTENTION"]["STATUS"] == "FAILED"
    assert "GOVERNANCE_VIEWER" in rows["LOCK_CONTENTION"]["LAST_ERROR"]
    with world.unit() as db:
        job = db.one("job_by_id", [hybrid])
        mirrored = db.scalar("SELECT DELAYED_ENRICHMENT_STATUS FROM TEST_RESULTS WHERE TEST_ID = ?", [hybrid])
        standard_open = db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_QUEUE WHERE TABLE_TYPE = 'STANDARD' AND STATUS = 'PENDING'")
    assert job["STATUS"] == "FAILED" and "LOCK_CONTENTION" in job["LAST_ERROR"]
    assert mirrored == "FAILED" and standard_open == 0


def test_a_job_whose_run_was_deleted_is_skipped_with_the_reason(world):
    run = completed_runs(world, "STANDARD")[0]
    pass_at(world, SETTINGS, SEEDED_AT)  # the job exists, nothing landed yet for the newest runs
    with world.unit() as db:
        db.execute("DELETE FROM TEST_RESULTS WHERE RUN_ID = ?", [run])
    pass_at(world, SETTINGS, LATE)
    rows = type_rows(world, run)
    open_or_done = {r["STATUS"] for r in rows.values()}
    assert "PENDING" not in open_or_done
    assert any("deleted" in (r["DETAIL"] or "") for r in rows.values()) or open_or_done <= {"COMPLETED", "NOT_APPLICABLE"}


def test_duplicate_account_usage_rows_do_not_double_anything(world):
    with world.unit() as db:
        for view in ("QUERY_HISTORY", "AGGREGATE_QUERY_HISTORY", "LOCK_WAIT_HISTORY", "QUERY_INSIGHTS"):
            db.execute(f"INSERT INTO SNOWFLAKE.ACCOUNT_USAGE_SIM.{view}_ROWS SELECT * FROM SNOWFLAKE.ACCOUNT_USAGE_SIM.{view}_ROWS")
    pass_at(world, SETTINGS, LATE)
    hybrid = completed_runs(world, "HYBRID")[:3]
    with world.unit() as db:
        for run in hybrid:
            calls = db.scalar("SELECT SUM(CALLS) FROM AGGREGATE_QUERY_METRICS WHERE RUN_ID = ?", [run])
            executions = db.scalar("SELECT COUNT(*) FROM QUERY_EXECUTIONS WHERE WARMUP = FALSE AND TEST_ID IN "
                                   "(SELECT TEST_ID FROM TEST_RESULTS WHERE RUN_ID = ? AND TEST_ID <> RUN_ID)", [run])
            assert calls == executions
        dup_events = db.scalar("SELECT COUNT(*) - COUNT(DISTINCT EVENT_ID) FROM LOCK_CONTENTION_EVENTS")
        dup_insights = db.scalar("SELECT COUNT(*) - COUNT(DISTINCT INSIGHT_ID) FROM QUERY_INSIGHTS_CACHE")
    assert dup_events == 0 and dup_insights == 0


def test_a_run_with_impossible_aggregate_figures_fails_alone_while_its_batch_completes(world):
    """One run's AGGREGATE_QUERY_HISTORY rows say min > median (absurd figures): that run's AGGREGATE
    type records why and fails after its retries; the runs enriched in the same batch are unaffected."""
    standard = completed_runs(world, "STANDARD")
    broken, others = standard[0], standard[1:]
    with world.unit() as db:
        workers = [r["TEST_ID"] for r in db.rows(
            "SELECT TEST_ID FROM TEST_RESULTS WHERE RUN_ID = ? AND TEST_ID <> RUN_ID", [broken])]
        for worker in workers:
            db.execute(
                "UPDATE SNOWFLAKE.ACCOUNT_USAGE_SIM.AGGREGATE_QUERY_HISTORY_ROWS SET TOTAL_ELAPSED_TIME = PARSE_JSON("
                "'{\"sum\": 10, \"avg\": 1, \"stddev\": 1, \"min\": 900, \"median\": 5, \"p90\": 6, \"p99\": 7, "
                "\"p99.9\": 8, \"max\": 9}') WHERE QUERY_TAG = ?", [f"flakebench:test_id={worker}:phase=RUNNING"])
    pass_at(world, SETTINGS, LATE)
    row = type_rows(world, broken)["AGGREGATE"]
    assert row["STATUS"] == "PENDING" and row["ERROR_COUNT"] == 1
    assert "'median' is below 'min'" in row["LAST_ERROR"]
    assert others and all(statuses(world, run)["AGGREGATE"] == "COMPLETED" for run in others)
    pass_at(world, SETTINGS, LATE + dt.timedelta(hours=1))
    row = type_rows(world, broken)["AGGREGATE"]
    assert row["STATUS"] == "FAILED" and "'median' is below 'min'" in row["LAST_ERROR"]
    assert statuses(world, broken)["QUERY_HISTORY"] == "COMPLETED"


def test_odd_names_and_malformed_tags_are_recorded_not_fatal(world):
    """A run named with 10,000 characters of non-ASCII text and a run whose query tags are malformed
    (so AGGREGATE_QUERY_HISTORY holds none of its queries under their tags)."""
    standard = completed_runs(world, "STANDARD")
    odd_name, bad_tags = standard[0], standard[1]
    name = ("Überlast 負荷テスト 🚀 '; DROP TABLE TEST_RESULTS; -- " * 250)[:10_000]
    with world.unit() as db:
        db.execute("UPDATE TEST_RESULTS SET TEST_NAME = ? WHERE TEST_ID = ?", [name, odd_name])
        db.execute("UPDATE SNOWFLAKE.ACCOUNT_USAGE_SIM.AGGREGATE_QUERY_HISTORY_ROWS SET QUERY_TAG = "
                   "REPLACE(QUERY_TAG, ':phase=', ';phase=') WHERE QUERY_TAG IN (SELECT 'flakebench:test_id=' "
                   "|| TEST_ID || ':phase=RUNNING' FROM TEST_RESULTS WHERE RUN_ID = ? AND TEST_ID <> RUN_ID)", [bad_tags])
    pass_at(world, SETTINGS, LATE)
    assert set(statuses(world, odd_name).values()) <= {"COMPLETED", "NOT_APPLICABLE"}
    with world.unit() as db:
        assert db.scalar("SELECT TEST_NAME FROM TEST_RESULTS WHERE TEST_ID = ?", [odd_name]) == name
    row = type_rows(world, bad_tags)["AGGREGATE"]
    # Nothing found under the run's tags, long past its deadline: completed, saying it is incomplete.
    assert (row["STATUS"], row["OUTCOME"], row["COVERAGE"]) == ("COMPLETED", "INCOMPLETE", 0)
    assert row["DETAIL"].startswith("Completed at its deadline with 0% coverage: 0 of")
    assert statuses(world, bad_tags)["QUERY_HISTORY"] == "COMPLETED"

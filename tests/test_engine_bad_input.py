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

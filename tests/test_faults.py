"""Faults in the middle of work: a view read that times out backs off and is retried; a write whose
commit landed but whose answer was lost is retried without doubling anything."""

from __future__ import annotations

import datetime as dt

import pytest

from enrichment.config import Settings
from enrichment.queue.worker import backoff
from enrichment.schema import migrate
from enrichment.simulation.seed import seed_demo
from enrichment.store.embedded import EmbeddedDb, EmbeddedStore
from tests.engine_helpers import SEEDED_AT, pass_at, table_snapshot, type_rows

SCALE = 0.05
SETTINGS = Settings(latency_scale=SCALE, max_attempts=3)
LATE = SEEDED_AT + dt.timedelta(hours=30)
RESULT_TABLES = ["AGGREGATE_QUERY_INTERVALS", "AGGREGATE_QUERY_METRICS", "LOCK_CONTENTION_EVENTS",
                 "HYBRID_TABLE_CREDITS", "QUERY_INSIGHTS_CACHE"]
# What Snowflake says when STATEMENT_TIMEOUT_IN_SECONDS cancels a statement (error 000630).
TIMEOUT_MESSAGE = "000630 (57014): Statement reached its statement or warehouse timeout of 60 second(s) and was canceled."


def seeded(path) -> EmbeddedStore:
    store = EmbeddedStore(path, "FLAKEBENCH", "TEST_RESULTS")
    migrate(store)
    seed_demo(store, runs=12, seed=9, latency_scale=SCALE, now=SEEDED_AT)
    return store


def results(store) -> dict:
    with store.unit() as db:
        run_ids = [r["RUN_ID"] for r in db.rows("SELECT RUN_ID FROM DELAYED_ENRICHMENT_QUEUE ORDER BY RUN_ID")]
        executions = db.rows("SELECT EXECUTION_ID, SF_PARTITIONS_SCANNED, QUERY_PARAMETERIZED_HASH FROM QUERY_EXECUTIONS "
                             "ORDER BY EXECUTION_ID")
        summaries = db.rows("SELECT RUN_ID, LOCK_WAIT_COUNT, QUERY_INSIGHTS_COUNT, THROTTLED_QUERY_COUNT, "
                            "HYBRID_CREDITS_USED FROM TEST_RESULTS WHERE TEST_ID = RUN_ID ORDER BY RUN_ID")
    tables = {(t, r): table_snapshot(store, t, r) for t in RESULT_TABLES for r in run_ids}
    statuses = {r: {t: (row["STATUS"], row["OUTCOME"], row["ROWS_WRITTEN"]) for t, row in type_rows(store, r).items()}
                for r in run_ids}
    return {"tables": tables, "executions": executions, "summaries": summaries, "statuses": statuses}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    store = seeded(tmp_path_factory.mktemp("reference"))
    pass_at(store, SETTINGS, LATE)
    return results(store)


def test_a_view_read_that_times_out_backs_off_and_is_retried(tmp_path, monkeypatch, reference):
    store = seeded(tmp_path / "home")
    original = EmbeddedDb._run
    timing_out = {"on": True}

    def slow_insights(db, sql, params):
        if timing_out["on"] and "ACCOUNT_USAGE.QUERY_INSIGHTS" in sql.upper():
            raise RuntimeError(TIMEOUT_MESSAGE)
        return original(db, sql, params)

    monkeypatch.setattr(EmbeddedDb, "_run", slow_insights)
    pass_at(store, SETTINGS, LATE)
    standard = [r for r, types in reference["statuses"].items() if types["QUERY_INSIGHTS"][0] == "COMPLETED"]
    assert standard
    for run in standard:
        rows = type_rows(store, run)
        insights = rows["QUERY_INSIGHTS"]
        assert insights["STATUS"] == "PENDING" and insights["ERROR_COUNT"] == 1
        assert "timed out" in insights["LAST_ERROR"] and "retried with backoff" in insights["LAST_ERROR"]
        assert insights["NEXT_CHECK_AT"] == LATE + backoff(1, SCALE)
        assert rows["QUERY_HISTORY"]["STATUS"] == "COMPLETED" and rows["AGGREGATE"]["STATUS"] == "COMPLETED"

    # The view answers again; before the backoff has passed nothing is retried...
    timing_out["on"] = False
    pass_at(store, SETTINGS, LATE + backoff(1, SCALE) / 2)
    assert all(type_rows(store, run)["QUERY_INSIGHTS"]["STATUS"] == "PENDING" for run in standard)
    # ...after it, the retry completes and everything equals a run that never timed out.
    pass_at(store, SETTINGS, LATE + backoff(1, SCALE) + dt.timedelta(seconds=1))
    for run in standard:
        insights = type_rows(store, run)["QUERY_INSIGHTS"]
        assert insights["STATUS"] == "COMPLETED" and insights["ERROR_COUNT"] == 0 and insights["ATTEMPTS"] == 2
    assert results(store) == reference


def test_a_write_retried_after_its_commit_landed_doubles_nothing(tmp_path, monkeypatch, reference):
    """The commit of each enrichment lands, but its answer is lost (a reset connection), so the engine
    sees an error and enriches the same runs again later: the rows must come out exactly once."""
    store = seeded(tmp_path / "home")
    original = EmbeddedDb._run
    state = {"in_enrichment": False, "lost": 0}

    def lossy(db, sql, params):
        text = " ".join(sql.split()).upper()
        if "SNOWFLAKE.ACCOUNT_USAGE." in text:
            state["in_enrichment"] = True  # every enrichment transaction reads its view
        result = original(db, sql, params)
        if text == "COMMIT" and state["in_enrichment"]:
            state["in_enrichment"] = False
            state["lost"] += 1
            raise ConnectionResetError("Connection reset by peer while reading the answer to COMMIT")
        return result

    monkeypatch.setattr(EmbeddedDb, "_run", lossy)
    pass_at(store, SETTINGS, LATE)
    assert state["lost"] > 0
    with store.unit() as db:
        retrying = db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_TYPE_STATUS WHERE ERROR_COUNT = 1 AND STATUS = 'PENDING'")
    assert retrying > 0  # the engine saw the lost answers as errors and will retry those types

    monkeypatch.setattr(EmbeddedDb, "_run", original)
    pass_at(store, SETTINGS, LATE + dt.timedelta(hours=1))
    assert results(store) == reference  # every row exactly once, as if nothing had been lost

"""The engine on the demo world, with a simulated clock: every type runs when its own view has
landed, incomplete reads wait, non-applicable types say so, and re-running changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from enrichment.config import Settings
from enrichment.simulation.seed import seed_demo
from enrichment.store.port import Db
from enrichment.types import EnrichmentType
from tests.engine_helpers import SEEDED_AT, pass_at, table_snapshot, type_rows

SCALE = 0.05
SETTINGS = Settings(latency_scale=SCALE, lease_seconds=60)
LATE = SEEDED_AT + dt.timedelta(hours=30)  # every view of every run has landed by then


@pytest.fixture
def world(store):
    seed_demo(store, runs=20, seed=11, latency_scale=SCALE, now=SEEDED_AT)
    return store


@pytest.fixture(scope="module")
def enriched_world(tmp_path_factory):
    """One world, fully enriched once, shared by the tests that only read it (or rewrite it identically)."""
    from enrichment.schema import migrate
    from enrichment.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path_factory.mktemp("enriched"), "FLAKEBENCH", "TEST_RESULTS")
    migrate(store)
    seed_demo(store, runs=20, seed=11, latency_scale=SCALE, now=SEEDED_AT)
    pass_at(store, SETTINGS, LATE)
    return store


def runs_by(db: Db, table_type: str, status: str = "COMPLETED") -> list[dict]:
    return db.rows(
        "SELECT RUN_ID, END_TIME FROM TEST_RESULTS WHERE TEST_ID = RUN_ID AND TABLE_TYPE = ? AND STATUS = ? "
        "ORDER BY END_TIME DESC", [table_type, status])


def test_everything_reaches_a_final_state_and_nothing_completes_early(world):
    with world.unit() as db:
        recent_hybrid = runs_by(db, "HYBRID")[0]
        postgres = runs_by(db, "POSTGRES")[0]["RUN_ID"]
        failed = db.rows("SELECT RUN_ID FROM TEST_RESULTS WHERE TEST_ID = RUN_ID AND STATUS IN ('FAILED','CANCELLED') "
                         "AND TABLE_TYPE <> 'POSTGRES'")
    run_id, end = recent_hybrid["RUN_ID"], recent_hybrid["END_TIME"]

    # Right at the end of the run nothing has landed: every open type waits, nothing is written.
    pass_at(world, SETTINGS, end + dt.timedelta(seconds=1))
    types = type_rows(world, run_id)
    assert {t: r["STATUS"] for t, r in types.items()} == {
        "QUERY_HISTORY": "PENDING", "AGGREGATE": "PENDING", "LOCK_CONTENTION": "PENDING",
        "HYBRID_CREDITS": "NOT_APPLICABLE", "QUERY_INSIGHTS": "NOT_APPLICABLE"}
    assert all(r["EXPECTED_AT"] > end for t, r in types.items() if r["STATUS"] == "PENDING")
    assert table_snapshot(world, "AGGREGATE_QUERY_METRICS", run_id) == []

    # QUERY_HISTORY lands after 45 min (scaled): it completes before AGGREGATE, which lands after 3 h.
    qh_time = types["QUERY_HISTORY"]["EXPECTED_AT"] + dt.timedelta(seconds=1)
    assert qh_time < types["AGGREGATE"]["EXPECTED_AT"]
    pass_at(world, SETTINGS, qh_time)
    types = type_rows(world, run_id)
    assert types["QUERY_HISTORY"]["STATUS"] == "COMPLETED"
    assert types["AGGREGATE"]["STATUS"] == "PENDING"  # never COMPLETED on an incomplete read
    assert types["AGGREGATE"]["OUTCOME"] is None

    pass_at(world, SETTINGS, LATE)
    types = type_rows(world, run_id)
    assert types["AGGREGATE"]["STATUS"] == "COMPLETED" and types["AGGREGATE"]["COVERAGE"] == pytest.approx(1.0)
    assert types["LOCK_CONTENTION"]["STATUS"] == "COMPLETED"

    assert {r["STATUS"] for r in type_rows(world, postgres).values()} == {"NOT_APPLICABLE"}
    assert failed
    for row in failed:
        statuses = {r["STATUS"] for r in type_rows(world, row["RUN_ID"]).values()}
        assert statuses <= {"SKIPPED", "NOT_APPLICABLE"} and "SKIPPED" in statuses
    with world.unit() as db:
        open_jobs = db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_QUEUE WHERE STATUS IN ('PENDING','IN_PROGRESS')")
        no_null = db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_TYPE_STATUS WHERE STATUS IS NULL OR DETAIL IS NULL AND STATUS <> 'PENDING' AND STATUS <> 'COMPLETED'")
        mirrored = db.rows("SELECT DELAYED_ENRICHMENT_STATUS AS S FROM TEST_RESULTS WHERE TEST_ID = ?", [postgres])
    assert open_jobs == 0
    assert no_null == 0
    assert mirrored == [{"S": "NOT_APPLICABLE"}]


def test_aggregate_counts_calls_and_errors_and_matches_executions(enriched_world):
    world = enriched_world
    with world.unit() as db:
        for run in runs_by(db, "HYBRID")[:3]:
            run_id = run["RUN_ID"]
            calls = db.scalar("SELECT SUM(CALLS) FROM AGGREGATE_QUERY_METRICS WHERE RUN_ID = ?", [run_id])
            executions = db.scalar(
                "SELECT COUNT(*) FROM QUERY_EXECUTIONS WHERE WARMUP = FALSE AND TEST_ID IN "
                "(SELECT TEST_ID FROM TEST_RESULTS WHERE RUN_ID = ? AND TEST_ID <> RUN_ID)", [run_id])
            assert calls == executions
            errors = db.scalar("SELECT SUM(ERRORS_COUNT) FROM AGGREGATE_QUERY_METRICS WHERE RUN_ID = ?", [run_id])
            failed = db.scalar(
                "SELECT COUNT(*) FROM QUERY_EXECUTIONS WHERE WARMUP = FALSE AND SUCCESS = FALSE AND TEST_ID IN "
                "(SELECT TEST_ID FROM TEST_RESULTS WHERE RUN_ID = ? AND TEST_ID <> RUN_ID)", [run_id])
            assert errors == failed
            lo_hi = db.rows("SELECT ELAPSED_P95_EST_MS AS E, ELAPSED_BOUNDS:p95[0]::FLOAT AS LO, "
                            "ELAPSED_BOUNDS:p95[1]::FLOAT AS HI FROM AGGREGATE_QUERY_METRICS WHERE RUN_ID = ?", [run_id])
            assert lo_hi and all(r["LO"] <= r["E"] <= r["HI"] for r in lo_hi)


def test_running_every_enrichment_twice_leaves_the_same_rows(enriched_world):
    # The pass enriched the runs in batches; running each run again on its own (a batch of one) must
    # write exactly the same rows: batching changes how often views are read, never what is written.
    from enrichment.enrichers import ENRICHERS
    from enrichment.queue.run_facts import load_run_facts

    world = enriched_world
    tables = ["AGGREGATE_QUERY_INTERVALS", "AGGREGATE_QUERY_METRICS", "LOCK_CONTENTION_EVENTS",
              "HYBRID_TABLE_CREDITS", "QUERY_INSIGHTS_CACHE"]
    with world.unit() as db:
        run_ids = [r["RUN_ID"] for r in db.rows("SELECT RUN_ID FROM DELAYED_ENRICHMENT_QUEUE WHERE STATUS = 'COMPLETED'")]
        qe_before = db.rows("SELECT * FROM QUERY_EXECUTIONS ORDER BY EXECUTION_ID")
    before = {(t, r): table_snapshot(world, t, r) for t in tables for r in run_ids}
    assert any(before.values())
    completed = {r: [t for t, row in type_rows(world, r).items() if row["STATUS"] == "COMPLETED"] for r in run_ids}
    with world.unit() as db:
        for run_id in run_ids:
            facts = load_run_facts(db, run_id)
            for etype in completed[run_id]:
                with db.transaction():
                    ENRICHERS[EnrichmentType(etype)](db, [facts], LATE, SETTINGS)
        qe_after = db.rows("SELECT * FROM QUERY_EXECUTIONS ORDER BY EXECUTION_ID")
    after = {(t, r): table_snapshot(world, t, r) for t in tables for r in run_ids}
    assert after == before
    assert qe_after == qe_before

"""The batched engine: many runs per claim, each view read once per time chunk, the same rows as one
run at a time, and every write fenced per job on the batch's claim token."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from enrichment.config import Settings
from enrichment.enrichers.base import time_chunks
from enrichment.queue.claims import claim_due_jobs
from enrichment.queue.jobs import create_delayed_enrichment_jobs, runs_without_job
from enrichment.queue.readiness import Watermarks
from enrichment.queue.worker import process_jobs
from enrichment.schema import migrate
from enrichment.simulation.seed import seed_demo
from enrichment.store.embedded import EmbeddedDb, EmbeddedStore
from tests.engine_helpers import SEEDED_AT, freeze_views_at, pass_at, table_snapshot, type_rows

SCALE = 0.05
LATE = SEEDED_AT + dt.timedelta(hours=30)  # every view of every run has landed by then
RESULT_TABLES = ["AGGREGATE_QUERY_INTERVALS", "AGGREGATE_QUERY_METRICS", "LOCK_CONTENTION_EVENTS",
                 "HYBRID_TABLE_CREDITS", "QUERY_INSIGHTS_CACHE"]
ACCOUNT_USAGE = re.compile(r"SNOWFLAKE\.ACCOUNT_USAGE\.", re.IGNORECASE)


def seeded(path) -> EmbeddedStore:
    store = EmbeddedStore(path, "FLAKEBENCH", "TEST_RESULTS")
    migrate(store)
    seed_demo(store, runs=24, seed=5, latency_scale=SCALE, now=SEEDED_AT)
    return store


class StatementLog:
    """Every statement text the embedded adapter runs while active."""

    def __init__(self, monkeypatch) -> None:
        self.texts: list[str] = []
        original = EmbeddedDb._run

        def spy(db, sql, params):
            self.texts.append(sql)
            return original(db, sql, params)

        monkeypatch.setattr(EmbeddedDb, "_run", spy)

    def account_usage_reads(self) -> int:
        return sum(1 for text in self.texts if ACCOUNT_USAGE.search(text))


def everything(store: EmbeddedStore) -> dict:
    """Result rows, enriched execution columns, run summaries and type outcomes of every run."""
    with store.unit() as db:
        run_ids = [r["RUN_ID"] for r in db.rows("SELECT RUN_ID FROM TEST_RESULTS WHERE TEST_ID = RUN_ID ORDER BY RUN_ID")]
        executions = db.rows(
            "SELECT EXECUTION_ID, SF_PARTITIONS_SCANNED, SF_PARTITIONS_TOTAL, SF_BYTES_SPILLED_LOCAL, "
            "SF_BYTES_SPILLED_REMOTE, QUERY_PARAMETERIZED_HASH FROM QUERY_EXECUTIONS ORDER BY EXECUTION_ID")
        summaries = db.rows(
            "SELECT RUN_ID, DELAYED_ENRICHMENT_STATUS, AGGREGATE_ENRICHMENT_STATUS, THROTTLED_QUERY_COUNT, "
            "LOCK_WAIT_COUNT, LOCK_WAIT_TOTAL_MS, LOCK_WAIT_MAX_MS, HYBRID_CREDITS_USED, QUERY_INSIGHTS_COUNT, "
            "QUERY_INSIGHTS_HIGH_SEVERITY_COUNT FROM TEST_RESULTS WHERE TEST_ID = RUN_ID ORDER BY RUN_ID")
    outcomes = {run_id: {t: (r["STATUS"], r["OUTCOME"], r["COVERAGE"], r["ROWS_WRITTEN"], r["DETAIL"])
                         for t, r in type_rows(store, run_id).items()} for run_id in run_ids}
    tables = {(t, r): table_snapshot(store, t, r) for t in RESULT_TABLES for r in run_ids}
    return {"executions": executions, "summaries": summaries, "outcomes": outcomes, "tables": tables}


def test_a_batch_writes_what_one_run_at_a_time_writes_with_far_fewer_view_reads(tmp_path, monkeypatch):
    batched_store, single_store = seeded(tmp_path / "batched"), seeded(tmp_path / "single")
    log = StatementLog(monkeypatch)
    # One batch, one time chunk per type (the world's runs span February to November).
    pass_at(batched_store, Settings(latency_scale=SCALE, batch_size=100, chunk_hours=24 * 366), LATE)
    batched_reads = log.account_usage_reads()
    log.texts.clear()
    pass_at(single_store, Settings(latency_scale=SCALE, batch_size=1), LATE)
    single_reads = log.account_usage_reads()

    batched, single = everything(batched_store), everything(single_store)
    assert any(batched["tables"].values())
    assert batched == single
    # 27 runs: at most three watermark reads, then each type reads its view once (QUERY_HISTORY twice)
    # for the whole batch, against once or twice per run and type.
    assert batched_reads <= 3 + 2 + 1 + 1 + 1 + 1
    assert single_reads > 5 * batched_reads


def test_job_creation_takes_the_creation_lock_before_it_inserts(store, monkeypatch):
    seed_demo(store, runs=6, seed=3, latency_scale=SCALE, now=SEEDED_AT)
    log = StatementLog(monkeypatch)
    with store.unit() as db:
        created = create_delayed_enrichment_jobs(db, runs_without_job(db), settings=Settings(latency_scale=SCALE),
                                                 scale=SCALE, now=SEEDED_AT)
        holder = db.one("SELECT HOLDER, TAKEN_AT FROM ENRICHMENT_LOCKS WHERE NAME = 'JOB_CREATION'")
    assert created
    statements = [" ".join(line for line in text.splitlines() if not line.strip().startswith("--")).split()
                  for text in log.texts]
    heads = [" ".join(words[:3]).upper() for words in statements]
    begin, lock = heads.index("BEGIN"), heads.index("UPDATE ENRICHMENT_LOCKS SET")
    first_insert = heads.index("INSERT INTO DELAYED_ENRICHMENT_QUEUE")
    assert begin + 1 == lock < first_insert
    assert holder["TAKEN_AT"] == SEEDED_AT and holder["HOLDER"]


def test_a_job_taken_over_mid_batch_gets_none_of_the_batch_writes(store):
    """Runner A claims a batch; its lease runs out and runner B takes one job over. A's batch must
    leave that job's rows, results and run status alone, and still finish the others."""
    settings = Settings(latency_scale=SCALE)
    seed_demo(store, runs=10, seed=4, latency_scale=SCALE, now=SEEDED_AT)
    freeze_views_at(store, LATE)
    with store.unit() as db:
        create_delayed_enrichment_jobs(db, runs_without_job(db), settings=settings, scale=SCALE, now=LATE)
        token, jobs = claim_due_jobs(db, now=LATE, lease=dt.timedelta(minutes=10), limit=100, worker="A")
    assert len(jobs) >= 3
    stolen = jobs[1]["JOB_ID"]
    with store.unit() as db:
        db.execute("UPDATE DELAYED_ENRICHMENT_QUEUE SET CLAIM_TOKEN = 'runner-b', CLAIMED_BY = 'B' WHERE JOB_ID = ?",
                   [stolen])
        before_types = db.rows("SELECT * FROM DELAYED_ENRICHMENT_TYPE_STATUS WHERE JOB_ID = ? ORDER BY ENRICHMENT_TYPE",
                               [stolen])
        before_run = db.one("SELECT DELAYED_ENRICHMENT_STATUS FROM TEST_RESULTS WHERE TEST_ID = ?", [stolen])
        outcomes = process_jobs(db, jobs, token, now=LATE, settings=settings, scale=SCALE, watermarks=Watermarks(LATE))
        after_types = db.rows("SELECT * FROM DELAYED_ENRICHMENT_TYPE_STATUS WHERE JOB_ID = ? ORDER BY ENRICHMENT_TYPE",
                              [stolen])
        after_run = db.one("SELECT DELAYED_ENRICHMENT_STATUS FROM TEST_RESULTS WHERE TEST_ID = ?", [stolen])
        queue_row = db.one("SELECT CLAIM_TOKEN, STATUS FROM DELAYED_ENRICHMENT_QUEUE WHERE JOB_ID = ?", [stolen])
        others = db.rows("SELECT STATUS, CLAIM_TOKEN FROM DELAYED_ENRICHMENT_QUEUE WHERE JOB_ID <> ? AND STATUS <> 'PENDING'",
                         [stolen])
    by_job = {o.job_id: o for o in outcomes}
    assert by_job[stolen].lost_claim
    assert after_types == before_types
    assert after_run == before_run
    assert queue_row == {"CLAIM_TOKEN": "runner-b", "STATUS": "IN_PROGRESS"}
    for table in RESULT_TABLES:
        assert table_snapshot(store, table, stolen) == []
    assert not any(o.lost_claim for job_id, o in by_job.items() if job_id != stolen)
    assert others and all(r["CLAIM_TOKEN"] is None and r["STATUS"] != "IN_PROGRESS" for r in others)


@pytest.mark.parametrize("hours, expected", [(24, [["a", "b"], ["c"], ["d"]]), (100, [["a", "b", "c", "d"]]),
                                             (0.5, [["a"], ["b"], ["c"], ["d"]])])
def test_time_chunks_never_span_more_than_the_limit(hours, expected):
    t0 = dt.datetime(2026, 1, 1)
    windows = {"a": (t0, t0 + dt.timedelta(hours=1)), "b": (t0 + dt.timedelta(hours=5), t0 + dt.timedelta(hours=6)),
               "c": (t0 + dt.timedelta(hours=30), t0 + dt.timedelta(hours=31)),
               "d": (t0 + dt.timedelta(hours=60), t0 + dt.timedelta(hours=90))}  # longer than a day: alone
    chunks = time_chunks(["d", "c", "b", "a"], windows.get, hours)
    assert chunks == expected
    for chunk in chunks:
        if len(chunk) > 1:
            assert windows[chunk[-1]][1] - windows[chunk[0]][0] <= dt.timedelta(hours=hours)

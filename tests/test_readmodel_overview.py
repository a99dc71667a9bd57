"""The Overview read model on an empty store, before any job exists, and with a job."""

import datetime as dt

from enrichment.readmodels.overview import NO_JOB, count_parent_runs, load_overview

NOW = dt.datetime(2026, 11, 26, 14, 0)
INSERT_RUN = ("INSERT INTO TEST_RESULTS (TEST_ID, RUN_ID, TEST_NAME, SCENARIO_NAME, TABLE_NAME, TABLE_TYPE, STATUS, "
              "START_TIME, END_TIME, CONCURRENT_CONNECTIONS) VALUES (?, ?, ?, 's', 't', ?, 'COMPLETED', ?, ?, 1)")


def _runs(db):
    for test_id, run_id, table_type, minutes_ago in [("r1", "r1", "HYBRID", 30), ("w1", "r1", "HYBRID", 30),
                                                     ("r2", "r2", "STANDARD", 10)]:
        end = NOW - dt.timedelta(minutes=minutes_ago)
        db.execute(INSERT_RUN, [test_id, run_id, f"run {run_id}", table_type, end - dt.timedelta(minutes=5), end])


def test_empty_store(store):
    with store.unit() as db:
        overview = load_overview(db, NOW)
    assert overview.total_runs == 0 and overview.recent == [] and overview.upcoming == []
    assert overview.matrix.empty and overview.queued_runs == 0 and overview.waiting_types == 0


def test_runs_without_jobs_are_counted_as_no_job(store):
    with store.unit() as db:
        _runs(db)
        overview = load_overview(db, NOW)
        assert count_parent_runs(db) == 2  # the worker row w1 is not a run
    assert overview.total_runs == 2
    assert overview.runs_by_type == {"HYBRID": 1, "STANDARD": 1}
    assert list(overview.matrix.columns) == [NO_JOB, "TOTAL"]
    assert [r["RUN_ID"] for r in overview.recent] == ["r2", "r1"]  # most recent first
    assert {r["JOB_STATUS"] for r in overview.recent} == {NO_JOB}
    assert overview.upcoming == []


def test_waiting_types_and_next_landing(store):
    with store.unit() as db:
        _runs(db)
        db.execute("INSERT INTO DELAYED_ENRICHMENT_QUEUE (JOB_ID, TEST_ID, RUN_ID, STATUS) "
                   "VALUES ('j1', 'r1', 'r1', 'PENDING')")
        for kind, status, minutes in [("QUERY_HISTORY", "COMPLETED", -20), ("AGGREGATE_QUERY_HISTORY", "PENDING", 40),
                                      ("QUERY_INSIGHTS", "PENDING", -5)]:
            db.execute("INSERT INTO DELAYED_ENRICHMENT_TYPE_STATUS (JOB_ID, RUN_ID, ENRICHMENT_TYPE, STATUS, "
                       "EXPECTED_AT) VALUES ('j1', 'r1', ?, ?, ?)", [kind, status, NOW + dt.timedelta(minutes=minutes)])
        overview = load_overview(db, NOW)
    assert overview.queued_runs == 1
    assert overview.matrix.loc["HYBRID", "PENDING"] == 1 and overview.matrix.loc["STANDARD", NO_JOB] == 1
    run = next(r for r in overview.recent if r["RUN_ID"] == "r1")
    assert (run["TYPES_TOTAL"], run["TYPES_DONE"], run["TYPES_WAITING"]) == (3, 1, 2)
    assert run["NEXT_EXPECTED_AT"] == NOW + dt.timedelta(minutes=40)  # the overdue one is not "next"
    by_type = {u["ENRICHMENT_TYPE"]: u for u in overview.upcoming}
    assert by_type["AGGREGATE_QUERY_HISTORY"]["NEXT_EXPECTED_AT"] == NOW + dt.timedelta(minutes=40)
    assert by_type["QUERY_INSIGHTS"]["OVERDUE"] == 1 and by_type["QUERY_INSIGHTS"]["NEXT_EXPECTED_AT"] is None
    assert overview.waiting_types == 2

"""The demo world: deterministic, shaped like FlakeBench's real data, and consistent with the
simulated ACCOUNT_USAGE views in exactly the ways the enrichment engine relies on."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from enrichment.errors import UserFacingError
from enrichment.simulation.server_truth import INSIGHT_TOPIC
from enrichment.simulation.seed import seed_demo
from enrichment.simulation.workload import to_us
from enrichment.simulation.world import TABLE_TYPES, build_world
from enrichment.store.embedded import EmbeddedDb, EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 11, 26, 14, 0, 0)
SCALE = 0.02
FAR_FUTURE = dt.datetime(2031, 1, 1)
LIGHT = 0.2  # fewer executions per run where only seeding mechanics are tested
SIM = "SNOWFLAKE.ACCOUNT_USAGE_SIM"
VIEWS = ("QUERY_HISTORY", "AGGREGATE_QUERY_HISTORY", "LOCK_WAIT_HISTORY", "HYBRID_TABLE_USAGE_HISTORY",
         "QUERY_INSIGHTS")
# The complete documented list (snowflake-views.md §5).
DOCUMENTED_INSIGHTS = {
    "QUERY_INSIGHT_NO_FILTER_ON_TOP_OF_TABLE_SCAN", "QUERY_INSIGHT_INAPPLICABLE_FILTER_ON_TABLE_SCAN",
    "QUERY_INSIGHT_UNSELECTIVE_FILTER", "QUERY_INSIGHT_LIKE_WITH_LEADING_WILDCARD",
    "QUERY_INSIGHT_FILTER_WITH_CLUSTERING_KEY", "QUERY_INSIGHT_SEARCH_OPTIMIZATION_USED",
    "QUERY_INSIGHT_SNOWFLAKE_OPTIMA", "QUERY_INSIGHT_SEARCH_OPTIMIZATION_AND_SNOWFLAKE_OPTIMA",
    "QUERY_INSIGHT_SNOWFLAKE_OPTIMA_PLANNING_USED", "QUERY_INSIGHT_SNOWFLAKE_OPTIMA_PLANNING_OPPORTUNITY",
    "QUERY_INSIGHT_JOIN_WITH_NO_JOIN_CONDITION", "QUERY_INSIGHT_INEFFICIENT_JOIN_CONDITION",
    "QUERY_INSIGHT_NESTED_EXPLODING_JOIN", "QUERY_INSIGHT_EXPLODING_JOIN", "QUERY_INSIGHT_INEFFICIENT_AGGREGATE",
    "QUERY_INSIGHT_UNNECESSARY_UNION_DISTINCT", "QUERY_INSIGHT_REMOTE_SPILLAGE", "QUERY_INSIGHT_QUEUED_OVERLOAD",
}


@pytest.fixture(scope="module")
def world():
    return build_world(runs=20, seed=11, now=NOW, latency_scale=SCALE)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """One store seeded with runs=15 for the read-only SQL checks."""
    store = EmbeddedStore(tmp_path_factory.mktemp("seeded"), "FLAKEBENCH", "TEST_RESULTS")
    summary = seed_demo(store, runs=15, seed=3, now=NOW, latency_scale=SCALE)
    assert summary["runs"] == 15 + 3  # three extra historical hybrid runs
    return store


@contextmanager
def frozen(store_or_db, at: dt.datetime):
    """Freeze the simulated views' clock at `at` for the duration of the block."""
    store_or_db.execute(f"INSERT INTO {SIM}.SIM_CLOCK VALUES (?)", [at])
    try:
        yield
    finally:
        store_or_db.execute(f"DELETE FROM {SIM}.SIM_CLOCK")


def _parents(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["TEST_ID"] == frame["RUN_ID"]]


def _children(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["TEST_ID"] != frame["RUN_ID"]]


# --------------------------------------------------------------------------------------------------
# The world as frames
# --------------------------------------------------------------------------------------------------


def test_same_seed_gives_identical_frames_and_another_seed_does_not(world):
    again = build_world(runs=20, seed=11, now=NOW, latency_scale=SCALE)
    assert world.frames.keys() == again.frames.keys()
    for table, frame in world.frames.items():
        pd.testing.assert_frame_equal(frame, again[table], obj=table)
    other = build_world(runs=20, seed=12, now=NOW, latency_scale=SCALE, execution_scale=LIGHT)
    assert set(other["TEST_RESULTS"]["TEST_ID"]).isdisjoint(world["TEST_RESULTS"]["TEST_ID"])
    assert set(other["QUERY_EXECUTIONS"]["QUERY_ID"]).isdisjoint(world["QUERY_EXECUTIONS"]["QUERY_ID"])


def test_every_table_type_and_status_is_present(world):
    parents = _parents(world["TEST_RESULTS"])
    assert set(parents["TABLE_TYPE"]) == set(TABLE_TYPES)
    assert {"COMPLETED", "FAILED", "CANCELLED", "RUNNING"} <= set(parents["STATUS"])
    assert parents.loc[parents["STATUS"] == "FAILED", "FAILURE_REASON"].notna().all()
    # At least one completed run of each type, so every enrichment path has something to do.
    assert set(parents.loc[parents["STATUS"] == "COMPLETED", "TABLE_TYPE"]) == set(TABLE_TYPES)
    postgres = parents[parents["TABLE_TYPE"] == "POSTGRES"]
    assert postgres["WAREHOUSE"].isna().all()
    assert (postgres.loc[postgres["STATUS"] == "COMPLETED", "ENRICHMENT_STATUS"] == "SKIPPED").all()
    snowflake_done = parents[(parents["TABLE_TYPE"] != "POSTGRES") & (parents["STATUS"] == "COMPLETED")]
    assert (snowflake_done["ENRICHMENT_STATUS"] == "COMPLETED").all()


def test_runs_end_in_every_enrichment_state_and_never_in_the_future(world):
    parents = _parents(world["TEST_RESULTS"])
    ended = parents[parents["END_TIME"].notna()]
    assert (ended["END_TIME"] <= NOW).all()
    assert (world["QUERY_EXECUTIONS"]["END_TIME"] <= NOW).all()
    ago = NOW - ended["END_TIME"]
    landing = dt.timedelta(hours=12) * SCALE
    assert (ago <= landing).sum() >= 0.3 * 20  # late views still landing
    assert (ago <= dt.timedelta(minutes=2)).sum() >= 2  # ended about a minute ago
    assert ((ago >= dt.timedelta(hours=1)) & (ago <= dt.timedelta(hours=36))).sum() >= 0.45 * 20
    february = ended[ended["END_TIME"] < dt.datetime(2026, 3, 1)]
    assert len(february) == 3 and set(february["TABLE_TYPE"]) == {"HYBRID"}
    running = parents[parents["STATUS"] == "RUNNING"]
    assert len(running) == 1 and running["END_TIME"].isna().all()
    running_children = world["TEST_RESULTS"][world["TEST_RESULTS"]["RUN_ID"].isin(running["RUN_ID"])]
    assert not world["QUERY_EXECUTIONS"]["TEST_ID"].isin(running_children["TEST_ID"]).any()


def test_runs_are_a_parent_and_tagged_children(world):
    results = world["TEST_RESULTS"]
    parents, children = _parents(results), _children(results)
    assert parents["QUERY_TAG"].isna().all()
    assert (children["QUERY_TAG"] == "flakebench:test_id=" + children["TEST_ID"]).all()
    per_run = children.groupby("RUN_ID").size()
    assert per_run.between(2, 4).all() and set(per_run.index) == set(parents["RUN_ID"])
    # Every execution belongs to a child; its query text carries the kind marker after the first keyword.
    executions = world["QUERY_EXECUTIONS"]
    assert executions["TEST_ID"].isin(children["TEST_ID"]).all()
    markers = executions["QUERY_TEXT"].str.split(" ", n=2).str[1]
    assert (markers == "/*UB_KIND=" + executions["QUERY_KIND"]).all()
    assert executions["QUERY_ID"].is_unique
    failed_or_postgres = ~executions["SUCCESS"] | executions["WAREHOUSE"].isna()
    assert executions.loc[failed_or_postgres, "QUERY_ID"].str.startswith("LOCAL_").all()
    assert executions.loc[~failed_or_postgres, "QUERY_ID"].str.match(r"^01[0-9a-f]{6}-[0-9a-f]{4}-[0-9a-f]{4}-0000-[0-9a-f]{12}$").all()
    config = json.loads(parents["TEST_CONFIG"].iloc[0])
    assert {"database", "schema", "table_name", "table_type", "warehouse_name"} <= set(config["template_config"])
    scenario = json.loads(world["RUN_STATUS"]["SCENARIO_CONFIG"].iloc[0])
    assert {"table_name", "table_type", "warehouse", "database", "schema"} <= set(scenario["target"])


def test_parent_summary_comes_from_successful_measurement_executions(world):
    results, executions = world["TEST_RESULTS"], world["QUERY_EXECUTIONS"]
    run = _parents(results)[_parents(results)["STATUS"] == "COMPLETED"].iloc[0]
    mine = executions.merge(_children(results)[["TEST_ID", "RUN_ID"]], on="TEST_ID")
    mine = mine[(mine["RUN_ID"] == run["RUN_ID"]) & ~mine["WARMUP"]]
    assert run["TOTAL_OPERATIONS"] == len(mine)
    assert run["FAILED_OPERATIONS"] == (~mine["SUCCESS"]).sum()
    latency = mine.loc[mine["SUCCESS"], "APP_ELAPSED_MS"]
    assert run["P95_LATENCY_MS"] == pytest.approx(np.percentile(latency, 95))
    assert (executions["DURATION_MS"] == executions["APP_ELAPSED_MS"]).all()


def test_aggregate_objects_are_exact_statistics_of_their_executions(world):
    aggregate = world[f"{SIM}.AGGREGATE_QUERY_HISTORY_ROWS"]
    ours = aggregate[aggregate["QUERY_TAG"].fillna("").str.startswith("flakebench:")]
    row = ours.sort_values("CALLS", kind="stable").iloc[-1]  # the busiest group
    child = row["QUERY_TAG"].split("test_id=")[1].split(":")[0]
    minute = to_us(row["INTERVAL_START_TIME"].to_pydatetime())
    truth = world.truth
    group = truth[(truth["TEST_ID"] == child) & (truth["WARMUP"] == row["QUERY_TAG"].endswith("WARMUP"))
                  & (truth["QUERY_PARAMETERIZED_HASH"] == row["QUERY_PARAMETERIZED_HASH"])
                  & (truth["SERVER_START_US"] // 60_000_000 * 60_000_000 == minute)]
    assert row["CALLS"] == len(group) > 1
    for column in ("TOTAL_ELAPSED_TIME", "EXECUTION_TIME", "COMPILATION_TIME", "BYTES_SCANNED",
                   "PERCENTAGE_SCANNED_FROM_CACHE", "TRANSACTION_BLOCKED_TIME"):
        values = group[column].to_numpy(dtype=float)
        expected = {"sum": values.sum(), "avg": values.mean(), "stddev": values.std(), "min": values.min(),
                    "median": np.percentile(values, 50), "p90": np.percentile(values, 90),
                    "p99": np.percentile(values, 99), "p99.9": np.percentile(values, 99.9), "max": values.max()}
        stats = json.loads(row[column])
        if column == "PERCENTAGE_SCANNED_FROM_CACHE":
            expected.pop("sum")  # documented: no sum for this column
        assert set(stats) == set(expected), column
        for key, value in expected.items():
            assert stats[key] == pytest.approx(value, rel=1e-9, abs=1e-9), (column, key)
    errors = json.loads(row["ERRORS"])
    assert sum(e["count"] for e in errors) == (~group["SUCCESS"]).sum()
    assert all(isinstance(e["code"], str) for e in errors)


def test_both_phases_and_other_workloads_appear_in_the_aggregate_view(world):
    aggregate = world[f"{SIM}.AGGREGATE_QUERY_HISTORY_ROWS"]
    tags = aggregate["QUERY_TAG"].fillna("<none>")
    assert tags.str.endswith(":phase=WARMUP").any() and tags.str.endswith(":phase=RUNNING").any()
    background = aggregate[~tags.str.startswith("flakebench:")]
    assert background["INTERVAL_END_TIME"].max() >= NOW + dt.timedelta(hours=47)
    assert (aggregate["HYBRID_TABLE_REQUESTS_THROTTLED_COUNT"] > 0).any()


def test_no_hybrid_credits_from_march_2026(world):
    credits = world[f"{SIM}.HYBRID_TABLE_USAGE_HISTORY_ROWS"]
    assert len(credits) and (credits["CREDITS_USED"] > 0).all()
    assert (credits["END_TIME"] <= dt.datetime(2026, 3, 1)).all()
    assert (credits["OBJECT_TYPE"] == "ACCOUNT").all() and credits["OBJECT_NAME"].isna().all()
    assert (credits["START_TIME"].dt.minute == 0).all()


# --------------------------------------------------------------------------------------------------
# The seeded store, read through SQL and the simulated views
# --------------------------------------------------------------------------------------------------


def test_running_calls_equal_non_warmup_executions_for_every_snowflake_run(seeded):
    with frozen(seeded, FAR_FUTURE):
        rows = seeded.rows(
            """
            WITH children AS (
                SELECT TEST_ID, RUN_ID, QUERY_TAG FROM TEST_RESULTS WHERE TEST_ID <> RUN_ID
            ), client AS (
                SELECT c.RUN_ID, COUNT(*) AS EXECUTIONS
                FROM QUERY_EXECUTIONS q JOIN children c ON q.TEST_ID = c.TEST_ID
                WHERE q.WARMUP = FALSE GROUP BY c.RUN_ID
            ), server AS (
                SELECT c.RUN_ID, SUM(a.CALLS) AS CALLS
                FROM SNOWFLAKE.ACCOUNT_USAGE.AGGREGATE_QUERY_HISTORY a
                JOIN children c ON a.QUERY_TAG = c.QUERY_TAG || ?
                GROUP BY c.RUN_ID
            )
            SELECT p.RUN_ID, p.TABLE_TYPE, client.EXECUTIONS, server.CALLS
            FROM TEST_RESULTS p
            LEFT JOIN client ON client.RUN_ID = p.RUN_ID
            LEFT JOIN server ON server.RUN_ID = p.RUN_ID
            WHERE p.TEST_ID = p.RUN_ID AND p.TABLE_TYPE <> ? AND p.STATUS <> ?
            """,
            [":phase=RUNNING", "POSTGRES", "RUNNING"],
        )
    assert len(rows) >= 10
    for row in rows:
        assert row["EXECUTIONS"] and row["CALLS"] == row["EXECUTIONS"], row


def test_short_hybrid_queries_are_missing_from_query_history_but_counted_in_aggregate(seeded):
    with frozen(seeded, FAR_FUTURE):
        row = seeded.rows(
            """
            SELECT COUNT(DISTINCT q.QUERY_ID) AS EXECUTIONS,
                   COUNT(DISTINCT h.QUERY_ID) AS IN_HISTORY,
                   COUNT(DISTINCT CASE WHEN h.TOTAL_ELAPSED_TIME <= 500 THEN h.QUERY_ID END) AS SHORT_IN_HISTORY
            FROM QUERY_EXECUTIONS q
            JOIN TEST_RESULTS c ON c.TEST_ID = q.TEST_ID
            LEFT JOIN SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY h ON h.QUERY_ID = q.QUERY_ID
            WHERE c.TABLE_TYPE = ? AND q.SUCCESS
            """,
            ["HYBRID"],
        )[0]
        standard = seeded.rows(
            """
            SELECT COUNT(DISTINCT q.QUERY_ID) AS EXECUTIONS, COUNT(DISTINCT h.QUERY_ID) AS IN_HISTORY
            FROM QUERY_EXECUTIONS q
            JOIN TEST_RESULTS c ON c.TEST_ID = q.TEST_ID
            LEFT JOIN SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY h ON h.QUERY_ID = q.QUERY_ID
            WHERE c.TABLE_TYPE = ? AND q.SUCCESS
            """,
            ["STANDARD"],
        )[0]
    assert row["EXECUTIONS"] > 500
    assert row["IN_HISTORY"] < 0.05 * row["EXECUTIONS"]  # only the slow ones and a tiny sample
    assert row["SHORT_IN_HISTORY"] <= 0.005 * row["EXECUTIONS"] + 3
    assert standard["IN_HISTORY"] == standard["EXECUTIONS"]  # non-hybrid queries are all there


def test_query_history_has_duplicates_and_phase_tags(seeded):
    with frozen(seeded, FAR_FUTURE):
        rows = seeded.rows(
            "SELECT QUERY_ID, COUNT(*) AS N, MIN(QUERY_TAG) AS TAG FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY "
            "WHERE QUERY_TAG LIKE ? GROUP BY QUERY_ID",
            ["flakebench:test_id=%"],
        )
    assert any(r["N"] == 2 for r in rows)
    assert all(r["TAG"].endswith((":phase=WARMUP", ":phase=RUNNING")) for r in rows)


def test_lock_waits_are_long_row_locks_of_the_run_with_one_blocker_each(seeded, tmp_path):
    with frozen(seeded, FAR_FUTURE):
        locks = seeded.rows(
            f"""
            SELECT l.QUERY_ID, l.LOCK_TYPE, l.OBJECT_NAME, l.SCHEMA_ID, l.SCHEMA_NAME, l.BLOCKER_QUERIES,
                   DATEDIFF('millisecond', l.REQUESTED_AT, l.ACQUIRED_AT) AS WAIT_MS, c.RUN_ID, c.TABLE_TYPE,
                   h.TRANSACTION_BLOCKED_TIME
            FROM SNOWFLAKE.ACCOUNT_USAGE.LOCK_WAIT_HISTORY l
            LEFT JOIN QUERY_EXECUTIONS q ON q.QUERY_ID = l.QUERY_ID
            LEFT JOIN TEST_RESULTS c ON c.TEST_ID = q.TEST_ID
            LEFT JOIN (SELECT DISTINCT QUERY_ID, TRANSACTION_BLOCKED_TIME FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY) h
                   ON h.QUERY_ID = l.QUERY_ID
            """
        )
        run_of = {r["QUERY_ID"]: r["RUN_ID"] for r in seeded.rows(
            "SELECT q.QUERY_ID, c.RUN_ID FROM QUERY_EXECUTIONS q JOIN TEST_RESULTS c ON c.TEST_ID = q.TEST_ID")}
    assert locks, "some hybrid run should have row-lock waits"
    for lock in locks:
        assert (lock["LOCK_TYPE"], lock["OBJECT_NAME"], lock["SCHEMA_ID"], lock["SCHEMA_NAME"]) == ("ROW", "ROW", 0, None)
        assert lock["TABLE_TYPE"] == "HYBRID" and lock["RUN_ID"] is not None  # the waiter is one of the run's queries
        assert lock["WAIT_MS"] >= 5000
        assert lock["TRANSACTION_BLOCKED_TIME"] == lock["WAIT_MS"]
        blockers = json.loads(lock["BLOCKER_QUERIES"])
        assert len(blockers) == 1 and blockers[0]["is_snowflake"] is False
        assert run_of[blockers[0]["query_id"]] == lock["RUN_ID"]


def test_short_lock_waits_are_not_listed(world):
    truth = world.truth
    short = truth[(truth["TABLE_TYPE"] == "HYBRID") & (truth["TRANSACTION_BLOCKED_TIME"] >= 500)
                  & (truth["TRANSACTION_BLOCKED_TIME"] < 5000)]
    assert len(short)
    listed = set(world[f"{SIM}.LOCK_WAIT_HISTORY_ROWS"]["QUERY_ID"])
    assert listed and not listed & set(short["QUERY_ID"])


def test_insights_only_for_standard_and_dynamic_runs_and_documented_types(seeded):
    with frozen(seeded, FAR_FUTURE):
        rows = seeded.rows(
            """
            SELECT i.INSIGHT_TYPE_ID, i.INSIGHT_TOPIC, i.IS_OPPORTUNITY, c.TABLE_TYPE
            FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_INSIGHTS i
            LEFT JOIN QUERY_EXECUTIONS q ON q.QUERY_ID = i.QUERY_ID
            LEFT JOIN TEST_RESULTS c ON c.TEST_ID = q.TEST_ID
            """
        )
    assert rows
    for row in rows:
        assert row["TABLE_TYPE"] in ("STANDARD", "DYNAMIC")
        assert row["INSIGHT_TYPE_ID"] in DOCUMENTED_INSIGHTS
        assert row["INSIGHT_TOPIC"] == INSIGHT_TOPIC[row["INSIGHT_TYPE_ID"]]
        assert row["IS_OPPORTUNITY"] == (row["INSIGHT_TYPE_ID"] != "QUERY_INSIGHT_FILTER_WITH_CLUSTERING_KEY")


def test_hybrid_credits_stop_before_march_2026(seeded):
    with frozen(seeded, FAR_FUTURE):
        row = seeded.rows(
            "SELECT COUNT(*) AS N, MAX(END_TIME) AS LAST, "
            "COUNT(CASE WHEN START_TIME >= ? THEN 1 END) AS AFTER_BILLING_ENDED "
            "FROM SNOWFLAKE.ACCOUNT_USAGE.HYBRID_TABLE_USAGE_HISTORY",
            [dt.datetime(2026, 3, 1)],
        )[0]
    assert row["N"] > 24 and row["AFTER_BILLING_ENDED"] == 0 and row["LAST"] <= dt.datetime(2026, 3, 1)


def test_rows_are_invisible_before_they_land_and_visible_after(seeded):
    with seeded.unit() as db:
        for view in VIEWS:
            landing = [r["SIM_VISIBLE_AT"] for r in db.rows(
                f"SELECT SIM_VISIBLE_AT FROM {SIM}.{view}_ROWS ORDER BY SIM_VISIBLE_AT")]
            assert landing, view
            middle = landing[len(landing) // 2]
            for at in (middle - dt.timedelta(microseconds=1), middle):
                with frozen(db, at):
                    shown = db.scalar(f"SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.{view}")
                assert shown == sum(1 for t in landing if t <= at), (view, at)


def test_an_early_read_sees_only_part_of_the_latest_run(seeded):
    """Right after seeding, the run that ended a minute ago has some of its minutes landed, not all."""
    calls_sql = """
        SELECT SUM(a.CALLS) FROM SNOWFLAKE.ACCOUNT_USAGE.AGGREGATE_QUERY_HISTORY a
        JOIN TEST_RESULTS c ON a.QUERY_TAG = c.QUERY_TAG || ?
        WHERE c.RUN_ID = (SELECT RUN_ID FROM TEST_RESULTS WHERE TEST_ID = RUN_ID AND END_TIME IS NOT NULL
                          ORDER BY END_TIME DESC LIMIT 1)
    """
    with seeded.unit() as db:
        with frozen(db, NOW):
            early = db.scalar(calls_sql, [":phase=RUNNING"]) or 0
        with frozen(db, FAR_FUTURE):
            complete = db.scalar(calls_sql, [":phase=RUNNING"])
    assert 0 <= early < complete


# --------------------------------------------------------------------------------------------------
# Seeding and the CLI
# --------------------------------------------------------------------------------------------------


def _counts(store) -> dict[str, int]:
    tables = ("TEST_RESULTS", "QUERY_EXECUTIONS", "DELAYED_ENRICHMENT_QUEUE", f"{SIM}.QUERY_HISTORY_ROWS",
              f"{SIM}.AGGREGATE_QUERY_HISTORY_ROWS", f"{SIM}.LOCK_WAIT_HISTORY_ROWS")
    with store.unit() as db:
        return {t: db.scalar(f"SELECT COUNT(*) FROM {t}") for t in tables}


def test_seed_refuses_an_occupied_store_and_replace_swaps_everything_or_nothing(store, monkeypatch):
    seed_demo(store, runs=15, seed=1, now=NOW, latency_scale=SCALE, execution_scale=LIGHT)
    before = {r["TEST_ID"] for r in store.rows("SELECT TEST_ID FROM TEST_RESULTS")}
    with pytest.raises(UserFacingError, match=r"already holds 18 runs; pass --replace"):
        seed_demo(store, runs=15, seed=2, now=NOW, latency_scale=SCALE, execution_scale=LIGHT)
    store.execute("INSERT INTO DELAYED_ENRICHMENT_QUEUE (JOB_ID, TEST_ID, RUN_ID, STATUS) VALUES (?, ?, ?, ?)",
                  ["job", "run", "run", "PENDING"])
    old = _counts(store)

    # A replace that fails part-way (here: writing QUERY_EXECUTIONS) leaves the old world intact.
    original = EmbeddedDb.bulk_insert

    def failing(self, table, frame):
        if table == "QUERY_EXECUTIONS":
            raise RuntimeError("disk full")
        return original(self, table, frame)

    monkeypatch.setattr(EmbeddedDb, "bulk_insert", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        seed_demo(store, runs=16, seed=2, now=NOW, latency_scale=SCALE, replace=True, execution_scale=LIGHT)
    monkeypatch.undo()
    assert _counts(store) == old
    assert store.rows(f"SELECT SEED FROM {SIM}.SIM_SETTINGS") == [{"SEED": 1}]

    # A replace that succeeds swaps every row: FlakeBench's, the views' and the product's own.
    summary = seed_demo(store, runs=16, seed=2, now=NOW, latency_scale=SCALE, replace=True, execution_scale=LIGHT)
    after = {r["TEST_ID"] for r in store.rows("SELECT TEST_ID FROM TEST_RESULTS")}
    assert summary["runs"] == 16 + 3 and before.isdisjoint(after)
    assert store.rows("SELECT * FROM DELAYED_ENRICHMENT_QUEUE") == []
    assert store.rows(f"SELECT SEED, RUNS, LATENCY_SCALE FROM {SIM}.SIM_SETTINGS") == [
        {"SEED": 2, "RUNS": 16, "LATENCY_SCALE": SCALE}]
    leftover = store.rows(
        f"SELECT COUNT(*) AS N FROM {SIM}.AGGREGATE_QUERY_HISTORY_ROWS a "
        f"WHERE a.QUERY_TAG LIKE ? AND NOT EXISTS (SELECT 1 FROM TEST_RESULTS c WHERE a.QUERY_TAG LIKE c.QUERY_TAG || ?)",
        ["flakebench:%", ":phase=%"],
    )[0]["N"]
    assert leftover == 0  # no simulated row of the old world is left


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ENRICHMENT_HOME": str(home), "PYTHONPATH": str(ROOT)}
    env.pop("ENRICHMENT_BACKEND", None)
    return subprocess.run([sys.executable, "-m", "enrichment.demo", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_seeds_once_then_refuses_in_one_sentence(tmp_path):
    first = _cli(tmp_path, "seed", "--runs", "15")
    assert first.returncode == 0, first.stderr
    assert "Seeded 18 runs" in first.stdout
    second = _cli(tmp_path, "seed", "--runs", "15")
    assert second.returncode == 2
    assert second.stderr.strip().count("\n") == 0 and "Traceback" not in second.stderr
    assert "--replace" in second.stderr
    reset = _cli(tmp_path, "reset")
    assert reset.returncode == 0 and "Removed" in reset.stdout
    assert not any((tmp_path / "db").iterdir())


@pytest.mark.parametrize("args", [
    ["seed", "--runs", "-1"],
    ["seed", "--runs", "20001"],
    ["seed", "--runs", "many"],
    ["seed", "--latency-scale", "0"],
    ["seed", "--latency-scale", "-0.5"],
    ["launch"],
])
def test_cli_rejects_bad_arguments_in_one_sentence(tmp_path, monkeypatch, capsys, args):
    from enrichment import demo

    monkeypatch.setenv("ENRICHMENT_HOME", str(tmp_path))
    monkeypatch.delenv("ENRICHMENT_BACKEND", raising=False)
    assert demo.main(args) == 2
    err = capsys.readouterr().err
    assert err.strip() and err.strip().count("\n") == 0 and "Traceback" not in err


def test_cli_refuses_a_snowflake_backend(tmp_path, monkeypatch, capsys):
    from enrichment import demo

    monkeypatch.setenv("ENRICHMENT_HOME", str(tmp_path))
    monkeypatch.setenv("ENRICHMENT_BACKEND", "snowflake")
    assert demo.main(["seed"]) == 2
    assert "embedded" in capsys.readouterr().err


def test_cli_bad_arguments_exit_2_in_a_subprocess(tmp_path):
    result = _cli(tmp_path, "seed", "--runs", "-3")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0

"""The demo world's SNOWFLAKE.ACCOUNT_USAGE rows, derived from the simulated executions.

Every row here follows from the execution "truth" that workload.py drew, the way Snowflake would
record it, including what Snowflake leaves out:

* QUERY_HISTORY: one row per Snowflake execution, except short hybrid queries (kept only over 500 ms
  or by a 0.1% sample); failed statements carry the server's query id, which the client never saw.
  About 1% of rows are exact duplicates, as on real accounts.
* AGGREGATE_QUERY_HISTORY: one row per (minute of server START_TIME, parameterized hash, session,
  query tag). CALLS counts every execution, failed ones too, and each OBJECT column holds exact
  statistics of the group: sum, avg, population stddev, min, max, and median/p90/p99/p99.9 by linear
  interpolation between order statistics (numpy's default, SQL's PERCENTILE_CONT).
* LOCK_WAIT_HISTORY: hybrid row-lock waits of 5 s or more, one row per blocker.
* HYBRID_TABLE_USAGE_HISTORY: account-level hourly credits, only before 2026-03-01 (when Snowflake
  stopped metering hybrid-table requests).
* QUERY_INSIGHTS: documented insight types, for standard and dynamic tables only.
* Background activity of other workloads, one query and one aggregate row a minute, so that the
  latest data a dense view holds keeps moving like on a real account.

Each row gets SIM_VISIBLE_AT = its event time + the view's documented latency * latency_scale *
uniform(JITTER_LOW, 1); the simulated views hide it until then.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd

from enrichment.simulation.documented_columns import DOCUMENTED_COLUMNS
from enrichment.simulation.latency import JITTER_LOW, scaled_latency
from enrichment.simulation.workload import (
    SNOWFLAKE_ERRORS,
    Ids,
    RunPlan,
    from_us,
    md5_hex,
    stable_id,
    to_us,
)

SIM = "SNOWFLAKE.ACCOUNT_USAGE_SIM"
QUERY_HISTORY_ROWS = f"{SIM}.QUERY_HISTORY_ROWS"
AGGREGATE_ROWS = f"{SIM}.AGGREGATE_QUERY_HISTORY_ROWS"
LOCK_WAIT_ROWS = f"{SIM}.LOCK_WAIT_HISTORY_ROWS"
HYBRID_USAGE_ROWS = f"{SIM}.HYBRID_TABLE_USAGE_HISTORY_ROWS"
INSIGHTS_ROWS = f"{SIM}.QUERY_INSIGHTS_ROWS"

HYBRID_BILLING_ENDED = dt.datetime(2026, 3, 1)
RELEASE_VERSION = "9.38.2"
USER_NAME = "FLAKEBENCH_SVC"
ROLE_NAME = "FLAKEBENCH_ROLE"
QUERY_TYPE = {"POINT_LOOKUP": "SELECT", "RANGE_SCAN": "SELECT", "GENERIC_SQL": "SELECT",
              "INSERT": "INSERT", "UPDATE": "UPDATE"}
WAREHOUSE_SIZE_SHOWN = {"XSMALL": "X-Small", "SMALL": "Small", "MEDIUM": "Medium", "LARGE": "Large",
                        "XLARGE": "X-Large"}

# Per-execution measures that AGGREGATE_QUERY_HISTORY summarizes as OBJECTs.
MEASURES = (
    "TOTAL_ELAPSED_TIME", "BYTES_SCANNED", "PERCENTAGE_SCANNED_FROM_CACHE", "BYTES_WRITTEN",
    "BYTES_WRITTEN_TO_RESULT", "ROWS_PRODUCED", "ROWS_INSERTED", "ROWS_UPDATED", "PARTITIONS_SCANNED",
    "PARTITIONS_TOTAL", "BYTES_SPILLED_TO_LOCAL_STORAGE", "BYTES_SPILLED_TO_REMOTE_STORAGE",
    "COMPILATION_TIME", "EXECUTION_TIME", "QUEUED_PROVISIONING_TIME", "QUEUED_OVERLOAD_TIME",
    "TRANSACTION_BLOCKED_TIME", "QUERY_LOAD_PERCENT",
)
NO_SUM = {"PERCENTAGE_SCANNED_FROM_CACHE", "QUERY_LOAD_PERCENT", "QUERY_ACCELERATION_UPPER_LIMIT_SCALE_FACTOR"}
OBJECT_COLUMNS = tuple(n for n, t in DOCUMENTED_COLUMNS["AGGREGATE_QUERY_HISTORY"] if t == "OBJECT")
# OBJECT columns nothing in the workload produces (external functions, data transfer, ...): all zeros.
ZERO_MEASURES = tuple(n for n in OBJECT_COLUMNS if n not in MEASURES)
STAT_KEYS = ("sum", "avg", "stddev", "min", "median", "p90", "p99", "p99.9", "max")
QUANTILES = {"median": 0.5, "p90": 0.9, "p99": 0.99, "p99.9": 0.999}

INSIGHT_TOPIC = {
    "QUERY_INSIGHT_NO_FILTER_ON_TOP_OF_TABLE_SCAN": "TABLE_SCAN",
    "QUERY_INSIGHT_UNSELECTIVE_FILTER": "TABLE_SCAN",
    "QUERY_INSIGHT_LIKE_WITH_LEADING_WILDCARD": "TABLE_SCAN",
    "QUERY_INSIGHT_FILTER_WITH_CLUSTERING_KEY": "TABLE_SCAN",
    "QUERY_INSIGHT_EXPLODING_JOIN": "JOIN",
    "QUERY_INSIGHT_REMOTE_SPILLAGE": "WAREHOUSE",
    "QUERY_INSIGHT_QUEUED_OVERLOAD": "WAREHOUSE",
}
INSIGHT_SUGGESTIONS = {
    "QUERY_INSIGHT_NO_FILTER_ON_TOP_OF_TABLE_SCAN": ["Add a WHERE clause so that fewer rows are read."],
    "QUERY_INSIGHT_UNSELECTIVE_FILTER": ["Use a more selective filter.",
                                         "Consider a clustering key on the filtered column."],
    "QUERY_INSIGHT_LIKE_WITH_LEADING_WILDCARD": ["Avoid a leading wildcard in LIKE patterns.",
                                                 "Consider search optimization for substring searches."],
    "QUERY_INSIGHT_FILTER_WITH_CLUSTERING_KEY": [],
    "QUERY_INSIGHT_EXPLODING_JOIN": ["Check the join condition; the join produces many more rows than it reads."],
    "QUERY_INSIGHT_REMOTE_SPILLAGE": ["Use a larger warehouse.", "Process the data in smaller batches."],
    "QUERY_INSIGHT_QUEUED_OVERLOAD": ["Enable multi-cluster scaling or use a larger warehouse.",
                                      "Spread the workload over more warehouses."],
}

BACKGROUND_WORKLOADS = (
    # (query tag, user, warehouse, statement)
    ("nightly_etl", "ETL_SVC", "ETL_WH",
     "INSERT INTO ANALYTICS.CORE.ORDERS_DAILY SELECT order_date, SUM(amount) FROM RAW.SALES.ORDERS "
     "WHERE order_date >= '2026-01-01' GROUP BY order_date"),
    (None, "ANALYST_JANE", "BI_WH", "SELECT region, COUNT(*) FROM ANALYTICS.CORE.CUSTOMERS WHERE active = TRUE GROUP BY region"),
    ("dbt:model=fct_revenue", "DBT_SVC", "TRANSFORM_WH",
     "CREATE OR REPLACE TABLE ANALYTICS.MARTS.FCT_REVENUE AS SELECT * FROM ANALYTICS.CORE.ORDERS_DAILY"),
    ("looker:dashboard=42", "LOOKER_SVC", "BI_WH",
     "SELECT week, SUM(revenue) FROM ANALYTICS.MARTS.FCT_REVENUE WHERE week >= '2026-06-01' GROUP BY week"),
)


def build_server_truth(rng: np.random.Generator, ids: Ids, plans: list[RunPlan], truth: pd.DataFrame,
                       now: dt.datetime, scale: float) -> dict[str, pd.DataFrame]:
    plan_by_run = {p.run_id: p for p in plans}
    served = truth[truth["TABLE_TYPE"] != "POSTGRES"].reset_index(drop=True)
    nothing = pd.DataFrame()
    if len(served):
        query_history = _query_history(rng, served, plan_by_run, scale)
        aggregate = _aggregate(rng, served, plan_by_run, scale)
        locks = _lock_waits(rng, served, plan_by_run, scale)
        insights = _insights(rng, served, plan_by_run, scale)
    else:
        query_history = aggregate = locks = insights = nothing
    credits = _hybrid_credits(rng, plans, truth, now, scale)
    background_qh, background_aqh = _background(rng, ids, plans, now, scale)
    return {
        QUERY_HISTORY_ROWS: _ordered(pd.concat([query_history, background_qh], ignore_index=True), "QUERY_HISTORY"),
        AGGREGATE_ROWS: _ordered(pd.concat([aggregate, background_aqh], ignore_index=True), "AGGREGATE_QUERY_HISTORY"),
        LOCK_WAIT_ROWS: _ordered(locks, "LOCK_WAIT_HISTORY"),
        HYBRID_USAGE_ROWS: _ordered(credits, "HYBRID_TABLE_USAGE_HISTORY"),
        INSIGHTS_ROWS: _ordered(insights, "QUERY_INSIGHTS"),
    }


def _ordered(frame: pd.DataFrame, view: str) -> pd.DataFrame:
    """All documented columns (missing ones NULL) in documented order, then SIM_VISIBLE_AT.

    Whole-number NUMBER columns that picked up NULLs are kept as integers (not floats, which would
    round large ids such as TRANSACTION_ID).
    """
    documented = DOCUMENTED_COLUMNS[view]
    frame = frame.reindex(columns=[name for name, _ in documented] + ["SIM_VISIBLE_AT"]).reset_index(drop=True)
    for name, kind in documented:
        values = frame[name]
        if kind == "NUMBER" and values.dtype == float and np.all(values.dropna() % 1 == 0):
            frame[name] = values.astype("Int64")
    return frame


def _visible_at(rng: np.random.Generator, event_us: np.ndarray, view: str, scale: float) -> np.ndarray:
    latency_us = scaled_latency(view, scale) / dt.timedelta(microseconds=1)
    delay = np.round(latency_us * rng.uniform(JITTER_LOW, 1.0, len(event_us))).astype(np.int64)
    return from_us(np.asarray(event_us, dtype=np.int64) + delay)


def _phase_tags(frame: pd.DataFrame) -> np.ndarray:
    phase = np.where(frame["WARMUP"].to_numpy(), ":phase=WARMUP", ":phase=RUNNING")
    return ("flakebench:test_id=" + frame["TEST_ID"].astype(str) + phase).to_numpy()


def _target_columns(frame: pd.DataFrame, plan_by_run: dict[str, RunPlan]) -> dict[str, list]:
    """Database, schema and warehouse columns of each row's run target."""
    targets = [plan_by_run[r].target for r in frame["RUN_ID"]]
    return {
        "DATABASE_ID": [t.database_id for t in targets],
        "DATABASE_NAME": [t.database for t in targets],
        "SCHEMA_ID": [t.schema_id for t in targets],
        "SCHEMA_NAME": [t.schema for t in targets],
        "WAREHOUSE_ID": [t.warehouse_id for t in targets],
        "WAREHOUSE_NAME": [t.warehouse for t in targets],
        "WAREHOUSE_SIZE": [WAREHOUSE_SIZE_SHOWN.get(t.warehouse_size, t.warehouse_size) for t in targets],
        "WAREHOUSE_TYPE": ["STANDARD"] * len(targets),
    }


# --------------------------------------------------------------------------------------------------
# QUERY_HISTORY
# --------------------------------------------------------------------------------------------------


def _query_history(rng, served: pd.DataFrame, plan_by_run, scale) -> pd.DataFrame:
    rows = served[served["IN_QUERY_HISTORY"]].reset_index(drop=True)
    ok = rows["SUCCESS"].to_numpy()
    qh = pd.DataFrame({
        "QUERY_ID": rows["SERVER_QUERY_ID"],
        "QUERY_TEXT": rows["QUERY_TEXT"],
        **_target_columns(rows, plan_by_run),
        "QUERY_TYPE": rows["QUERY_KIND"].map(QUERY_TYPE),
        "SESSION_ID": rows["SESSION_ID"],
        "AUTHN_EVENT_ID": rows["SESSION_ID"] // 1000 + 7,
        "USER_NAME": USER_NAME,
        "ROLE_NAME": ROLE_NAME,
        "CLUSTER_NUMBER": rows["CLUSTER_NUMBER"],
        "QUERY_TAG": _phase_tags(rows),
        "EXECUTION_STATUS": np.where(ok, "SUCCESS", "FAIL"),
        "ERROR_CODE": pd.array([None if c is None else int(c) for c in rows["ERROR_CODE"]], dtype="Int64"),
        "ERROR_MESSAGE": rows["ERROR_MESSAGE"],
        "START_TIME": from_us(rows["SERVER_START_US"]),
        "END_TIME": from_us(rows["SERVER_END_US"]),
        "BYTES_READ_FROM_RESULT": 0,
        "ROWS_DELETED": 0,
        "ROWS_UNLOADED": 0,
        "BYTES_DELETED": 0,
        "BYTES_SENT_OVER_THE_NETWORK": 0,
        "QUEUED_REPAIR_TIME": 0,
        "CREDITS_USED_CLOUD_SERVICES": 0,
        "RELEASE_VERSION": RELEASE_VERSION,
        "IS_CLIENT_GENERATED_STATEMENT": False,
        "TRANSACTION_ID": rows["TRANSACTION_ID"],
        "CHILD_QUERIES_WAIT_TIME": 0,
        "ROLE_TYPE": "ROLE",
        "QUERY_HASH": rows["QUERY_HASH"],
        "QUERY_HASH_VERSION": 2,
        "QUERY_PARAMETERIZED_HASH": rows["QUERY_PARAMETERIZED_HASH"],
        "QUERY_PARAMETERIZED_HASH_VERSION": 1,
        "ROWS_WRITTEN_TO_RESULT": np.where(rows["QUERY_KIND"].isin(["INSERT", "UPDATE"]), 1, rows["ROWS_PRODUCED"]),
        "QUERY_RETRY_TIME": 0,
        "FAULT_HANDLING_TIME": 0,
        "SIM_VISIBLE_AT": _visible_at(rng, rows["SERVER_END_US"].to_numpy(), "QUERY_HISTORY", scale),
    })
    for name in MEASURES:
        qh[name] = rows[name].to_numpy()
    # Real accounts show the odd exact duplicate row; readers must de-duplicate by QUERY_ID.
    duplicated = qh[rng.random(len(qh)) < 0.01]
    return pd.concat([qh, duplicated], ignore_index=True)


# --------------------------------------------------------------------------------------------------
# AGGREGATE_QUERY_HISTORY
# --------------------------------------------------------------------------------------------------


def group_stats(values: np.ndarray, group: np.ndarray) -> dict[str, np.ndarray]:
    """Exact per-group statistics of each column of `values` (rows sorted by `group`).

    Returns key -> array (groups x columns). Quantiles interpolate linearly between order statistics.
    """
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    counts = np.diff(np.r_[starts, len(group)])
    sums = np.add.reduceat(values, starts, axis=0)
    mean = sums / counts[:, None]
    deviation = values - np.repeat(mean, counts, axis=0)
    stddev = np.sqrt(np.add.reduceat(deviation * deviation, starts, axis=0) / counts[:, None])
    ordered = np.empty_like(values)
    for j in range(values.shape[1]):
        ordered[:, j] = values[np.lexsort((values[:, j], group)), j]
    out = {"sum": sums, "avg": mean, "stddev": stddev, "min": ordered[starts], "max": ordered[starts + counts - 1]}
    for key, q in QUANTILES.items():
        position = (counts - 1) * q
        low = np.floor(position).astype(np.int64)
        high = np.minimum(low + 1, counts - 1)
        fraction = (position - low)[:, None]
        a, b = ordered[starts + low], ordered[starts + high]
        out[key] = a + (b - a) * fraction
    return out


def _json_numbers(values: np.ndarray) -> list[str]:
    """One JSON number per value; a column of whole numbers is written without fractions."""
    if not len(values):
        return []
    if np.all(values == np.round(values)) and np.all(np.abs(values) < 2**53):
        values = values.astype(np.int64)
    return json.dumps(values.tolist())[1:-1].split(", ")


def _zero_object(column: str) -> str:
    keys = STAT_KEYS[1:] if column in NO_SUM else STAT_KEYS
    return "{" + ", ".join(f'"{k}": 0' for k in keys) + "}"


def _objects_frame(values: np.ndarray, group: np.ndarray, measures: tuple[str, ...]) -> pd.DataFrame:
    """One OBJECT column (JSON text) per measure, one row per group; unproduced measures all zero."""
    stats = group_stats(values, group)
    n_groups = stats["sum"].shape[0]
    columns = {}
    for j, name in enumerate(measures):
        s, a, sd, lo, med, p90, p99, p999, hi = (_json_numbers(stats[k][:, j]) for k in STAT_KEYS)
        if name in NO_SUM:
            columns[name] = [
                f'{{"avg": {v[0]}, "stddev": {v[1]}, "min": {v[2]}, "median": {v[3]}, "p90": {v[4]}, '
                f'"p99": {v[5]}, "p99.9": {v[6]}, "max": {v[7]}}}'
                for v in zip(a, sd, lo, med, p90, p99, p999, hi)
            ]
        else:
            columns[name] = [
                f'{{"sum": {v[0]}, "avg": {v[1]}, "stddev": {v[2]}, "min": {v[3]}, "median": {v[4]}, '
                f'"p90": {v[5]}, "p99": {v[6]}, "p99.9": {v[7]}, "max": {v[8]}}}'
                for v in zip(s, a, sd, lo, med, p90, p99, p999, hi)
            ]
    for name in ZERO_MEASURES:
        columns[name] = _zero_object(name)
    return pd.DataFrame(columns, index=range(n_groups))


def _aggregate(rng, served: pd.DataFrame, plan_by_run, scale) -> pd.DataFrame:
    frame = served.copy()
    frame["QUERY_TAG"] = _phase_tags(frame)
    minute_us = 60_000_000
    frame["INTERVAL_US"] = frame["SERVER_START_US"] // minute_us * minute_us
    keys = ["INTERVAL_US", "QUERY_PARAMETERIZED_HASH", "SESSION_ID", "QUERY_TAG"]
    frame = frame.sort_values(keys + ["SERVER_START_US"], kind="stable").reset_index(drop=True)
    group = frame.groupby(keys, sort=False).ngroup().to_numpy()
    objects = _objects_frame(frame[list(MEASURES)].to_numpy(dtype=float), group, MEASURES)

    first = frame.drop_duplicates(keys).reset_index(drop=True)  # one row per group, in group order
    calls = np.bincount(group)
    interval_us = first["INTERVAL_US"].to_numpy()
    rows = pd.DataFrame({
        "CALLS": calls,
        "INTERVAL_START_TIME": from_us(interval_us),
        "INTERVAL_END_TIME": from_us(interval_us + minute_us),
        "QUERY_PARAMETERIZED_HASH": first["QUERY_PARAMETERIZED_HASH"],
        "QUERY_TEXT": first["QUERY_TEXT"],
        **_target_columns(first, plan_by_run),
        "QUERY_TYPE": first["QUERY_KIND"].map(QUERY_TYPE),
        "SESSION_ID": first["SESSION_ID"],
        "USER_NAME": USER_NAME,
        "ROLE_NAME": ROLE_NAME,
        "ROLE_TYPE": "ROLE",
        "QUERY_TAG": first["QUERY_TAG"],
        "IS_CLIENT_GENERATED_STATEMENT": False,
        "RELEASE_VERSION": RELEASE_VERSION,
        "ERRORS": _errors_per_group(frame, group, len(first)),
        "HYBRID_TABLE_REQUESTS_THROTTLED_COUNT": _throttled(rng, first, calls, plan_by_run),
        "SIM_VISIBLE_AT": _visible_at(rng, interval_us + minute_us, "AGGREGATE_QUERY_HISTORY", scale),
    })
    return pd.concat([rows, objects], axis=1)


def _errors_per_group(frame: pd.DataFrame, group: np.ndarray, n_groups: int) -> list[str]:
    """ERRORS: [{"code": "000630", "message": ..., "count": n}, ...] per group; [] without failures."""
    errors = ["[]"] * n_groups
    failed = frame.index[~frame["SUCCESS"].to_numpy()]
    by_group: dict[int, dict[tuple[str, str], int]] = {}
    for i in failed:
        entry = by_group.setdefault(int(group[i]), {})
        key = (frame.at[i, "ERROR_CODE"], frame.at[i, "ERROR_MESSAGE"])
        entry[key] = entry.get(key, 0) + 1
    for g, counted in by_group.items():
        errors[g] = json.dumps([{"code": c, "message": m, "count": n} for (c, m), n in sorted(counted.items())])
    return errors


def _throttled(rng, first: pd.DataFrame, calls: np.ndarray, plan_by_run) -> np.ndarray:
    """Throttled hybrid-table requests in one to three measurement minutes of the busy runs picked."""
    throttled = np.zeros(len(first), dtype=np.int64)
    running = first["QUERY_TAG"].str.endswith(":phase=RUNNING").to_numpy()
    for run_id in sorted(set(first["RUN_ID"])):
        if not plan_by_run[run_id].throttled:
            continue
        rows = np.flatnonzero((first["RUN_ID"] == run_id).to_numpy() & running)
        minutes = np.unique(first["INTERVAL_US"].to_numpy()[rows])
        if not len(minutes):
            continue
        chosen = rng.choice(minutes, min(len(minutes), int(rng.integers(1, 4))), replace=False)
        for i in rows[np.isin(first["INTERVAL_US"].to_numpy()[rows], chosen)]:
            throttled[i] = rng.integers(1, calls[i] + 1)
    return throttled


# --------------------------------------------------------------------------------------------------
# LOCK_WAIT_HISTORY
# --------------------------------------------------------------------------------------------------


def _lock_waits(rng, served: pd.DataFrame, plan_by_run, scale) -> pd.DataFrame:
    records = []
    all_writes = served[served["SUCCESS"] & served["QUERY_KIND"].isin(["INSERT", "UPDATE"])]
    writes_by_run = dict(tuple(all_writes.groupby("RUN_ID", sort=False))) if len(all_writes) else {}
    for i in np.flatnonzero(served["LISTED_LOCK_WAIT_MS"].to_numpy() > 0):
        waiter = served.iloc[i]
        plan = plan_by_run[waiter["RUN_ID"]]
        requested_us = int(waiter["SERVER_START_US"] + waiter["COMPILATION_TIME"] * 1000)
        acquired_us = requested_us + int(waiter["LISTED_LOCK_WAIT_MS"] * 1000)
        # Blockers: the run's other successful writes, latest started before the request first.
        run_writes = writes_by_run.get(waiter["RUN_ID"], all_writes.iloc[0:0])
        writes = run_writes[run_writes.index != i]
        earlier = writes[writes["SERVER_START_US"] <= requested_us].sort_values("SERVER_START_US", ascending=False)
        pool = earlier if len(earlier) else writes
        n_blockers = 2 if (rng.random() < 0.35 and len(pool) >= 2) else 1
        for _, blocker in pool.head(n_blockers).iterrows():
            records.append({
                "OBJECT_ID": plan.target.table_id,
                "LOCK_TYPE": "ROW",
                "OBJECT_NAME": "ROW",  # hybrid row locks show the word ROW, not the table
                "SCHEMA_ID": 0,
                "SCHEMA_NAME": None,
                "DATABASE_ID": plan.target.database_id,
                "DATABASE_NAME": plan.target.database,
                "QUERY_ID": waiter["QUERY_ID"],
                "TRANSACTION_ID": int(waiter["TRANSACTION_ID"]),
                "REQUESTED_AT_US": requested_us,
                "ACQUIRED_AT_US": acquired_us,
                "BLOCKER_QUERIES": json.dumps([{"is_snowflake": False, "query_id": blocker["QUERY_ID"],
                                                "transaction_id": int(blocker["TRANSACTION_ID"])}]),
            })
    if not records:
        return pd.DataFrame()
    frame = pd.DataFrame(records)
    frame["REQUESTED_AT"] = from_us(frame.pop("REQUESTED_AT_US"))
    acquired = frame.pop("ACQUIRED_AT_US").to_numpy()
    frame["ACQUIRED_AT"] = from_us(acquired)
    frame["SIM_VISIBLE_AT"] = _visible_at(rng, acquired, "LOCK_WAIT_HISTORY", scale)
    return frame


# --------------------------------------------------------------------------------------------------
# HYBRID_TABLE_USAGE_HISTORY
# --------------------------------------------------------------------------------------------------


def _hybrid_credits(rng, plans: list[RunPlan], truth: pd.DataFrame, now: dt.datetime, scale) -> pd.DataFrame:
    """Hourly account-level credits around the historical (February 2026) hybrid runs."""
    historical = [p for p in plans if p.historical]
    if not historical:
        return pd.DataFrame()
    hour = dt.timedelta(hours=1)
    first = min(p.start for p in historical).replace(minute=0, second=0, microsecond=0) - 3 * hour
    last_end = max(p.end for p in historical).replace(minute=0, second=0, microsecond=0) + 4 * hour
    last_end = min(last_end, HYBRID_BILLING_ENDED, now.replace(minute=0, second=0, microsecond=0))
    starts_us = np.arange(to_us(first), to_us(last_end), 3_600_000_000, dtype=np.int64)
    # Other hybrid workloads in the account, plus a share per request of the benchmark runs.
    credits = rng.uniform(0.02, 0.6, len(starts_us))
    hybrid = truth[truth["RUN_ID"].isin({p.run_id for p in historical})]
    bucket = (hybrid["SERVER_START_US"].to_numpy() - starts_us[0]) // 3_600_000_000
    bucket = bucket[(bucket >= 0) & (bucket < len(starts_us))]
    credits += np.bincount(bucket, minlength=len(starts_us)) * 0.004
    ends_us = starts_us + 3_600_000_000
    return pd.DataFrame({
        "OBJECT_TYPE": "ACCOUNT",
        "OBJECT_ID": pd.array([None] * len(starts_us), dtype="Int64"),
        "OBJECT_NAME": None,
        "START_TIME": from_us(starts_us),
        "END_TIME": from_us(ends_us),
        "CREDITS_USED": np.round(credits, 3),
        "SIM_VISIBLE_AT": _visible_at(rng, ends_us, "HYBRID_TABLE_USAGE_HISTORY", scale),
    })


# --------------------------------------------------------------------------------------------------
# QUERY_INSIGHTS
# --------------------------------------------------------------------------------------------------


def _applicable_insights(row: pd.Series) -> list[str]:
    found = []
    if row["BYTES_SPILLED_TO_REMOTE_STORAGE"] > 0:
        found.append("QUERY_INSIGHT_REMOTE_SPILLAGE")
    if row["QUEUED_OVERLOAD_TIME"] > 0:
        found.append("QUERY_INSIGHT_QUEUED_OVERLOAD")
    statement = row["GENERIC_STATEMENT"]
    if statement == "like_notes":
        found.append("QUERY_INSIGHT_LIKE_WITH_LEADING_WILDCARD")
    elif statement == "full_count":
        found.append("QUERY_INSIGHT_NO_FILTER_ON_TOP_OF_TABLE_SCAN")
    elif statement == "join_customers":
        found.append("QUERY_INSIGHT_EXPLODING_JOIN")
    else:  # range scans and filtered aggregates
        share = row["PARTITIONS_SCANNED"] / max(row["PARTITIONS_TOTAL"], 1)
        found.append("QUERY_INSIGHT_UNSELECTIVE_FILTER" if share > 0.5 else "QUERY_INSIGHT_FILTER_WITH_CLUSTERING_KEY")
    return found


def _insight_message(insight: str, row: pd.Series, table: str, warehouse: str) -> dict:
    if insight == "QUERY_INSIGHT_REMOTE_SPILLAGE":
        return {"bytes_spilled_to_remote_storage": int(row["BYTES_SPILLED_TO_REMOTE_STORAGE"]), "warehouse_name": warehouse}
    if insight == "QUERY_INSIGHT_QUEUED_OVERLOAD":
        return {"queued_overload_time_ms": int(row["QUEUED_OVERLOAD_TIME"]), "warehouse_name": warehouse}
    if insight == "QUERY_INSIGHT_EXPLODING_JOIN":
        return {"join_type": "INNER", "input_rows": 120_000, "output_rows": 9_600_000}
    if insight == "QUERY_INSIGHT_LIKE_WITH_LEADING_WILDCARD":
        return {"table_name": table, "column_name": "NOTES", "pattern": "%refund%"}
    return {"table_name": table, "partitions_scanned": int(row["PARTITIONS_SCANNED"]),
            "partitions_total": int(row["PARTITIONS_TOTAL"])}


def _insights(rng, served: pd.DataFrame, plan_by_run, scale) -> pd.DataFrame:
    """0-4 insights per standard or dynamic run (Snowflake gives none for hybrid or interactive tables)."""
    records = []
    next_instance = int(rng.integers(10_000_000, 90_000_000))
    candidates = served[served["SUCCESS"] & served["IN_QUERY_HISTORY"] & served["QUERY_KIND"].isin(["RANGE_SCAN", "GENERIC_SQL"])]
    by_run = dict(tuple(candidates.groupby("RUN_ID", sort=False))) if len(candidates) else {}  # once, not per run
    for run_id, plan in plan_by_run.items():
        if plan.table_type not in ("STANDARD", "DYNAMIC") or not plan.client_rows_written:
            continue
        rows = by_run.get(run_id, candidates.iloc[0:0])
        wanted = int(rng.integers(0, 5))
        if not len(rows) or not wanted:
            continue
        for i in rng.choice(len(rows), min(wanted, len(rows)), replace=False):
            row = rows.iloc[int(i)]
            options = _applicable_insights(row)
            insight = options[int(rng.integers(0, len(options)))]
            next_instance += int(rng.integers(1, 50))
            records.append({
                "START_TIME_US": int(row["SERVER_START_US"]),
                "END_TIME_US": int(row["SERVER_END_US"]),
                "TOTAL_ELAPSED_TIME": row["TOTAL_ELAPSED_TIME"],
                "QUERY_ID": row["QUERY_ID"],
                "QUERY_HASH": row["QUERY_HASH"],
                "QUERY_PARAMETERIZED_HASH": row["QUERY_PARAMETERIZED_HASH"],
                "WAREHOUSE_ID": str(plan.target.warehouse_id),
                "WAREHOUSE_NAME": plan.target.warehouse,
                "INSIGHT_INSTANCE_ID": next_instance,
                "INSIGHT_TYPE_ID": insight,
                "MESSAGE": json.dumps(_insight_message(insight, row, plan.target.qualified, plan.target.warehouse)),
                "SUGGESTIONS": json.dumps(INSIGHT_SUGGESTIONS[insight]),
                "IS_OPPORTUNITY": insight != "QUERY_INSIGHT_FILTER_WITH_CLUSTERING_KEY",
                "INSIGHT_TOPIC": INSIGHT_TOPIC[insight],
            })
    if not records:
        return pd.DataFrame()
    frame = pd.DataFrame(records)
    frame["START_TIME"] = from_us(frame.pop("START_TIME_US"))
    end_us = frame.pop("END_TIME_US").to_numpy()
    frame["END_TIME"] = from_us(end_us)
    frame["SIM_VISIBLE_AT"] = _visible_at(rng, end_us, "QUERY_INSIGHTS", scale)
    return frame


# --------------------------------------------------------------------------------------------------
# Background activity of other workloads
# --------------------------------------------------------------------------------------------------


def _background(rng, ids: Ids, plans: list[RunPlan], now: dt.datetime, scale) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One QUERY_HISTORY and one AGGREGATE row a minute, from an hour before the first recent run to now + 48 h."""
    recent = [p.start for p in plans if not p.historical]
    begin = (min(recent) if recent else now) - dt.timedelta(hours=1)
    begin = begin.replace(second=0, microsecond=0)
    minute_us = 60_000_000
    minutes = np.arange(to_us(begin), to_us(now + dt.timedelta(hours=48)), minute_us, dtype=np.int64)
    n = len(minutes)
    which = rng.integers(0, len(BACKGROUND_WORKLOADS), n)
    tags = [BACKGROUND_WORKLOADS[w][0] for w in which]
    users = [BACKGROUND_WORKLOADS[w][1] for w in which]
    warehouses = [BACKGROUND_WORKLOADS[w][2] for w in which]
    texts = [BACKGROUND_WORKLOADS[w][3] for w in which]
    hashes = [md5_hex(t) for t in texts]
    parameterized = [md5_hex("parameterized|" + t) for t in texts]

    compilation = np.round(rng.lognormal(np.log(80), 0.5, n))
    execution = np.round(rng.lognormal(np.log(900), 1.0, n))
    total = compilation + execution
    start_us = minutes + rng.integers(0, 55_000_000, n)
    end_us = start_us + total.astype(np.int64) * 1000
    failed = rng.random(n) < 0.02
    code, _, message, _ = SNOWFLAKE_ERRORS[1]
    qh = pd.DataFrame({
        "QUERY_ID": ids.query_ids(n),
        "QUERY_TEXT": texts,
        "DATABASE_ID": stable_id("ANALYTICS"),
        "DATABASE_NAME": "ANALYTICS",
        "SCHEMA_ID": stable_id("ANALYTICS.CORE"),
        "SCHEMA_NAME": "CORE",
        "QUERY_TYPE": ["INSERT" if t.startswith("INSERT") else "CREATE_TABLE_AS_SELECT" if t.startswith("CREATE")
                       else "SELECT" for t in texts],
        "SESSION_ID": 30_000_000_000_000 + which.astype(np.int64) * 17,
        "USER_NAME": users,
        "ROLE_NAME": "ANALYTICS_ROLE",
        "WAREHOUSE_ID": [stable_id(w) for w in warehouses],
        "WAREHOUSE_NAME": warehouses,
        "WAREHOUSE_SIZE": "Medium",
        "WAREHOUSE_TYPE": "STANDARD",
        "CLUSTER_NUMBER": 1,
        "QUERY_TAG": tags,
        "EXECUTION_STATUS": np.where(failed, "FAIL", "SUCCESS"),
        "ERROR_CODE": pd.array([int(code) if f else None for f in failed], dtype="Int64"),
        "ERROR_MESSAGE": [message if f else None for f in failed],
        "START_TIME": from_us(start_us),
        "END_TIME": from_us(end_us),
        "TOTAL_ELAPSED_TIME": total,
        "COMPILATION_TIME": compilation,
        "EXECUTION_TIME": execution,
        "QUEUED_OVERLOAD_TIME": 0,
        "QUEUED_PROVISIONING_TIME": 0,
        "TRANSACTION_BLOCKED_TIME": 0,
        "BYTES_SCANNED": np.round(rng.lognormal(np.log(2e8), 1.0, n)),
        "ROWS_PRODUCED": rng.integers(1, 5000, n),
        "PARTITIONS_SCANNED": rng.integers(1, 400, n),
        "PARTITIONS_TOTAL": 400,
        "BYTES_SPILLED_TO_LOCAL_STORAGE": 0,
        "BYTES_SPILLED_TO_REMOTE_STORAGE": 0,
        "RELEASE_VERSION": RELEASE_VERSION,
        "IS_CLIENT_GENERATED_STATEMENT": False,
        "TRANSACTION_ID": 0,
        "ROLE_TYPE": "ROLE",
        "QUERY_HASH": hashes,
        "QUERY_HASH_VERSION": 2,
        "QUERY_PARAMETERIZED_HASH": parameterized,
        "QUERY_PARAMETERIZED_HASH_VERSION": 1,
        "SIM_VISIBLE_AT": _visible_at(rng, end_us, "QUERY_HISTORY", scale),
    })

    # Aggregate rows: a few calls of one statement per minute, statistics from drawn samples.
    calls = rng.integers(1, 21, n)
    group = np.repeat(np.arange(n), calls)
    samples = np.zeros((len(group), len(MEASURES)))
    column = {name: j for j, name in enumerate(MEASURES)}
    sample_compile = np.round(rng.lognormal(np.log(60), 0.5, len(group)))
    sample_exec = np.round(rng.lognormal(np.log(700), 1.0, len(group)))
    samples[:, column["COMPILATION_TIME"]] = sample_compile
    samples[:, column["EXECUTION_TIME"]] = sample_exec
    samples[:, column["TOTAL_ELAPSED_TIME"]] = sample_compile + sample_exec
    samples[:, column["BYTES_SCANNED"]] = np.round(rng.lognormal(np.log(1e8), 1.0, len(group)))
    samples[:, column["ROWS_PRODUCED"]] = rng.integers(1, 5000, len(group))
    samples[:, column["PARTITIONS_SCANNED"]] = rng.integers(1, 400, len(group))
    samples[:, column["PARTITIONS_TOTAL"]] = 400
    samples[:, column["PERCENTAGE_SCANNED_FROM_CACHE"]] = np.round(rng.beta(2, 3, len(group)), 4)
    samples[:, column["QUERY_LOAD_PERCENT"]] = rng.integers(1, 101, len(group))
    objects = _objects_frame(samples, group, MEASURES)
    aqh = pd.DataFrame({
        "CALLS": calls,
        "INTERVAL_START_TIME": from_us(minutes),
        "INTERVAL_END_TIME": from_us(minutes + minute_us),
        "QUERY_PARAMETERIZED_HASH": parameterized,
        "QUERY_TEXT": texts,
        "DATABASE_ID": stable_id("ANALYTICS"),
        "DATABASE_NAME": "ANALYTICS",
        "SCHEMA_ID": stable_id("ANALYTICS.CORE"),
        "SCHEMA_NAME": "CORE",
        "QUERY_TYPE": qh["QUERY_TYPE"],
        "SESSION_ID": qh["SESSION_ID"],
        "USER_NAME": users,
        "ROLE_NAME": "ANALYTICS_ROLE",
        "ROLE_TYPE": "ROLE",
        "WAREHOUSE_ID": qh["WAREHOUSE_ID"],
        "WAREHOUSE_NAME": warehouses,
        "WAREHOUSE_SIZE": "Medium",
        "WAREHOUSE_TYPE": "STANDARD",
        "QUERY_TAG": tags,
        "IS_CLIENT_GENERATED_STATEMENT": False,
        "RELEASE_VERSION": RELEASE_VERSION,
        "ERRORS": "[]",
        "HYBRID_TABLE_REQUESTS_THROTTLED_COUNT": 0,
        "SIM_VISIBLE_AT": _visible_at(rng, minutes + minute_us, "AGGREGATE_QUERY_HISTORY", scale),
    })
    return qh, pd.concat([aqh, objects], axis=1)

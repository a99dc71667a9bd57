"""The demo world: FlakeBench runs and the SNOWFLAKE.ACCOUNT_USAGE rows Snowflake would record for them.

`build_world(runs=, seed=, now=, latency_scale=)` returns one DataFrame per table to fill: FlakeBench's
TEST_RESULTS, QUERY_EXECUTIONS and RUN_STATUS, and the five simulated views' *_ROWS tables. It is
deterministic: the same arguments give identical frames (one numpy Generator, drawn in a fixed order).

Why it looks the way it does:

* Runs end at times chosen so that, right after seeding, there are runs in every enrichment state:
  about 55% ended 1-36 h ago (everything has landed), about 40% within the last 4 * 3 h * latency_scale
  (late views still landing; two end only about a minute before `now`), one is still RUNNING (no
  QUERY_EXECUTIONS yet: FlakeBench copies them in when the run finishes), and, with 15 runs or more,
  three extra hybrid runs in February 2026, before Snowflake stopped metering hybrid-table requests on
  2026-03-01, so that HYBRID_TABLE_USAGE_HISTORY has credits to find.
* A run is what FlakeBench writes: one parent TEST_RESULTS row (TEST_ID = RUN_ID, QUERY_TAG NULL),
  2-4 child rows (one per worker process, QUERY_TAG `flakebench:test_id=<child TEST_ID>`), one
  RUN_STATUS row whose WARMUP_END_TIME..END_TIME is the measurement window, and the children's
  QUERY_EXECUTIONS.
* Server-side rows are derived from the same executions (workload.py, server_truth.py), so the views
  agree with the client tables exactly where Snowflake would, and differ where Snowflake does.

Timestamps are naive UTC. VARIANT/OBJECT/ARRAY columns are JSON text.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from enrichment.simulation import server_truth
from enrichment.simulation.workload import (
    KINDS,
    READ_KINDS,
    SNOWFLAKE_TYPES,
    Child,
    Ids,
    RunPlan,
    Target,
    from_us,
    generate_run,
    stable_id,
)

TABLE_TYPES = ("HYBRID", "STANDARD", "INTERACTIVE", "DYNAMIC", "POSTGRES")
TYPE_SHARE = {"HYBRID": 0.30, "STANDARD": 0.25, "INTERACTIVE": 0.15, "DYNAMIC": 0.15, "POSTGRES": 0.15}
HISTORICAL_RUNS = 3
HYBRID_BILLING_ENDED = server_truth.HYBRID_BILLING_ENDED

# Per table type: (name in test names, scenario name, kind -> share, GENERIC_SQL statements).
WORKLOADS: dict[str, tuple[tuple[str, str, dict[str, float], tuple[str, ...]], ...]] = {
    "HYBRID": (
        ("point lookups", "point_lookup_heavy", {"POINT_LOOKUP": 0.8, "RANGE_SCAN": 0.1, "INSERT": 0.1}, ()),
        ("oltp mix", "oltp_mixed", {"POINT_LOOKUP": 0.5, "RANGE_SCAN": 0.1, "INSERT": 0.2, "UPDATE": 0.2}, ()),
        ("update heavy", "write_contention", {"POINT_LOOKUP": 0.3, "INSERT": 0.2, "UPDATE": 0.5}, ()),
    ),
    "STANDARD": (
        ("range scans", "scan_heavy", {"RANGE_SCAN": 0.6, "GENERIC_SQL": 0.3, "POINT_LOOKUP": 0.1},
         ("agg_by_status", "like_notes")),
        ("analytics", "olap_mixed", {"GENERIC_SQL": 0.6, "RANGE_SCAN": 0.4},
         ("agg_by_status", "join_customers", "full_count")),
        ("ingest mix", "ingest_and_read", {"INSERT": 0.4, "RANGE_SCAN": 0.3, "GENERIC_SQL": 0.2, "UPDATE": 0.1},
         ("agg_by_status",)),
    ),
    "INTERACTIVE": (
        ("point lookups", "serving_reads", {"POINT_LOOKUP": 0.7, "RANGE_SCAN": 0.3}, ()),
        ("dashboard reads", "dashboard", {"POINT_LOOKUP": 0.3, "RANGE_SCAN": 0.4, "GENERIC_SQL": 0.3},
         ("agg_by_status",)),
    ),
    "DYNAMIC": (
        ("analytics", "olap_mixed", {"GENERIC_SQL": 0.6, "RANGE_SCAN": 0.4}, ("agg_by_status", "join_customers")),
        ("range scans", "scan_heavy", {"RANGE_SCAN": 0.7, "GENERIC_SQL": 0.2, "POINT_LOOKUP": 0.1},
         ("full_count", "like_notes")),
    ),
    "POSTGRES": (
        ("oltp mix", "oltp_mixed", {"POINT_LOOKUP": 0.5, "RANGE_SCAN": 0.1, "INSERT": 0.2, "UPDATE": 0.2}, ()),
        ("point lookups", "point_lookup_heavy", {"POINT_LOOKUP": 0.9, "INSERT": 0.1}, ()),
    ),
}
TABLES = {
    "HYBRID": ("ORDERS_HT", "CUSTOMER_PROFILES_HT", "SESSIONS_HT"),
    "STANDARD": ("ORDERS_STD", "EVENTS_STD", "LINEITEM_STD"),
    "INTERACTIVE": ("ORDERS_IT", "PRODUCT_CATALOG_IT"),
    "DYNAMIC": ("ORDER_SUMMARY_DT", "DAILY_REVENUE_DT"),
    "POSTGRES": ("orders_pg", "customer_profiles_pg"),
}
WAREHOUSES = {"HYBRID": "FLAKEBENCH_HT_WH", "STANDARD": "FLAKEBENCH_STD_WH",
              "INTERACTIVE": "FLAKEBENCH_INTERACTIVE_WH", "DYNAMIC": "FLAKEBENCH_DT_WH"}
WAREHOUSE_SIZES = ("XSMALL", "SMALL", "MEDIUM", "LARGE")
SNOWFLAKE_DATABASE = "FLAKEBENCH_BENCH"
FAILURE_REASONS = (
    "Error rate exceeded the 5% threshold during MEASUREMENT.",
    "Worker process 2 exited unexpectedly (exit code 137).",
    "Lost connection to the target: 250001 (08001): Could not connect to Snowflake backend after 3 attempts.",
)
CANCELLATION_REASON = "Cancelled by user from the dashboard."


@dataclass
class World:
    """The frames to insert, keyed by target table, plus what they were drawn from."""

    frames: dict[str, pd.DataFrame]
    plans: list[RunPlan] = field(repr=False)
    truth: pd.DataFrame = field(repr=False)  # every execution, client and server side (not stored)

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.frames[table]

    def counts(self) -> dict[str, int]:
        return {table: len(frame) for table, frame in self.frames.items()}


def build_world(*, runs: int, seed: int, now: dt.datetime, latency_scale: float,
                execution_scale: float = 1.0) -> World:
    """Draw the demo world. `execution_scale` multiplies the 150-600 executions a run attempts."""
    if runs < 0:
        raise ValueError("runs must be 0 or more")
    if latency_scale <= 0:
        raise ValueError("latency_scale must be positive")
    if now.tzinfo is not None:
        now = now.astimezone(dt.timezone.utc).replace(tzinfo=None)
    now = now.replace(microsecond=(now.microsecond // 1000) * 1000)
    rng = np.random.default_rng(seed)
    ids = Ids(rng)
    plans = _plan_runs(rng, ids, runs, now, latency_scale, execution_scale)
    truth = pd.concat([generate_run(rng, ids, plan) for plan in plans], ignore_index=True) if plans \
        else pd.DataFrame(columns=["RUN_ID", "TEST_ID", "TABLE_TYPE"])
    frames = {
        "TEST_RESULTS": _test_results(plans, truth),
        "QUERY_EXECUTIONS": _query_executions(plans, truth),
        "RUN_STATUS": _run_status(plans),
    }
    frames.update(server_truth.build_server_truth(rng, ids, plans, truth, now, latency_scale))
    return World(frames=frames, plans=plans, truth=truth)


# --------------------------------------------------------------------------------------------------
# Planning: which runs, of what type and status, ending when
# --------------------------------------------------------------------------------------------------


def _type_counts(n: int) -> dict[str, int]:
    """Shares as whole numbers (largest remainder), at least one of each type."""
    exact = {t: TYPE_SHARE[t] * n for t in TABLE_TYPES}
    counts = {t: max(1, int(exact[t])) for t in TABLE_TYPES}
    by_remainder = sorted(TABLE_TYPES, key=lambda t: exact[t] - int(exact[t]), reverse=True)
    i = 0
    while sum(counts.values()) < n:
        counts[by_remainder[i % len(by_remainder)]] += 1
        i += 1
    while sum(counts.values()) > n:
        counts[max(counts, key=counts.get)] -= 1
    return counts


def _plan_runs(rng, ids: Ids, n: int, now: dt.datetime, scale: float, execution_scale: float) -> list[RunPlan]:
    full = n >= 15  # big enough to guarantee every type, status and timing case
    if full:
        counts = _type_counts(n)
        types = [str(t) for t in rng.permutation([t for t in TABLE_TYPES for _ in range(counts[t])])]
    else:
        weights = np.array([TYPE_SHARE[t] for t in TABLE_TYPES])
        types = [TABLE_TYPES[i] for i in rng.choice(len(TABLE_TYPES), n, p=weights)]
    statuses = _statuses(rng, types, full)
    buckets = _buckets(rng, types, statuses)
    plans = [
        _make_plan(rng, ids, t, s, _end_time(rng, b, now, scale), b, execution_scale)
        for t, s, b in zip(types, statuses, buckets)
    ]
    if full:
        plans += _historical_plans(rng, ids, now, execution_scale)
    _assign_contention(rng, plans)
    return plans


def _statuses(rng, types: list[str], full: bool) -> list[str]:
    n = len(types)
    if not full:
        return [str(s) for s in rng.choice(["COMPLETED", "FAILED", "CANCELLED"], n, p=[0.85, 0.10, 0.05])]
    statuses = ["COMPLETED"] * n
    # One run of each type stays COMPLETED; the other statuses go to the rest.
    kept = {types.index(t) for t in TABLE_TYPES}
    others = [int(i) for i in rng.permutation(n) if int(i) not in kept]
    running = next(i for i in others if types[i] in SNOWFLAKE_TYPES)
    statuses[running] = "RUNNING"
    others.remove(running)
    n_failed, n_cancelled = max(1, round(0.10 * n)), max(1, round(0.05 * n))
    for i in others[:n_failed]:
        statuses[i] = "FAILED"
    for i in others[n_failed:n_failed + n_cancelled]:
        statuses[i] = "CANCELLED"
    return statuses


def _buckets(rng, types: list[str], statuses: list[str]) -> list[str]:
    """How long ago each run ended: old (1-36 h), mid, recent (still landing), just_ended, running."""
    n = len(types)
    buckets = [""] * n
    for i, status in enumerate(statuses):
        if status == "RUNNING":
            buckets[i] = "running"
    if n >= 5:
        # Two completed Snowflake runs that ended about a minute ago, a hybrid one first if possible.
        candidates = [i for i in range(n) if statuses[i] == "COMPLETED" and types[i] in SNOWFLAKE_TYPES]
        candidates.sort(key=lambda i: (types[i] != "HYBRID", types[i] != "STANDARD", i))
        for i in candidates[:2]:
            buckets[i] = "just_ended"
    n_recent = max(0, round(0.40 * n) - buckets.count("just_ended"))
    n_old = round(0.55 * n)
    rest = [int(i) for i in rng.permutation(n) if not buckets[int(i)]]
    for position, i in enumerate(rest):
        buckets[i] = "recent" if position < n_recent else "old" if position < n_recent + n_old else "mid"
    return buckets


def _end_time(rng, bucket: str, now: dt.datetime, scale: float) -> dt.datetime:
    landing = max(dt.timedelta(hours=12) * scale, dt.timedelta(minutes=5))  # 4 x the 3 h latency, scaled
    hour = dt.timedelta(hours=1)
    if bucket == "old":
        offset = rng.uniform(1, 36) * hour
    elif bucket == "mid":
        low, high = sorted((landing, hour))
        offset = low + rng.uniform(0, 1) * (high - low)
    elif bucket == "recent":
        offset = dt.timedelta(seconds=90) + rng.uniform(0, 1) * (landing - dt.timedelta(seconds=90))
    elif bucket == "just_ended":
        offset = dt.timedelta(seconds=rng.uniform(50, 80))
    else:  # running: the last simulated moment, just before now
        offset = dt.timedelta(seconds=rng.uniform(5, 20))
    return _to_ms(now - offset)


def _to_ms(moment: dt.datetime) -> dt.datetime:
    return moment.replace(microsecond=(moment.microsecond // 1000) * 1000)


def _historical_plans(rng, ids: Ids, now: dt.datetime, execution_scale: float) -> list[RunPlan]:
    """Three completed hybrid runs on different days of late February 2026, if `now` allows."""
    latest = min(dt.datetime(2026, 2, 28, 20), now - dt.timedelta(days=2))
    if latest < dt.datetime(2026, 2, 13):
        return []  # a `now` before mid-February 2026 leaves no room for them
    days_back = sorted(rng.choice(np.arange(1, 12), HISTORICAL_RUNS, replace=False).tolist(), reverse=True)
    plans = []
    for back in days_back:
        day = dt.datetime.combine(latest.date() - dt.timedelta(days=back), dt.time())
        end = _to_ms(day + dt.timedelta(hours=rng.uniform(9, 18)))
        plans.append(_make_plan(rng, ids, "HYBRID", "COMPLETED", end, "historical", execution_scale))
    return plans


def _make_plan(rng, ids: Ids, table_type: str, status: str, end: dt.datetime, bucket: str,
               execution_scale: float) -> RunPlan:
    name, scenario, mix, generic = WORKLOADS[table_type][int(rng.integers(0, len(WORKLOADS[table_type])))]
    warmup = dt.timedelta(seconds=float(rng.uniform(30, 90)))
    measurement = dt.timedelta(seconds=float(rng.uniform(120, 480)))
    if status in ("FAILED", "CANCELLED"):
        measurement *= float(rng.uniform(0.3, 0.9))  # stopped part-way
    if status == "RUNNING":
        measurement = dt.timedelta(seconds=float(rng.uniform(120, 240)))  # so far
    start = _to_ms(end - measurement - warmup)
    warmup_end = _to_ms(start + warmup)

    n_children = int(rng.integers(2, 5))
    per_child = int(rng.choice([2, 4, 8]))
    child_ids = ids.uuids(n_children)
    session_base = int(rng.integers(10_000_000_000_000, 29_000_000_000_000))
    children = []
    for c in range(n_children):
        # Worker processes start and stop within a second or two of each other; the parent spans them all.
        c_start = start if c == 0 else _to_ms(start + dt.timedelta(seconds=float(rng.uniform(0, 2))))
        c_end = end if c == n_children - 1 else _to_ms(end - dt.timedelta(seconds=float(rng.uniform(0, 1.5))))
        children.append(Child(child_ids[c], per_child, session_base + 4096 * c, c_start, c_end))

    target = _target(rng, table_type)
    concurrency = n_children * per_child
    fail_rate = float(rng.uniform(0.04, 0.09) if status == "FAILED" else rng.uniform(0.01, 0.03))
    executions = max(10, int(round(int(rng.integers(150, 601)) * execution_scale)))
    return RunPlan(
        run_id=ids.uuid(),
        table_type=table_type,
        status=status,
        workload_name=name,
        workload=mix,
        generic_statements=generic,
        test_name=f"{table_type.lower()} {name} {concurrency}c",
        scenario_name=scenario,
        target=target,
        start=start,
        warmup_end=warmup_end,
        end=end,
        children=children,
        executions=executions,
        fail_rate=fail_rate,
        historical=bucket == "historical",
        cluster_count=2 if table_type in ("STANDARD", "DYNAMIC") and concurrency >= 16 else 1,
        failure_reason=FAILURE_REASONS[int(rng.integers(0, len(FAILURE_REASONS)))] if status == "FAILED" else None,
        cancellation_reason=CANCELLATION_REASON if status == "CANCELLED" else None,
        template_id=ids.uuid(),
        bucket=bucket,
    )


def _target(rng, table_type: str) -> Target:
    table = TABLES[table_type][int(rng.integers(0, len(TABLES[table_type])))]
    if table_type == "POSTGRES":
        database, schema, warehouse, size = "flakebench", "public", None, None
    else:
        database, schema = SNOWFLAKE_DATABASE, f"{table_type}_TABLES"
        warehouse, size = WAREHOUSES[table_type], str(rng.choice(WAREHOUSE_SIZES))
    partitions = {"STANDARD": (200, 4000), "DYNAMIC": (200, 4000), "INTERACTIVE": (100, 1500)}.get(table_type)
    return Target(
        database=database,
        schema=schema,
        table=table,
        config_name=table.lower(),
        warehouse=warehouse,
        warehouse_size=size,
        database_id=stable_id(database),
        schema_id=stable_id(f"{database}.{schema}"),
        table_id=stable_id(f"{database}.{schema}.{table}", 1000, 9_999_999),
        warehouse_id=stable_id(warehouse) if warehouse else None,
        partitions_total=int(rng.integers(*partitions)) if partitions else 0,
    )


def _assign_contention(rng, plans: list[RunPlan]) -> None:
    """Row-lock contention on about half the hybrid runs that update; throttling on a few busy ones."""
    updating = [p for p in plans if p.table_type == "HYBRID" and "UPDATE" in p.workload and p.client_rows_written]
    for i, plan in enumerate(updating):
        if len(updating) < 4:
            plan.lock_contention = i % 2 == 0  # few candidates: alternate, so that at least one has waits
        else:
            plan.lock_contention = bool(rng.random() < 0.5)
    hybrid = sorted((p for p in plans if p.table_type == "HYBRID"), key=lambda p: -p.executions)
    for i, plan in enumerate(hybrid):
        plan.throttled = i == 0 or bool(rng.random() < 0.25)


# --------------------------------------------------------------------------------------------------
# FlakeBench's own tables
# --------------------------------------------------------------------------------------------------


def _latency_columns(latency: np.ndarray, prefix: str) -> dict[str, float]:
    if not len(latency):
        return {}
    p50, p95, p99 = np.percentile(latency, [50, 95, 99])
    return {f"{prefix}_P50_LATENCY_MS": p50, f"{prefix}_P95_LATENCY_MS": p95, f"{prefix}_P99_LATENCY_MS": p99,
            f"{prefix}_MIN_LATENCY_MS": latency.min(), f"{prefix}_MAX_LATENCY_MS": latency.max()}


def _summary(executions: pd.DataFrame, measure_seconds: float) -> dict:
    """The client summary FlakeBench writes: measurement-phase operations and latency percentiles
    (PERCENTILE_CONT of APP_ELAPSED_MS over successful measurement executions)."""
    measured = ~executions["WARMUP"].to_numpy(dtype=bool)
    ok = executions["SUCCESS"].to_numpy(dtype=bool)
    kind = executions["QUERY_KIND"].to_numpy()
    is_read = np.isin(kind, READ_KINDS)
    latency = executions["APP_ELAPSED_MS"].to_numpy(dtype=float)
    affected = executions["ROWS_AFFECTED"].to_numpy(dtype=float)
    good = measured & ok
    total, failed = int(measured.sum()), int((measured & ~ok).sum())
    reads, writes = int((measured & is_read).sum()), int((measured & ~is_read).sum())
    seconds = max(measure_seconds, 1e-9)
    out = {
        "TOTAL_OPERATIONS": total,
        "READ_OPERATIONS": reads,
        "WRITE_OPERATIONS": writes,
        "FAILED_OPERATIONS": failed,
        "ERROR_COUNT": failed,
        "ERROR_RATE": failed / total if total else 0.0,
        "QPS": total / seconds,
        "READS_PER_SECOND": reads / seconds,
        "WRITES_PER_SECOND": writes / seconds,
        "ROWS_READ": int(affected[good & is_read].sum()),
        "ROWS_WRITTEN": int(affected[good & ~is_read].sum()),
    }
    if good.any():
        values = latency[good]
        p50, p90, p95, p99 = np.percentile(values, [50, 90, 95, 99])
        out.update({"AVG_LATENCY_MS": values.mean(), "P50_LATENCY_MS": p50, "P90_LATENCY_MS": p90,
                    "P95_LATENCY_MS": p95, "P99_LATENCY_MS": p99, "MIN_LATENCY_MS": values.min(),
                    "MAX_LATENCY_MS": values.max()})
    out.update(_latency_columns(latency[good & is_read], "READ"))
    out.update(_latency_columns(latency[good & ~is_read], "WRITE"))
    for k in KINDS:
        out.update(_latency_columns(latency[good & (kind == k)], k))
    return out


def _test_config(plan: RunPlan) -> str:
    t = plan.target
    warmup_s = round((plan.warmup_end - plan.start).total_seconds())
    measure_s = round((plan.end - plan.warmup_end).total_seconds())
    mix = {f"{k.lower()}_pct": round(100 * v) for k, v in plan.workload.items()}
    return json.dumps({
        "template_id": plan.template_id,
        "template_name": f"{plan.table_type.lower()}-{plan.scenario_name}",
        "template_config": {
            "database": t.database, "schema": t.schema, "table_name": t.table, "table_type": plan.table_type.lower(),
            "warehouse_name": t.warehouse, "warehouse_size": t.warehouse_size,
            "concurrent_connections": plan.concurrency, "warmup_seconds": warmup_s, "duration_seconds": measure_s,
            **mix,
        },
        "scenario": {
            "name": plan.scenario_name, "warmup_seconds": warmup_s, "duration_seconds": measure_s,
            "concurrency": plan.concurrency, "workers": len(plan.children), "workload": mix,
        },
    })


def _enrichment_status(plan: RunPlan) -> str | None:
    if plan.status == "RUNNING":
        return None
    if plan.status != "COMPLETED" or plan.table_type == "POSTGRES":
        return "SKIPPED"
    return "COMPLETED"


def _test_results(plans: list[RunPlan], truth: pd.DataFrame) -> pd.DataFrame:
    records = []
    by_run = dict(tuple(truth.groupby("RUN_ID", sort=False))) if len(truth) else {}
    for plan in plans:
        executions = by_run.get(plan.run_id, truth.iloc[0:0])
        visible = plan.client_rows_written
        measure_s = (plan.end - plan.warmup_end).total_seconds()
        common = {
            "RUN_ID": plan.run_id,
            "TEST_NAME": plan.test_name,
            "SCENARIO_NAME": plan.scenario_name,
            "TABLE_NAME": plan.target.config_name,
            "TABLE_TYPE": plan.table_type,
            "WAREHOUSE": plan.target.warehouse,
            "WAREHOUSE_SIZE": plan.target.warehouse_size,
            "STATUS": plan.status,
            "TEST_CONFIG": _test_config(plan),
            "FAILURE_REASON": plan.failure_reason,
            "ENRICHMENT_STATUS": _enrichment_status(plan),
            "CREATED_AT": plan.start - dt.timedelta(seconds=5),
            "UPDATED_AT": plan.end + dt.timedelta(seconds=20) if visible else plan.end,
        }
        enriched = executions[executions["SF_ENRICHED"]] if visible and len(executions) else executions.iloc[0:0]
        if len(enriched):
            overhead = enriched["APP_ELAPSED_MS"].to_numpy() - enriched["TOTAL_ELAPSED_TIME"].to_numpy()
            p50, p95, p99 = np.percentile(overhead, [50, 95, 99])
            common.update({"APP_OVERHEAD_P50_MS": p50, "APP_OVERHEAD_P95_MS": p95, "APP_OVERHEAD_P99_MS": p99})
        parent = {
            **common,
            "TEST_ID": plan.run_id,
            "START_TIME": plan.start,
            "END_TIME": plan.end if visible else None,
            "DURATION_SECONDS": (plan.end - plan.start).total_seconds() if visible else None,
            "CONCURRENT_CONNECTIONS": plan.concurrency,
            "QUERY_TAG": None,
        }
        if visible:
            parent.update(_summary(executions, measure_s))
        records.append(parent)
        for child in plan.children:
            row = {
                **common,
                "TEST_ID": child.test_id,
                "START_TIME": child.start,
                "END_TIME": child.end if visible else None,
                "DURATION_SECONDS": (child.end - child.start).total_seconds() if visible else None,
                "CONCURRENT_CONNECTIONS": child.connections,
                "QUERY_TAG": child.query_tag,
            }
            if visible:
                row.update(_summary(executions[executions["TEST_ID"] == child.test_id],
                                    (child.end - plan.warmup_end).total_seconds()))
            records.append(row)
    frame = pd.DataFrame(records)
    for column in ("TOTAL_OPERATIONS", "READ_OPERATIONS", "WRITE_OPERATIONS", "FAILED_OPERATIONS", "ERROR_COUNT",
                   "ROWS_READ", "ROWS_WRITTEN"):
        if column in frame:
            frame[column] = frame[column].fillna(0).astype("int64")
    return frame


def _run_status(plans: list[RunPlan]) -> pd.DataFrame:
    records = []
    for plan in plans:
        t = plan.target
        finished = plan.client_rows_written
        records.append({
            "RUN_ID": plan.run_id,
            "TEST_ID": plan.run_id,
            "TEMPLATE_ID": plan.template_id,
            "TEST_NAME": plan.test_name,
            "SCENARIO_CONFIG": json.dumps({
                "target": {"table_name": t.table, "table_type": plan.table_type.lower(), "warehouse": t.warehouse,
                           "database": t.database, "schema": t.schema,
                           "connection_id": "pg-local" if plan.table_type == "POSTGRES" else None},
                "workload": {k.lower(): v for k, v in plan.workload.items()},
                "scaling": {"concurrency": plan.concurrency, "workers": len(plan.children)},
            }),
            "STATUS": plan.status,
            "PHASE": "COMPLETED" if finished else "MEASUREMENT",
            "START_TIME": plan.start,
            "END_TIME": plan.end if finished else None,
            "WARMUP_START_TIME": plan.start,
            "WARMUP_END_TIME": plan.warmup_end,
            "TOTAL_WORKERS_EXPECTED": len(plan.children),
            "WORKERS_REGISTERED": len(plan.children),
            "WORKERS_ACTIVE": 0 if finished else len(plan.children),
            "WORKERS_COMPLETED": len(plan.children) if finished else 0,
            "CANCELLATION_REASON": plan.cancellation_reason,
            "CREATED_AT": plan.start - dt.timedelta(seconds=5),
            "UPDATED_AT": plan.end + dt.timedelta(seconds=20) if finished else plan.end,
        })
    return pd.DataFrame(records)


def _query_executions(plans: list[RunPlan], truth: pd.DataFrame) -> pd.DataFrame:
    written = {p.run_id for p in plans if p.client_rows_written}
    rows = truth[truth["RUN_ID"].isin(written)].reset_index(drop=True) if len(truth) else truth
    if not len(rows):
        return pd.DataFrame(columns=["EXECUTION_ID", "TEST_ID", "QUERY_ID"])
    end_of_run = {p.run_id: p.end for p in plans}
    ok = rows["SUCCESS"].to_numpy()
    logged = ok & (rows["TABLE_TYPE"] != "POSTGRES").to_numpy()
    enriched = rows["SF_ENRICHED"].to_numpy()
    kind = rows["QUERY_KIND"]

    def pass_one(column: str) -> np.ndarray:
        # Pass 1 (INFORMATION_SCHEMA) values exist only for the executions it reached.
        return np.where(enriched, rows[column].to_numpy(dtype=float), np.nan)

    warehouse = {p.run_id: p.target.warehouse for p in plans}
    affected = rows["ROWS_AFFECTED"].to_numpy(dtype=float)
    return pd.DataFrame({
        "EXECUTION_ID": rows["EXECUTION_ID"],
        "TEST_ID": rows["TEST_ID"],
        "QUERY_ID": rows["QUERY_ID"],
        "QUERY_TEXT": rows["QUERY_TEXT"],
        "START_TIME": from_us(rows["CLIENT_START_US"]),
        "END_TIME": from_us(rows["CLIENT_END_US"]),
        "DURATION_MS": rows["APP_ELAPSED_MS"],
        "ROWS_AFFECTED": pd.array(np.where(ok, affected, np.nan), dtype="Int64"),
        "WAREHOUSE": rows["RUN_ID"].map(warehouse),
        "SUCCESS": ok,
        "ERROR": rows["ERROR"],
        "CREATED_AT": rows["RUN_ID"].map(end_of_run) + dt.timedelta(seconds=30),
        "QUERY_KIND": kind,
        "WORKER_ID": rows["WORKER_ID"],
        "WARMUP": rows["WARMUP"].astype(bool),
        "APP_ELAPSED_MS": rows["APP_ELAPSED_MS"],
        "SF_TOTAL_ELAPSED_MS": pass_one("TOTAL_ELAPSED_TIME"),
        "SF_EXECUTION_MS": pass_one("EXECUTION_TIME"),
        "SF_COMPILATION_MS": pass_one("COMPILATION_TIME"),
        "SF_QUEUED_OVERLOAD_MS": pass_one("QUEUED_OVERLOAD_TIME"),
        "SF_QUEUED_PROVISIONING_MS": pass_one("QUEUED_PROVISIONING_TIME"),
        "SF_TX_BLOCKED_MS": pass_one("TRANSACTION_BLOCKED_TIME"),
        "SF_BYTES_SCANNED": pd.array(pass_one("BYTES_SCANNED"), dtype="Int64"),
        "SF_ROWS_PRODUCED": pd.array(pass_one("ROWS_PRODUCED"), dtype="Int64"),
        # The logger derives these from ROWS_AFFECTED and the kind, for successful Snowflake executions.
        "SF_ROWS_INSERTED": pd.array(np.where(logged, np.where(kind == "INSERT", affected, 0), np.nan), dtype="Int64"),
        "SF_ROWS_UPDATED": pd.array(np.where(logged, np.where(kind == "UPDATE", affected, 0), np.nan), dtype="Int64"),
        "SF_ROWS_DELETED": pd.array(np.where(logged, 0, np.nan), dtype="Int64"),
        "APP_OVERHEAD_MS": np.where(enriched, rows["APP_ELAPSED_MS"] - rows["TOTAL_ELAPSED_TIME"], np.nan),
        "SF_CLUSTER_NUMBER": pd.array(np.where(enriched, rows["CLUSTER_NUMBER"], np.nan), dtype="Int64"),
    })



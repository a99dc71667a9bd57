"""AGGREGATE_QUERY_HISTORY -> AGGREGATE_QUERY_INTERVALS (the run's minutes) and AGGREGATE_QUERY_METRICS
(one row per parameterized hash and query kind).

This is the only server-side view that sees every hybrid-table query. Rows are matched by the
workers' RUNNING-phase query tags, so warmup never mixes with measurement. Counts are CALLS; errors
are the sum of each error entry's `count` (not the number of entries). Exact figures (sum, mean,
pooled stddev, min, max) and calls-weighted percentile estimates with bounds come from
`enrichment.percentiles.merge_summaries`.

Completeness: SUM(CALLS) against the run's measurement executions in QUERY_EXECUTIONS. A read that
falls short is not success: the type goes back to waiting, with the coverage recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from typing import Any

from enrichment.enrichers.base import EnrichmentResult, chunk_bounds
from enrichment.percentiles import merge_summaries
from enrichment.queue.run_facts import RunFacts
from enrichment.store.port import Db, json_batch

MINUTE_PADDING_SECONDS = 60
# The columns of insert_aggregate_metrics, in the order metric_rows produces them.
METRIC_COLUMNS = (
    "METRIC_ID", "TEST_ID", "RUN_ID", "QUERY_PARAMETERIZED_HASH", "QUERY_KIND", "SAMPLE_QUERY_TEXT",
    "INTERVAL_START", "INTERVAL_END", "INTERVAL_COUNT", "CALLS", "ERRORS_COUNT", "ERRORS_BREAKDOWN",
    "HYBRID_REQUESTS_THROTTLED_COUNT",
    *[f"ELAPSED_{part}" for part in ("SUM_MS", "MEAN_MS", "STDDEV_MS", "MIN_MS", "MAX_MS", "P50_EST_MS",
                                     "P90_EST_MS", "P95_EST_MS", "P99_EST_MS", "P999_EST_MS", "BOUNDS")],
    *[f"EXEC_{part}" for part in ("SUM_MS", "MEAN_MS", "STDDEV_MS", "MIN_MS", "MAX_MS", "P50_EST_MS",
                                  "P90_EST_MS", "P95_EST_MS", "P99_EST_MS", "P999_EST_MS", "BOUNDS")],
    *[f"{prefix}_{part}" for prefix in ("COMPILE", "QUEUED_OVERLOAD", "QUEUED_PROVISIONING", "TX_BLOCKED")
      for part in ("SUM_MS", "MEAN_MS", "MAX_MS")],
    "SOURCE_VIEW", "CREATED_AT",
)
PERCENTILE_KEYS = (("p50", "P50"), ("p90", "P90"), ("p95", "P95"), ("p99", "P99"), ("p99.9", "P999"))
SIMPLE_METRICS = (
    ("COMPILATION_TIME", "COMPILE"),
    ("QUEUED_OVERLOAD_TIME", "QUEUED_OVERLOAD"),
    ("QUEUED_PROVISIONING_TIME", "QUEUED_PROVISIONING"),
    ("TRANSACTION_BLOCKED_TIME", "TX_BLOCKED"),
)


def _object(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return value if isinstance(value, dict) else json.loads(value)


def summaries(rows: list[dict], column: str) -> list[dict[str, Any]]:
    """The rows' OBJECT statistics for one metric, in the shape merge_summaries takes."""
    found = []
    for row in rows:
        stats = _object(row[column])
        if stats is not None and int(row["CALLS"] or 0) > 0:
            found.append({"calls": int(row["CALLS"]), **stats})
    return found


def error_occurrences(rows: list[dict]) -> tuple[int, dict[str, int]]:
    """Sum of each error entry's count, and the same per error code."""
    total, by_code = 0, defaultdict(int)
    for row in rows:
        for entry in _object(row["ERRORS"]) or []:
            count = int(entry.get("count") or 0)
            total += count
            by_code[str(entry.get("code"))] += count
    return total, dict(by_code)


def _merged_columns(rows: list[dict], column: str) -> list[Any]:
    parts = summaries(rows, column)
    if not parts:
        return [None] * 11
    merged = merge_summaries(parts)
    bounds = {name: list(merged["bounds"][name]) for name, _ in PERCENTILE_KEYS}
    return [merged["sum"], merged["mean"], merged["stddev"], merged["min"], merged["max"],
            *[merged[name] for name, _ in PERCENTILE_KEYS], json.dumps(bounds)]


def _simple_columns(rows: list[dict], column: str) -> list[Any]:
    """Exact sum, mean and max only: enough for compile, queue and blocked time."""
    parts = summaries(rows, column)
    calls = sum(p["calls"] for p in parts)
    if not calls:
        return [None, None, None]
    total = sum(float(p["sum"]) if p.get("sum") is not None else float(p["avg"]) * p["calls"] for p in parts)
    return [total, total / calls, max(float(p["max"]) for p in parts)]


def metric_rows(run_id: str, rows: list[dict], now) -> list[list[Any]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["QUERY_PARAMETERIZED_HASH"], row["QUERY_KIND"])].append(row)
    result = []
    for (query_hash, kind), group in sorted(groups.items(), key=lambda item: (str(item[0][0]), str(item[0][1]))):
        errors, by_code = error_occurrences(group)
        metric_id = hashlib.md5(f"{run_id}|{query_hash}|{kind}".encode()).hexdigest()
        result.append([
            metric_id, run_id, run_id, query_hash, kind,
            min((r["SAMPLE_QUERY_TEXT"] for r in group if r.get("SAMPLE_QUERY_TEXT")), default=None),
            min(r["INTERVAL_START_TIME"] for r in group), max(r["INTERVAL_END_TIME"] for r in group),
            len(group), sum(int(r["CALLS"] or 0) for r in group), errors, json.dumps(by_code),
            sum(int(r["HYBRID_REQUESTS_THROTTLED_COUNT"] or 0) for r in group),
            *_merged_columns(group, "TOTAL_ELAPSED_TIME"),
            *_merged_columns(group, "EXECUTION_TIME"),
            *[value for column, _ in SIMPLE_METRICS for value in _simple_columns(group, column)],
            "AGGREGATE_QUERY_HISTORY", now,
        ])
    return result


def enrich(db: Db, runs: list[RunFacts], now, settings) -> dict[str, EnrichmentResult]:
    pad = dt.timedelta(seconds=MINUTE_PADDING_SECONDS)
    windows = {run.run_id: (run.window_start - pad, run.window_end + pad) for run in runs}
    start, end = chunk_bounds(windows)
    ids = json_batch([run.run_id for run in runs])
    tags = [{"RUN_ID": run.run_id, "QUERY_TAG": tag, "FROM_TIME": windows[run.run_id][0],
             "TO_TIME": windows[run.run_id][1]} for run in runs for tag in run.measurement_tags]
    db.execute("delete_aggregate_intervals", [ids])
    if tags:
        db.execute("insert_aggregate_intervals", [now, json_batch(tags), start, end])
    intervals: dict[str, list[dict]] = {run.run_id: [] for run in runs}
    for row in db.rows("aggregate_intervals_of_runs", [ids]):
        intervals[row["RUN_ID"]].append(row)
    db.execute("delete_aggregate_metrics", [ids])
    metrics = [dict(zip(METRIC_COLUMNS, values)) for run in runs for values in metric_rows(run.run_id, intervals[run.run_id], now)]
    if metrics:
        db.execute("insert_aggregate_metrics", [json_batch(metrics)])
    db.execute("update_run_aggregate_summaries", [ids])
    results = {}
    for run in runs:
        rows = intervals[run.run_id]
        calls, expected = sum(int(r["CALLS"] or 0) for r in rows), run.measurement_executions
        coverage = min(1.0, calls / expected) if expected else 1.0
        detail = (f"{calls:,} of {expected:,} measurement executions found in AGGREGATE_QUERY_HISTORY "
                  f"({len(rows):,} minute rows).")
        results[run.run_id] = EnrichmentResult(len(rows), coverage, detail,
                                               required_coverage=settings.completeness_threshold)
    return results

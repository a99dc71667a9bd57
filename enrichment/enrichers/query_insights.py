"""QUERY_INSIGHTS -> QUERY_INSIGHTS_CACHE, matched by QUERY_ID, with the product's severity rule
(documented in sql/queries/insert_query_insights.sql). Sparse view: readiness from latency alone."""

from __future__ import annotations

import datetime as dt

from enrichment.enrichers.base import PADDING, EnrichmentResult, chunk_bounds, padded_windows
from enrichment.queue.run_facts import RunFacts
from enrichment.store.port import Db, json_batch

CACHE_LIFETIME = dt.timedelta(days=30)


def enrich(db: Db, runs: list[RunFacts], now, settings) -> dict[str, EnrichmentResult]:
    windows = padded_windows({run.run_id: (run.window_start, run.window_end) for run in runs}, PADDING)
    start, end = chunk_bounds(windows)
    ids = json_batch([run.run_id for run in runs])
    db.execute("delete_query_insights", [ids])
    db.execute("insert_query_insights", [now, now + CACHE_LIFETIME, start, end, ids])
    db.execute("update_run_insight_summaries", [ids])
    counts = {row["RUN_ID"]: int(row["INSIGHTS"] or 0) for row in db.rows("query_insights_counts_of_runs", [ids])}
    results = {}
    for run in runs:
        written = counts.get(run.run_id, 0)
        detail = (f"{written:,} insights for this run's queries." if written
                  else "Snowflake produced no insight for this run's queries.")
        results[run.run_id] = EnrichmentResult(written, None, detail)
    return results

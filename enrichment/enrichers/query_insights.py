"""QUERY_INSIGHTS -> QUERY_INSIGHTS_CACHE, matched by QUERY_ID, with the product's severity rule
(documented in sql/queries/insert_query_insights.sql). Sparse view: readiness from latency alone."""

from __future__ import annotations

import datetime as dt

from enrichment.enrichers.base import PADDING, EnrichmentResult
from enrichment.queue.run_facts import RunFacts
from enrichment.store.port import Db

CACHE_LIFETIME = dt.timedelta(days=30)


def enrich(db: Db, facts: RunFacts, now, settings) -> EnrichmentResult:
    start, end = facts.window_start - PADDING, facts.window_end + PADDING
    db.execute("delete_query_insights", [facts.run_id])
    written = db.execute("insert_query_insights", [now, now + CACHE_LIFETIME, facts.run_id, start, end, facts.run_id])
    db.execute("update_run_insight_summary", [facts.run_id, facts.run_id, facts.run_id])
    detail = f"{written:,} insights for this run's queries." if written else "Snowflake produced no insight for this run's queries."
    return EnrichmentResult(written, None, detail)

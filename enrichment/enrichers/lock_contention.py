"""LOCK_WAIT_HISTORY -> LOCK_CONTENTION_EVENTS, matched through the waiting QUERY_ID.

Snowflake lists only row-lock waits of about 5 s or more, so no rows is a real answer ("no wait that
long"), not a failure. The view is sparse: readiness comes from its documented latency alone.
"""

from __future__ import annotations

from enrichment.enrichers.base import PADDING, EnrichmentResult
from enrichment.queue.run_facts import RunFacts
from enrichment.store.port import Db


def enrich(db: Db, facts: RunFacts, now, settings) -> EnrichmentResult:
    start, end = facts.window_start - PADDING, facts.window_end + PADDING
    db.execute("delete_lock_events", [facts.run_id])
    written = db.execute("insert_lock_events", [facts.run_id, now, facts.run_id, start, end, facts.run_id, start, end])
    db.execute("update_run_lock_summary", [facts.run_id, facts.run_id, facts.run_id, facts.run_id])
    waits = db.scalar("lock_waiters_of_run", [facts.run_id]) or 0
    detail = (f"{waits:,} measurement queries waited on a row lock ({written:,} blocker rows)." if written
              else "No lock wait of 5 s or more was recorded for this run's queries.")
    return EnrichmentResult(written, None, detail)

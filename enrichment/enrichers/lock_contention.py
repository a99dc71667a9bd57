"""LOCK_WAIT_HISTORY -> LOCK_CONTENTION_EVENTS, matched through the waiting QUERY_ID.

Snowflake lists only row-lock waits of about 5 s or more, so no rows is a real answer ("no wait that
long"), not a failure. The view is sparse: readiness comes from its documented latency alone.
"""

from __future__ import annotations

from enrichment.enrichers.base import PADDING, EnrichmentResult, chunk_bounds, padded_windows
from enrichment.queue.run_facts import RunFacts
from enrichment.store.port import Db, json_batch


def enrich(db: Db, runs: list[RunFacts], now, settings) -> dict[str, EnrichmentResult]:
    windows = padded_windows({run.run_id: (run.window_start, run.window_end) for run in runs}, PADDING)
    start, end = chunk_bounds(windows)
    ids = json_batch([run.run_id for run in runs])
    db.execute("delete_lock_events", [ids])
    db.execute("insert_lock_events", [now, start, end, ids, start, end, ids])
    db.execute("update_run_lock_summaries", [ids, ids])
    counts = {row["RUN_ID"]: row for row in db.rows("lock_events_counts_of_runs", [ids])}
    results = {}
    for run in runs:
        row = counts.get(run.run_id) or {}
        waiters, written = int(row.get("WAITERS") or 0), int(row.get("EVENTS") or 0)
        detail = (f"{waiters:,} measurement queries waited on a row lock ({written:,} blocker rows)." if written
                  else "No lock wait of 5 s or more was recorded for this run's queries.")
        results[run.run_id] = EnrichmentResult(written, None, detail)
    return results

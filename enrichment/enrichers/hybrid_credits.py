"""HYBRID_TABLE_USAGE_HISTORY -> HYBRID_TABLE_CREDITS: account-wide credits during the run window.

The view is account-level (no table, no request count), so the figure is what the whole account
spent on hybrid-table requests while the run was going, pro-rated by overlap, and labelled so.
Completeness: the share of the run window covered by the view's buckets.
"""

from __future__ import annotations

from enrichment.enrichers.base import EnrichmentResult, chunk_bounds, windows_batch
from enrichment.queue.run_facts import RunFacts
from enrichment.store.port import Db, json_batch


def enrich(db: Db, runs: list[RunFacts], now, settings) -> dict[str, EnrichmentResult]:
    windows = {run.run_id: run.run_window for run in runs}
    start, end = chunk_bounds(windows)
    ids, batch = json_batch([run.run_id for run in runs]), json_batch(windows_batch(windows))
    db.execute("delete_hybrid_credits", [ids])
    db.execute("insert_hybrid_credits", [now, batch, start, end])
    db.execute("update_run_credit_summaries", [batch])
    totals = {row["RUN_ID"]: row for row in db.rows("hybrid_credit_totals_of_runs", [ids])}
    results = {}
    for run in runs:
        row = totals.get(run.run_id) or {}
        window_start, window_end = windows[run.run_id]
        window_seconds = max((window_end - window_start).total_seconds(), 1.0)
        coverage = min(1.0, float(row.get("COVERED_SECONDS") or 0) / window_seconds)
        written = int(row.get("BUCKETS") or 0)
        detail = (f"{float(row.get('CREDITS') or 0):.4f} account-wide hybrid-table credits during the run window "
                  f"({written} usage buckets, {coverage:.0%} of the window covered).")
        results[run.run_id] = EnrichmentResult(written, coverage, detail,
                                               required_coverage=settings.completeness_threshold)
    return results

"""HYBRID_TABLE_USAGE_HISTORY -> HYBRID_TABLE_CREDITS: account-wide credits during the run window.

The view is account-level (no table, no request count), so the figure is what the whole account
spent on hybrid-table requests while the run was going, pro-rated by overlap, and labelled so.
Completeness: the share of the run window covered by the view's buckets.
"""

from __future__ import annotations

from enrichment.enrichers.base import EnrichmentResult
from enrichment.queue.run_facts import RunFacts
from enrichment.store.port import Db


def enrich(db: Db, facts: RunFacts, now, settings) -> EnrichmentResult:
    start, end = facts.run_window
    db.execute("delete_hybrid_credits", [facts.run_id])
    written = db.execute("insert_hybrid_credits", [facts.run_id, now, start, end])
    db.execute("update_run_credit_summary", [facts.run_id, start, end, facts.run_id])
    totals = db.one("hybrid_credit_totals_of_run", [facts.run_id]) or {}
    window_seconds = max((end - start).total_seconds(), 1.0)
    coverage = min(1.0, float(totals.get("COVERED_SECONDS") or 0) / window_seconds)
    credits = totals.get("CREDITS")
    detail = (f"{float(credits or 0):.4f} account-wide hybrid-table credits during the run window "
              f"({written} usage buckets, {coverage:.0%} of the window covered).")
    return EnrichmentResult(written, coverage, detail, required_coverage=settings.completeness_threshold)

"""ACCOUNT_USAGE.QUERY_HISTORY -> partitions, spill and parameterized hash on QUERY_EXECUTIONS.

Completeness: the share of the run's successful measurement queries (with a Snowflake query id) that
the view holds. Hybrid-table queries under about 500 ms never appear there, by Snowflake's design, so
for HYBRID runs the coverage is reported but not required.
"""

from __future__ import annotations

from enrichment.enrichers.base import PADDING, EnrichmentResult
from enrichment.queue.run_facts import RunFacts
from enrichment.store.port import Db


def enrich(db: Db, facts: RunFacts, now, settings) -> EnrichmentResult:
    start, end = facts.window_start - PADDING, facts.window_end + PADDING
    updated = db.execute("enrich_query_history", [start, end, facts.run_id])
    counts = db.one("query_history_coverage", [start, end, facts.run_id]) or {}
    expected, found = int(counts.get("EXPECTED") or 0), int(counts.get("FOUND") or 0)
    coverage = (found / expected) if expected else 1.0
    if facts.table_type == "HYBRID":
        detail = (f"{found:,} of {expected:,} measurement queries are in QUERY_HISTORY; Snowflake leaves out "
                  f"hybrid-table queries under about 500 ms, so this is expected to be low.")
        return EnrichmentResult(updated, coverage, detail, required_coverage=None)
    detail = f"{found:,} of {expected:,} measurement queries found in QUERY_HISTORY; {updated:,} rows updated."
    return EnrichmentResult(updated, coverage, detail, required_coverage=settings.completeness_threshold)

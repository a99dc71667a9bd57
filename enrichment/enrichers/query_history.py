"""ACCOUNT_USAGE.QUERY_HISTORY -> partitions, spill and parameterized hash on QUERY_EXECUTIONS.

Completeness: the share of the run's successful measurement queries (with a Snowflake query id) that
the view holds. Hybrid-table queries under about 500 ms never appear there, by Snowflake's design, so
for HYBRID runs the coverage is reported but not required. The view is read twice per chunk (update,
then coverage), however many runs the chunk holds. A run's rows written are the queries found (the
update's own count is the chunk's).
"""

from __future__ import annotations

from enrichment.enrichers.base import PADDING, EnrichmentResult, chunk_bounds, padded_windows
from enrichment.queue.run_facts import RunFacts
from enrichment.store.port import Db, json_batch


def enrich(db: Db, runs: list[RunFacts], now, settings) -> dict[str, EnrichmentResult]:
    windows = padded_windows({run.run_id: (run.window_start, run.window_end) for run in runs}, PADDING)
    start, end = chunk_bounds(windows)
    ids = json_batch([run.run_id for run in runs])
    db.execute("enrich_query_history", [start, end, ids])
    counts = {row["RUN_ID"]: row for row in db.rows("query_history_coverage_of_runs", [start, end, ids])}
    results = {}
    for run in runs:
        row = counts.get(run.run_id) or {}
        expected, found = int(row.get("EXPECTED") or 0), int(row.get("FOUND") or 0)
        coverage = (found / expected) if expected else 1.0
        if run.table_type == "HYBRID":
            detail = (f"{found:,} of {expected:,} measurement queries are in QUERY_HISTORY; Snowflake leaves out "
                      f"hybrid-table queries under about 500 ms, so this is expected to be low.")
            results[run.run_id] = EnrichmentResult(found, coverage, detail, required_coverage=None)
        else:
            detail = f"{found:,} of {expected:,} measurement queries found in QUERY_HISTORY."
            results[run.run_id] = EnrichmentResult(found, coverage, detail,
                                                   required_coverage=settings.completeness_threshold)
    return results

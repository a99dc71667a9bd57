"""Whether a type's view has landed for a run.

Dense views (QUERY_HISTORY, AGGREGATE_QUERY_HISTORY, HYBRID_TABLE_USAGE_HISTORY) have data for every
minute of an active account, so their watermark (the latest time they hold) passing the run's end
means the run's window has landed, often long before the documented latency. Sparse views
(LOCK_WAIT_HISTORY, QUERY_INSIGHTS) have rows only when something happened: only their documented
latency plus a margin can tell. Either way, once that latency has passed the view counts as landed.
Watermarks are read once per view per pass, not per run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from enrichment.queue.run_facts import RunFacts
from enrichment.types import EnrichmentType

WATERMARK_QUERY = {
    "QUERY_HISTORY": "watermark_query_history",
    "AGGREGATE_QUERY_HISTORY": "watermark_aggregate_query_history",
    "HYBRID_TABLE_USAGE_HISTORY": "watermark_hybrid_table_usage_history",
}
WATERMARK_LOOKBACK = dt.timedelta(days=2)


class Watermarks:
    """Per-pass cache of each dense view's watermark (None when unreadable or empty)."""

    def __init__(self, now: dt.datetime) -> None:
        self._now, self._seen = now, {}

    def of(self, db, view: str) -> dt.datetime | None:
        if view not in self._seen:
            try:
                self._seen[view] = db.scalar(WATERMARK_QUERY[view], [self._now - WATERMARK_LOOKBACK])
            except Exception:  # unreadable view: readiness falls back to latency; the enricher reports why
                self._seen[view] = None
        return self._seen[view]


def target_time(enrichment_type: EnrichmentType, facts: RunFacts) -> dt.datetime:
    """The time the view must have reached for the run to be fully inside it."""
    if enrichment_type is EnrichmentType.HYBRID_CREDITS:
        return facts.run_window[1]
    if enrichment_type is EnrichmentType.AGGREGATE:
        # The minute holding the run's last query must have closed.
        end = facts.window_end
        return end.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return facts.window_end


def is_landed(
    enrichment_type: EnrichmentType,
    facts: RunFacts,
    expected_at: dt.datetime,
    now: dt.datetime,
    watermark_of: Callable[[str], dt.datetime | None],
) -> bool:
    if now >= expected_at:
        return True
    if enrichment_type.dense:
        watermark = watermark_of(enrichment_type.view)
        return watermark is not None and watermark >= target_time(enrichment_type, facts)
    return False

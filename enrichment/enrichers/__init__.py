"""One module per ACCOUNT_USAGE view. Each `enrich(db, facts, now, settings)` rewrites the run's rows
for its type inside the caller's transaction and returns an EnrichmentResult."""

from enrichment.enrichers import aggregate, hybrid_credits, lock_contention, query_history, query_insights
from enrichment.types import EnrichmentType

ENRICHERS = {
    EnrichmentType.QUERY_HISTORY: query_history.enrich,
    EnrichmentType.AGGREGATE: aggregate.enrich,
    EnrichmentType.LOCK_CONTENTION: lock_contention.enrich,
    EnrichmentType.HYBRID_CREDITS: hybrid_credits.enrich,
    EnrichmentType.QUERY_INSIGHTS: query_insights.enrich,
}

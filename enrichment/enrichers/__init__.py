"""One module per ACCOUNT_USAGE view. Each `enrich(db, runs, now, settings)` rewrites the rows of a
time chunk's runs for its type inside the caller's transaction, reading its view once (QUERY_HISTORY:
twice) for the whole chunk, and returns an EnrichmentResult per run id."""

from enrichment.enrichers import aggregate, hybrid_credits, lock_contention, query_history, query_insights
from enrichment.types import EnrichmentType

ENRICHERS = {
    EnrichmentType.QUERY_HISTORY: query_history.enrich,
    EnrichmentType.AGGREGATE: aggregate.enrich,
    EnrichmentType.LOCK_CONTENTION: lock_contention.enrich,
    EnrichmentType.HYBRID_CREDITS: hybrid_credits.enrich,
    EnrichmentType.QUERY_INSIGHTS: query_insights.enrich,
}

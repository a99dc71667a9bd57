# The plan's own unit tests ("Testing Strategy" in the seed document), with only the import line changed.

import pytest
from datetime import datetime, timedelta, UTC
from enrichment import (
    EnrichmentType,
    get_enrichment_types_for_table_type,
    calculate_earliest_enrichment_time,
)


class TestEnrichmentTypes:
    def test_standard_table_types(self):
        types = get_enrichment_types_for_table_type("STANDARD")
        assert EnrichmentType.QUERY_HISTORY in types
        assert EnrichmentType.AGGREGATE in types
        assert EnrichmentType.LOCK_CONTENTION not in types
        assert EnrichmentType.HYBRID_CREDITS not in types

    def test_hybrid_table_types(self):
        types = get_enrichment_types_for_table_type("HYBRID")
        assert EnrichmentType.QUERY_HISTORY in types
        assert EnrichmentType.AGGREGATE in types
        assert EnrichmentType.LOCK_CONTENTION in types
        assert EnrichmentType.HYBRID_CREDITS in types

    def test_postgres_no_enrichment(self):
        types = get_enrichment_types_for_table_type("POSTGRES")
        assert types == []


class TestEarliestEnrichmentTime:
    def test_query_history_only(self):
        now = datetime.now(UTC)
        types = [EnrichmentType.QUERY_HISTORY]
        earliest = calculate_earliest_enrichment_time(now, types)
        # Should be ~50 minutes later
        delta = (earliest - now).total_seconds() / 60
        assert 45 <= delta <= 55

    def test_aggregate_determines_max(self):
        now = datetime.now(UTC)
        types = [EnrichmentType.QUERY_HISTORY, EnrichmentType.AGGREGATE]
        earliest = calculate_earliest_enrichment_time(now, types)
        # Should be ~3.25 hours later (AGGREGATE is longest)
        delta = (earliest - now).total_seconds() / 60
        assert 180 <= delta <= 200

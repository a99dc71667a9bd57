"""FlakeBench delayed enrichment: the engine. Never imports Streamlit.

The plan's public names are importable from here, so its own unit tests run with only their import
line changed.
"""

from enrichment.queue.jobs import create_delayed_enrichment_job
from enrichment.types import (
    EnrichmentType,
    calculate_earliest_enrichment_time,
    get_enrichment_types_for_table_type,
)

__all__ = [
    "EnrichmentType",
    "calculate_earliest_enrichment_time",
    "create_delayed_enrichment_job",
    "get_enrichment_types_for_table_type",
]

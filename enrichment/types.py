"""The five enrichment types, which runs each applies to, and when each is expected to land.

Names follow the user's plan (`EnrichmentType`, `get_enrichment_types_for_table_type`,
`calculate_earliest_enrichment_time`), so the plan's own unit tests run against this module.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

from enrichment.simulation.latency import DOCUMENTED_LATENCY

TABLE_TYPES = ("STANDARD", "HYBRID", "INTERACTIVE", "DYNAMIC", "POSTGRES")

# Snowflake stopped metering hybrid-table requests on this date (HYBRID_TABLE_USAGE_HISTORY page).
HYBRID_CREDITS_END = dt.datetime(2026, 3, 1)


class EnrichmentType(str, Enum):
    QUERY_HISTORY = "QUERY_HISTORY"
    AGGREGATE = "AGGREGATE"
    LOCK_CONTENTION = "LOCK_CONTENTION"
    HYBRID_CREDITS = "HYBRID_CREDITS"
    QUERY_INSIGHTS = "QUERY_INSIGHTS"

    @property
    def view(self) -> str:
        return VIEW_OF[self]

    @property
    def dense(self) -> bool:
        """Dense views hold something for every minute of an active account, so the latest time they
        have data for (their watermark) tells whether a run's window has landed. Sparse views only
        have rows when something happened, so only the documented latency can tell."""
        return self in (EnrichmentType.QUERY_HISTORY, EnrichmentType.AGGREGATE, EnrichmentType.HYBRID_CREDITS)


VIEW_OF = {
    EnrichmentType.QUERY_HISTORY: "QUERY_HISTORY",
    EnrichmentType.AGGREGATE: "AGGREGATE_QUERY_HISTORY",
    EnrichmentType.LOCK_CONTENTION: "LOCK_WAIT_HISTORY",
    EnrichmentType.HYBRID_CREDITS: "HYBRID_TABLE_USAGE_HISTORY",
    EnrichmentType.QUERY_INSIGHTS: "QUERY_INSIGHTS",
}

# Documented latency plus a safety margin (the plan's buffers: 45->50 min, 90->100 min, 3 h->3 h 15 min).
SCHEDULING_BUFFER = {
    EnrichmentType.QUERY_HISTORY: dt.timedelta(minutes=50),
    EnrichmentType.QUERY_INSIGHTS: dt.timedelta(minutes=100),
    EnrichmentType.AGGREGATE: dt.timedelta(minutes=195),
    EnrichmentType.LOCK_CONTENTION: dt.timedelta(minutes=195),
    EnrichmentType.HYBRID_CREDITS: dt.timedelta(minutes=195),
}
assert all(SCHEDULING_BUFFER[t] > DOCUMENTED_LATENCY[VIEW_OF[t]] for t in EnrichmentType)

# The grant that makes each view readable, as SQL to put after GRANT ... TO ROLE <runner role>.
# Database roles per https://docs.snowflake.com/sql-reference/snowflake-db-roles (copy crawled 2026-08):
# that table maps no SNOWFLAKE database role to LOCK_WAIT_HISTORY, so only IMPORTED PRIVILEGES is
# documented to open it (sql/snowflake/grants.sql explains the trade-off).
_GOVERNANCE = "DATABASE ROLE SNOWFLAKE.GOVERNANCE_VIEWER (or IMPORTED PRIVILEGES ON DATABASE SNOWFLAKE)"
GRANT_NEEDED = {
    EnrichmentType.QUERY_HISTORY: _GOVERNANCE,
    EnrichmentType.AGGREGATE: _GOVERNANCE,
    EnrichmentType.LOCK_CONTENTION: ("IMPORTED PRIVILEGES ON DATABASE SNOWFLAKE (no SNOWFLAKE database role is documented "
                                     "to cover LOCK_WAIT_HISTORY; GOVERNANCE_VIEWER and USAGE_VIEWER do not list it)"),
    EnrichmentType.HYBRID_CREDITS: "DATABASE ROLE SNOWFLAKE.USAGE_VIEWER (or IMPORTED PRIVILEGES ON DATABASE SNOWFLAKE)",
    EnrichmentType.QUERY_INSIGHTS: _GOVERNANCE,
}


def normalize_table_type(table_type: str | None) -> str | None:
    if not isinstance(table_type, str):
        return None
    cleaned = table_type.strip().upper()
    return cleaned if cleaned in TABLE_TYPES else None


def get_enrichment_types_for_table_type(table_type: str) -> list[EnrichmentType]:
    """The types that can apply to a table type (before run-specific rules such as the credits date)."""
    kind = normalize_table_type(table_type)
    if kind is None or kind == "POSTGRES":
        return []
    types = [EnrichmentType.QUERY_HISTORY, EnrichmentType.AGGREGATE]
    if kind == "HYBRID":
        types += [EnrichmentType.LOCK_CONTENTION, EnrichmentType.HYBRID_CREDITS]
    if kind in ("STANDARD", "DYNAMIC"):
        # Snowflake produces no query insights for hybrid-table or interactive-table queries.
        types.append(EnrichmentType.QUERY_INSIGHTS)
    return types


def expected_landing(window_end: dt.datetime, enrichment_type: EnrichmentType, scale: float = 1.0) -> dt.datetime:
    """When the type's view should hold everything up to window_end (documented latency + margin)."""
    return window_end + SCHEDULING_BUFFER[enrichment_type] * scale


def calculate_earliest_enrichment_time(
    test_end_time: dt.datetime, types: list[EnrichmentType], scale: float = 1.0
) -> dt.datetime:
    """When every one of `types` should have landed. Each type still runs as soon as its own view has."""
    if not types:
        return test_end_time
    return max(expected_landing(test_end_time, t, scale) for t in types)

"""How late each ACCOUNT_USAGE view lands, as documented, and the latency scale in force.

The documentation gives each view's latency as "up to" a figure. The simulation makes every row land
somewhere between half of that and all of it (times the scale), so the engine, which waits for the
documented figure (times the same scale) on sparse views, never reads before a row could have landed.
"""

from __future__ import annotations

import datetime as dt

DOCUMENTED_LATENCY = {
    "QUERY_HISTORY": dt.timedelta(minutes=45),
    "AGGREGATE_QUERY_HISTORY": dt.timedelta(hours=3),
    "LOCK_WAIT_HISTORY": dt.timedelta(hours=3),
    "HYBRID_TABLE_USAGE_HISTORY": dt.timedelta(hours=3),
    "QUERY_INSIGHTS": dt.timedelta(minutes=90),
}

# Documented retention; runs older than this cannot be enriched from the view any more. AGGREGATE's
# retention is not stated on its page (its ORGANIZATION_USAGE twin says 365 days).
RETENTION = {view: dt.timedelta(days=365) for view in DOCUMENTED_LATENCY}

JITTER_LOW = 0.5  # a row lands between JITTER_LOW and 1.0 times the scaled documented latency


def scaled_latency(view: str, scale: float) -> dt.timedelta:
    return DOCUMENTED_LATENCY[view] * scale


def read_latency_scale(db, default: float) -> float:
    """The scale the embedded store's simulation was seeded with (a real account is always 1.0)."""
    try:
        value = db.scalar("SELECT MAX(LATENCY_SCALE) FROM SNOWFLAKE.ACCOUNT_USAGE_SIM.SIM_SETTINGS")
    except Exception:
        return default
    return float(value) if value else default

"""Helpers for engine tests: a seeded demo world and a simulated clock that both the simulated
ACCOUNT_USAGE views and the engine obey."""

from __future__ import annotations

import datetime as dt

from enrichment.config import Settings
from enrichment.runner import run_pass

SEEDED_AT = dt.datetime(2026, 11, 26, 12, 0, 0)


def freeze_views_at(store, when: dt.datetime) -> None:
    with store.unit() as db:
        db.execute("DELETE FROM SNOWFLAKE.ACCOUNT_USAGE_SIM.SIM_CLOCK")
        db.execute("INSERT INTO SNOWFLAKE.ACCOUNT_USAGE_SIM.SIM_CLOCK (FROZEN_AT) VALUES (?)", [when])


def pass_at(store, settings: Settings, when: dt.datetime, **kwargs):
    """One runner pass as if it were `when`: the views show only what had landed by then."""
    freeze_views_at(store, when)
    return run_pass(store, settings, now=when, **kwargs)


def type_rows(store, run_id: str) -> dict[str, dict]:
    with store.unit() as db:
        return {r["ENRICHMENT_TYPE"]: r for r in db.rows("type_statuses_of_job", [run_id])}


def table_snapshot(store, table: str, run_id: str, ignore=("CREATED_AT", "EXPIRES_AT")) -> list[tuple]:
    with store.unit() as db:
        rows = db.rows(f"SELECT * FROM {table} WHERE RUN_ID = ?", [run_id])
    return sorted(tuple((k, str(v)) for k, v in sorted(r.items()) if k not in ignore) for r in rows)


def table_snapshots(store, table: str, ignore=("CREATED_AT", "EXPIRES_AT")) -> dict[str, list[tuple]]:
    """`table_snapshot` of every run at once, in one unit of work (for stores with many runs)."""
    with store.unit() as db:
        rows = db.rows(f"SELECT * FROM {table}")
    found: dict[str, list[tuple]] = {}
    for row in rows:
        found.setdefault(row["RUN_ID"], []).append(tuple((k, str(v)) for k, v in sorted(row.items()) if k not in ignore))
    return {run_id: sorted(snapshot) for run_id, snapshot in found.items()}

"""The analyst's page for one run: what is available now, what is coming and when.

Every section has its own state (waiting with the time its view should land, running, done with data,
done with no data, incomplete with coverage, failed with the reason, not applicable, skipped), so a
page never shows 0 for data that is merely pending. Server percentiles are calls-weighted estimates
merged from AGGREGATE_QUERY_HISTORY's per-minute summaries, always with their bounds; client
percentiles are exact, from QUERY_EXECUTIONS.APP_ELAPSED_MS.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pandas as pd

from enrichment.enrichers.aggregate import summaries
from enrichment.percentiles import merge_summaries
from enrichment.store.port import Db
from enrichment.types import EnrichmentType

PERCENTILES = (("p50", "P50"), ("p90", "P90"), ("p95", "P95"), ("p99", "P99"))
ALL_KINDS = "ALL"


@dataclass(frozen=True)
class SectionState:
    """One enrichment type's state as a section of the page shows it."""

    enrichment_type: str
    state: str  # WAITING, DUE, RUNNING, DONE, DONE_NO_DATA, INCOMPLETE, FAILED, NOT_APPLICABLE, SKIPPED, NO_JOB
    expected_at: dt.datetime | None = None
    coverage: float | None = None
    detail: str | None = None
    error: str | None = None
    attempts: int = 0

    @property
    def has_data(self) -> bool:
        return self.state in ("DONE", "INCOMPLETE")


def section_states(db: Db, run_id: str, now: dt.datetime, job_status: str | None) -> dict[str, SectionState]:
    rows = {r["ENRICHMENT_TYPE"]: r for r in db.rows("type_statuses_of_job", [run_id])}
    states = {}
    for etype in EnrichmentType:
        row = rows.get(etype.value)
        if row is None:
            states[etype.value] = SectionState(etype.value, "NO_JOB", detail="No enrichment job yet; the runner's next pass creates it.")
            continue
        status, outcome = row["STATUS"], row["OUTCOME"]
        if status == "COMPLETED":
            state = {"INCOMPLETE": "INCOMPLETE", "NO_DATA": "DONE_NO_DATA"}.get(outcome, "DONE")
        elif status == "PENDING":
            if job_status == "IN_PROGRESS":
                state = "RUNNING"
            elif row["NEXT_CHECK_AT"] is not None and row["NEXT_CHECK_AT"] <= now:
                state = "DUE"
            else:
                state = "WAITING"
        else:
            state = status
        states[etype.value] = SectionState(etype.value, state, row["EXPECTED_AT"], row["COVERAGE"], row["DETAIL"],
                                           row["LAST_ERROR"], int(row["ATTEMPTS"] or 0))
    return states


def run_badge(enrichment_status: str | None, delayed_status: str | None, table_type: str | None) -> tuple[str, str]:
    """One badge for immediate and delayed enrichment together: (state, words). Covers NOT_APPLICABLE."""
    immediate = (enrichment_status or "").upper()
    delayed = (delayed_status or "").upper()
    if delayed == "NOT_APPLICABLE" or (table_type or "").upper() == "POSTGRES":
        return "NOT_APPLICABLE", "Complete (no delayed enrichment applies)"
    if immediate == "PENDING":
        return "RUNNING", "Enriching (immediate pass)"
    if immediate == "FAILED" and delayed in ("", "PENDING"):
        return "FAILED", "Immediate enrichment failed; delayed metrics still coming"
    return {
        "COMPLETED": ("DONE", "Full metrics"),
        "PENDING": ("WAITING", "Partial: server metrics still landing"),
        "IN_PROGRESS": ("RUNNING", "Loading server metrics"),
        "FAILED": ("FAILED", "Partial: delayed enrichment failed"),
        "SKIPPED": ("SKIPPED", "Delayed enrichment skipped"),
    }.get(delayed, ("NO_JOB", "Delayed enrichment not started"))


def header(db: Db, run_id: str) -> dict[str, Any] | None:
    return db.one("run_detail_header", [run_id])


def _merge_or_none(rows: list[dict], column: str) -> dict | None:
    parts = summaries(rows, column)
    return merge_summaries(parts) if parts else None


def client_vs_server(db: Db, run_id: str) -> pd.DataFrame:
    """Long table: KIND, PERCENTILE, CLIENT_MS (exact), SERVER_EST_MS, SERVER_LOW_MS, SERVER_HIGH_MS, GAP_MS,
    CLIENT_N, SERVER_CALLS. Server figures are TOTAL_ELAPSED_TIME (compile + queue + execution)."""
    client = {(r["QUERY_KIND"] or ALL_KINDS): r for r in db.rows("client_percentiles_of_run", [run_id])}
    intervals = db.rows("aggregate_intervals_of_run", [run_id])
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for row in intervals:
        by_kind[row["QUERY_KIND"] or "UNKNOWN"].append(row)
    by_kind[ALL_KINDS] = intervals
    records = []
    for kind in sorted(set(client) | set(by_kind), key=lambda k: (k != ALL_KINDS, k)):
        c = client.get(kind)
        s = _merge_or_none(by_kind.get(kind, []), "TOTAL_ELAPSED_TIME")
        for name, column in PERCENTILES:
            client_ms = float(c[column]) if c and c[column] is not None else None
            server_ms = s[name] if s else None
            low, high = s["bounds"][name] if s else (None, None)
            records.append({
                "KIND": kind, "PERCENTILE": name, "CLIENT_MS": client_ms, "SERVER_EST_MS": server_ms,
                "SERVER_LOW_MS": low, "SERVER_HIGH_MS": high,
                "GAP_MS": (client_ms - server_ms) if client_ms is not None and server_ms is not None else None,
                "CLIENT_N": int(c["N"]) if c else 0, "SERVER_CALLS": int(s["count"]) if s else 0,
            })
    return pd.DataFrame(records, columns=["KIND", "PERCENTILE", "CLIENT_MS", "SERVER_EST_MS", "SERVER_LOW_MS",
                                          "SERVER_HIGH_MS", "GAP_MS", "CLIENT_N", "SERVER_CALLS"])


def server_patterns(db: Db, run_id: str) -> pd.DataFrame:
    frame = db.frame("aggregate_metrics_of_run", [run_id])
    keep = ["QUERY_PARAMETERIZED_HASH", "QUERY_KIND", "CALLS", "ERRORS_COUNT", "HYBRID_REQUESTS_THROTTLED_COUNT",
            "ELAPSED_MEAN_MS", "ELAPSED_P50_EST_MS", "ELAPSED_P90_EST_MS", "ELAPSED_P95_EST_MS", "ELAPSED_P99_EST_MS",
            "ELAPSED_MAX_MS", "EXEC_MEAN_MS", "COMPILE_MEAN_MS", "QUEUED_OVERLOAD_MEAN_MS",
            "QUEUED_PROVISIONING_MEAN_MS", "TX_BLOCKED_SUM_MS", "TX_BLOCKED_MAX_MS", "SAMPLE_QUERY_TEXT"]
    return frame[[c for c in keep if c in frame.columns]] if not frame.empty else pd.DataFrame(columns=keep)


def server_per_minute(db: Db, run_id: str) -> pd.DataFrame:
    """MINUTE, CALLS, MEAN_MS (exact), P50_EST_MS, P99_EST_MS, MAX_MS: server latency over the run."""
    by_minute: dict[dt.datetime, list[dict]] = defaultdict(list)
    for row in db.rows("aggregate_intervals_of_run", [run_id]):
        by_minute[row["INTERVAL_START_TIME"]].append(row)
    records = []
    for minute, rows in sorted(by_minute.items()):
        merged = _merge_or_none(rows, "TOTAL_ELAPSED_TIME")
        if merged:
            records.append({"MINUTE": minute, "CALLS": merged["count"], "MEAN_MS": merged["mean"],
                            "P50_EST_MS": merged["p50"], "P99_EST_MS": merged["p99"], "MAX_MS": merged["max"]})
    return pd.DataFrame(records, columns=["MINUTE", "CALLS", "MEAN_MS", "P50_EST_MS", "P99_EST_MS", "MAX_MS"])


def lock_waits(db: Db, run_id: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One row per blocker; the summary counts each waiting query once."""
    events = db.frame("lock_events_of_run", [run_id])
    if events.empty:
        return events, {"waiting_queries": 0, "blocker_rows": 0, "total_wait_ms": 0.0, "max_wait_ms": None,
                        "mean_wait_ms": None}
    per_query = events.groupby("QUERY_ID")["WAIT_MS"].max()
    return events, {
        "waiting_queries": int(per_query.size), "blocker_rows": int(len(events)),
        "total_wait_ms": float(per_query.sum()), "max_wait_ms": float(per_query.max()),
        "mean_wait_ms": float(per_query.mean()),
    }


def hybrid_credits(db: Db, run_id: str) -> tuple[pd.DataFrame, float | None]:
    frame = db.frame("hybrid_credits_of_run", [run_id])
    return frame, (float(frame["CREDITS_PRORATED"].sum()) if not frame.empty else None)


def insights(db: Db, run_id: str) -> pd.DataFrame:
    frame = db.frame("query_insights_of_run", [run_id])
    if not frame.empty:
        frame["SUGGESTIONS"] = frame["SUGGESTIONS"].map(lambda text: json.loads(text) if text else [])
    return frame


def partitions_spill(db: Db, run_id: str) -> pd.DataFrame:
    return db.frame("partitions_spill_of_run", [run_id])

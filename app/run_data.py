"""What the run pages read, cached for a few seconds.

A run page reruns on every click (the picker, a download, a tab); reading the store again for each
took about half a second and building the Altair specs another third, so both are cached, keyed on
the run id, for `TTL` seconds: long enough for those reruns, short enough that a landing view shows
up within a refresh. An admin action clears the cache (`app.store.forget_cached_reads`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from app.charts import client_vs_server_chart, lock_timeline_chart, per_minute_chart
from app.store import get_store
from enrichment.readmodels import run_detail as rd
from enrichment.readmodels.filters import Page, RunFilter
from enrichment.readmodels.overview import utc_now
from enrichment.readmodels.runs import runs_page

TTL = 10  # seconds
MAX_RUN_ID = 64


@dataclass
class RunBundle:
    head: dict[str, Any]
    states: dict[str, rd.SectionState]
    cvs: pd.DataFrame
    full: bool = False
    patterns: pd.DataFrame | None = None
    per_minute: pd.DataFrame | None = None
    locks: tuple[pd.DataFrame, dict[str, Any]] | None = None
    credits: tuple[pd.DataFrame, float | None] | None = None
    insights: pd.DataFrame | None = None
    spill: pd.DataFrame | None = None
    specs: dict[str, dict] = field(default_factory=dict)  # Vega-Lite specs of the run's charts

    @property
    def hybrid(self) -> bool:
        return str(self.head["TABLE_TYPE"]).upper() == "HYBRID"


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=20)
def recent_runs(store: str, limit: int = 100) -> pd.DataFrame:
    with get_store().unit() as db:
        frame, _ = runs_page(db, RunFilter(), Page(1, limit))
    return frame


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=100)
def run_bundle(store: str, run_id: str, full: bool = True) -> RunBundle | None:
    """The run's header, section states and client-vs-server figures; with `full`, every section's data
    and the chart specs too. None when there is no such run."""
    if not run_id or len(run_id) > MAX_RUN_ID:
        return None
    with get_store().unit() as db:
        head = rd.header(db, run_id)
        if head is None:
            return None
        states = rd.section_states(db, run_id, utc_now(), head["JOB_STATUS"])
        bundle = RunBundle(head=head, states=states, cvs=rd.client_vs_server(db, run_id), full=full)
        if not full:
            return bundle
        if states["AGGREGATE"].has_data:
            bundle.patterns = rd.server_patterns(db, run_id)
            bundle.per_minute = rd.server_per_minute(db, run_id)
        if states["LOCK_CONTENTION"].has_data:
            bundle.locks = rd.lock_waits(db, run_id)
        if states["HYBRID_CREDITS"].has_data:
            bundle.credits = rd.hybrid_credits(db, run_id)
        if states["QUERY_INSIGHTS"].has_data:
            bundle.insights = rd.insights(db, run_id)
        if states["QUERY_HISTORY"].has_data:
            bundle.spill = rd.partitions_spill(db, run_id)
    if not bundle.cvs.empty and bundle.cvs["CLIENT_MS"].notna().any():
        bundle.specs["cvs"] = client_vs_server_chart(bundle.cvs, list(dict.fromkeys(bundle.cvs["KIND"]))).to_dict(
            validate=False)
    if bundle.per_minute is not None and not bundle.per_minute.empty:
        bundle.specs["per_minute"] = per_minute_chart(bundle.per_minute).to_dict(validate=False)
    if bundle.locks is not None and not bundle.locks[0].empty:
        events = bundle.locks[0].head(200)
        bundle.specs["locks"] = lock_timeline_chart(events, (head["WINDOW_START"], head["WINDOW_END"])).to_dict(
            validate=False)
    return bundle

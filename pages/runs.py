"""Runs: every FlakeBench run, searchable and filterable, a page at a time, each one a click from its page."""

import datetime as dt

import pandas as pd
import streamlit as st

from app.badges import badge_for, styled
from app.errors import guarded
from app.format import format_ms, format_utc
from app.sections import job_badge
from app.shell import ensure_shell
from app.store import get_store
from app.tables import clamp_page, current_page, pager, reset_page_when_changed, table
from enrichment.readmodels.filters import RunFilter
from enrichment.readmodels.overview import utc_now
from enrichment.readmodels.runs import runs_page
from enrichment.types import TABLE_TYPES

ensure_shell()

RUN_STATUSES = ("COMPLETED", "FAILED", "CANCELLED", "RUNNING")
DELAYED_STATES = ("NO_JOB", "PENDING", "IN_PROGRESS", "COMPLETED", "FAILED", "SKIPPED", "NOT_APPLICABLE")
KEY = "runs"

store = get_store()
now = utc_now()

st.title("Runs")
st.caption("Every FlakeBench run, newest first, with where its delayed enrichment stands. "
           "Tick the box at a row's left to open that run.")

with st.container(border=True):
    search = st.text_input("Search by run name or id", key="runs_search", persist_state="session",
                           placeholder="e.g. hybrid point lookups, or a run id", max_chars=200)
    first, second, third, fourth = st.columns(4)
    table_types = first.multiselect("Table type", TABLE_TYPES, key="runs_types", persist_state="session",
                                    format_func=str.title)
    statuses = second.multiselect("Run status", RUN_STATUSES, key="runs_statuses", persist_state="session",
                                  format_func=str.capitalize)
    states = third.multiselect("Delayed enrichment", DELAYED_STATES, key="runs_states", persist_state="session",
                               format_func=lambda s: badge_for(s).text)
    ended = fourth.date_input("Ended between (UTC days)", value=(), key="runs_ended", persist_state="session",
                              help="Pick a first and a last day; both are included.")

ended_days = tuple(ended) if isinstance(ended, (tuple, list)) else (ended,)
ended_from = dt.datetime.combine(ended_days[0], dt.time()) if ended_days else None
ended_until = dt.datetime.combine(ended_days[-1], dt.time()) + dt.timedelta(days=1) if ended_days else None
filters = RunFilter(search=search or None, table_types=list(table_types), statuses=list(statuses),
                    delayed_states=list(states), ended_from=ended_from, ended_until=ended_until)

size = int(st.session_state.get(f"{KEY}_size") or 50)  # its widget sits under the table, with the pager
reset_page_when_changed(KEY, (search, tuple(table_types), tuple(statuses), tuple(states), ended_days, size))
page = current_page(KEY, size)
with guarded("loading the runs"), store.unit() as db:
    frame, total = runs_page(db, filters, page)
    clamped = clamp_page(KEY, page, total)
    if clamped is not None and total:
        page = clamped
        frame, total = runs_page(db, filters, page)

filtered = any([search, table_types, statuses, states, ended_days])
if total == 0:
    if filtered:
        st.info("No run matches these filters. Clear the search or widen the filters to see runs.",
                icon=":material/filter_alt_off:")
    else:
        st.info("No FlakeBench runs yet: they appear here as soon as a benchmark finishes.",
                icon=":material/hourglass_empty:")
    st.stop()


records = frame.to_dict("records")
badges = [job_badge(r["DELAYED_STATE"], r["NEXT_CHECK_AT"], now) for r in records]
shown = pd.DataFrame({
    "Run": [r["TEST_NAME"] for r in records],
    "Table type": [str(r["TABLE_TYPE"]).title() for r in records],
    "Run status": [str(r["STATUS"]).capitalize() for r in records],
    "Ended": [format_utc(r["END_TIME"]) for r in records],
    "QPS": [round(float(r["QPS"]), 1) if pd.notna(r["QPS"]) else None for r in records],
    "Client p95": [format_ms(r["P95_LATENCY_MS"]) for r in records],
    "Delayed enrichment": [b.text for b in badges],
})
selection = table(
    styled(shown, "Delayed enrichment", badges), key="runs_table", file_name="flakebench-runs.csv",
    export=frame, on_select="rerun", selection_mode="single-row", height=600,
    column_config={"Run": st.column_config.TextColumn(width="medium"),
                   "Delayed enrichment": st.column_config.TextColumn(width="medium"),
                   "QPS": st.column_config.NumberColumn("QPS", format="%.1f", help="Queries per second"),
                   "Client p95": st.column_config.TextColumn(help="p95 of the client's latency, from FlakeBench")},
    label="Download this page as CSV", placeholder="—",
)
pager(KEY, page, total)

chosen = [i for i in (selection.selection.rows if selection is not None else []) if i < len(records)]
if chosen:  # one click opens the run; its page's URL (?run=<id>) can be shared
    st.switch_page("pages/run_detail.py", query_params={"run": records[chosen[0]]["RUN_ID"]})

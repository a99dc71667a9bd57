"""Overview: how many runs there are, where their delayed enrichment stands, and what lands next."""

import pandas as pd
import streamlit as st

from app.badges import badge_for, badge_for_run
from app.errors import guarded
from app.format import format_ago, format_count, format_utc, format_utc_time
from app.store import get_settings, get_store
from enrichment.readmodels.overview import load_overview

settings = get_settings()
store = get_store()
with guarded("loading the overview"), store.unit() as db:
    overview = load_overview(db)
now = overview.now

st.title("Overview")
if settings.embedded:
    st.info("**Demo data.** These runs and their ACCOUNT_USAGE rows are simulated on the embedded store, "
            f"with view latencies scaled by {settings.latency_scale:g}.", icon=":material/science:")
st.caption(f"As of {format_utc(now)}. Benchmark results are available as soon as a run ends; "
           "the delayed enrichment adds server-side figures once Snowflake publishes ACCOUNT_USAGE.")

columns = st.columns(1 + max(len(overview.runs_by_type), 1) + 1)
columns[0].metric("Runs", format_count(overview.total_runs))
for column, (table_type, runs) in zip(columns[1:], overview.runs_by_type.items()):
    column.metric(f"{table_type.title()} runs", format_count(runs))
columns[-1].metric("Enrichments waiting", format_count(overview.waiting_types))

st.header("Runs by table type and enrichment state")
if overview.total_runs == 0:
    st.info("No FlakeBench runs yet: they appear here as soon as a benchmark finishes.")
else:
    matrix = overview.matrix
    matrix = matrix.rename(columns={state: badge_for(state).text for state in matrix.columns if state != "TOTAL"})
    matrix = matrix.rename(columns={"TOTAL": "Total"}).rename_axis("Table type")
    st.dataframe(matrix, width="stretch")

st.header("Recent runs")
if overview.recent:
    recent = pd.DataFrame(
        {
            "Run": [r["TEST_NAME"] for r in overview.recent],
            "Table type": [r["TABLE_TYPE"] for r in overview.recent],
            "Run status": [str(r["RUN_STATUS"]).capitalize() for r in overview.recent],
            "Ended": [format_utc(r["END_TIME"]) for r in overview.recent],
            "Delayed enrichment": [badge_for_run(r, now).text for r in overview.recent],
            "Types done": [f"{r['TYPES_DONE']} of {r['TYPES_TOTAL']}" if r["TYPES_TOTAL"] else "—"
                           for r in overview.recent],
        }
    )
    st.dataframe(recent, hide_index=True, width="stretch")
else:
    st.caption("No runs yet.")

st.header("Waiting to land")
if overview.upcoming:
    st.caption("Enrichments wait until their ACCOUNT_USAGE view should have landed; past that time they are "
               "re-checked until the data is complete.")
    upcoming = pd.DataFrame(
        {
            "Enrichment": [u["ENRICHMENT_TYPE"] for u in overview.upcoming],
            "Waiting": [int(u["WAITING"]) for u in overview.upcoming],
            "Next landing": [
                f"{format_utc_time(u['NEXT_EXPECTED_AT'], now)} ({format_ago(u['NEXT_EXPECTED_AT'], now)})"
                if u["NEXT_EXPECTED_AT"] is not None else "—"
                for u in overview.upcoming
            ],
            "Due, being re-checked": [int(u["OVERDUE"]) for u in overview.upcoming],
        }
    )
    st.dataframe(upcoming, hide_index=True, width="stretch")
elif overview.total_runs and overview.queued_runs == 0:
    st.info("No enrichment jobs yet: the runner queues each run shortly after it ends.", icon=":material/schedule:")
else:
    st.success("Nothing is waiting: every queued enrichment has finished.", icon=":material/check_circle:")

"""Overview: how many runs there are, where their delayed enrichment stands, and what lands next."""

import pandas as pd
import streamlit as st

from app.badges import badge_for, badge_for_run, styled
from app.errors import guarded
from app.format import format_ago, format_count, format_utc, format_utc_time
from app.shell import ensure_shell
from app.store import get_settings, get_store
from enrichment.readmodels.overview import load_overview

ensure_shell()
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

headline = [("Runs", overview.total_runs)] + [(f"{t.title()} runs", n) for t, n in overview.runs_by_type.items()]
PER_ROW = 6
for start in range(0, len(headline), PER_ROW):
    for column, (label, value) in zip(st.columns(PER_ROW), headline[start:start + PER_ROW]):
        column.metric(label, format_count(value), border=True)

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
    run_badges = [badge_for_run(r, now) for r in overview.recent]
    recent = pd.DataFrame(
        {
            "Run": [r["TEST_NAME"] for r in overview.recent],
            "Table type": [r["TABLE_TYPE"] for r in overview.recent],
            "Run status": [str(r["RUN_STATUS"]).capitalize() for r in overview.recent],
            "Ended": [format_utc(r["END_TIME"]) for r in overview.recent],
            "Delayed enrichment": [b.text for b in run_badges],
            "Types done": [f"{r['TYPES_DONE']} of {r['TYPES_TOTAL']}" if r["TYPES_TOTAL"] else "—"
                           for r in overview.recent],
        }
    )
    st.dataframe(styled(recent, "Delayed enrichment", run_badges), hide_index=True, width="stretch",
                 height="content")
else:
    st.caption("No runs yet.")

st.header("Waiting to land")
if overview.upcoming:
    upcoming_next = min((u["NEXT_EXPECTED_AT"] for u in overview.upcoming if u["NEXT_EXPECTED_AT"]), default=None)
    when = (f"the next should land at {format_utc_time(upcoming_next, now)} ({format_ago(upcoming_next, now)})"
            if upcoming_next else "all are due and being re-checked")
    waiting = "enrichment is" if overview.waiting_types == 1 else "enrichments are"
    st.markdown(f"**{format_count(overview.waiting_types)}** {waiting} waiting for their ACCOUNT_USAGE view; "
                f"{when}. Past its expected landing an enrichment is re-checked until its data is complete.")
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

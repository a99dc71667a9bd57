"""Queue health, the operator's page: does enrichment keep up? What waits, what is overdue, what failed and why."""

import datetime as dt

import pandas as pd
import streamlit as st

from app import queue_data
from app.badges import Badge, badge_for, show, styled
from app.errors import guarded
from app.format import MISSING, format_ago, format_count, format_pct, format_utc
from app.sections import job_badge
from app.shell import ensure_shell
from app.store import get_settings, store_key
from app.tables import current_page, pager, reset_page_when_changed, short, table
from enrichment.queue.health import THRESHOLDS
from enrichment.readmodels.filters import JobFilter
from enrichment.readmodels.overview import utc_now
from enrichment.types import TABLE_TYPES, EnrichmentType

ensure_shell()

KEY = "jobs"
REFRESH_SECONDS = 15
CHART_HOURS = 48
JOB_STATUSES = ("PENDING", "IN_PROGRESS", "COMPLETED", "FAILED", "SKIPPED", "NOT_APPLICABLE")
LEVELS = {"OK": Badge("✓", "OK", "green"), "WARNING": Badge("⚠", "Warning", "orange"),
          "CRITICAL": Badge("✗", "Critical", "red")}

settings = get_settings()

st.title("Queue health")
st.caption("Whether delayed enrichment keeps up: what waits, what is overdue past its expected landing, what failed "
           "and why. Levels follow the plan's alert thresholds.")
live = st.toggle(f"Refresh every {REFRESH_SECONDS} s", value=True, key="queue_auto_refresh",
                 persist_state="session", help="The figures and the chart refresh themselves; switch off to hold them.")


def _threshold(figure: str, unit: str = "", scale: float = 1) -> str:
    warning, critical = THRESHOLDS[figure]
    return f"Warning above {warning * scale:g}{unit}, critical above {critical * scale:g}{unit}."


def _figure(column, label: str, value: str, figure: str | None, levels: dict, help_text: str) -> None:
    column.metric(label, value, border=True, help=help_text)
    if figure is not None:
        show(LEVELS.get(levels.get(figure, "OK"), LEVELS["OK"]), container=column)


@st.fragment(run_every=REFRESH_SECONDS if live else None)
def live_figures() -> None:
    with guarded("reading the queue's health"):
        snapshot = queue_data.health_snapshot(store_key(), settings.lease_seconds, CHART_HOURS)
    now, health = snapshot.read_at, snapshot.health
    figures, levels = health.figures, health.levels
    worst = LEVELS.get(health.worst, LEVELS["OK"])
    st.header("Health")
    line = st.columns([1, 5], vertical_alignment="center")
    show(worst, container=line[0])
    line[1].caption(f"As of {format_utc(now)}" + (f"; refreshes every {REFRESH_SECONDS} s." if live else
                                                  "; auto-refresh is off."))

    oldest = figures["oldest_waiting_hours"]
    overdue_max = figures["max_overdue_minutes"]
    rate = figures["failure_rate_24h"]
    row = st.columns(5)
    _figure(row[0], "Waiting jobs", format_count(figures["queue_depth"]), "queue_depth", levels,
            f"Jobs with at least one enrichment still to land. {_threshold('queue_depth')}")
    _figure(row[1], "Oldest waiting", f"{oldest:.1f} h" if oldest is not None else "none",
            "oldest_waiting_hours", levels,
            f"Age of the oldest waiting job. {_threshold('oldest_waiting_hours', ' h')}")
    _figure(row[2], "Jobs overdue", format_count(figures["jobs_overdue"]), "max_overdue_minutes", levels,
            "Jobs with an enrichment past its expected landing, still waiting"
            + (f"; the most overdue by {overdue_max:.0f} min" if overdue_max is not None else "")
            + f". The level is judged on the most overdue: {_threshold('max_overdue_minutes', ' min')}")
    _figure(row[3], "Stale claims", format_count(figures["stale_claims"]), "stale_claims", levels,
            f"Jobs claimed by a runner for longer than the lease ({settings.lease_seconds:g} s): the runner may "
            f"have died; any runner takes them over. {_threshold('stale_claims')}")
    _figure(row[4], "Failure rate, 24 h",
            format_pct(rate) if rate is not None else "nothing finished",
            "failure_rate_24h", levels,
            f"{format_count(figures['failed_24h'])} failed of {format_count(figures['finished_24h'])} finished in "
            f"the last 24 h. {_threshold('failure_rate_24h', '%', 100)}")
    if overdue_max is not None:
        st.caption(f"The most overdue enrichment is {overdue_max:.0f} min past its expected landing; it is re-checked "
                   "until its data is complete.")

    left, right = st.columns([1, 2])
    with left:
        st.subheader("Jobs by status")
        by_status = pd.DataFrame({"Status": [badge_for(s).text for s in health.jobs_by_status],
                                  "Jobs": [int(n) for n in health.jobs_by_status.values()]})
        if by_status.empty:
            st.caption("No jobs yet: the runner queues each run shortly after it ends.")
        else:
            st.dataframe(by_status, hide_index=True, width="stretch")
    with right:
        st.subheader("Enrichments by type and status")
        types = pd.DataFrame(health.types_by_status)
        if types.empty:
            st.caption("No enrichments yet.")
        else:
            types["STATE"] = [badge_for(s, outcome=o or None).text + (" (no data)" if o == "NO_DATA" else "")
                              for s, o in zip(types["STATUS"], types["OUTCOME"])]
            wide = types.pivot_table(index="ENRICHMENT_TYPE", columns="STATE", values="N", aggfunc="sum",
                                     fill_value=0).rename_axis(index="Enrichment", columns=None)
            st.dataframe(wide, width="stretch")

    st.subheader(f"Jobs finished per hour, last {CHART_HOURS} h")
    if snapshot.chart is None:
        st.caption(f"No job finished in the last {CHART_HOURS} hours.")
    else:
        st.vega_lite_chart(snapshot.chart, width="stretch")


live_figures()

# --- the job table -----------------------------------------------------------------------------------
st.header("Jobs")
with st.container(border=True):
    first, second, third = st.columns(3)
    statuses = first.multiselect("Status", JOB_STATUSES, key="jobs_statuses", persist_state="session",
                                 format_func=lambda s: badge_for(s).text)
    types = second.multiselect("Enrichment type", [t.value for t in EnrichmentType], key="jobs_types",
                               persist_state="session")
    table_types = third.multiselect("Table type", TABLE_TYPES, key="jobs_table_types", persist_state="session",
                                    format_func=str.title)
    fourth, fifth = st.columns([2, 1])
    error_text = fourth.text_input("Error text contains", key="jobs_error", persist_state="session", max_chars=200,
                                   placeholder="e.g. timeout, permission")
    created = fifth.date_input("Created between (UTC days)", value=(), key="jobs_created", persist_state="session")

created_days = tuple(created) if isinstance(created, (tuple, list)) else (created,)
filters = JobFilter(
    statuses=list(statuses), enrichment_types=list(types), table_types=list(table_types),
    error_text=error_text or None,
    created_from=dt.datetime.combine(created_days[0], dt.time()) if created_days else None,
    created_until=dt.datetime.combine(created_days[-1], dt.time()) + dt.timedelta(days=1) if created_days else None,
)
size = int(st.session_state.get(f"{KEY}_size") or 50)
reset_page_when_changed(KEY, (tuple(statuses), tuple(types), tuple(table_types), error_text, created_days, size))
page = current_page(KEY, size)
with guarded("loading the jobs"):
    # The job the detail below shows (its picker keeps its choice while that job is on this page).
    view = queue_data.jobs_view(store_key(), filters, page, st.session_state.get("jobs_detail"))
if view.page != page:  # past the end (rows were removed meanwhile): the pager moves to the last page
    st.session_state[f"{KEY}_page"] = view.page.number
jobs, total, page, job, type_rows = view.jobs, view.total, view.page, view.job, view.type_rows
job_id = job["JOB_ID"] if job else None

now = utc_now()
if total == 0:
    if any([statuses, types, table_types, error_text, created_days]):
        st.info("No job matches these filters. Clear one to see more.", icon=":material/filter_alt_off:")
    else:
        st.info("No jobs yet: the runner queues each run shortly after it ends.", icon=":material/hourglass_empty:")
    st.stop()

records = jobs.to_dict("records")
badges = [job_badge(r["STATUS"], r["NEXT_CHECK_AT"], now) for r in records]
shown = pd.DataFrame({
    "Run": [r["TEST_NAME"] or MISSING for r in records],
    "Table type": [str(r["TABLE_TYPE"]).title() for r in records],
    "Status": [b.text for b in badges],
    "Attempts": [int(r["ATTEMPTS"] or 0) for r in records],
    "Next check": [format_ago(r["NEXT_CHECK_AT"], now).replace(" ago", " ago (due)")
                   if r["STATUS"] == "PENDING" else MISSING for r in records],
    "Last error": [r["LAST_ERROR"] or "" for r in records],
    "Claimed by": [r["CLAIMED_BY"] or "" for r in records],
    "Source": [str(r["SOURCE"] or "").title() for r in records],
    "Created": [format_utc(r["CREATED_AT"]) for r in records],
    "Updated": [format_utc(r["UPDATED_AT"]) for r in records],
    "Job id": [r["JOB_ID"] for r in records],
})
table(styled(shown, "Status", badges), key="jobs_table", file_name="enrichment-jobs.csv", export=jobs,
      label="Download this page as CSV", height=600,
      column_config={"Run": st.column_config.TextColumn(width="medium"),
                     "Status": st.column_config.TextColumn(width="medium"),
                     "Last error": st.column_config.TextColumn(width="medium")})
pager(KEY, page, total, noun="jobs")

# --- one job ---------------------------------------------------------------------------------------
st.header("Job detail")
job_labels = {r["JOB_ID"]: f"{r['TEST_NAME'] or MISSING} · {short(r['JOB_ID'], 8)} · {b.text}"
              for r, b in zip(records, badges)}
st.selectbox("Job", list(job_labels), index=list(job_labels).index(job_id), format_func=job_labels.get,
             key="jobs_detail", help="The jobs on this page; narrow the filters to find another.")
if job is None:
    st.info("This job is gone (purged by housekeeping or discarded meanwhile).", icon=":material/info:")
    st.stop()

show(badge_for(job["STATUS"]))
st.table(pd.DataFrame({
    "Attempts": [format_count(job["ATTEMPTS"])],
    "Claimed by": [f"{job['CLAIMED_BY']} since {format_utc(job['CLAIMED_AT'])}" if job["CLAIMED_BY"] else "nobody"],
    "Created": [format_utc(job["CREATED_AT"])],
    "Last attempt": [format_utc(job["LAST_ATTEMPT_AT"])],
    "Next check": [format_utc(job["NEXT_CHECK_AT"]) if job["NEXT_CHECK_AT"] is not None else MISSING],
    "Finished": [format_utc(job["COMPLETED_AT"]) if job["COMPLETED_AT"] is not None else "not yet"],
}), hide_index=True)
st.caption(
    f"Run window {format_utc(job['WINDOW_START'])} → {format_utc(job['WINDOW_END'])} · source "
    f"{str(job['SOURCE'] or MISSING).title()} · updated {format_utc(job['UPDATED_AT'])} · job id `{job['JOB_ID']}`"
)
if job["LAST_ERROR"]:
    st.error(f"Last error: {job['LAST_ERROR']}", icon=":material/error:")
if not type_rows.empty:
    type_badges = [badge_for(s, outcome=o, expected_at=e if s == "PENDING" else None, now=now)
                   for s, o, e in zip(type_rows["STATUS"], type_rows["OUTCOME"], type_rows["EXPECTED_AT"])]
    per_type = pd.DataFrame({
        "Enrichment": type_rows["ENRICHMENT_TYPE"],
        "Status": [b.text for b in type_badges],
        "Outcome": type_rows["OUTCOME"].fillna("").map(lambda o: o.replace("_", " ").capitalize()),
        "Coverage": type_rows["COVERAGE"].map(lambda c: format_pct(c) if pd.notna(c) else MISSING),
        "Attempts": type_rows["ATTEMPTS"].fillna(0).astype(int),
        "Errors": type_rows["ERROR_COUNT"].fillna(0).astype(int),
        "Expected landing": type_rows["EXPECTED_AT"].map(format_utc),
        "Detail": type_rows["DETAIL"].fillna(""),
        "Last error": type_rows["LAST_ERROR"].fillna(""),
        "Finished": type_rows["COMPLETED_AT"].map(format_utc),
    })
    table(styled(per_type, "Status", type_badges), key="job_types_table", file_name=f"job-{job_id}.csv",
          export=type_rows, column_config={"Detail": st.column_config.TextColumn(width="large")})
st.page_link("pages/run_detail.py", label="Open this job's run", icon=":material/query_stats:",
             query_params={"run": job["RUN_ID"]})

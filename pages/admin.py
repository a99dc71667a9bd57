"""Admin: run the due jobs now, backfill a date range, retry or discard jobs, housekeeping.

Every action goes through the engine's admin calls, which check `require_admin` themselves; this page
also hides its controls from non-admins so nobody is offered what they cannot do.
"""

import datetime as dt

import pandas as pd
import streamlit as st

from app import queue_data
from app.badges import badge_for
from app.errors import guarded
from app.format import format_count
from app.shell import ensure_shell
from app.store import forget_cached_reads, get_settings, get_store, store_key
from enrichment.access import is_admin, require_admin
from enrichment.errors import NotAuthorized
from enrichment.queue.admin import backfill, discard_jobs, retry_jobs
from enrichment.queue.housekeeping import housekeeping
from enrichment.readmodels import queue as rq
from enrichment.readmodels.filters import JobFilter
from enrichment.readmodels.overview import utc_now
from enrichment.runner import run_pass
from enrichment.types import TABLE_TYPES, EnrichmentType

ensure_shell()

JOB_STATUSES = ("PENDING", "IN_PROGRESS", "COMPLETED", "FAILED", "SKIPPED", "NOT_APPLICABLE")
MAX_BULK = 10_000  # jobs one bulk action may touch
DISCARDABLE = ("PENDING", "FAILED")  # finished jobs are left alone; a running one belongs to its runner
FLASH = "admin_flash"

settings = get_settings()
store = get_store()

st.title("Admin")
if not is_admin(store, settings):
    try:
        require_admin(store, settings, "use the admin page")
        reason = ""
    except NotAuthorized as refusal:
        reason = str(refusal)
    st.info(f"{reason} Everyone can read the other pages; running jobs, backfill, retry, discard and housekeeping "
            "are for admins, and the engine refuses them to anyone else.", icon=":material/lock:")
    st.stop()

st.caption("Actions on the delayed-enrichment queue. Each one is checked again by the engine, so a page left open "
           "after rights change cannot act.")
for kind, text in st.session_state.pop(FLASH, []):
    (st.success if kind == "success" else st.warning)(text, icon=":material/check_circle:" if kind == "success"
                                                      else ":material/warning:")


def flash(text: str, kind: str = "success") -> None:
    st.session_state.setdefault(FLASH, []).append((kind, text))


def jobs_by_status() -> dict[str, int]:
    with store.unit() as db:
        return {k: int(v) for k, v in rq.health(db, utc_now(), settings.lease_seconds).jobs_by_status.items()}


def status_change(before: dict[str, int], after: dict[str, int]) -> pd.DataFrame:
    states = [s for s in JOB_STATUSES if s in before or s in after]
    return pd.DataFrame({"Status": [badge_for(s).text for s in states],
                         "Before": [before.get(s, 0) for s in states],
                         "After": [after.get(s, 0) for s in states]})


# --- run the due jobs --------------------------------------------------------------------------------
st.header("Run due jobs now")
st.caption("One runner pass, as the background runner or `python -m enrichment.run` would do it: queue every ended "
           "run that has no job yet, then read each job whose views should have landed.")
with st.form("run_due"):
    max_jobs = st.columns([1, 2])[0].number_input(
        "At most this many jobs", min_value=1, max_value=500, value=100, step=10, key="admin_max_jobs",
        help="A pass takes about a second per job on the demo store.")
    run_now = st.form_submit_button("Run due jobs now", type="primary", icon=":material/play_arrow:")
if run_now:
    bar = st.progress(0.0, text="Looking for due jobs…")

    def on_progress(done: int, batch_total: int) -> None:
        bar.progress(min(done / max_jobs, 1.0), text=f"Processed {done} job{'s' if done != 1 else ''}…")

    with guarded("running the due jobs"):
        before = jobs_by_status()
        summary = run_pass(store, settings, max_jobs=int(max_jobs), progress=on_progress)
        forget_cached_reads()
        after = jobs_by_status()
    bar.progress(1.0, text="Done.")
    if summary.jobs_processed or summary.discovered:
        st.success(f"Pass finished: {summary.line()}.", icon=":material/check_circle:")
        if summary.failures:
            st.warning(f"{len(summary.failures)} enrichment(s) failed: {', '.join(summary.failures[:5])}"
                       + ("…" if len(summary.failures) > 5 else "") + ". See the Queue health page for why.")
        st.table(status_change(before, after).set_index("Status"))
    else:
        st.info("Nothing was due: every waiting enrichment's view is still landing. " + summary.line() + ".",
                icon=":material/schedule:")

# --- backfill ----------------------------------------------------------------------------------------
st.header("Backfill a date range")
st.caption("Create jobs for every ended run in the range that has none, a day at a time, and run them. Runs older "
           "than the views' retention are skipped with that reason.")
today = utc_now().date()
with st.form("backfill"):
    left, right = st.columns(2)
    since_day = left.date_input("From (UTC day, included)", value=today - dt.timedelta(days=7), key="backfill_since")
    until_day = right.date_input("To (UTC day, included)", value=today, key="backfill_until")
    start_backfill = st.form_submit_button("Backfill", icon=":material/history:")
if start_backfill:
    since = dt.datetime.combine(since_day, dt.time())
    until = dt.datetime.combine(until_day, dt.time.max)  # the whole last day; the engine caps it at now
    bar = st.progress(0.0, text="Starting the backfill…")

    def on_chunk(done: int, total: int, label: str) -> None:
        bar.progress(done / max(total, 1), text=f"Backfilled {label} ({done} of {total} days)")

    with guarded("backfilling"):
        result = backfill(store, settings, since, until, progress=on_chunk)
        forget_cached_reads()
    bar.progress(1.0, text="Done.")
    st.success(f"Backfill finished: {result['runs_found']} runs found, {result['jobs_created']} new jobs over "
               f"{result['chunks']} day(s); {result['jobs_processed']} jobs processed, {result['types_completed']} "
               f"enrichments completed, {result['types_waiting']} still waiting, {result['types_failed']} failed.",
               icon=":material/check_circle:")

# --- retry or discard ----------------------------------------------------------------------------------
st.header("Retry or discard jobs")
st.caption("Retry re-opens a job's failed enrichments (the same job, no new row); discard gives up on a job's open "
           "and failed enrichments and marks them skipped, with who did it.")

st.subheader("One job")
with st.form("one_job"):
    job_id = st.text_input("Job id", key="admin_job_id", max_chars=64,
                           help="A job's id is its run's id; copy it from the Queue health page.")
    retry_col, discard_col = st.columns(2)
    retry_one = retry_col.form_submit_button("Retry this job", icon=":material/replay:")
    discard_one = discard_col.form_submit_button("Discard this job", icon=":material/delete:")
if retry_one or discard_one:
    if not job_id.strip():
        st.error("Paste a job id first; the Queue health page lists them.", icon=":material/warning:")
    else:
        with guarded("changing the job"):
            if retry_one:
                changed = retry_jobs(store, settings, [job_id])
                text = ("Re-opened the job's failed enrichments; the runner reads them on its next pass." if changed
                        else "Nothing to retry: none of this job's enrichments has failed.")
            else:
                with store.unit() as db:
                    job, _ = rq.job_detail(db, job_id.strip())
                if job is None:
                    changed, text = 0, f"There is no job {job_id.strip()!r}; check the id on the Queue health page."
                elif job["STATUS"] not in DISCARDABLE:
                    changed, text = 0, (f"Nothing to discard: this job is {badge_for(job['STATUS']).text}; only "
                                        "waiting or failed jobs can be discarded.")
                else:
                    changed = discard_jobs(store, settings, [job_id], who="an admin (dashboard)")
                    text = "Discarded the job: its open enrichments are now skipped."
        forget_cached_reads()
        flash(text, "success" if changed else "warning")
        st.rerun()

st.subheader("Every job matching a filter")
first, second, third = st.columns(3)
bulk_statuses = first.multiselect("Status", JOB_STATUSES, default=["FAILED"], key="bulk_statuses",
                                  format_func=lambda s: badge_for(s).text)
bulk_types = second.multiselect("Enrichment type", [t.value for t in EnrichmentType], key="bulk_types")
bulk_tables = third.multiselect("Table type", TABLE_TYPES, key="bulk_tables", format_func=str.title)
bulk_error = st.text_input("Error text contains", key="bulk_error", max_chars=200)
bulk_filter = JobFilter(statuses=list(bulk_statuses), enrichment_types=list(bulk_types),
                        table_types=list(bulk_tables), error_text=bulk_error or None)
discard_statuses = [x for x in (bulk_statuses or JOB_STATUSES) if x in DISCARDABLE]
discard_filter = JobFilter(**{**bulk_filter.__dict__, "statuses": discard_statuses})
with guarded("counting the matching jobs"):  # counts only, cached for a few seconds; the ids are read on a click
    count, discard_count = queue_data.matching_counts(store_key(),
                                                      (bulk_filter, discard_filter if discard_statuses else None))
st.caption(f"**{format_count(count)}** job{'s' if count != 1 else ''} {'match' if count != 1 else 'matches'} this "
           f"filter, {format_count(discard_count)} of them waiting or failed (only those can be discarded)"
           + (f"; at most {MAX_BULK:,} are acted on at once" if count > MAX_BULK else "") + ".")


def _ids(job_filter: JobFilter) -> list[str]:
    with guarded("reading the matching jobs"), store.unit() as db:
        return rq.all_matching_job_ids(db, job_filter, limit=MAX_BULK)


def _jobs(n: int) -> str:
    return f"{n} job{'s' if n != 1 else ''}"


signature = (tuple(bulk_statuses), tuple(bulk_types), tuple(bulk_tables), bulk_error)
if st.session_state.get("bulk_signature") != signature:  # a changed filter drops an unconfirmed action
    st.session_state["bulk_signature"] = signature
    st.session_state.pop("bulk_pending", None)
pending = st.session_state.get("bulk_pending")  # (action, ids) awaiting confirmation
buttons = st.columns(2)
if buttons[0].button(f"Retry {_jobs(count)}…", disabled=count == 0, key="bulk_retry", icon=":material/replay:"):
    pending = st.session_state["bulk_pending"] = ("retry", _ids(bulk_filter))
if buttons[1].button(f"Discard {_jobs(discard_count)}…", disabled=discard_count == 0, key="bulk_discard",
                     icon=":material/delete:"):
    pending = st.session_state["bulk_pending"] = ("discard", _ids(discard_filter))

if pending:
    action, ids = pending
    n = len(ids)
    with st.container(border=True):
        st.warning(f"{action.capitalize()} {_jobs(n)}? "
                   + ("Their failed enrichments are re-opened." if action == "retry"
                      else "Their open and failed enrichments become skipped; this cannot be undone from here."),
                   icon=":material/help:")
        yes, no = st.columns(2)
        if yes.button(f"Yes, {action} {_jobs(n)}", type="primary", key="bulk_confirm"):
            st.session_state.pop("bulk_pending", None)
            with guarded(f"{action}ing the jobs"):
                if action == "retry":
                    changed = retry_jobs(store, settings, ids)
                    flash(f"Re-opened {changed} of {n} jobs (only jobs with a failed enrichment change).")
                else:
                    changed = discard_jobs(store, settings, ids, who="an admin (dashboard)")
                    flash(f"Discarded {changed} of {n} jobs: their open enrichments are now skipped.")
                forget_cached_reads()
            st.rerun()
        if no.button("Cancel", key="bulk_cancel"):
            st.session_state.pop("bulk_pending", None)
            st.rerun()

# --- housekeeping --------------------------------------------------------------------------------------
st.header("Housekeeping")
st.caption("Purge finished jobs older than 30 days (in bounded batches) and expire cached query insights. The runner "
           "does this after every pass; run it here after a large backfill.")
if st.button("Run housekeeping", key="housekeeping", icon=":material/cleaning_services:"):
    with guarded("running housekeeping"):
        require_admin(store, settings, "run housekeeping")
        with store.unit() as db:
            result = housekeeping(db, now=utc_now())
        forget_cached_reads()
    st.success(f"Housekeeping done: {result['jobs_purged']} finished jobs purged, {result['insights_expired']} "
               "cached insights expired.", icon=":material/check_circle:")

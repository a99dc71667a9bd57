"""Every dashboard page under Streamlit's AppTest, against the embedded demo store.

One demo world for the module, used in order: a fresh seed (runs not queued yet), a discovery pass at
the real time (the newest runs are waiting for their views), then a pass a few minutes ahead with the
simulated views frozen there (older runs enriched), then admin actions that change states.
"""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from enrichment.config import load_settings
from enrichment.readmodels import run_detail as rd
from enrichment.readmodels.filters import Page, RunFilter
from enrichment.readmodels.overview import utc_now
from enrichment.readmodels.runs import runs_page
from enrichment.runner import run_pass
from enrichment.store import open_store

ENTRY = str(ROOT / "streamlit_app.py")
PAGES = ["pages/runs.py", "pages/run_detail.py", "pages/compare.py", "pages/queue_health.py", "pages/admin.py"]
TIMEOUT = 120


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """The module's environment: its own embedded home, no built-in runner (the tests drive passes)."""
    patch = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("pages-apptest") / "home"
    patch.setenv("ENRICHMENT_HOME", str(home))
    patch.setenv("ENRICHMENT_APP_RUNNER_INTERVAL", "0")
    patch.delenv("ENRICHMENT_BACKEND", raising=False)
    patch.delenv("ENRICHMENT_LOCAL_ADMIN", raising=False)
    yield patch
    patch.undo()


@pytest.fixture(scope="module")
def store(env):
    return open_store(load_settings())


def open_page(page: str, **query: str) -> AppTest:
    st.cache_data.clear()  # the run pages cache reads for a few seconds; these tests change the store between
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.run()  # the entry script; its first run in the module seeds the demo world
    for name, value in query.items():
        at.query_params[name] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Everything the page wrote, as one string to search."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success",
                                  "warning", "error") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def runs(store) -> list[dict]:
    with store.unit() as db:
        frame, _ = runs_page(db, RunFilter(), Page(1, 100))
    return frame.to_dict("records")


def states_of(store, run_id: str, now: dt.datetime | None = None) -> dict[str, str]:
    with store.unit() as db:
        head = rd.header(db, run_id)
        return {t: s.state for t, s in rd.section_states(db, run_id, now or utc_now(), head["JOB_STATUS"]).items()}


def job_counts(store) -> dict[str, int]:
    with store.unit() as db:
        return {r["STATUS"]: int(r["JOBS"]) for r in db.rows("health_jobs_by_status")}


# --- a fresh world -----------------------------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_every_page_loads_on_a_fresh_world(env, page):
    at = open_page(page)
    assert not at.error, [e.value for e in at.error]
    assert len(at.title) == 1


def test_a_run_not_queued_yet_says_so(env, store):
    run_id = runs(store)[0]["RUN_ID"]
    at = open_page("pages/run_detail.py", run=run_id)
    assert "Not queued yet" in texts(at) or "not started" in texts(at)


# --- waiting: a discovery pass at the real time ----------------------------------------------------------

@pytest.fixture(scope="module")
def discovered(env, store):
    run_pass(store, load_settings(), max_jobs=0)  # discovery only: every ended run gets its job
    return store


def test_a_waiting_run_says_when_its_views_land(discovered):
    waiting = [r["RUN_ID"] for r in runs(discovered) if "WAITING" in states_of(discovered, r["RUN_ID"]).values()]
    assert waiting, "a fresh seed has runs whose views are still landing"
    at = open_page("pages/run_detail.py", run=waiting[0])
    shown = texts(at)
    assert "◷ Waiting (lands ~" in shown and "UTC, in " in shown  # the section badge, with the time and how soon
    assert "should hold this run's data by ~" in shown
    assert "Partial: server metrics still landing" in shown  # the run's one combined badge
    # Pending server figures are said to be pending, never shown as 0 or N/A.
    cvs = at.dataframe[0].value
    assert cvs["Server (estimate)"].str.startswith("◷ pending").all()
    assert at.get("vega_lite_chart"), "client percentiles are charted right away"


def test_queue_health_shows_its_figures(discovered):
    at = open_page("pages/queue_health.py")
    labels = {m.label: m.value for m in at.metric}
    for label in ("Waiting jobs", "Oldest waiting", "Jobs overdue", "Stale claims", "Failure rate, 24 h"):
        assert label in labels
    assert int(labels["Waiting jobs"]) > 0
    assert "✓ OK" in texts(at) or "⚠ Warning" in texts(at) or "✗ Critical" in texts(at)
    assert any("jobs · showing" in c.value for c in at.caption)
    # Filter the job table: by status, then by an error text nothing has.
    at.multiselect(key="jobs_statuses").select("PENDING").run()
    assert not at.exception
    pending = at.dataframe[-1].value if at.dataframe else None
    assert "jobs · showing" in texts(at)
    at.text_input(key="jobs_error").input("no error reads like this").run()
    assert any("No job matches these filters" in i.value for i in at.info)
    assert pending is not None


def test_queue_auto_refresh_can_be_switched_off_and_stays_off_across_pages(discovered):
    at = open_page("pages/queue_health.py")
    assert at.toggle(key="queue_auto_refresh").value is True
    assert any("refreshes every 15 s" in c.value for c in at.caption)
    at.toggle(key="queue_auto_refresh").set_value(False).run()
    assert any("auto-refresh is off" in c.value for c in at.caption)
    at.switch_page("pages/runs.py").run()
    at.switch_page("pages/queue_health.py").run()
    assert at.toggle(key="queue_auto_refresh").value is False
    assert any("auto-refresh is off" in c.value for c in at.caption)


# --- enriched: views frozen a little ahead, a pass there -------------------------------------------------

@pytest.fixture(scope="module")
def enriched(discovered):
    """Older runs enriched: a hybrid run with row-lock waits and a standard run, at least."""
    store, settings = discovered, load_settings()
    ahead = utc_now() + dt.timedelta(minutes=10)
    with store.unit() as db:
        db.execute("DELETE FROM SNOWFLAKE.ACCOUNT_USAGE_SIM.SIM_CLOCK")
        db.execute("INSERT INTO SNOWFLAKE.ACCOUNT_USAGE_SIM.SIM_CLOCK (FROZEN_AT) VALUES (?)", [ahead])
    found = {}
    for _ in range(4):
        run_pass(store, settings, now=ahead, max_jobs=6, do_housekeeping=False)
        for r in runs(store):
            with store.unit() as db:
                locks = rd.lock_waits(db, r["RUN_ID"])[1]["waiting_queries"] if r["TABLE_TYPE"] == "HYBRID" else 0
            states = states_of(store, r["RUN_ID"], ahead)
            if r["TABLE_TYPE"] == "HYBRID" and states["AGGREGATE"] == "DONE" and locks:
                found.setdefault("hybrid", r["RUN_ID"])
            if r["TABLE_TYPE"] == "STANDARD" and states["AGGREGATE"] == "DONE":
                found.setdefault("standard", r["RUN_ID"])
        if len(found) == 2:
            return found
    pytest.fail(f"no enriched hybrid run with lock waits and standard run after four passes: {found}")


def test_a_done_hybrid_run_shows_client_vs_server_and_its_locks(enriched):
    at = open_page("pages/run_detail.py", run=enriched["hybrid"])
    assert not at.error, [e.value for e in at.error]
    headers = [h.value for h in at.header]
    assert headers == ["Client vs server", "Server metrics per query pattern", "Row-lock contention",
                       "Hybrid credits", "Query insights", "Partitions and spill"]
    assert len(at.get("vega_lite_chart")) >= 3  # client vs server, per minute, lock timeline
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Waiting queries"]) >= 1 and metrics["Longest wait"].endswith("s")
    shown = texts(at)
    assert "✓ Full metrics" in shown or "Full metrics" in shown
    assert "about 5 s or more" in shown and "OBJECT_NAME is ROW" in shown and "one row per blocker" in shown
    assert "2026-03-01" in shown and "account-level" in shown
    assert "network round trip, the driver and the client" in shown
    cvs = at.dataframe[0].value
    assert not cvs["Server (estimate)"].str.contains("pending").any()
    assert cvs["Server bounds"].str.contains("–").all()


def test_a_standard_run_shows_partitions_and_insights_state(enriched):
    at = open_page("pages/run_detail.py", run=enriched["standard"])
    shown = texts(at)
    assert "Partitions and spill" in shown and "Query insights" in shown
    assert "— Not applicable" in shown  # row locks and hybrid credits: with their reason
    assert "exist only for HYBRID tables" in shown


def test_an_incomplete_section_says_how_much_landed_and_still_shows_it(enriched, store):
    run_id = enriched["hybrid"]
    with store.unit() as db:
        db.execute("UPDATE DELAYED_ENRICHMENT_TYPE_STATUS SET OUTCOME = 'INCOMPLETE', COVERAGE = 0.875, "
                   "DETAIL = '7 of 8 minutes landed.' WHERE JOB_ID = ? AND ENRICHMENT_TYPE = 'AGGREGATE'", [run_id])
    try:
        at = open_page("pages/run_detail.py", run=run_id)
        shown = texts(at)
        assert "⚠ Incomplete (87.5% covered)" in shown
        assert any("87.5%" in w.value for w in at.warning)
        assert len(at.get("vega_lite_chart")) >= 2, "what did land is still drawn"
    finally:
        with store.unit() as db:
            db.execute("UPDATE DELAYED_ENRICHMENT_TYPE_STATUS SET OUTCOME = 'DATA', COVERAGE = 1.0 "
                       "WHERE JOB_ID = ? AND ENRICHMENT_TYPE = 'AGGREGATE'", [run_id])


def test_a_postgres_run_is_not_applicable(enriched, store):
    postgres = next(r["RUN_ID"] for r in runs(store) if r["TABLE_TYPE"] == "POSTGRES")
    at = open_page("pages/run_detail.py", run=postgres)
    shown = texts(at)
    assert "Complete (no delayed enrichment applies)" in shown
    assert "— Not applicable" in shown and "Server-side metrics" in [h.value for h in at.header]
    assert not at.error


def test_an_unknown_run_id_is_one_sentence_and_a_way_back(env):
    at = open_page("pages/run_detail.py", run="no-such-run")
    assert [e.value for e in at.error] == [
        "There is no run with the id 'no-such-run'; it may have been mistyped or removed. Pick a run from the "
        "Runs page."]
    assert at.get("page_link"), "a link back to the Runs page"


def test_runs_filters_and_a_filter_that_matches_nothing(enriched, store):
    at = open_page("pages/runs.py")
    everything = len(runs(store))
    assert f"**{everything}** matches" in texts(at)
    at.multiselect(key="runs_types").select("HYBRID").run()
    hybrids = sum(r["TABLE_TYPE"] == "HYBRID" for r in runs(store))
    assert f"**{hybrids}** matches" in texts(at)
    assert set(at.dataframe[0].value["Table type"]) == {"Hybrid"}
    at.text_input(key="runs_search").input("no run is called this").run()
    assert not at.exception and not at.error
    assert any("No run matches these filters" in i.value for i in at.info)


def test_compare_defaults_to_a_standard_and_a_hybrid_run(enriched):
    at = open_page("pages/compare.py")
    assert not at.error
    assert at.get("vega_lite_chart")
    side = at.dataframe[0].value.set_index("Figure")  # one column per run
    assert len(side.columns) == 2
    assert set(side.loc["Table type"]) == {"Standard", "Hybrid"}
    assert side.loc["Client p95"].str.endswith(("ms", "s")).all()
    assert side.loc["Throughput"].str.endswith("QPS").all()


# --- admin ---------------------------------------------------------------------------------------------

def test_admin_runs_the_due_jobs_and_states_change(enriched, store):
    before = job_counts(store)
    at = open_page("pages/admin.py")
    at.number_input(key="admin_max_jobs").set_value(2)
    at.button[0].click().run()  # the form's "Run due jobs now"
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Pass finished: discovered" in s.value and "processed 2 jobs" in s.value for s in at.success), \
        ([b.label for b in at.button], [s.value for s in at.success], [i.value for i in at.info])
    after = job_counts(store)
    assert after != before and after.get("PENDING", 0) < before.get("PENDING", 0)


def test_admin_backfill_refuses_a_reversed_or_future_range_and_changes_nothing(enriched, store):
    before = job_counts(store)
    today = utc_now().date()
    at = open_page("pages/admin.py")
    at.date_input(key="backfill_since").set_value(today)
    at.date_input(key="backfill_until").set_value(today - dt.timedelta(days=3))
    next(b for b in at.button if b.label == "Backfill").click().run()
    assert [e.value for e in at.error] == [
        "The backfill range is reversed or empty; the start must come before the end."]
    at.date_input(key="backfill_since").set_value(today + dt.timedelta(days=2))
    at.date_input(key="backfill_until").set_value(today + dt.timedelta(days=3))
    next(b for b in at.button if b.label == "Backfill").click().run()
    assert len(at.error) == 1 and "in the future" in at.error[0].value
    assert job_counts(store) == before


def test_admin_bulk_action_asks_with_the_count_first(enriched, store):
    at = open_page("pages/admin.py")
    assert at.button(key="bulk_discard").disabled  # the default filter, failed jobs: there are none
    at.multiselect(key="bulk_statuses").set_value(["PENDING"])
    at.multiselect(key="bulk_tables").set_value(["DYNAMIC"]).run()
    with store.unit() as db:
        waiting = db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_QUEUE WHERE STATUS = 'PENDING' "
                            "AND TABLE_TYPE = 'DYNAMIC'")
    assert waiting > 0
    before = job_counts(store)
    at.button(key="bulk_discard").click().run()
    assert any(w.value.startswith(f"Discard {waiting} job") for w in at.warning)
    assert job_counts(store) == before, "nothing happens before the confirmation"
    at.button(key="bulk_confirm").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any(s.value.startswith(f"Discarded {waiting} of {waiting} jobs") for s in at.success)
    assert job_counts(store).get("SKIPPED", 0) == before.get("SKIPPED", 0) + waiting


def test_queue_health_shows_an_admin_action_at_once_despite_its_cache(enriched, store):
    """The queue page caches its reads for a few seconds; an admin action must not wait that out."""
    at = open_page("pages/queue_health.py")
    waiting = int({m.label: m.value for m in at.metric}["Waiting jobs"])
    with store.unit() as db:
        job_id = db.scalar("SELECT MIN(JOB_ID) FROM DELAYED_ENRICHMENT_QUEUE WHERE STATUS = 'PENDING'")
    assert waiting > 0 and job_id
    at.switch_page("pages/admin.py").run()  # the same session and process: the page's cache is still warm
    at.text_input(key="admin_job_id").input(job_id)
    next(b for b in at.button if b.label == "Discard this job").click().run()
    assert any(s.value.startswith("Discarded the job") for s in at.success), [w.value for w in at.warning]
    at.switch_page("pages/queue_health.py").run()
    assert int({m.label: m.value for m in at.metric}["Waiting jobs"]) == waiting - 1


def _fail_insights(store, run_id: str, error: str) -> None:
    """A failure, as the worker records it after its last attempt."""
    with store.unit() as db:
        db.execute("UPDATE DELAYED_ENRICHMENT_TYPE_STATUS SET STATUS = 'FAILED', OUTCOME = NULL, LAST_ERROR = ?, "
                   "ATTEMPTS = 3 WHERE JOB_ID = ? AND ENRICHMENT_TYPE = 'QUERY_INSIGHTS'", [error, run_id])


def test_a_failed_section_shows_its_reason_and_a_retry_for_admins(enriched, store):
    _fail_insights(store, enriched["standard"], "Permission denied on QUERY_INSIGHTS")
    at = open_page("pages/run_detail.py", run=enriched["standard"])
    assert any("Permission denied on QUERY_INSIGHTS" in e.value and "after 3 attempts" in e.value for e in at.error)
    assert at.button(key="retry_insights").label == "Retry"


def test_an_admin_retries_a_failed_section(enriched, store):
    run_id = enriched["standard"]
    _fail_insights(store, run_id, "Permission denied on QUERY_INSIGHTS")
    at = open_page("pages/run_detail.py", run=run_id)
    at.button(key="retry_insights").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Re-opened the failed enrichments" in s.value for s in at.success)
    assert states_of(store, run_id)["QUERY_INSIGHTS"] in ("WAITING", "DUE")


def test_housekeeping_runs_for_an_admin(enriched):
    at = open_page("pages/admin.py")
    at.button(key="housekeeping").click().run()
    assert any(s.value.startswith("Housekeeping done:") for s in at.success)


def test_a_non_admin_sees_why_and_no_actions(env, enriched, store):
    _fail_insights(store, enriched["standard"], "Timed out")
    env.setenv("ENRICHMENT_LOCAL_ADMIN", "0")
    try:
        at = open_page("pages/admin.py")
        assert not at.button and not at.number_input and not at.date_input and not at.text_input
        assert any("Only admins may" in i.value for i in at.info)
        failed = open_page("pages/run_detail.py", run=enriched["standard"])
        assert any("Timed out" in e.value for e in failed.error)
        assert not failed.button, "no Retry button for a non-admin"
        assert "An admin can retry it" in texts(failed)
    finally:
        env.setenv("ENRICHMENT_LOCAL_ADMIN", "1")

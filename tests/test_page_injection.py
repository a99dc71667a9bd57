"""Hostile input through every page's inputs, under Streamlit's AppTest.

tests/test_readmodel_filters.py already shows that the read models bind search text; this file goes
through the pages themselves: every free-text input (Runs search, Queue health error filter, Admin job
id and bulk error filter), the run id query parameter of Run detail, the date ranges, the admin number
input, and stray query parameters on every page. For each hostile value:

- the page raises nothing and shows no traceback, nor the generic "Something went wrong" sentence (a
  hostile value is either matched literally or refused with one sentence of its own);
- nothing is logged as an unexpected error;
- the store is intact: the same rows in TEST_RESULTS, QUERY_EXECUTIONS, DELAYED_ENRICHMENT_QUEUE (the
  jobs) and DELAYED_ENRICHMENT_TYPE_STATUS, the queue's rows unchanged, and every table still there;
- a search filter is literal (sql/queries/runs_page.sql and jobs_page.sql match with POSITION, "so % and
  _ are text", case-insensitively): the number of matches the page shows is the number of rows that
  contain the text, computed here in Python. A marked run and a marked job carry % _ \\ ' and unicode, so
  a wildcard or an injected OR would show a different count.

One small demo world for the module (12 runs, jobs queued by a discovery pass), no built-in runner.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from enrichment.config import load_settings
from enrichment.readmodels.filters import MAX_SEARCH_LENGTH
from enrichment.runner import run_pass
from enrichment.schema.requirements import PRODUCT_TABLES
from enrichment.simulation.seed import seed_demo
from enrichment.store import open_store

ENTRY = str(ROOT / "streamlit_app.py")
TIMEOUT = 60
PAGES = ["pages/overview.py", "pages/runs.py", "pages/run_detail.py", "pages/compare.py", "pages/queue_health.py",
         "pages/admin.py"]
COUNTED = ("TEST_RESULTS", "QUERY_EXECUTIONS", "DELAYED_ENRICHMENT_QUEUE", "DELAYED_ENRICHMENT_TYPE_STATUS")
FINGERPRINTED = ("DELAYED_ENRICHMENT_QUEUE", "DELAYED_ENRICHMENT_TYPE_STATUS")  # small; what an admin could change
GENERIC = "Something went wrong"
TOO_LONG = f"The search text is longer than {MAX_SEARCH_LENGTH} characters; shorten it."

# A run and a job whose text holds every character a LIKE or a formatted statement would misread.
MARK = "marked 100%_done \\ o'brien 名前 🚀"

HOSTILE = {
    "drop": "'; DROP TABLE TEST_RESULTS; --",
    "or-true": "' OR '1'='1",
    "union": "x' UNION SELECT RUN_ID, TEST_NAME FROM TEST_RESULTS --",
    "delete": "'); DELETE FROM DELAYED_ENRICHMENT_QUEUE; --",
    "dollar-quote": "$$; DROP TABLE QUERY_EXECUTIONS; $$",
    "double-quote": '"; UPDATE DELAYED_ENRICHMENT_QUEUE SET STATUS = \'FAILED\'; --',
    "binds": "? ? ?",
    "percent-wildcards": "%_%",
    "percent": "%",
    "underscore": "_",
    "backslash": "\\",
    "python-format": "%s {0} %(x)s",
    "long": "a" * 10_000,
    "unicode": "名前 ünïcode 🚀🔥 ∑",
    "nul": "nul\x00byte",
    "html": "<script>alert(1)</script>",
}
# Values that must match the marked row (and only rows that contain them): wildcards taken literally.
LITERAL = {
    "mark-percent-underscore": "100%_done",
    "mark-backslash": "done \\ o",
    "mark-quote": "o'brien",
    "mark-unicode": "名前 🚀",
    "mark-case": "MARKED 100%_DONE",
}

# The Admin bulk filter and the run id go through the same bound reads as the Runs and Queue filters
# (jobs_page, run_detail_header): a subset of the strings keeps the file fast.
ADMIN_BULK = ("or-true", "drop", "percent", "underscore", "backslash", "long", "nul", "mark-percent-underscore",
              "mark-quote")
RUN_IDS = ("drop", "or-true", "union", "percent-wildcards", "backslash", "long", "unicode", "nul", "html")

# --- the world -------------------------------------------------------------------------------------------

@dataclass
class World:
    store: object
    last_seen: dict  # what `snapshot` read last: before any page ran, then after each test
    full_baseline: dict
    run_names: list[str]  # each parent run's "TEST_NAME RUN_ID", what the Runs search looks in
    job_errors: list[str]  # each job's LAST_ERROR, what the error filters look in


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    patch = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("page-injection") / "home"
    patch.setenv("ENRICHMENT_HOME", str(home))
    patch.setenv("ENRICHMENT_APP_RUNNER_INTERVAL", "0")
    patch.delenv("ENRICHMENT_BACKEND", raising=False)
    patch.delenv("ENRICHMENT_LOCAL_ADMIN", raising=False)
    settings = load_settings()
    store = open_store(settings)
    seed_demo(store, runs=12, seed=5)  # the app finds the world seeded and reuses it
    run_pass(store, settings, max_jobs=0)  # discovery only: every ended run gets its job, nothing is read
    with store.unit() as db:
        marked = db.scalar("SELECT MIN(RUN_ID) FROM TEST_RESULTS WHERE TEST_ID = RUN_ID")
        db.execute("UPDATE TEST_RESULTS SET TEST_NAME = ? WHERE RUN_ID = ? AND TEST_ID = RUN_ID", [MARK, marked])
        db.execute("UPDATE DELAYED_ENRICHMENT_QUEUE SET LAST_ERROR = ? WHERE JOB_ID = ?",
                   [f"Timed out: {MARK}", marked])
        assert db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_QUEUE") > 1, "the discovery pass queued the runs"
    world = World(store, snapshot(store), snapshot(store, full=True), run_names(store), job_errors(store))
    yield world
    patch.undo()
    after = snapshot(store, full=True)
    assert after["missing product tables"] == []
    changed = {k: (v, after.get(k)) for k, v in world.full_baseline.items() if v != after.get(k)}
    assert not changed, f"a page changed the store: {changed}"


def snapshot(store, full: bool = False) -> dict:
    """Row counts of the four tables (a dropped table raises here) and the content of the two queue tables;
    with `full`, the content of all four and whether every product table is still there."""
    state = {}
    with store.unit() as db:
        counts = db.one("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t}) AS {t}" for t in COUNTED))
        state.update({t: int(counts[t]) for t in COUNTED})
        if full:
            present = {r["TABLE_NAME"].upper() for r in db.rows(
                "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = CURRENT_SCHEMA()")}
            state["missing product tables"] = sorted(set(PRODUCT_TABLES) - present)
        for table in (COUNTED if full else FINGERPRINTED):
            frame = db.frame(f"SELECT * FROM {table}")
            frame = frame.reindex(sorted(frame.columns), axis=1).astype(str)
            state[f"{table} content"] = int(pd.util.hash_pandas_object(frame, index=False).sum())
    return state


@pytest.fixture
def intact(world, caplog):
    """After a test: the store is as it was before it (one snapshot a test: the previous test's is this one's
    "before"), and nothing was logged as unexpected."""
    caplog.set_level(logging.WARNING, logger="flakebench.app")
    before = world.last_seen
    yield world
    world.last_seen = after = snapshot(world.store)
    assert after == before, {k: (before[k], after.get(k)) for k in before if before[k] != after.get(k)}
    unexpected = [r.getMessage() for r in caplog.records
                  if r.name.startswith("flakebench") and r.levelno >= logging.ERROR]
    assert not unexpected, unexpected


def run_names(store) -> list[str]:
    with store.unit() as db:
        return [f"{r['TEST_NAME'] or ''} {r['RUN_ID']}" for r in db.rows(
            "SELECT TEST_NAME, RUN_ID FROM TEST_RESULTS WHERE TEST_ID = RUN_ID")]


def job_errors(store) -> list[str]:
    with store.unit() as db:
        return [r["LAST_ERROR"] or "" for r in db.rows("SELECT LAST_ERROR FROM DELAYED_ENRICHMENT_QUEUE")]


def literal_matches(text: str, haystack: list[str], max_chars: int) -> int:
    """What the page should count: the text as the widget passes it on (cut at max_chars by Streamlit),
    stripped, found as plain text, ignoring case."""
    needle = text[:max_chars].strip().upper()
    return sum(needle in h.upper() for h in haystack)


# --- the pages -------------------------------------------------------------------------------------------

def open_page(page: str, **query: str) -> AppTest:
    st.cache_data.clear()
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    for name, value in query.items():
        at.query_params[name] = value
    at.switch_page(page).run()
    return at


def shown(at: AppTest) -> list[str]:
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error", "code",
             "text", "exception")
    return [str(getattr(e, "value", "")) for kind in kinds for e in getattr(at, kind)]


def assert_no_crash(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    everything = "\n".join(shown(at))
    assert "Traceback" not in everything and 'File "' not in everything
    assert GENERIC not in everything, [e.value for e in at.error]
    for sentence in [e.value for e in at.error]:
        assert sentence.strip() and "\n" not in sentence.strip(), sentence


def refused_as_too_long(at: AppTest, text: str) -> bool:
    """Streamlit cuts a text input at its max_chars, so an over-long text arrives cut and matches literally;
    were the limit to go, the read model refuses it in one sentence instead. Either is fine, nothing else."""
    if len(text) <= MAX_SEARCH_LENGTH or not at.error:
        return False
    assert [e.value for e in at.error] == [TOO_LONG]
    return True


def count_in(at: AppTest, pattern: str, none_text: str) -> int:
    """The match count a page shows: its caption's bold figure, or 0 with its "nothing matches" line."""
    if any(none_text in i.value for i in at.info):
        return 0
    for text in [c.value for c in at.caption] + [m.value for m in at.markdown]:
        found = re.search(pattern, text)
        if found:
            return int(found.group(1).replace(",", ""))
    raise AssertionError(f"no count on the page: {shown(at)}")


@pytest.fixture(scope="module")
def runs_app(world) -> AppTest:
    return open_page("pages/runs.py")


@pytest.fixture(scope="module")
def queue_app(world) -> AppTest:
    return open_page("pages/queue_health.py")


@pytest.fixture(scope="module")
def admin_app(world) -> AppTest:
    at = open_page("pages/admin.py")
    at.multiselect(key="bulk_statuses").set_value([]).run()  # any status, so the filter is only the error text
    return at


def _ids(values: dict) -> list:
    return [pytest.param(v, id=k) for k, v in values.items()]


def test_the_marked_rows_are_there_and_a_wildcard_would_match_more(world):
    names, errors = world.run_names, world.job_errors
    assert literal_matches("100%_done", names, 200) == 1 and literal_matches("100%_done", errors, 200) == 1
    assert literal_matches("%", names, 200) < len(names) and literal_matches("_", errors, 200) < len(errors)


# --- Runs: the search box --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", _ids({**HOSTILE, **LITERAL}))
def test_runs_search_is_literal_and_harmless(runs_app, intact, text):
    at = runs_app
    # set_value, not input: input() refuses text over max_chars as a browser would; a crafted request does
    # not, and Streamlit then cuts it at max_chars on the server.
    at.text_input(key="runs_search").set_value(text).run()
    assert_no_crash(at)
    if refused_as_too_long(at, text):
        return
    expected = literal_matches(text, intact.run_names, MAX_SEARCH_LENGTH)
    assert count_in(at, r"\*\*([\d,]+)\*\* matches", "No run matches these filters") == expected
    if text in LITERAL.values():
        assert expected == 1 and set(at.dataframe[0].value["Run"]) == {MARK}
    elif text in (HOSTILE["or-true"], HOSTILE["drop"], HOSTILE["union"], HOSTILE["long"]):
        assert expected == 0


def test_runs_search_over_the_length_limit_is_refused_by_the_widget(runs_app, intact):
    at = runs_app
    at.text_input(key="runs_search").set_value("").run()
    at.text_input(key="runs_search").input("x" * (MAX_SEARCH_LENGTH + 1)).run()  # what a browser can send
    assert_no_crash(at)
    assert at.text_input(key="runs_search").value == ""
    assert count_in(at, r"\*\*([\d,]+)\*\* matches", "No run matches these filters") == len(intact.run_names)


FUTURE = dt.date.today() + dt.timedelta(days=400)


@pytest.mark.parametrize("days, outcome", [
    pytest.param((dt.date(2030, 1, 2), dt.date(2030, 1, 1)), "reversed", id="reversed"),
    pytest.param((FUTURE, FUTURE + dt.timedelta(days=3)), "nothing", id="future"),
    # Beyond the widget's own range (ten years either side): Streamlit falls back to no range.
    pytest.param((dt.date.min, dt.date.max), None, id="whole-calendar"),
    pytest.param((dt.date.max,), None, id="last-day-ever"),
    pytest.param((dt.date.min,), None, id="first-day-ever"),
])
def test_runs_date_range_is_harmless(runs_app, intact, days, outcome):
    at = runs_app
    at.text_input(key="runs_search").set_value("").run()
    at.date_input(key="runs_ended").set_value(days).run()
    try:
        assert_no_crash(at)
        if outcome == "reversed":
            assert [e.value for e in at.error] == ["The date range is reversed; the start must come before the end."]
        elif outcome == "nothing":
            assert count_in(at, r"\*\*([\d,]+)\*\* matches", "No run matches these filters") == 0
        else:
            assert not at.error
            assert count_in(at, r"\*\*([\d,]+)\*\* matches", "No run matches these filters") == len(intact.run_names)
    finally:
        at.date_input(key="runs_ended").set_value(()).run()


# --- Queue health: the error-text filter --------------------------------------------------------------------

@pytest.mark.parametrize("text", _ids({**HOSTILE, **LITERAL}))
def test_queue_error_filter_is_literal_and_harmless(queue_app, intact, text):
    at = queue_app
    at.text_input(key="jobs_error").set_value(text).run()
    assert_no_crash(at)
    if refused_as_too_long(at, text):
        return
    expected = literal_matches(text, intact.job_errors, MAX_SEARCH_LENGTH)
    assert count_in(at, r"\*\*([\d,]+)\*\* jobs · showing", "No job matches these filters") == expected
    if text in LITERAL.values():
        jobs = next(d.value for d in at.dataframe if "Job id" in d.value.columns)
        assert expected == 1 and list(jobs["Last error"]) == [f"Timed out: {MARK}"]
    elif text in (HOSTILE["or-true"], HOSTILE["drop"], HOSTILE["delete"]):
        assert expected == 0


def test_queue_created_range_reversed_is_one_sentence(queue_app, intact):
    at = queue_app
    at.text_input(key="jobs_error").set_value("").run()
    at.date_input(key="jobs_created").set_value((dt.date(2030, 1, 2), dt.date(2030, 1, 1))).run()
    try:
        assert_no_crash(at)
        assert [e.value for e in at.error] == ["The date range is reversed; the start must come before the end."]
    finally:
        at.date_input(key="jobs_created").set_value(()).run()


# --- Admin: the bulk filter's error text, one job's id, the pass size --------------------------------------

@pytest.mark.parametrize("text", _ids({k: v for k, v in {**HOSTILE, **LITERAL}.items() if k in ADMIN_BULK}))
def test_admin_bulk_error_filter_counts_literally(admin_app, intact, text):
    at = admin_app
    at.text_input(key="bulk_error").set_value(text).run()
    assert_no_crash(at)
    if refused_as_too_long(at, text):
        return
    expected = literal_matches(text, intact.job_errors, MAX_SEARCH_LENGTH)
    assert count_in(at, r"\*\*([\d,]+)\*\* jobs? match", "never shown") == expected
    assert at.button(key="bulk_retry").disabled == (expected == 0)


@pytest.mark.parametrize("action", ["Retry this job", "Discard this job"])
@pytest.mark.parametrize("text", _ids({k: HOSTILE[k] for k in (
    "or-true", "delete", "double-quote", "percent-wildcards", "long", "nul")} | {"blank": "   "}))
def test_admin_one_job_id_is_refused_in_one_sentence(admin_app, intact, action, text):
    """An id that names no job changes nothing (an injected OR would retry or discard every job) and says so."""
    at = admin_app
    at.text_input(key="admin_job_id").set_value(text)
    next(b for b in at.button if b.label == action).click().run()
    assert_no_crash(at)
    said = [e.value for e in at.error] + [w.value for w in at.warning]
    assert len(said) == 1, said
    assert re.search(r"no job|job id|Paste a job id", said[0]), said
    assert not at.success


@pytest.mark.parametrize("value", [0, -5, 10**9])
def test_admin_pass_size_out_of_range_falls_back_to_the_default(admin_app, intact, value):
    at = admin_app
    at.number_input(key="admin_max_jobs").set_value(value).run()  # not submitted: nothing runs
    assert_no_crash(at)
    assert 1 <= at.number_input(key="admin_max_jobs").value <= 500


# --- Run detail: the run id query parameter -----------------------------------------------------------------

@pytest.fixture(scope="module")
def detail_app(world) -> AppTest:
    return open_page("pages/run_detail.py")


@pytest.mark.parametrize("run_id", _ids({k: HOSTILE[k] for k in RUN_IDS} | {"path": "../../../etc/passwd",
                                                                              "url": "x&run=y#frag"}))
def test_run_detail_hostile_run_id_is_one_sentence(detail_app, intact, run_id):
    st.cache_data.clear()
    at = detail_app
    at.query_params["run"] = run_id
    at.run()
    assert_no_crash(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("There is no run with the id ")
    assert errors[0].endswith("it may have been mistyped or removed. Pick a run from the Runs page.")
    assert len(errors[0]) < 250, "the id is cut, not echoed whole"
    assert at.get("page_link"), "a way back to the Runs page"


def test_run_detail_a_real_id_with_an_injected_tail_is_not_found(intact):
    real = next(n.split(" ")[-1] for n in intact.run_names if n.startswith(MARK))
    at = open_page("pages/run_detail.py", run=f"{real}' OR '1'='1")
    assert_no_crash(at)
    assert len(at.error) == 1 and at.error[0].value.startswith("There is no run with the id ")
    found = open_page("pages/run_detail.py", run=real)  # the same id, clean, opens the run: the page works
    assert_no_crash(found)
    assert [t.value for t in found.title] == [MARK]


# --- every page: stray and hostile query parameters ---------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_every_page_ignores_hostile_query_parameters(intact, page):
    at = open_page(page, q=HOSTILE["drop"], page_size="-1", jobs_page="99999999", x=HOSTILE["nul"])
    assert_no_crash(at)
    assert len(at.title) == 1
    # Nothing to refuse: the only error a page may show here is a job's own last error (Queue health).
    assert all(e.value.startswith("Last error: ") for e in at.error), [e.value for e in at.error]


def test_compare_and_overview_have_no_free_text_input(world):
    """They take runs only from pickers whose options come from the store, so there is nothing to type."""
    for page in ("pages/compare.py", "pages/overview.py"):
        at = open_page(page)
        assert_no_crash(at)
        assert not at.text_input and not at.text_area and not at.number_input

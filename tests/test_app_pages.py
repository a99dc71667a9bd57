"""The dashboard under Streamlit's AppTest: it starts on an empty home, seeds the demo world,
and the Overview shows the store's own figures."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import types

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from enrichment.config import load_settings
from enrichment.readmodels.overview import count_parent_runs
from enrichment.store import open_store

ENTRY = str(ROOT / "streamlit_app.py")
PLACEHOLDER_PAGES = ["pages/runs.py", "pages/run_detail.py", "pages/compare.py", "pages/queue_health.py",
                     "pages/admin.py"]
TIMEOUT = 120  # the first run builds the demo world


def _stand_in_seed_demo(store, **_ignored) -> dict:
    """TEMPORARY test double, used only while enrichment.simulation.seed has not landed: three runs
    (one with a child worker row), one job with a waiting and a completed type, one run not queued."""
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    insert_run = ("INSERT INTO TEST_RESULTS (TEST_ID, RUN_ID, TEST_NAME, SCENARIO_NAME, TABLE_NAME, TABLE_TYPE, "
                  "STATUS, START_TIME, END_TIME, CONCURRENT_CONNECTIONS) VALUES (?, ?, ?, 's', 't', ?, ?, ?, ?, 4)")
    with store.unit() as db:
        for test_id, run_id, table_type, ended in [("r1", "r1", "HYBRID", 30), ("w1", "r1", "HYBRID", 30),
                                                   ("r2", "r2", "STANDARD", 20), ("r3", "r3", "HYBRID", 5)]:
            end = now - dt.timedelta(minutes=ended)
            db.execute(insert_run, [test_id, run_id, f"run {run_id}", table_type, "COMPLETED",
                                    end - dt.timedelta(minutes=10), end])
        db.execute("INSERT INTO DELAYED_ENRICHMENT_QUEUE (JOB_ID, TEST_ID, RUN_ID, TABLE_TYPE, STATUS) "
                   "VALUES ('j1', 'r1', 'r1', 'HYBRID', 'PENDING')")
        for kind, status, expected in [("QUERY_HISTORY", "COMPLETED", -10), ("AGGREGATE_QUERY_HISTORY", "PENDING", 25)]:
            db.execute("INSERT INTO DELAYED_ENRICHMENT_TYPE_STATUS (JOB_ID, RUN_ID, ENRICHMENT_TYPE, STATUS, "
                       "EXPECTED_AT) VALUES ('j1', 'r1', ?, ?, ?)", [kind, status, now + dt.timedelta(minutes=expected)])
    return {"runs": 3}


@pytest.fixture
def app_env(home, monkeypatch):
    monkeypatch.setenv("ENRICHMENT_APP_RUNNER_INTERVAL", "0")
    monkeypatch.delenv("ENRICHMENT_BACKEND", raising=False)
    if importlib.util.find_spec("enrichment.simulation.seed") is None:
        double = types.ModuleType("enrichment.simulation.seed")
        double.seed_demo = _stand_in_seed_demo
        monkeypatch.setitem(sys.modules, "enrichment.simulation.seed", double)
    return home


@pytest.fixture
def app(app_env) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.run()
    return at


def _metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric labelled {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def test_first_run_seeds_and_overview_shows_store_figures(app, app_env):
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]

    with open_store(load_settings()).unit() as db:
        runs = count_parent_runs(db)
    assert runs > 0, "the first run should have seeded the demo world"
    assert _metric(app, "Runs") == f"{runs:,}"

    assert [t.value for t in app.title] == ["Overview"]
    headers = [h.value for h in app.header]
    assert headers == ["Runs by table type and enrichment state", "Recent runs", "Waiting to land"]
    assert len(app.dataframe) >= 2  # state matrix and recent runs


def test_demo_marker_on_the_embedded_store(app):
    texts = [b.proto.body for b in app.sidebar.markdown] + [i.value for i in app.info]
    assert any("Demo data" in t for t in texts), texts


@pytest.mark.parametrize("page", PLACEHOLDER_PAGES)
def test_every_page_loads(app, page):
    app.switch_page(page).run()
    assert not app.exception, app.exception
    assert len(app.title) == 1

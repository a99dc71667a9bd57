"""The dashboard under Streamlit's AppTest: it starts on an empty home, seeds the demo world,
and the Overview shows the store's own figures."""

from __future__ import annotations

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


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory):
    """One home for the module: the first app run seeds it (about 8 s), later runs reuse it."""
    return tmp_path_factory.mktemp("app-pages") / "home"


@pytest.fixture
def app_env(shared_home, monkeypatch):
    monkeypatch.setenv("ENRICHMENT_HOME", str(shared_home))
    monkeypatch.setenv("ENRICHMENT_APP_RUNNER_INTERVAL", "0")
    monkeypatch.delenv("ENRICHMENT_BACKEND", raising=False)
    return shared_home


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


def test_a_settings_mistake_is_one_sentence_not_a_traceback(app_env, monkeypatch):
    monkeypatch.setenv("ENRICHMENT_BACKEND", "oracle")
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "ENRICHMENT_BACKEND='oracle' is not known; set it to 'embedded' (the default) or 'snowflake'."
    ]


def test_an_unexpected_failure_shows_a_generic_sentence(app_env, monkeypatch):
    import enrichment.readmodels.overview as overview

    def broken(db, now=None):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(overview, "load_overview", broken)
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert len(at.error) == 1 and "secret" not in at.error[0].value and "server log" in at.error[0].value

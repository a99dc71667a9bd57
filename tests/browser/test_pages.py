"""The dashboard's pages in a real browser, as a person uses them: every page loads without an exception;
the admin runs the due jobs and sees the states change; an operator filters the queue; an analyst opens a
run from the Runs page. Keeps screenshots of each page in docs/screenshots.

The module starts its own app on its own demo world (the smoke test expects a world nobody has touched).
"""

from __future__ import annotations

import os
import re

import pytest

from tests.browser.conftest import running_app
from tests.browser.harness import page_problems, run_enrichment_pass, screenshot, wait_until_rendered

pytestmark = pytest.mark.browser

ACTION_TIMEOUT_MS = 180_000
# Each page and a heading it always writes, late in the script.
PAGES = {"runs": "Runs", "run_detail": "Client vs server", "compare": "Compare runs", "queue_health": "Jobs",
         "admin": "Housekeeping"}


@pytest.fixture(scope="module")
def pages_env(tmp_path_factory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("browser-pages") / "home"
    env = dict(os.environ, ENRICHMENT_HOME=str(home), ENRICHMENT_APP_RUNNER_INTERVAL="0")
    env.pop("ENRICHMENT_BACKEND", None)
    env.pop("ENRICHMENT_LOCAL_ADMIN", None)
    return env


@pytest.fixture(scope="module")
def url(pages_env, tmp_path_factory):
    with running_app(pages_env, tmp_path_factory.mktemp("browser-pages-log")) as base:
        yield base


def visit(page, url: str, path: str, heading: str) -> None:
    page.goto(f"{url}/{path}")
    wait_until_rendered(page, heading)
    assert page.locator('[data-testid="stException"]').count() == 0, page_problems(page)


def store_of(env: dict[str, str]):
    """The app's store, opened from the test process (units are short and locked across processes)."""
    from enrichment.config import load_settings
    from enrichment.store import open_store

    saved = os.environ.get("ENRICHMENT_HOME")
    os.environ["ENRICHMENT_HOME"] = env["ENRICHMENT_HOME"]
    try:
        return open_store(load_settings())
    finally:
        if saved is None:
            os.environ.pop("ENRICHMENT_HOME", None)
        else:
            os.environ["ENRICHMENT_HOME"] = saved


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_loads_without_an_exception(page, url, path):
    """On the freshly seeded world, each page straight from its URL (the first visit seeds the world)."""
    visit(page, url, path, PAGES[path])
    assert page_problems(page) == []
    assert page.get_by_role("heading", level=1).count() == 1
    assert page.get_by_text("Demo data").first.is_visible(), "the page runs inside the app's shell"


def test_the_admin_runs_the_due_jobs_and_sees_the_states_change(page, url):
    visit(page, url, "admin", PAGES["admin"])
    field = page.get_by_label("At most this many jobs", exact=True)
    field.fill("4")
    page.get_by_role("button", name="Run due jobs now").click()
    page.get_by_text("Pass finished").wait_for(timeout=ACTION_TIMEOUT_MS)
    wait_until_rendered(page, PAGES["admin"])
    assert page_problems(page) == []
    summary = page.get_by_text("Pass finished").inner_text()
    assert re.search(r"discovered \d+, processed 4 jobs", summary), summary
    # The before/after table: no job before this first pass, completed ones after it.
    table = page.locator('[data-testid="stTable"]')
    completed = table.locator("tr", has_text="Completed").inner_text()
    before, after = [int(n) for n in re.findall(r"\b\d+\b", completed)[-2:]]
    assert before == 0 and after >= 1, completed
    screenshot(page, "admin")


def test_an_operator_filters_the_queue(page, url, pages_env):
    run_enrichment_pass(pages_env, max_jobs=12)  # more to look at: finished, waiting, not applicable
    visit(page, url, "queue_health", "Job detail")
    assert page_problems(page) == []
    everything = page.get_by_text(re.compile(r"jobs · showing")).inner_text()
    total = int(re.search(r"([\d,]+) jobs", everything).group(1).replace(",", ""))
    assert total > 10
    screenshot(page, "queue_health")

    error_filter = page.get_by_label("Error text contains", exact=True)
    error_filter.fill("no error reads like this")
    error_filter.press("Enter")
    page.get_by_text("No job matches these filters").wait_for(timeout=ACTION_TIMEOUT_MS)
    error_filter.fill("")
    error_filter.press("Enter")
    page.get_by_text(re.compile(r"jobs · showing")).wait_for(timeout=ACTION_TIMEOUT_MS)

    status = page.get_by_role("combobox", name=re.compile("Status"))
    status.click()
    page.get_by_role("option", name="✓ Completed").click()
    page.keyboard.press("Escape")
    page.wait_for_function(
        """total => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
            .some(e => /jobs · showing/.test(e.innerText) && !e.innerText.includes(total + ' jobs'))""",
        arg=f"{total:,}", timeout=ACTION_TIMEOUT_MS)
    wait_until_rendered(page, "Job detail")
    filtered = page.get_by_text(re.compile(r"jobs · showing")).inner_text()
    shown = int(re.search(r"([\d,]+) jobs", filtered).group(1).replace(",", ""))
    assert 0 < shown < total, filtered


def test_an_analyst_opens_a_run_from_the_runs_page(page, url, pages_env):
    from enrichment.readmodels import run_detail as rd
    from enrichment.readmodels.overview import utc_now

    store = store_of(pages_env)
    with store.unit() as db:
        runs = db.rows("SELECT RUN_ID, TEST_NAME FROM TEST_RESULTS WHERE TEST_ID = RUN_ID AND TABLE_TYPE = 'HYBRID' "
                       "ORDER BY END_TIME")
        rich = [r for r in runs if rd.lock_waits(db, r["RUN_ID"])[1]["waiting_queries"]
                and rd.section_states(db, r["RUN_ID"], utc_now(), "COMPLETED")["AGGREGATE"].state == "DONE"]
    assert rich, "the passes so far enrich the oldest hybrid runs, which have row-lock waits"
    target = rich[0]

    visit(page, url, "runs", "Runs")
    screenshot(page, "runs")
    search = page.get_by_label("Search by run name or id", exact=True)
    search.fill(target["RUN_ID"][:13])
    search.press("Enter")
    page.get_by_text(re.compile(r"\*?\*?1\*?\*? matches|^1 matches")).first.wait_for(timeout=ACTION_TIMEOUT_MS)
    wait_until_rendered(page, "Runs")
    # Tick the only row's box (the data grid draws on a canvas, so click where the box is).
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 20, box["y"] + 35 + 17)
    page.wait_for_url(re.compile(rf"/run_detail\?run={target['RUN_ID']}"), timeout=ACTION_TIMEOUT_MS)
    wait_until_rendered(page, "Partitions and spill")
    assert page_problems(page) == []
    assert page.get_by_role("heading", name=target["TEST_NAME"], level=1).is_visible()
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 3
    assert page.get_by_text("about 5 s or more").first.is_visible()
    screenshot(page, "run_detail")


def test_compare_shows_two_runs_side_by_side(page, url):
    visit(page, url, "compare", "Open a run")
    assert page_problems(page) == []
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 1
    screenshot(page, "compare")

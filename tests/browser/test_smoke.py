"""Smoke tests in a real browser: the Overview renders without an exception, first on a freshly seeded
demo world and then after a runner pass; keeps screenshots in docs/screenshots."""

import pytest

from tests.browser.harness import page_problems, run_enrichment_pass, screenshot, wait_until_rendered

pytestmark = pytest.mark.browser

LAST_HEADING = "Waiting to land"  # the Overview writes it last


def _open_overview(page, url):
    page.goto(url)
    wait_until_rendered(page, LAST_HEADING)
    assert page_problems(page) == []
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_role("heading", name="Overview", level=1).count() == 1


def test_overview_renders_on_first_run(page, app_url):
    _open_overview(page, app_url)  # the first visit seeds the demo world
    assert page.get_by_text("Demo data").first.is_visible()
    assert page.get_by_text("No enrichment jobs yet").is_visible()
    screenshot(page, "overview-first-run")


def test_overview_after_a_runner_pass(page, app_url, app_env):
    _open_overview(page, app_url)
    run_enrichment_pass(app_env, max_jobs=4)
    _open_overview(page, app_url)
    assert page.get_by_role("heading", name=LAST_HEADING).is_visible()
    waiting = page.get_by_text("waiting for their ACCOUNT_USAGE view").or_(page.get_by_text("Nothing is waiting"))
    assert waiting.first.is_visible()
    path = screenshot(page, "overview")
    assert path.stat().st_size > 10_000

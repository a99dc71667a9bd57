"""Smoke test in a real browser: the Overview renders without an exception; keeps a screenshot."""

import pytest

from tests.browser.harness import screenshot, wait_until_rendered

pytestmark = pytest.mark.browser


def test_overview_renders(app_url, page):
    page.goto(app_url)
    wait_until_rendered(page, "Waiting to land")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_role("heading", name="Overview", level=1).count() == 1
    assert page.get_by_text("Demo data").first.is_visible()
    path = screenshot(page, "overview")
    assert path.stat().st_size > 10_000

"""Helpers for browser tests: wait for a page to finish rendering, save a screenshot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
RENDER_TIMEOUT_MS = 120_000  # the first render seeds the demo world
# What a failed script leaves on the page: an exception box, or our one-sentence st.error.
_PROBLEMS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
# The height of everything the app has drawn (main area and sidebar), in CSS pixels.
_CONTENT_HEIGHT = """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stSidebarContent"]']
    .map(selector => document.querySelector(selector)?.scrollHeight || 0))"""


def wait_until_rendered(page, heading: str) -> None:
    """Wait for the app shell, then for a heading the script writes last (or an error, which ends the
    script early), then for the run to end and lazily loaded elements (data grids, charts) to settle,
    judged by the page height staying put. Callers then assert on `page_problems(page)`."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=RENDER_TIMEOUT_MS)
    finished = page.get_by_role("heading", name=heading).or_(page.locator(_PROBLEMS))
    finished.first.wait_for(timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_load_state("networkidle", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stSkeleton"]', state="detached", timeout=RENDER_TIMEOUT_MS)
    last, stable_since = -1, 0
    for _ in range(RENDER_TIMEOUT_MS // 100):
        height = page.evaluate(_CONTENT_HEIGHT)
        stable_since = stable_since + 1 if height == last else 0
        if stable_since >= 5:  # unchanged for half a second
            return
        last = height
        page.wait_for_timeout(100)


def page_problems(page) -> list[str]:
    """The text of every exception and error box on the page (empty when all is well)."""
    return [text.strip() for text in page.locator(_PROBLEMS).all_inner_texts()]


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as docs/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # Data grids paint their canvas only once scrolled into view: visit each before the shot.
    for grid in page.locator('[data-testid="stDataFrame"]').all():
        grid.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
    # Streamlit scrolls inside its main container, not the document, so full_page alone captures one
    # viewport: grow the viewport to the content's height for the shot, then put it back.
    viewport = page.viewport_size
    content_height = page.evaluate(_CONTENT_HEIGHT)
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], content_height)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(viewport)
    return path


def run_enrichment_pass(env: dict[str, str], max_jobs: int) -> None:
    """One runner pass against the app's store (the app's own runner is off in tests): queues every
    ended run, then works on at most `max_jobs` jobs (about 2 s each on the demo world)."""
    subprocess.run([sys.executable, "-m", "enrichment.run", "--quiet", "--max-jobs", str(max_jobs)],
                   cwd=ROOT, env=env, check=True, timeout=300)

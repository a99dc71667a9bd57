"""Real-browser harness: the app served by `streamlit run`, driven by Debian's Chromium via Playwright.

Skips (with the reason) when Chromium or Playwright is missing; CI installs both.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 60  # seconds for /_stcore/health to answer


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.read().decode().strip() == "ok"
    except OSError:
        return False


@pytest.fixture(scope="session")
def app_env(tmp_path_factory) -> dict[str, str]:
    """The environment the app runs with: a fresh embedded home, no built-in runner (tests drive it)."""
    home = tmp_path_factory.mktemp("browser-app") / "home"
    env = dict(os.environ, ENRICHMENT_HOME=str(home), ENRICHMENT_APP_RUNNER_INTERVAL="0")
    env.pop("ENRICHMENT_BACKEND", None)
    return env


@contextlib.contextmanager
def running_app(env: dict[str, str], log_dir: Path):
    """Start `streamlit run streamlit_app.py` on a free port with `env`; yield its base URL; stop it."""
    port = _free_port()
    log_path = log_dir / "streamlit.log"
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not become healthy; log:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def app_url(app_env, tmp_path_factory):
    """Start the dashboard on a free port; yield its base URL."""
    with running_app(app_env, tmp_path_factory.mktemp("browser-log")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    yield tab
    context.close()

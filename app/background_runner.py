"""The embedded demo's built-in runner: one daemon thread per process, so the demo world moves on
while the dashboard is open. On Snowflake the runner is a separate process or task, never the app."""

from __future__ import annotations

import logging
import threading

import streamlit as st

from enrichment.config import Settings
from enrichment.store import Store

log = logging.getLogger("flakebench.app.runner")


def _loop(store: Store, settings: Settings, stop: threading.Event) -> None:
    while not stop.wait(settings.app_runner_interval):
        try:
            from enrichment.runner import run_pass  # late: the dashboard must start even if it is broken

            run_pass(store, settings)
        except Exception:  # the thread must outlive any one bad pass
            log.exception("Background enrichment pass failed; trying again in %.0f s", settings.app_runner_interval)


@st.cache_resource(show_spinner=False)
def _start(settings: Settings, _store: Store) -> threading.Event:
    stop = threading.Event()
    thread = threading.Thread(target=_loop, args=(_store, settings, stop), name="enrichment-runner", daemon=True)
    thread.start()
    log.info("Background enrichment runner started (every %.0f s)", settings.app_runner_interval)
    return stop


def ensure_background_runner(store: Store, settings: Settings) -> bool:
    """Start the runner thread once per process on the embedded store; True if one is running."""
    if not settings.embedded or settings.app_runner_interval <= 0:
        return False
    _start(settings, store)
    return True

"""Dashboard helpers that need no running app: badges and the background runner's loop."""

import datetime as dt
import sys
import threading
import types

from app import background_runner
from app.badges import badge_for, badge_for_run
from enrichment.config import Settings

NOW = dt.datetime(2026, 11, 26, 14, 5)


def test_every_badge_has_a_glyph_and_a_word():
    for state in ["COMPLETED", "FAILED", "IN_PROGRESS", "PENDING", "NOT_APPLICABLE", "SKIPPED", "NO_JOB", "WEIRD"]:
        glyph, _, word = badge_for(state).text.partition(" ")
        assert glyph and word and not word.startswith(" ")


def test_waiting_badge_says_when_it_lands():
    lands = dt.datetime(2026, 11, 26, 14, 32)
    assert badge_for("PENDING", expected_at=lands, now=NOW).text == "◷ Waiting (lands ~14:32 UTC)"
    row = {"JOB_STATUS": "PENDING", "TYPES_WAITING": 1, "NEXT_EXPECTED_AT": None}
    assert badge_for_run(row, NOW).text == "◷ Waiting (due, re-checking)"
    assert badge_for("COMPLETED", outcome="INCOMPLETE").text == "⚠ Incomplete"
    assert badge_for_run({"JOB_STATUS": "COMPLETED", "TYPES_FAILED": 1}, NOW).word == "Partly failed"


def test_runner_loop_survives_a_failing_pass(monkeypatch):
    calls = []
    stop = threading.Event()

    def run_pass(store, settings):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        if len(calls) >= 3:
            stop.set()

    monkeypatch.setitem(sys.modules, "enrichment.runner", types.SimpleNamespace(run_pass=run_pass))
    thread = threading.Thread(target=background_runner._loop, args=(object(), Settings(app_runner_interval=0.01), stop))
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive() and len(calls) == 3


def test_runner_is_off_when_the_interval_is_zero_or_on_snowflake():
    assert background_runner.ensure_background_runner(object(), Settings(app_runner_interval=0)) is False
    assert background_runner.ensure_background_runner(object(), Settings(backend="snowflake")) is False

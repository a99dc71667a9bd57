"""How a run page section says where its data stands: one badge (glyph + word, never colour alone)
and one sentence per state, so "pending" and "no data" never look alike and nothing pending shows 0.

The states come from `enrichment.readmodels.run_detail.section_states`; this module only words them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st

from app.badges import NOT_APPLICABLE, NOT_QUEUED, SKIPPED, WAITING, Badge, badge_for, show
from app.format import format_ago, format_pct, format_utc_time
from enrichment.readmodels.run_detail import SectionState
from enrichment.types import VIEW_OF, EnrichmentType

DONE = Badge("✓", "Done", "green")
DONE_NO_DATA = Badge("✓", "Done, no data", "green")
RUNNING = Badge("↻", "Running", "blue")
FAILED = Badge("✗", "Failed", "red")


def view_of(enrichment_type: str) -> str:
    try:
        return VIEW_OF[EnrichmentType(enrichment_type)]
    except ValueError:
        return enrichment_type


def landing_text(expected_at: Any, now: dt.datetime, *, nested: bool = False) -> str:
    """"~14:32 UTC (in 12 min)"; with `nested`, "~14:32 UTC, in 12 min" (for text already in parentheses)."""
    if nested:
        return f"~{format_utc_time(expected_at, now)}, {format_ago(expected_at, now)}"
    return f"~{format_utc_time(expected_at, now)} ({format_ago(expected_at, now)})"


def job_badge(status: str | None, next_check: Any, now: dt.datetime) -> Badge:
    """A job's badge in a table: a waiting job says when its next view lands, or that it is due now."""
    if str(status or "").upper() == "PENDING" and next_check is not None and str(next_check) != "NaT":
        if next_check <= now:
            return Badge(WAITING.glyph, WAITING.word, WAITING.color, "due, re-checking")
        return badge_for("PENDING", expected_at=next_check, now=now)
    return badge_for(status)


def section_badge(state: SectionState, now: dt.datetime) -> Badge:
    kind = state.state
    if kind == "WAITING":
        detail = f"lands {landing_text(state.expected_at, now, nested=True)}" if state.expected_at is not None else ""
        return Badge("◷", "Waiting", "blue", detail)
    if kind == "DUE":
        if state.expected_at is not None and state.expected_at > now:  # checked early: still landing
            return Badge("◷", "Waiting", "blue", f"lands {landing_text(state.expected_at, now, nested=True)}")
        return Badge("↻", "Due", "blue", "re-checked on the runner's next pass")
    if kind == "RUNNING":
        return RUNNING
    if kind == "DONE":
        return DONE
    if kind == "DONE_NO_DATA":
        return DONE_NO_DATA
    if kind == "INCOMPLETE":
        coverage = format_pct(state.coverage) if state.coverage is not None else ""
        return Badge("⚠", "Incomplete", "orange", f"{coverage} covered" if coverage else "")
    if kind == "FAILED":
        return FAILED
    if kind == "NOT_APPLICABLE":
        return NOT_APPLICABLE
    if kind == "SKIPPED":
        return SKIPPED
    if kind == "NO_JOB":
        return NOT_QUEUED
    return Badge("•", kind.replace("_", " ").capitalize(), "gray")


def show_state(
    state: SectionState,
    now: dt.datetime,
    *,
    no_data: str,
    retry: Callable[[], None] | None = None,
    key: str,
) -> bool:
    """Draw the section's badge and the sentence its state calls for. True when its data should be drawn.

    `no_data` is the success sentence for a read that found nothing (e.g. "No lock wait of 5 s or
    more"). `retry`, when given (admins only), puts a Retry button under a failure.
    """
    show(section_badge(state, now))
    view = view_of(state.enrichment_type)
    kind = state.state
    if kind == "WAITING":
        when = (f"by {landing_text(state.expected_at, now)}" if state.expected_at is not None
                else "once it has landed")
        st.info(f"Waiting for {view}: it should hold this run's data {when}. This section fills in then; "
                "nothing is missing yet.", icon=":material/schedule:")
        return False
    if kind == "DUE":
        if state.expected_at is not None and state.expected_at > now:
            st.info(f"Waiting for {view}: it should hold this run's data by {landing_text(state.expected_at, now)}; "
                    "the runner already looks on each pass, in case it lands early. Nothing is missing yet.",
                    icon=":material/schedule:")
        else:
            when = (f"should have landed at {format_utc_time(state.expected_at, now)} "
                    f"({format_ago(state.expected_at, now)})" if state.expected_at is not None else "is due")
            st.info(f"{view} {when}; the runner reads it on its next pass.", icon=":material/schedule:")
        return False
    if kind == "RUNNING":
        st.info(f"Reading {view} for this run now.", icon=":material/sync:")
        return False
    if kind == "DONE_NO_DATA":
        st.success(no_data, icon=":material/check_circle:")
        if state.detail:
            st.caption(state.detail)
        return False
    if kind == "INCOMPLETE":
        coverage = f" ({format_pct(state.coverage)} of the run covered)" if state.coverage is not None else ""
        st.warning(f"Finished incomplete{coverage}: {state.detail or 'part of the data never landed.'} "
                   "The figures below cover what did land.", icon=":material/warning:")
        return True
    if kind == "FAILED":
        attempts = f" after {state.attempts} attempt{'s' if state.attempts != 1 else ''}" if state.attempts else ""
        st.error(f"Reading {view} failed{attempts}: {state.error or state.detail or 'no reason was recorded.'}",
                 icon=":material/error:")
        if retry is not None:
            if st.button("Retry", key=f"retry_{key}", icon=":material/replay:",
                         help=f"Re-open this run's failed enrichments; the runner reads {view} again."):
                retry()
        else:
            st.caption("An admin can retry it from this page or the Admin page.")
        return False
    if kind in ("NOT_APPLICABLE", "SKIPPED", "NO_JOB"):
        reason = state.detail or {"NOT_APPLICABLE": "Snowflake has no such data for this run.",
                                  "SKIPPED": "This run is not enriched.",
                                  "NO_JOB": "No enrichment job yet; the runner's next pass creates it."}[kind]
        st.caption(reason)
        return False
    # DONE
    if state.detail:
        st.caption(state.detail)
    return True

"""Status badges that never rely on colour alone: every state has a glyph and a word.

`badge_for(...)` decides the badge; `show(badge)` draws it with st.badge; `badge.text` is the same
glyph and word for table cells, where a widget cannot go.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from app.format import format_utc_time


@dataclass(frozen=True)
class Badge:
    glyph: str
    word: str
    color: str  # one of st.badge's colours
    detail: str = ""  # e.g. "lands ~14:32 UTC"

    @property
    def text(self) -> str:
        return f"{self.glyph} {self.word}" + (f" ({self.detail})" if self.detail else "")


# success = done, info = in flight or waiting, warning = needs attention, error = failed (plan §1.5).
COMPLETED = Badge("✓", "Completed", "green")
FAILED = Badge("✗", "Failed", "red")
INCOMPLETE = Badge("⚠", "Incomplete", "orange")
PARTLY_FAILED = Badge("⚠", "Partly failed", "orange")
RUNNING = Badge("↻", "Running", "blue")
# ◷ rather than the ⏳ emoji: it renders without an emoji font (headless Chromium, some desktops).
WAITING = Badge("◷", "Waiting", "blue")
NOT_APPLICABLE = Badge("—", "Not applicable", "gray")
SKIPPED = Badge("⤼", "Skipped", "gray")
NOT_QUEUED = Badge("○", "Not queued yet", "gray")

_BY_STATE = {
    "COMPLETED": COMPLETED,
    "FAILED": FAILED,
    "INCOMPLETE": INCOMPLETE,
    "IN_PROGRESS": RUNNING,
    "PENDING": WAITING,
    "NOT_APPLICABLE": NOT_APPLICABLE,
    "SKIPPED": SKIPPED,
    "NO_JOB": NOT_QUEUED,
}


def badge_for(state: str | None, *, expected_at: dt.datetime | None = None, now: dt.datetime | None = None,
              outcome: str | None = None) -> Badge:
    """The badge for a job or type state. A waiting badge says when its data should land."""
    state = (state or "NO_JOB").upper()
    if state == "COMPLETED" and (outcome or "").upper() == "INCOMPLETE":
        return INCOMPLETE
    badge = _BY_STATE.get(state)
    if badge is None:  # a state this dashboard does not know yet: say it, neutrally
        return Badge("•", state.replace("_", " ").capitalize(), "gray")
    if badge is WAITING and expected_at is not None:
        return Badge(badge.glyph, badge.word, badge.color, f"lands ~{format_utc_time(expected_at, now)}")
    return badge


def badge_for_run(row: dict[str, Any], now: dt.datetime) -> Badge:
    """A run's delayed-enrichment badge from a recent-runs row (job state plus per-type counts)."""
    state = str(row.get("JOB_STATUS") or "NO_JOB").upper()
    if state == "COMPLETED" and row.get("TYPES_FAILED"):
        return PARTLY_FAILED
    if state == "PENDING" and row.get("TYPES_WAITING") and row.get("NEXT_EXPECTED_AT") is None:
        return Badge(WAITING.glyph, WAITING.word, WAITING.color, "due, re-checking")
    outcome = "INCOMPLETE" if row.get("TYPES_INCOMPLETE") else None
    return badge_for(state, expected_at=row.get("NEXT_EXPECTED_AT"), now=now, outcome=outcome)


# Text colours for table cells, dark enough for 4.5:1 contrast on the light theme's white.
_CELL_COLORS = {"green": "#1a7f37", "red": "#cf222e", "orange": "#9a6700", "blue": "#0969da", "gray": "#57606a"}


def styled(frame: pd.DataFrame, column: str, badges: list[Badge]):
    """The frame with `column` (holding each badge's text) coloured like its badge, for st.dataframe."""
    colors = [f"color: {_CELL_COLORS.get(b.color, 'inherit')}" for b in badges]
    return frame.style.apply(lambda _: colors, subset=[column], axis=0)


def show(badge: Badge, *, container: Any = st) -> None:
    """Draw the badge; the glyph lives in the label so it is read out and survives any colour scheme."""
    container.badge(badge.text, color=badge.color)

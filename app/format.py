"""Text for numbers and times, the same everywhere in the dashboard.

Durations follow the plan's rule with its gaps fixed: rounding never prints a value in the wrong
unit (999.96 ms is "1.0s", not "1000.0ms"), and minutes and hours always carry their unit.
Missing values are "—"; whether that means "pending" or "no data" is the caller's call.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

MISSING = "—"


def _number(value: Any) -> float | None:
    """A finite float, or None for None/NaN/inf/non-numbers (pandas' NA and NaT included)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def format_ms(value: Any) -> str:
    ms = _number(value)
    if ms is None or ms < 0:
        return MISSING
    if ms < 1:
        return "< 1ms"
    # Decide the unit on the rounded text, so a value never rounds up to 1000.0ms or 60.0s.
    if float(f"{ms:.1f}") < 1000:
        return f"{ms:.1f}ms"
    seconds = ms / 1000
    if float(f"{seconds:.1f}") < 60:
        return f"{seconds:.1f}s"
    whole_seconds = round(seconds)
    if whole_seconds < 3600:
        minutes, secs = divmod(whole_seconds, 60)
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours}h {minutes:02d}m"


def format_count(value: Any) -> str:
    number = _number(value)
    return MISSING if number is None else f"{round(number):,}"


def format_pct(fraction: Any, digits: int = 1) -> str:
    """A fraction (0.995) as a percentage ("99.5%")."""
    number = _number(fraction)
    return MISSING if number is None else f"{number * 100:.{digits}f}%"


def as_utc(when: dt.datetime) -> dt.datetime:
    """Aware UTC; naive datetimes are UTC already (the store keeps every timestamp in UTC)."""
    return when.replace(tzinfo=dt.timezone.utc) if when.tzinfo is None else when.astimezone(dt.timezone.utc)


def _is_missing_time(when: Any) -> bool:
    return when is None or (isinstance(when, float) and math.isnan(when)) or str(when) == "NaT"


def format_utc(when: Any) -> str:
    if _is_missing_time(when):
        return MISSING
    return as_utc(when).strftime("%Y-%m-%d %H:%M UTC")


def format_utc_time(when: Any, now: dt.datetime | None = None) -> str:
    """Just the clock time ("14:32 UTC") when `when` falls on the same UTC day as `now`, else with the date."""
    if _is_missing_time(when):
        return MISSING
    when = as_utc(when)
    if now is not None and as_utc(now).date() == when.date():
        return when.strftime("%H:%M UTC")
    return when.strftime("%b %d %H:%M UTC")


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


def format_ago(when: Any, now: dt.datetime) -> str:
    """"5 min ago" for the past, "in 12 min" for the future, relative to `now`."""
    if _is_missing_time(when):
        return MISSING
    seconds = (as_utc(now) - as_utc(when)).total_seconds()
    if abs(seconds) < 60:
        return "just now" if seconds >= 0 else "in < 1 min"
    return f"{_span(seconds)} ago" if seconds > 0 else f"in {_span(-seconds)}"

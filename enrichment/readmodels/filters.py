"""Filters typed by a person, checked before they reach SQL (where they are bound, never formatted)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pandas as pd

from enrichment.errors import UserFacingError

MAX_SEARCH_LENGTH = 200
MAX_PAGE_SIZE = 500


def clean_search(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    if len(text) > MAX_SEARCH_LENGTH:
        raise UserFacingError(f"The search text is longer than {MAX_SEARCH_LENGTH} characters; shorten it.")
    return text.strip()


def as_json_list(values) -> str:
    return json.dumps([str(v) for v in (values or [])])


def checked_range(since: dt.datetime | None, until: dt.datetime | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    if since and until and until <= since:
        raise UserFacingError("The date range is reversed; the start must come before the end.")
    return since, until


@dataclass
class Page:
    number: int = 1
    size: int = 50

    def __post_init__(self) -> None:
        if self.size < 1 or self.size > MAX_PAGE_SIZE:
            raise UserFacingError(f"A page holds 1 to {MAX_PAGE_SIZE} rows.")
        self.number = max(1, int(self.number))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def last_number(self, total: int) -> int:
        """The number of the last page of this size over `total` rows (1 when there are none)."""
        return max(1, -(-total // self.size))


@dataclass
class RunFilter:
    search: str | None = None
    table_types: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    delayed_states: list[str] = field(default_factory=list)
    ended_from: dt.datetime | None = None
    ended_until: dt.datetime | None = None


@dataclass
class JobFilter:
    statuses: list[str] = field(default_factory=list)
    enrichment_types: list[str] = field(default_factory=list)
    table_types: list[str] = field(default_factory=list)
    error_text: str | None = None
    created_from: dt.datetime | None = None
    created_until: dt.datetime | None = None


def fetch_page(db, statement: str, params: list) -> tuple[pd.DataFrame, int]:
    """Run a paged statement whose rows carry TOTAL_MATCHES (COUNT(*) OVER ()); return rows and total."""
    frame = db.frame(statement, params)
    total = int(frame["TOTAL_MATCHES"].iloc[0]) if not frame.empty else 0
    return frame.drop(columns=["TOTAL_MATCHES"]), total

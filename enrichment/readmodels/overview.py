"""The Overview page's data: runs by table type and enrichment state, recent runs, upcoming landings.

Every function works on an empty queue: a run without a job is counted in the state 'NO_JOB'.
`now` is naive UTC and is passed in (never CURRENT_TIMESTAMP) so results do not depend on a
session's time zone and tests can pin it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from enrichment.store.port import Db

NO_JOB = "NO_JOB"
# The order states are shown in: not started, in flight, then finished.
STATE_ORDER = (NO_JOB, "PENDING", "IN_PROGRESS", "COMPLETED", "FAILED", "SKIPPED", "NOT_APPLICABLE")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def runs_by_type_and_state(db: Db) -> pd.DataFrame:
    """Long form: TABLE_TYPE, STATE, RUNS (parent runs only)."""
    return db.frame("overview_runs_by_type_and_state")


def state_matrix(long: pd.DataFrame) -> pd.DataFrame:
    """Table types as rows, states as columns (known states in STATE_ORDER, others after), plus TOTAL."""
    if long.empty:
        return pd.DataFrame(columns=["TOTAL"], dtype="int64")
    wide = long.pivot_table(index="TABLE_TYPE", columns="STATE", values="RUNS", aggfunc="sum", fill_value=0)
    known = [s for s in STATE_ORDER if s in wide.columns]
    others = sorted(s for s in wide.columns if s not in STATE_ORDER)
    wide = wide[known + others].astype("int64")
    wide["TOTAL"] = wide.sum(axis=1)
    wide.columns.name = None
    return wide.sort_values("TOTAL", ascending=False)


def recent_runs(db: Db, now: dt.datetime) -> list[dict[str, Any]]:
    return db.rows("overview_recent_runs", [now])


def upcoming_landings(db: Db, now: dt.datetime) -> list[dict[str, Any]]:
    return db.rows("overview_upcoming_landings", [now, now])


@dataclass
class Overview:
    now: dt.datetime
    by_type_and_state: pd.DataFrame  # long form
    recent: list[dict[str, Any]]
    upcoming: list[dict[str, Any]]
    runs_by_type: dict[str, int] = field(init=False)
    total_runs: int = field(init=False)

    def __post_init__(self) -> None:
        frame = self.by_type_and_state
        per_type = frame.groupby("TABLE_TYPE")["RUNS"].sum() if not frame.empty else pd.Series(dtype="int64")
        self.runs_by_type = {str(k): int(v) for k, v in per_type.sort_values(ascending=False).items()}
        self.total_runs = sum(self.runs_by_type.values())

    @property
    def matrix(self) -> pd.DataFrame:
        return state_matrix(self.by_type_and_state)

    @property
    def queued_runs(self) -> int:
        """Runs that have a delayed-enrichment job (in any state)."""
        frame = self.by_type_and_state
        return int(frame.loc[frame["STATE"] != NO_JOB, "RUNS"].sum()) if not frame.empty else 0

    @property
    def waiting_types(self) -> int:
        return sum(int(row["WAITING"]) for row in self.upcoming)


def load_overview(db: Db, now: dt.datetime | None = None) -> Overview:
    now = now or utc_now()
    return Overview(now=now, by_type_and_state=runs_by_type_and_state(db),
                    recent=recent_runs(db, now), upcoming=upcoming_landings(db, now))


def count_parent_runs(db: Db) -> int:
    return int(db.scalar("overview_parent_run_count") or 0)

"""What the engine needs to know about one FlakeBench run, read from FlakeBench's own tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from enrichment.store.port import Db
from enrichment.types import normalize_table_type


@dataclass
class RunFacts:
    run_id: str
    exists: bool = True
    test_name: str | None = None
    table_type_raw: str | None = None
    status: str | None = None
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    failure_reason: str | None = None
    children: list[str] = field(default_factory=list)
    # The measurement phase: from the non-warmup executions when there are any, else the run's times.
    window_start: dt.datetime | None = None
    window_end: dt.datetime | None = None
    measurement_executions: int = 0
    snowflake_query_ids: int = 0

    @property
    def table_type(self) -> str | None:
        return normalize_table_type(self.table_type_raw)

    @property
    def measurement_tags(self) -> list[str]:
        """FlakeBench workers tag measurement queries flakebench:test_id=<worker TEST_ID>:phase=RUNNING."""
        return [f"flakebench:test_id={child}:phase=RUNNING" for child in self.children]

    @property
    def run_window(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The whole run (warmup included), for account-level figures such as hybrid credits."""
        return (self.start_time or self.window_start, self.end_time or self.window_end)


def load_run_facts(db: Db, run_id: str) -> RunFacts:
    parent = db.one("run_parent", [run_id])
    if parent is None:
        return RunFacts(run_id=run_id, exists=False)
    facts = RunFacts(
        run_id=run_id,
        test_name=parent["TEST_NAME"],
        table_type_raw=parent["TABLE_TYPE"],
        status=(parent["STATUS"] or "").upper() or None,
        start_time=parent["START_TIME"],
        end_time=parent["END_TIME"],
        failure_reason=parent["FAILURE_REASON"],
    )
    facts.children = [r["TEST_ID"] for r in db.rows("run_children", [run_id]) if r["TEST_ID"]]
    stats = db.one("run_measurement_stats", [run_id]) or {}
    facts.measurement_executions = int(stats.get("EXECUTIONS") or 0)
    facts.snowflake_query_ids = int(stats.get("SNOWFLAKE_QUERY_IDS") or 0)
    if facts.measurement_executions:
        facts.window_start, facts.window_end = stats["WINDOW_START"], stats["WINDOW_END"]
    else:
        status_row = db.one("run_status_window", [run_id]) or {}
        facts.window_start = status_row.get("WARMUP_END_TIME") or facts.start_time
        facts.window_end = facts.end_time or status_row.get("END_TIME")
    return facts

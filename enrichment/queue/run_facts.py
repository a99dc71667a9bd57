"""What the engine needs to know about FlakeBench runs, read from FlakeBench's own tables.

Facts are read for a whole batch of runs at once (four statements, whatever the batch size), since
the engine works on batches; `load_run_facts` is the one-run case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from enrichment.store.port import Db, json_batch
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


def load_runs_facts(db: Db, run_ids: Sequence[str]) -> dict[str, RunFacts]:
    """Facts of every run id given; a run missing from TEST_RESULTS has `exists=False`."""
    ids = json_batch(sorted(set(run_ids)))
    facts = {run_id: RunFacts(run_id=run_id, exists=False) for run_id in run_ids}
    for parent in db.rows("runs_parents", [ids]):
        facts[parent["RUN_ID"]] = RunFacts(
            run_id=parent["RUN_ID"],
            test_name=parent["TEST_NAME"],
            table_type_raw=parent["TABLE_TYPE"],
            status=(parent["STATUS"] or "").upper() or None,
            start_time=parent["START_TIME"],
            end_time=parent["END_TIME"],
            failure_reason=parent["FAILURE_REASON"],
        )
    for worker in db.rows("runs_workers", [ids]):
        if worker["TEST_ID"] and facts[worker["RUN_ID"]].exists:
            facts[worker["RUN_ID"]].children.append(worker["TEST_ID"])
    for stats in db.rows("runs_measurement_stats", [ids]):
        run = facts[stats["RUN_ID"]]
        run.measurement_executions = int(stats["EXECUTIONS"] or 0)
        run.snowflake_query_ids = int(stats["SNOWFLAKE_QUERY_IDS"] or 0)
        if run.measurement_executions:
            run.window_start, run.window_end = stats["WINDOW_START"], stats["WINDOW_END"]
    without_executions = [f for f in facts.values() if f.exists and not f.measurement_executions]
    status_rows = {}
    if without_executions:
        status_rows = {r["RUN_ID"]: r for r in db.rows("runs_status_windows", [json_batch([f.run_id for f in without_executions])])}
    for run in without_executions:
        status_row = status_rows.get(run.run_id) or {}
        run.window_start = status_row.get("WARMUP_END_TIME") or run.start_time
        run.window_end = run.end_time or status_row.get("END_TIME")
    return facts


def load_run_facts(db: Db, run_id: str) -> RunFacts:
    return load_runs_facts(db, [run_id])[run_id]

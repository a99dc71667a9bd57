"""Creating jobs: one per FlakeBench run, with every type's applicability written out explicitly.

`create_delayed_enrichment_job` is the call FlakeBench's orchestrator can make when a run ends; the
runner's discovery makes the same call for every ended run that has no job, so FlakeBench need not
change at all. Calling it twice for one run leaves one job (the job id is the run id).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from enrichment.clock import utcnow
from enrichment.config import Settings
from enrichment.queue.claims import worker_identity
from enrichment.queue.run_facts import RunFacts, load_runs_facts
from enrichment.simulation.latency import DOCUMENTED_LATENCY, RETENTION
from enrichment.store.port import Db, json_batch
from enrichment.types import (
    HYBRID_CREDITS_END,
    TABLE_TYPES,
    EnrichmentType,
    expected_landing,
    get_enrichment_types_for_table_type,
)

OPEN = "PENDING"
TERMINAL = ("COMPLETED", "FAILED", "SKIPPED", "NOT_APPLICABLE")
FAILED_RUN_STATUSES = ("FAILED", "CANCELLED", "STOPPED")
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


@dataclass
class TypePlan:
    enrichment_type: EnrichmentType
    status: str
    detail: str | None = None
    expected_at: dt.datetime | None = None
    next_check_at: dt.datetime | None = None
    deadline_at: dt.datetime | None = None


def _run_level_reason(facts: RunFacts, now: dt.datetime, settings: Settings) -> tuple[str, str] | None:
    """A reason that applies to every type of the run, as (status, sentence), or None."""
    if facts.table_type is None:
        return "SKIPPED", (
            f"Unknown TABLE_TYPE {facts.table_type_raw!r}; expected one of {', '.join(TABLE_TYPES)}."
        )
    if facts.table_type == "POSTGRES":
        return "NOT_APPLICABLE", "Postgres runs have no Snowflake server history; pg_stat_statements covers them at once."
    if facts.status in FAILED_RUN_STATUSES and not settings.enrich_failed_runs:
        why = f" ({facts.failure_reason.strip()[:300]})" if facts.failure_reason else ""
        return "SKIPPED", (
            f"The run ended {facts.status}{why}; set ENRICHMENT_ENRICH_FAILED_RUNS=1 to enrich such runs too."
        )
    if facts.window_end is None or facts.window_start is None:
        return "SKIPPED", "The run has no END_TIME and no measurement executions, so there is no window to enrich."
    if facts.window_end < facts.window_start:
        return "SKIPPED", "The run's end is before its start (reversed times), so there is no window to enrich."
    if facts.window_end > now + FUTURE_TOLERANCE:
        return "SKIPPED", f"The run's end ({facts.window_end:%Y-%m-%d %H:%M} UTC) lies in the future; fix its END_TIME."
    oldest_allowed = now - min(RETENTION.values())
    if facts.window_end < oldest_allowed:
        return "SKIPPED", "The run is older than ACCOUNT_USAGE's 365-day retention; its server history is gone."
    return None


def _not_applicable_reason(enrichment_type: EnrichmentType, facts: RunFacts) -> str | None:
    if enrichment_type in get_enrichment_types_for_table_type(facts.table_type or ""):
        if enrichment_type is EnrichmentType.HYBRID_CREDITS and facts.run_window[0] >= HYBRID_CREDITS_END:
            return "Snowflake stopped metering hybrid-table requests on 2026-03-01; there are no credits to read."
        return None
    if enrichment_type in (EnrichmentType.LOCK_CONTENTION, EnrichmentType.HYBRID_CREDITS):
        return "Row-lock waits and hybrid-table credits exist only for HYBRID tables."
    if enrichment_type is EnrichmentType.QUERY_INSIGHTS:
        return f"Snowflake produces no query insights for {facts.table_type.lower()}-table queries."
    return f"Not applicable to {facts.table_type} runs."


def plan_types(facts: RunFacts, now: dt.datetime, settings: Settings, scale: float) -> list[TypePlan]:
    """Each of the five types with its first state. Never NULL: every type says why it is what it is."""
    run_level = _run_level_reason(facts, now, settings)
    plans = []
    for enrichment_type in EnrichmentType:
        if run_level is not None:
            plans.append(TypePlan(enrichment_type, run_level[0], run_level[1]))
            continue
        reason = _not_applicable_reason(enrichment_type, facts)
        if reason is not None:
            plans.append(TypePlan(enrichment_type, "NOT_APPLICABLE", reason))
            continue
        if enrichment_type is EnrichmentType.AGGREGATE and not facts.children:
            plans.append(TypePlan(enrichment_type, "SKIPPED", "The run has no worker rows, so there are no query tags to match."))
            continue
        expected = expected_landing(facts.window_end, enrichment_type, scale)
        latency = DOCUMENTED_LATENCY[enrichment_type.view] * scale
        # Dense views can be checked early (their watermark tells); sparse ones only after the latency.
        first_check = facts.window_end + latency * 0.25 if enrichment_type.dense else expected
        deadline = expected + dt.timedelta(hours=settings.completeness_grace_hours) * scale
        plans.append(TypePlan(enrichment_type, OPEN, None, expected, first_check, deadline))
    return plans


def job_status_from(type_statuses: list[str]) -> str:
    """A job is open while any type is; otherwise it reports the most important terminal state."""
    if any(s in (OPEN, "IN_PROGRESS") for s in type_statuses):
        return OPEN
    if "FAILED" in type_statuses:
        return "FAILED"
    if "COMPLETED" in type_statuses:
        return "COMPLETED"
    if "SKIPPED" in type_statuses:
        return "SKIPPED"
    return "NOT_APPLICABLE"


def create_delayed_enrichment_jobs(
    db: Db,
    run_ids: Sequence[str],
    *,
    settings: Settings,
    scale: float = 1.0,
    now: dt.datetime | None = None,
    source: str = "ORCHESTRATOR",
) -> list[str]:
    """Create the jobs of many runs at once (runs that already have one keep it); return their job ids.

    Runs missing from TEST_RESULTS are left out. The whole batch costs the same few statements as
    one run: facts in four, then jobs, type rows and the mirror onto TEST_RESULTS in one each.
    """
    now = now or utcnow()
    facts = [f for f in load_runs_facts(db, run_ids).values() if f.exists]
    if not facts:
        return []
    jobs, type_rows = [], []
    for run in facts:
        plans = plan_types(run, now, settings, scale)
        open_plans = [p for p in plans if p.status == OPEN]
        reasons = sorted({p.detail for p in plans if p.status == "SKIPPED" and p.detail})
        jobs.append({
            "RUN_ID": run.run_id, "TABLE_TYPE": run.table_type or run.table_type_raw, "RUN_STATUS": run.status,
            "TEST_END_TIME": run.end_time, "WINDOW_START": run.window_start, "WINDOW_END": run.window_end,
            "EARLIEST_ENRICHMENT_TIME": min((p.expected_at for p in open_plans), default=None),
            "NEXT_CHECK_AT": min((p.next_check_at for p in open_plans), default=None),
            "ENRICHMENT_TYPES": json.dumps([p.enrichment_type.value for p in plans if p.status != "NOT_APPLICABLE"]),
            "STATUS": job_status_from([p.status for p in plans]), "SOURCE": source,
            "LAST_ERROR": "; ".join(reasons) or None,
        })
        type_rows += [{"JOB_ID": run.run_id, "ENRICHMENT_TYPE": p.enrichment_type.value, "STATUS": p.status,
                       "EXPECTED_AT": p.expected_at, "NEXT_CHECK_AT": p.next_check_at, "DEADLINE_AT": p.deadline_at,
                       "DETAIL": p.detail} for p in plans]
    job_ids = json_batch([run.run_id for run in facts])
    with db.transaction():
        # Serialise creators first: Snowflake enforces no primary key (sql/migrations/0007).
        if not db.execute("take_job_creation_lock", [worker_identity(), now]):
            db.execute("insert_job_creation_lock")
            db.execute("take_job_creation_lock", [worker_identity(), now])
        db.execute("insert_jobs", [now, json_batch(jobs)])
        db.execute("insert_job_type_statuses", [now, json_batch(type_rows)])
        db.execute("mirror_jobs_onto_runs", [job_ids])  # what is stored, also for jobs that existed already
    return [run.run_id for run in facts]


def create_delayed_enrichment_job(
    db: Db,
    run_id: str,
    *,
    settings: Settings,
    scale: float = 1.0,
    now: dt.datetime | None = None,
    source: str = "ORCHESTRATOR",
) -> str | None:
    """Create the run's job (or leave the existing one alone) and return the job id.

    Returns None when the run does not exist. Safe to call twice and from several processes.
    """
    created = create_delayed_enrichment_jobs(db, [run_id], settings=settings, scale=scale, now=now, source=source)
    return created[0] if created else None


def runs_without_job(db: Db, limit: int = 500) -> list[str]:
    """Ended runs that have no job and were never enriched, oldest first."""
    return [row["RUN_ID"] for row in db.rows("discover_runs_without_job", [limit])]

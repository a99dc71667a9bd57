"""Processing claimed jobs, a batch at a time: each open type runs as soon as its own view has landed.

For every due type of a claimed job: if its view has not landed, it waits (with the time it should
land); if it has, it joins the other runs of the batch due for the same type, and the type is
enriched for all of them together, one time chunk at a time, so each view is read a bounded number
of times per chunk rather than once per run. Each chunk is one transaction fenced on the batch's
claim token (a runner that lost its claim on a job writes nothing for it). A read that falls short of the type's completeness
measure goes back to waiting with its coverage, until the type's deadline, after which it completes
with the coverage it has, saying so. Errors back off; after the maximum attempts the type is FAILED
with its error kept. Then the job's status is recomputed and its claim released.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from enrichment.config import Settings
from enrichment.enrichers import ENRICHERS
from enrichment.enrichers.base import time_chunks
from enrichment.queue.jobs import OPEN, job_status_from
from enrichment.queue.readiness import Watermarks, is_landed
from enrichment.queue.run_facts import RunFacts, load_runs_facts
from enrichment.store.port import Db, json_batch
from enrichment.types import GRANT_NEEDED, EnrichmentType

ORDER = list(EnrichmentType)


@dataclass
class JobOutcome:
    job_id: str
    status: str
    completed: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    lost_claim: bool = False


def recheck_interval(scale: float) -> dt.timedelta:
    return max(dt.timedelta(seconds=5), dt.timedelta(minutes=5) * scale)


def backoff(error_count: int, scale: float) -> dt.timedelta:
    """2, 4, 8 ... minutes at documented speed (scaled in the demo), at least 5 s."""
    return max(dt.timedelta(seconds=5), dt.timedelta(minutes=2) * (2 ** max(error_count - 1, 0)) * scale)


def describe_error(exc: BaseException, enrichment_type: EnrichmentType) -> str:
    """One readable sentence; a missing or unreadable view names the grant it needs."""
    text = " ".join(str(exc).split())
    lowered = text.lower()
    view = enrichment_type.view
    if view.lower() in lowered and ("does not exist" in lowered or "not authorized" in lowered):
        return (f"SNOWFLAKE.ACCOUNT_USAGE.{view} cannot be read (missing or not granted); grant "
                f"{GRANT_NEEDED[enrichment_type]} to the role that runs the enrichment.")
    if "timeout" in lowered or "timed out" in lowered:
        return f"Reading {view} timed out ({text[:300]}); it will be retried with backoff."
    return f"{type(exc).__name__}: {text[:1000]}"


def is_view_failure(exc: BaseException) -> bool:
    """A failure of the view itself (missing, not granted, timed out): every run of a chunk would hit
    it again, so retrying them one by one would only multiply the cost."""
    lowered = " ".join(str(exc).split()).lower()
    return any(word in lowered for word in ("timeout", "timed out", "canceled", "cancelled", "not authorized",
                                             "does not exist", "insufficient privileges"))


def type_update(job_id: str, etype: str, *, status: str, now: dt.datetime, attempts: int, errors: int,
                outcome=None, next_check=None, coverage=None, rows=None, detail=None, last_error=None,
                started=None, completed=None) -> dict:
    """One job × type row as `update_type_statuses` takes it."""
    return {"JOB_ID": job_id, "ENRICHMENT_TYPE": etype, "STATUS": status, "OUTCOME": outcome,
            "NEXT_CHECK_AT": next_check, "ATTEMPTS": attempts, "ERROR_COUNT": errors, "COVERAGE": coverage,
            "ROWS_WRITTEN": rows, "DETAIL": detail, "LAST_ERROR": last_error, "STARTED_AT": started,
            "COMPLETED_AT": completed, "UPDATED_AT": now}


def write_type_updates(db: Db, token: str, updates: list[dict]) -> None:
    """All of a step's type rows in one statement, fenced on the claim token."""
    if updates:
        db.execute("update_type_statuses", [json_batch(updates), token])


def jobs_holding_claim(db: Db, job_ids: list[str], token: str) -> set[str]:
    return {r["JOB_ID"] for r in db.rows("jobs_holding_claim", [json_batch(job_ids), token])}


@dataclass
class DueType:
    """One type of one claimed job whose view has landed: it is enriched in this pass."""
    job_id: str
    row: dict
    facts: RunFacts


def process_jobs(db: Db, jobs: list[dict], token: str, *, now: dt.datetime, settings: Settings, scale: float,
                 watermarks: Watermarks) -> list[JobOutcome]:
    """Every open type of a batch of claimed jobs, each view read once per time chunk of the batch."""
    job_ids = [job["JOB_ID"] for job in jobs]
    outcomes = {job["JOB_ID"]: JobOutcome(job_id=job["JOB_ID"], status=job["STATUS"]) for job in jobs}
    facts = load_runs_facts(db, [job["RUN_ID"] for job in jobs])
    rows: dict[str, dict[str, dict]] = {job_id: {} for job_id in job_ids}
    for row in db.rows("type_statuses_of_jobs", [json_batch(job_ids)]):
        rows[row["JOB_ID"]][row["ENRICHMENT_TYPE"]] = row

    updates: list[dict] = []
    due: dict[EnrichmentType, list[DueType]] = {etype: [] for etype in ORDER}
    for job in jobs:
        job_id, run = job["JOB_ID"], facts[job["RUN_ID"]]
        for etype in ORDER:
            row = rows[job_id].get(etype.value)
            if row is None or row["STATUS"] not in (OPEN, "IN_PROGRESS"):
                continue
            if row["NEXT_CHECK_AT"] is not None and row["NEXT_CHECK_AT"] > now and row["STATUS"] == OPEN:
                outcomes[job_id].waiting.append(etype.value)
                continue
            common = dict(attempts=int(row["ATTEMPTS"] or 0), errors=int(row["ERROR_COUNT"] or 0), now=now)
            if not run.exists:
                updates.append(type_update(job_id, etype.value, status="SKIPPED", completed=now, **common,
                                           detail="The run was deleted from TEST_RESULTS; there is nothing left to enrich."))
                outcomes[job_id].completed.append(etype.value)
            elif not is_landed(etype, run, row["EXPECTED_AT"], now, lambda view: watermarks.of(db, view)):
                # Dense views are re-checked often (their watermark may pass early); sparse ones only
                # land with their documented latency, so there is nothing to gain before that.
                next_check = min(row["EXPECTED_AT"], now + recheck_interval(scale)) if etype.dense else row["EXPECTED_AT"]
                updates.append(type_update(job_id, etype.value, status=OPEN, next_check=next_check,
                                           coverage=row["COVERAGE"], **common,
                                           detail=row["DETAIL"] or f"Waiting for {etype.view} to land."))
                outcomes[job_id].waiting.append(etype.value)
            else:
                due[etype].append(DueType(job_id, row, run))
    write_type_updates(db, token, updates)

    for etype in ORDER:
        for chunk in time_chunks(due[etype], lambda item: item.facts.run_window, settings.chunk_hours):
            live = [item for item in chunk if not outcomes[item.job_id].lost_claim]
            if live:
                enrich_chunk(db, etype, live, token, outcomes, now=now, settings=settings, scale=scale)

    finish_jobs(db, [job_id for job_id in job_ids if not outcomes[job_id].lost_claim], token, now=now,
                outcomes=outcomes)
    return [outcomes[job_id] for job_id in job_ids]


def enrich_chunk(db: Db, etype: EnrichmentType, items: list[DueType], token: str, outcomes: dict[str, JobOutcome],
                 *, now: dt.datetime, settings: Settings, scale: float) -> None:
    """One type for the runs of one time chunk, in one transaction fenced on the claim token."""
    try:
        with db.transaction():
            held = jobs_holding_claim(db, [item.job_id for item in items], token)
            for item in items:
                if item.job_id not in held:
                    outcomes[item.job_id].lost_claim = True  # nothing of ours may be written for it
            items = [item for item in items if item.job_id in held]
            if not items:
                return
            results = ENRICHERS[etype](db, [item.facts for item in items], now, settings)
            updates, landed = [], []
            for item in items:
                result, row = results[item.facts.run_id], item.row
                attempts = int(row["ATTEMPTS"] or 0) + 1
                if result.complete:
                    status, kind = "COMPLETED", ("DATA" if result.rows_written else "NO_DATA")
                    detail, next_check = result.detail, None
                elif now < row["DEADLINE_AT"]:
                    status, kind = OPEN, None
                    next_check = now + recheck_interval(scale)
                    detail = (f"Incomplete read, will re-check: {result.detail} "
                              f"({result.coverage:.0%} coverage; completes anyway after "
                              f"{row['DEADLINE_AT']:%Y-%m-%d %H:%M} UTC).")
                else:
                    status, kind, next_check = "COMPLETED", "INCOMPLETE", None
                    detail = f"Completed at its deadline with {result.coverage:.0%} coverage: {result.detail}"
                updates.append(type_update(item.job_id, etype.value, status=status, outcome=kind, next_check=next_check,
                                           attempts=attempts, errors=0, coverage=result.coverage,
                                           rows=result.rows_written, detail=detail, started=now,
                                           completed=now if status == "COMPLETED" else None, now=now))
                landed.append((item.job_id, status, kind))
            write_type_updates(db, token, updates)
        for job_id, status, kind in landed:
            outcome = outcomes[job_id]
            if status != "COMPLETED":
                outcome.waiting.append(etype.value)
            else:
                (outcome.incomplete if kind == "INCOMPLETE" else outcome.completed).append(etype.value)
    except Exception as exc:  # the chunk failed; other types and chunks carry on
        if len(items) > 1 and not is_view_failure(exc):
            # Something in one run's data, most likely: enrich the runs one by one, so that only the
            # run that breaks records the error and the others are not held back by it.
            for item in items:
                enrich_chunk(db, etype, [item], token, outcomes, now=now, settings=settings, scale=scale)
            return
        message = describe_error(exc, etype)
        updates = []
        for item in items:
            row, errors = item.row, int(item.row["ERROR_COUNT"] or 0) + 1
            attempts = int(row["ATTEMPTS"] or 0) + 1
            if errors >= settings.max_attempts:
                updates.append(type_update(item.job_id, etype.value, status="FAILED", attempts=attempts, errors=errors,
                                           last_error=message, detail=f"Failed after {errors} attempts.",
                                           completed=now, now=now))
                outcomes[item.job_id].failed.append(etype.value)
            else:
                updates.append(type_update(item.job_id, etype.value, status=OPEN, next_check=now + backoff(errors, scale),
                                           attempts=attempts, errors=errors, last_error=message,
                                           coverage=row["COVERAGE"], now=now,
                                           detail=f"Attempt {errors} failed; retrying with backoff."))
                outcomes[item.job_id].retrying.append(etype.value)
        write_type_updates(db, token, updates)


def finish_jobs(db: Db, job_ids: list[str], token: str, *, now: dt.datetime, outcomes: dict[str, JobOutcome]) -> None:
    """Recompute each job from its types, release the claims, and mirror the state onto TEST_RESULTS."""
    if not job_ids:
        return
    rows: dict[str, list[dict]] = {job_id: [] for job_id in job_ids}
    for row in db.rows("type_statuses_of_jobs", [json_batch(job_ids)]):
        rows[row["JOB_ID"]].append(row)
    releases = []
    for job_id in job_ids:
        statuses = {r["ENRICHMENT_TYPE"]: r["STATUS"] for r in rows[job_id]}
        status = job_status_from(list(statuses.values()))
        open_rows = [r for r in rows[job_id] if r["STATUS"] == OPEN]
        errors = [f"{r['ENRICHMENT_TYPE']}: {r['LAST_ERROR']}" for r in rows[job_id]
                  if r["STATUS"] == "FAILED" and r["LAST_ERROR"]]
        releases.append({
            "JOB_ID": job_id, "STATUS": status,
            "NEXT_CHECK_AT": min((r["NEXT_CHECK_AT"] for r in open_rows if r["NEXT_CHECK_AT"]), default=None),
            "EARLIEST_ENRICHMENT_TIME": min((r["EXPECTED_AT"] for r in open_rows if r["EXPECTED_AT"]), default=None),
            "COMPLETED_TYPES": json.dumps(sorted(t for t, s in statuses.items() if s == "COMPLETED")),
            "LAST_ERROR": "; ".join(errors) or None,
            "COMPLETED_AT": now if status != OPEN else None, "UPDATED_AT": now,
        })
        outcomes[job_id].status = status
    with db.transaction():
        held = jobs_holding_claim(db, job_ids, token)
        mine = [release for release in releases if release["JOB_ID"] in held]
        if mine:
            db.execute("release_jobs", [json_batch(mine), token])
            # A runner that lost its claim must not touch the run's status either.
            db.execute("mirror_jobs_onto_runs", [json_batch([release["JOB_ID"] for release in mine])])
    for job_id in job_ids:
        outcomes[job_id].lost_claim = outcomes[job_id].lost_claim or job_id not in held

"""Processing claimed jobs: each open type runs as soon as its own view has landed.

For every due type of a claimed job: if its view has not landed, it waits (with the time it should
land); if it has, its enrichment runs in a transaction that is fenced on the job's claim token (a
runner that lost its claim writes nothing). A read that falls short of the type's completeness
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
from enrichment.queue.jobs import OPEN, aggregate_status_from, job_status_from
from enrichment.queue.readiness import Watermarks, is_landed
from enrichment.queue.run_facts import load_run_facts
from enrichment.store.port import Db
from enrichment.types import GRANT_NEEDED, EnrichmentType

ORDER = list(EnrichmentType)


class LostClaim(Exception):
    """Another runner now holds the job (our lease ran out); nothing of ours may be written."""


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


def _holds_claim(db: Db, job_id: str, token: str) -> bool:
    return int(db.scalar("holds_claim", [job_id, token]) or 0) == 1


def _write_type(db: Db, job_id: str, token: str, etype: str, *, status: str, outcome=None, next_check=None,
                attempts: int, errors: int, coverage=None, rows=None, detail=None, last_error=None,
                started=None, completed=None, now: dt.datetime) -> None:
    db.execute("update_type_status", [status, outcome, next_check, attempts, errors, coverage, rows, detail,
                                       last_error, started, completed, now, job_id, etype, job_id, token])


def process_job(db: Db, job: dict, token: str, *, now: dt.datetime, settings: Settings, scale: float,
                watermarks: Watermarks) -> JobOutcome:
    job_id = job["JOB_ID"]
    outcome = JobOutcome(job_id=job_id, status=job["STATUS"])
    facts = load_run_facts(db, job["RUN_ID"])
    rows = {r["ENRICHMENT_TYPE"]: r for r in db.rows("type_statuses_of_job", [job_id])}

    for etype in ORDER:
        row = rows.get(etype.value)
        if row is None or row["STATUS"] not in (OPEN, "IN_PROGRESS"):
            continue
        if row["NEXT_CHECK_AT"] is not None and row["NEXT_CHECK_AT"] > now and row["STATUS"] == OPEN:
            outcome.waiting.append(etype.value)
            continue
        attempts, errors = int(row["ATTEMPTS"] or 0), int(row["ERROR_COUNT"] or 0)
        common = dict(attempts=attempts, errors=errors, now=now)

        if not facts.exists:
            _write_type(db, job_id, token, etype.value, status="SKIPPED", completed=now,
                        detail="The run was deleted from TEST_RESULTS; there is nothing left to enrich.", **common)
            outcome.completed.append(etype.value)
            continue

        if not is_landed(etype, facts, row["EXPECTED_AT"], now, lambda view: watermarks.of(db, view)):
            # Dense views are re-checked often (their watermark may pass early); sparse ones only
            # land with their documented latency, so there is nothing to gain before that.
            next_check = min(row["EXPECTED_AT"], now + recheck_interval(scale)) if etype.dense else row["EXPECTED_AT"]
            _write_type(db, job_id, token, etype.value, status=OPEN, next_check=next_check,
                        coverage=row["COVERAGE"], detail=row["DETAIL"] or f"Waiting for {etype.view} to land.",
                        **common)
            outcome.waiting.append(etype.value)
            continue

        attempts += 1
        try:
            with db.transaction():
                if not _holds_claim(db, job_id, token):
                    raise LostClaim(job_id)
                result = ENRICHERS[etype](db, facts, now, settings)
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
                _write_type(db, job_id, token, etype.value, status=status, outcome=kind, next_check=next_check,
                            attempts=attempts, errors=0, coverage=result.coverage, rows=result.rows_written,
                            detail=detail, started=now, completed=now if status == "COMPLETED" else None, now=now)
            if status == "COMPLETED":
                (outcome.incomplete if kind == "INCOMPLETE" else outcome.completed).append(etype.value)
            else:
                outcome.waiting.append(etype.value)
        except LostClaim:
            outcome.lost_claim = True
            return outcome
        except Exception as exc:  # the type's own failure; other types and jobs carry on
            errors += 1
            message = describe_error(exc, etype)
            if errors >= settings.max_attempts:
                _write_type(db, job_id, token, etype.value, status="FAILED", attempts=attempts, errors=errors,
                            last_error=message, detail=f"Failed after {errors} attempts.", completed=now, now=now)
                outcome.failed.append(etype.value)
            else:
                _write_type(db, job_id, token, etype.value, status=OPEN, next_check=now + backoff(errors, scale),
                            attempts=attempts, errors=errors, last_error=message, coverage=row["COVERAGE"],
                            detail=f"Attempt {errors} failed; retrying with backoff.", now=now)
                outcome.retrying.append(etype.value)

    finish_job(db, job_id, token, now=now, outcome=outcome)
    return outcome


def finish_job(db: Db, job_id: str, token: str, *, now: dt.datetime, outcome: JobOutcome) -> None:
    """Recompute the job from its types, release the claim, and mirror the state onto TEST_RESULTS."""
    rows = db.rows("type_statuses_of_job", [job_id])
    statuses = {r["ENRICHMENT_TYPE"]: r["STATUS"] for r in rows}
    status = job_status_from(list(statuses.values()))
    open_rows = [r for r in rows if r["STATUS"] == OPEN]
    next_check = min((r["NEXT_CHECK_AT"] for r in open_rows if r["NEXT_CHECK_AT"]), default=None)
    earliest = min((r["EXPECTED_AT"] for r in open_rows if r["EXPECTED_AT"]), default=None)
    completed_types = sorted(t for t, s in statuses.items() if s == "COMPLETED")
    errors = [f"{r['ENRICHMENT_TYPE']}: {r['LAST_ERROR']}" for r in rows if r["STATUS"] == "FAILED" and r["LAST_ERROR"]]
    last_error = "; ".join(errors) or None
    completed_at = now if status != OPEN else None
    with db.transaction():
        released = db.execute("release_job", [status, next_check, earliest, json.dumps(completed_types), last_error,
                                              completed_at, now, job_id, token])
        if released:  # a runner that lost its claim must not touch the run's status either
            db.execute("set_run_delayed_status", [status, last_error, completed_at, aggregate_status_from(statuses),
                                                  job_id])
    outcome.status = status
    outcome.lost_claim = outcome.lost_claim or not released

"""Admin operations on the queue: retry, discard, backfill. Each checks the caller is an admin first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from enrichment.access import require_admin
from enrichment.clock import utcnow
from enrichment.config import Settings
from enrichment.errors import UserFacingError
from enrichment.queue.jobs import create_delayed_enrichment_jobs
from enrichment.runner import PassSummary, latency_scale, run_pass
from enrichment.store.port import Store, json_batch

MAX_JOB_ID_LENGTH = 64


def _checked_job_id(job_id: str) -> str:
    if not isinstance(job_id, str) or not job_id.strip() or len(job_id) > MAX_JOB_ID_LENGTH:
        raise UserFacingError("A job id is the run's id (a UUID); paste one from the queue page or `status`.")
    return job_id.strip()


def retry_jobs(store: Store, settings: Settings, job_ids: list[str], *, now: dt.datetime | None = None) -> int:
    """Re-open the same jobs' FAILED types (no new row per run). Returns how many jobs were re-opened."""
    require_admin(store, settings, "retry jobs")
    now = now or utcnow()
    reopened = 0
    with store.unit() as db:
        for job_id in job_ids:
            job_id = _checked_job_id(job_id)
            if db.one("job_by_id", [job_id]) is None:
                raise UserFacingError(f"There is no job {job_id!r}; check the id on the queue page.")
            with db.transaction():
                floor = now + dt.timedelta(hours=1)
                types = db.execute("reopen_failed_types", [now, floor, floor, now, job_id])
                if types:
                    reopened += db.execute("reopen_job", [now, now, job_id])
    return reopened


def retry_all_failed(store: Store, settings: Settings, *, now: dt.datetime | None = None) -> int:
    require_admin(store, settings, "retry jobs")
    with store.unit() as db:
        ids = [r["JOB_ID"] for r in db.rows("failed_job_ids")]
    return retry_jobs(store, settings, ids, now=now) if ids else 0


def discard_jobs(store: Store, settings: Settings, job_ids: list[str], *, who: str = "an admin",
                 now: dt.datetime | None = None) -> int:
    """Give up on jobs: their open and failed types become SKIPPED, with who discarded them."""
    require_admin(store, settings, "discard jobs")
    now = now or utcnow()
    note = f"Discarded by {who[:100]} at {now:%Y-%m-%d %H:%M} UTC."
    discarded = 0
    with store.unit() as db:
        for job_id in job_ids:
            job_id = _checked_job_id(job_id)
            with db.transaction():
                db.execute("discard_open_types", [note, now, now, job_id, job_id])
                changed = db.execute("discard_job", [note, now, now, job_id])
                if changed:
                    db.execute("set_run_delayed_status", ["SKIPPED", note, now, "SKIPPED", job_id])
                discarded += changed
    return discarded


def parse_day(text: str, what: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise UserFacingError(f"The {what} date {text!r} is not a date; write it as YYYY-MM-DD.") from None
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None) if value.tzinfo else value


def validate_range(since: dt.datetime, until: dt.datetime | None, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    until = until or now
    if since > now:
        raise UserFacingError(f"The backfill start {since:%Y-%m-%d} is in the future; pick a past date.")
    if until > now + dt.timedelta(days=1):
        raise UserFacingError(f"The backfill end {until:%Y-%m-%d} is in the future; leave it out to mean now.")
    if until <= since:
        raise UserFacingError("The backfill range is reversed or empty; the start must come before the end.")
    return since, min(until, now)


def backfill(
    store: Store,
    settings: Settings,
    since: dt.datetime,
    until: dt.datetime | None = None,
    *,
    now: dt.datetime | None = None,
    chunk: dt.timedelta = dt.timedelta(days=1),
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Create jobs for every ended run in [since, until) that has none, a chunk at a time, then run them.

    Runs older than the views' retention are SKIPPED with that reason by job creation itself.
    """
    require_admin(store, settings, "backfill")
    now = now or utcnow()
    since, until = validate_range(since, until, now)
    scale = latency_scale(store, settings)
    chunks = []
    start = since
    while start < until:
        chunks.append((start, min(start + chunk, until)))
        start += chunk
    created, found, total = 0, 0, PassSummary()
    for index, (lo, hi) in enumerate(chunks, 1):
        with store.unit() as db:
            run_ids = [r["RUN_ID"] for r in db.rows("discover_runs_in_range", [lo, hi])]
            found += len(run_ids)
            existing = {r["JOB_ID"] for r in db.rows("existing_job_ids", [json_batch(run_ids)])} if run_ids else set()
            new_runs = [run_id for run_id in run_ids if run_id not in existing]
            if new_runs:
                created += len(create_delayed_enrichment_jobs(db, new_runs, settings=settings, scale=scale, now=now,
                                                              source="BACKFILL"))
        if new_runs:  # a chunk without new jobs (most of a long range) costs one read, not a pass
            summary = run_pass(store, settings, now=now, do_housekeeping=False)
            for key in ("jobs_processed", "types_completed", "types_incomplete", "types_failed", "types_waiting"):
                setattr(total, key, getattr(total, key) + getattr(summary, key))
        if progress:
            progress(index, len(chunks), f"{lo:%Y-%m-%d}")
    return {"runs_found": found, "jobs_created": created, "chunks": len(chunks), **total.as_dict()}

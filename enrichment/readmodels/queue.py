"""The Queue health page: health figures, jobs over time, a filterable job table and a job's detail."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from enrichment.queue.health import QueueHealth, queue_health
from enrichment.readmodels.filters import JobFilter, Page, as_json_list, checked_range, clean_search, fetch_page
from enrichment.store.port import Db


def health(db: Db, now: dt.datetime, lease_seconds: float) -> QueueHealth:
    return queue_health(db, now=now, lease=dt.timedelta(seconds=lease_seconds))


def finished_over_time(db: Db, since: dt.datetime) -> pd.DataFrame:
    return db.frame("jobs_finished_over_time", [since])


def jobs_page(db: Db, filters: JobFilter, page: Page) -> tuple[pd.DataFrame, int]:
    error = clean_search(filters.error_text)
    since, until = checked_range(filters.created_from, filters.created_until)
    statuses, types, table_types = (as_json_list(filters.statuses), as_json_list(filters.enrichment_types),
                                    as_json_list(filters.table_types))
    return fetch_page(db, "jobs_page", [statuses, statuses, types, types, table_types, table_types, error, error,
                                        since, since, until, until, page.size, page.offset])


def all_matching_job_ids(db: Db, filters: JobFilter, limit: int = 10_000) -> list[str]:
    """Every job id the filter matches (for bulk retry/discard with a confirmation of the count)."""
    frame, _ = jobs_page(db, filters, Page(1, min(limit, 500)))
    ids = list(frame["JOB_ID"]) if not frame.empty else []
    number = 2
    while len(frame) == 500 and len(ids) < limit:
        frame, _ = jobs_page(db, filters, Page(number, 500))
        ids += list(frame["JOB_ID"])
        number += 1
    return ids


def job_detail(db: Db, job_id: str) -> tuple[dict | None, pd.DataFrame]:
    """The job row and one row per enrichment type (attempts, errors, coverage, timestamps)."""
    job = db.one("job_by_id", [job_id])
    types = db.frame("type_statuses_of_job", [job_id])
    return job, types

"""What the Queue health page (and the admin page's job counts) read, cached for a few seconds.

Every click on the page (a filter, the job picker, a page of the table) reruns the whole script. Read
afresh, the health figures and the job table cost two units of work, about half a second at 10,000
runs on the embedded store, most of it opening the store twice. Cached for `TTL` seconds, a click reads
only what it changed. `TTL` is shorter than the page's auto-refresh (15 s), so every refresh reads the
store; each snapshot carries the time it was read, which the page shows. Admin actions read the job ids
they act on afresh and then clear every cached read (`app.store.forget_cached_reads`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from app.store import get_store
from enrichment.queue.health import QueueHealth
from enrichment.readmodels import queue as rq
from enrichment.readmodels.filters import JobFilter, Page
from enrichment.readmodels.overview import utc_now

TTL = 5  # seconds


@dataclass
class HealthSnapshot:
    read_at: dt.datetime
    health: QueueHealth
    chart: dict | None  # Vega-Lite spec of the jobs finished per hour; None when none finished


@dataclass
class JobsView:
    jobs: pd.DataFrame
    total: int
    page: Page  # the page shown: the one asked for, or the last one when that is past the end
    job: dict[str, Any] | None = None  # the job the detail shows
    type_rows: pd.DataFrame = field(default_factory=pd.DataFrame)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=8)
def health_snapshot(store: str, lease_seconds: float, chart_hours: int) -> HealthSnapshot:
    now = utc_now()
    with get_store().unit() as db:
        health = rq.health(db, now, lease_seconds)
        finished = rq.finished_over_time(db, now - dt.timedelta(hours=chart_hours))
    chart = None
    if not finished.empty:
        from app.charts import jobs_over_time_chart  # Altair is heavy; the admin page reads only counts here

        chart = jobs_over_time_chart(finished, now - dt.timedelta(hours=chart_hours),
                                     now + dt.timedelta(hours=1)).to_dict(validate=False)
    return HealthSnapshot(read_at=now, health=health, chart=chart)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=50)
def jobs_view(store: str, filters: JobFilter, page: Page, wanted_job: str | None) -> JobsView:
    """One page of the job table and the detail of `wanted_job` when it is on that page (else the first
    job of the page), in one unit of work."""
    with get_store().unit() as db:
        jobs, total = rq.jobs_page(db, filters, page)
        if page.number > page.last_number(total):  # rows were removed meanwhile: show the last page
            page = Page(page.last_number(total), page.size)
            if total:
                jobs, total = rq.jobs_page(db, filters, page)
        on_page = list(jobs["JOB_ID"]) if not jobs.empty else []
        job_id = wanted_job if wanted_job in on_page else (on_page[0] if on_page else None)
        job, type_rows = rq.job_detail(db, job_id) if job_id else (None, pd.DataFrame())
    return JobsView(jobs=jobs, total=total, page=page, job=job, type_rows=type_rows)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=50)
def matching_counts(store: str, filters: tuple[JobFilter | None, ...]) -> list[int]:
    """How many jobs match each filter (0 for None), in one unit of work."""
    with get_store().unit() as db:
        return [rq.jobs_page(db, f, Page(1, 1))[1] if f is not None else 0 for f in filters]

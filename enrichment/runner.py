"""One pass of the engine: discover runs without a job, run every due job, housekeeping.

Used by the headless runner (`python -m enrichment.run`), the app's built-in runner on the embedded
store, the admin page, and the stored procedure on Snowflake. Each job is its own unit of work, so on
the embedded store other processes get the store between jobs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from enrichment.clock import utcnow
from enrichment.config import Settings
from enrichment.queue.claims import claim_due_jobs, worker_identity
from enrichment.queue.housekeeping import housekeeping
from enrichment.queue.jobs import create_delayed_enrichment_job, runs_without_job
from enrichment.queue.readiness import Watermarks
from enrichment.queue.worker import JobOutcome, process_job
from enrichment.simulation.latency import read_latency_scale
from enrichment.store.port import Store

log = logging.getLogger("enrichment.runner")
DISCOVERY_BATCH = 10


@dataclass
class PassSummary:
    discovered: int = 0
    jobs_processed: int = 0
    types_completed: int = 0
    types_incomplete: int = 0
    types_failed: int = 0
    types_retrying: int = 0
    types_waiting: int = 0
    jobs_lost_to_other_runner: int = 0
    housekeeping: dict = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def add(self, outcome: JobOutcome) -> None:
        self.jobs_processed += 1
        self.types_completed += len(outcome.completed)
        self.types_incomplete += len(outcome.incomplete)
        self.types_failed += len(outcome.failed)
        self.types_retrying += len(outcome.retrying)
        self.types_waiting += len(outcome.waiting)
        self.jobs_lost_to_other_runner += int(outcome.lost_claim)
        self.failures += [f"{outcome.job_id}:{t}" for t in outcome.failed]

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        return (f"discovered {self.discovered}, processed {self.jobs_processed} jobs: {self.types_completed} types "
                f"completed, {self.types_incomplete} completed incomplete, {self.types_waiting} waiting, "
                f"{self.types_retrying} retrying, {self.types_failed} failed")


def latency_scale(store: Store, settings: Settings) -> float:
    """Real accounts land at documented speed; the embedded simulation at the scale it was seeded with."""
    if store.kind != "embedded":
        return 1.0
    with store.unit() as db:
        return read_latency_scale(db, settings.latency_scale)


def run_pass(
    store: Store,
    settings: Settings,
    *,
    now: dt.datetime | None = None,
    worker: str | None = None,
    max_jobs: int = 500,
    batch: int = 25,
    do_housekeeping: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> PassSummary:
    now = now or utcnow()
    worker = worker or worker_identity()
    scale = latency_scale(store, settings)
    summary = PassSummary()
    lease = dt.timedelta(seconds=settings.lease_seconds)

    # Discovery in small units, so other processes (the app) get the store in between.
    with store.unit() as db:
        candidates = runs_without_job(db)
    for start in range(0, len(candidates), DISCOVERY_BATCH):
        with store.unit() as db:
            for run_id in candidates[start:start + DISCOVERY_BATCH]:
                if create_delayed_enrichment_job(db, run_id, settings=settings, scale=scale, now=now, source="DISCOVERY"):
                    summary.discovered += 1

    watermarks = Watermarks(now)  # read once per view per pass, not per run
    while summary.jobs_processed < max_jobs:
        with store.unit() as db:
            token, jobs = claim_due_jobs(db, now=now, lease=lease, limit=min(batch, max_jobs - summary.jobs_processed),
                                         worker=worker)
        if not jobs:
            break
        for job in jobs:
            with store.unit() as db:
                outcome = process_job(db, job, token, now=now, settings=settings, scale=scale, watermarks=watermarks)
            summary.add(outcome)
            if progress:
                progress(summary.jobs_processed, len(jobs))
            log.info("job %s -> %s (completed %s, waiting %s, failed %s)", outcome.job_id, outcome.status,
                     outcome.completed, outcome.waiting, outcome.failed)

    if do_housekeeping:
        with store.unit() as db:
            summary.housekeeping = housekeeping(db, now=now)
    log.info("pass: %s", summary.line())
    return summary

"""One pass of the engine: discover runs without a job, run every due job, housekeeping.

Used by the headless runner (`python -m enrichment.run`), the app's built-in runner on the embedded
store, the admin page, and the stored procedure on Snowflake. Jobs are claimed and enriched in
batches (`Settings.batch_size`), each batch one unit of work, so each ACCOUNT_USAGE view is read a
bounded number of times per batch and time chunk, and on the embedded store other processes get the
store between batches.
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
from enrichment.queue.jobs import create_delayed_enrichment_jobs, runs_without_job
from enrichment.queue.readiness import Watermarks
from enrichment.queue.worker import JobOutcome, process_jobs
from enrichment.simulation.latency import read_latency_scale
from enrichment.store.port import Store

log = logging.getLogger("enrichment.runner")


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
    batch: int | None = None,
    do_housekeeping: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> PassSummary:
    now = now or utcnow()
    worker = worker or worker_identity()
    scale = latency_scale(store, settings)
    summary = PassSummary()
    lease = dt.timedelta(seconds=settings.lease_seconds)
    batch = batch or settings.batch_size

    # Discovery a batch per unit of work, so other processes (the app) get the store in between.
    with store.unit() as db:
        candidates = runs_without_job(db)
    for start in range(0, len(candidates), batch):
        with store.unit() as db:
            summary.discovered += len(create_delayed_enrichment_jobs(
                db, candidates[start:start + batch], settings=settings, scale=scale, now=now, source="DISCOVERY"))

    watermarks = Watermarks(now)  # read once per view per pass, not per run
    while summary.jobs_processed < max_jobs:
        # Claiming is its own unit: the claim is committed (and visible to other runners) before the
        # batch's work starts, and a runner killed mid-batch leaves claims that expire with the lease.
        with store.unit() as db:
            token, jobs = claim_due_jobs(db, now=now, lease=lease, limit=min(batch, max_jobs - summary.jobs_processed),
                                         worker=worker)
        if not jobs:
            break
        with store.unit() as db:
            outcomes = process_jobs(db, jobs, token, now=now, settings=settings, scale=scale, watermarks=watermarks)
        for outcome in outcomes:
            summary.add(outcome)
            log.info("job %s -> %s (completed %s, waiting %s, failed %s)", outcome.job_id, outcome.status,
                     outcome.completed, outcome.waiting, outcome.failed)
        if progress:
            progress(summary.jobs_processed, len(jobs))

    if do_housekeeping:
        with store.unit() as db:
            summary.housekeeping = housekeeping(db, now=now)
    log.info("pass: %s", summary.line())
    return summary

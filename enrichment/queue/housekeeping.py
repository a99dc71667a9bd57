"""Housekeeping: purge finished jobs older than 30 days in bounded batches, expire cached insights.

A purged run is not rediscovered: its TEST_RESULTS row keeps DELAYED_ENRICHMENT_STATUS, and discovery
only picks runs where that is NULL. (Backfill can still re-open it on purpose.)
"""

from __future__ import annotations

import datetime as dt
import json

from enrichment.store.port import Db

JOB_RETENTION = dt.timedelta(days=30)
BATCH = 1000


def housekeeping(db: Db, *, now: dt.datetime, max_batches: int = 10) -> dict[str, int]:
    purged = 0
    for _ in range(max_batches):
        ids = [r["JOB_ID"] for r in db.rows("finished_jobs_older_than", [now - JOB_RETENTION, BATCH])]
        if not ids:
            break
        with db.transaction():
            db.execute("purge_finished_type_rows", [json.dumps(ids)])
            purged += db.execute("purge_finished_jobs", [json.dumps(ids)])
        if len(ids) < BATCH:
            break
    expired = db.execute("expire_query_insights", [now])
    return {"jobs_purged": purged, "insights_expired": expired}

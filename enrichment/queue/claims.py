"""Claims are leases: a runner stamps a unique token on the jobs it takes, reads back the rows that
hold its token, and fences every later write on it. A claim older than the lease is taken over by
any runner, so a runner that crashed (SIGKILL, lost machine) never orphans a job."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import uuid

from enrichment.store.port import Db


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_due_jobs(db: Db, *, now: dt.datetime, lease: dt.timedelta, limit: int, worker: str) -> tuple[str, list[dict]]:
    """Claim up to `limit` due jobs. Returns the token and the claimed job rows (possibly none)."""
    stale_before = now - lease
    candidates = [r["JOB_ID"] for r in db.rows("claim_candidates", [now, stale_before, limit])]
    token = uuid.uuid4().hex
    if not candidates:
        return token, []
    db.execute("claim_jobs", [token, worker[:200], now, now, now, json.dumps(candidates), now, stale_before])
    return token, db.rows("claimed_jobs", [token])

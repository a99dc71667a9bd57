"""Queue health, against the plan's warning and critical thresholds (04 "Alerting Thresholds")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from enrichment.store.port import Db

THRESHOLDS = {
    # figure: (warning above, critical above)
    "queue_depth": (50, 200),
    "failure_rate_24h": (0.05, 0.15),
    "oldest_waiting_hours": (6, 12),
    "max_overdue_minutes": (30, 60),
    "stale_claims": (1, 5),
}


def level(figure: str, value: float | None) -> str:
    if value is None:
        return "OK"
    warning, critical = THRESHOLDS[figure]
    if value > critical:
        return "CRITICAL"
    if value > warning:
        return "WARNING"
    return "OK"


@dataclass
class QueueHealth:
    jobs_by_status: dict
    types_by_status: list[dict]
    figures: dict
    levels: dict

    @property
    def worst(self) -> str:
        order = ["OK", "WARNING", "CRITICAL"]
        return max(self.levels.values(), key=order.index, default="OK")

    def as_dict(self) -> dict:
        return {"jobs_by_status": self.jobs_by_status, "types_by_status": self.types_by_status,
                "figures": self.figures, "levels": self.levels, "worst": self.worst}


def queue_health(db: Db, *, now: dt.datetime, lease: dt.timedelta) -> QueueHealth:
    jobs = {r["STATUS"]: r["JOBS"] for r in db.rows("health_jobs_by_status")}
    types = db.rows("health_types_by_status")
    raw = db.one("health_figures", [now, now, now, now - lease, now - dt.timedelta(hours=24),
                                    now - dt.timedelta(hours=24)]) or {}
    oldest = raw.get("OLDEST_WAITING_CREATED_AT")
    finished = int(raw.get("FINISHED_24H") or 0)
    figures = {
        "queue_depth": int(raw.get("QUEUE_DEPTH") or 0),
        "oldest_waiting_hours": round((now - oldest).total_seconds() / 3600, 2) if oldest else None,
        "jobs_overdue": int(raw.get("JOBS_OVERDUE") or 0),
        "max_overdue_minutes": round(float(raw["MAX_OVERDUE_SECONDS"]) / 60, 1) if raw.get("MAX_OVERDUE_SECONDS") else None,
        "stale_claims": int(raw.get("STALE_CLAIMS") or 0),
        "failed_24h": int(raw.get("FAILED_24H") or 0),
        "finished_24h": finished,
        "failure_rate_24h": round(int(raw.get("FAILED_24H") or 0) / finished, 4) if finished else None,
    }
    levels = {name: level(name, figures.get(name)) for name in THRESHOLDS}
    return QueueHealth(jobs, types, figures, levels)

"""Admin operations (retry, discard, backfill), who may perform them, and housekeeping."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest

from enrichment.access import is_admin, require_admin
from enrichment.config import Settings
from enrichment.errors import NotAuthorized, UserFacingError
from enrichment.queue.admin import backfill, discard_jobs, retry_all_failed, retry_jobs
from enrichment.queue.housekeeping import housekeeping
from enrichment.simulation.seed import seed_demo
from tests.engine_helpers import SEEDED_AT, freeze_views_at, pass_at, type_rows

SETTINGS = Settings(latency_scale=0.05, max_attempts=1)
LATE = SEEDED_AT + dt.timedelta(hours=30)


@pytest.fixture
def world(store):
    seed_demo(store, runs=15, seed=31, latency_scale=0.05, now=SEEDED_AT)
    return store


def a_hybrid_run(store) -> str:
    with store.unit() as db:
        return db.scalar("SELECT RUN_ID FROM TEST_RESULTS WHERE TEST_ID = RUN_ID AND TABLE_TYPE = 'HYBRID' "
                         "AND STATUS = 'COMPLETED' AND END_TIME > ? ORDER BY RUN_ID LIMIT 1",
                         [SEEDED_AT - dt.timedelta(days=2)])


def test_retry_reopens_the_same_job_and_completes_it(world):
    with world.unit() as db:
        db.execute("ALTER VIEW SNOWFLAKE.ACCOUNT_USAGE.LOCK_WAIT_HISTORY RENAME TO SNOWFLAKE.ACCOUNT_USAGE.LWH_HIDDEN")
    run = a_hybrid_run(world)
    pass_at(world, SETTINGS, LATE)
    assert type_rows(world, run)["LOCK_CONTENTION"]["STATUS"] == "FAILED"
    with world.unit() as db:
        db.execute("ALTER VIEW SNOWFLAKE.ACCOUNT_USAGE.LWH_HIDDEN RENAME TO SNOWFLAKE.ACCOUNT_USAGE.LOCK_WAIT_HISTORY")
    assert retry_all_failed(world, SETTINGS, now=LATE) >= 1
    pass_at(world, SETTINGS, LATE + dt.timedelta(minutes=1))
    assert type_rows(world, run)["LOCK_CONTENTION"]["STATUS"] == "COMPLETED"
    with world.unit() as db:
        assert db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_QUEUE WHERE RUN_ID = ?", [run]) == 1
        assert db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_TYPE_STATUS WHERE JOB_ID = ?", [run]) == 5
    with pytest.raises(UserFacingError, match="no job"):
        retry_jobs(world, SETTINGS, ["00000000-0000-0000-0000-000000000000"])


def test_discard_skips_open_types_and_says_who(world):
    run = a_hybrid_run(world)
    pass_at(world, SETTINGS, SEEDED_AT)  # jobs exist, most types still waiting
    assert discard_jobs(world, SETTINGS, [run], who="ops@example", now=SEEDED_AT) == 1
    rows = type_rows(world, run)
    assert "PENDING" not in {r["STATUS"] for r in rows.values()}
    assert any("ops@example" in (r["DETAIL"] or "") for r in rows.values())
    # A finished job keeps its outcome: discarding it changes nothing.
    pass_at(world, SETTINGS, LATE)
    with world.unit() as db:
        done = db.scalar("SELECT JOB_ID FROM DELAYED_ENRICHMENT_QUEUE WHERE STATUS = 'COMPLETED' LIMIT 1")
    before = type_rows(world, done)
    assert discard_jobs(world, SETTINGS, [done], now=LATE) == 0
    assert type_rows(world, done) == before


def test_backfill_validates_the_range_and_respects_retention(world):
    with pytest.raises(UserFacingError, match="reversed"):
        backfill(world, SETTINGS, SEEDED_AT, SEEDED_AT - dt.timedelta(days=1), now=LATE)
    with pytest.raises(UserFacingError, match="future"):
        backfill(world, SETTINGS, LATE + dt.timedelta(days=3), now=LATE)
    with world.unit() as db:
        assert db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_QUEUE") == 0  # nothing was touched
    freeze_views_at(world, LATE)
    result = backfill(world, SETTINGS, dt.datetime(2026, 1, 1), None, now=LATE, chunk=dt.timedelta(days=60))
    assert result["jobs_created"] > 0 and result["chunks"] >= 5
    # A run older than the views' retention is skipped with that reason.
    with world.unit() as db:
        old = db.scalar("SELECT RUN_ID FROM TEST_RESULTS WHERE TEST_ID = RUN_ID AND TABLE_TYPE = 'HYBRID' ORDER BY END_TIME LIMIT 1")
    far_later = dt.datetime(2027, 6, 1)
    with world.unit() as db:
        db.execute("DELETE FROM DELAYED_ENRICHMENT_TYPE_STATUS WHERE JOB_ID = ?", [old])
        db.execute("DELETE FROM DELAYED_ENRICHMENT_QUEUE WHERE JOB_ID = ?", [old])
    backfill(world, SETTINGS, dt.datetime(2026, 2, 1), dt.datetime(2026, 3, 1), now=far_later)
    assert {r["STATUS"] for r in type_rows(world, old).values()} == {"SKIPPED"}
    assert "retention" in type_rows(world, old)["AGGREGATE"]["DETAIL"]


def test_only_admins_act_and_the_engine_enforces_it(world):
    viewer = Settings(latency_scale=0.05, local_user_is_admin=False)
    assert not is_admin(world, viewer)
    for action in (lambda: retry_all_failed(world, viewer), lambda: discard_jobs(world, viewer, ["x"]),
                   lambda: backfill(world, viewer, SEEDED_AT - dt.timedelta(days=1), now=SEEDED_AT)):
        with pytest.raises(NotAuthorized):
            action()


class FakeSnowflake:
    """A store that answers only the role query, as a Snowflake session would."""

    kind = "snowflake"

    def __init__(self, role: str, available: str) -> None:
        self.row = {"ROLE_NAME": role, "AVAILABLE_ROLES": available}

    @contextmanager
    def unit(self):
        outer = self

        class Db:
            def one(self, name, params=()):
                assert name == "session_roles"
                return outer.row

        yield Db()


def test_snowflake_admin_is_a_configured_role_in_the_session():
    settings = Settings(admin_roles=("FLAKEBENCH_ENRICHMENT_ADMIN",))
    assert is_admin(FakeSnowflake("ANALYST", '["ANALYST","FLAKEBENCH_ENRICHMENT_ADMIN"]'), settings)
    assert not is_admin(FakeSnowflake("ANALYST", '["ANALYST","PUBLIC"]'), settings)
    with pytest.raises(NotAuthorized, match="ENRICHMENT_ADMIN_ROLES"):
        require_admin(FakeSnowflake("PUBLIC", "[]"), settings, "backfill")


def test_housekeeping_purges_old_finished_jobs_and_expired_insights_without_rediscovery(world):
    pass_at(world, SETTINGS, LATE)
    with world.unit() as db:
        finished = db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_QUEUE WHERE STATUS <> 'PENDING'")
        insights = db.scalar("SELECT COUNT(*) FROM QUERY_INSIGHTS_CACHE")
        result = housekeeping(db, now=LATE + dt.timedelta(days=31))
        left = db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_QUEUE")
        orphan_types = db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_TYPE_STATUS t WHERE NOT EXISTS "
                                 "(SELECT 1 FROM DELAYED_ENRICHMENT_QUEUE q WHERE q.JOB_ID = t.JOB_ID)")
    assert result["jobs_purged"] == finished and left == 0 and orphan_types == 0
    assert result["insights_expired"] == insights
    summary = pass_at(world, SETTINGS, LATE + dt.timedelta(days=31))
    assert summary.discovered == 0  # the parent rows remember they were enriched

"""Fill an embedded store with the demo world (enrichment.simulation.world).

Seeding either fills an empty store or, with `replace=True`, swaps the whole demo world for a new
one: FlakeBench's rows, the simulated ACCOUNT_USAGE rows and everything the product derived from the
old world. All of it happens in one unit of work. The embedded store keeps the SNOWFLAKE database in
its own DuckDB file, and a DuckDB transaction can write to one file only, so the swap is two
transactions: the simulated rows first, then FlakeBench's and the product's rows. If the second one
fails, the first is undone from a snapshot, so a failure leaves the old world intact. (Only a process
killed between the two commits can leave them mismatched; seeding again with --replace repairs that.)
"""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd

from enrichment.config import DEFAULT_DEMO_LATENCY_SCALE
from enrichment.errors import UserFacingError
from enrichment.schema import migrate
from enrichment.schema.requirements import PRODUCT_TABLES as OWNED_TABLES
from enrichment.simulation.server_truth import SIM
from enrichment.simulation.world import build_world
from enrichment.store.port import Store

# Rows a replace clears: not the migration record, nor the lock row migration 0007 put there.
PRODUCT_TABLES = tuple(t for t in OWNED_TABLES if t not in ("ENRICHMENT_SCHEMA_MIGRATIONS", "ENRICHMENT_LOCKS"))
SETTINGS_TABLE = f"{SIM}.SIM_SETTINGS"


def seed_demo(store: Store, *, runs: int = 40, seed: int = 7, latency_scale: float | None = None,
              now: dt.datetime | None = None, replace: bool = False, execution_scale: float = 1.0) -> dict:
    """Seed the demo world; returns a summary (runs, executions, rows per table, seconds taken)."""
    if store.kind != "embedded":
        raise UserFacingError(
            "The demo world can only be seeded into the embedded store; unset ENRICHMENT_BACKEND to use it."
        )
    began = time.monotonic()
    scale = DEFAULT_DEMO_LATENCY_SCALE if latency_scale is None else float(latency_scale)
    if now is None:
        now = dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is not None:  # the world and the store keep naive UTC
        now = now.astimezone(dt.timezone.utc).replace(tzinfo=None)
    now = now.replace(microsecond=0)
    migrate(store)  # idempotent; the tables must exist before we look at them
    with store.unit() as db:
        _refuse_if_occupied(db, replace)
    # Drawn outside the unit of work: the unit holds the store's lock, and drawing takes a while.
    world = build_world(runs=runs, seed=seed, now=now, latency_scale=scale, execution_scale=execution_scale)
    settings = pd.DataFrame({"LATENCY_SCALE": [scale], "SEED": [seed], "RUNS": [runs], "SEEDED_AT": [now]})
    simulated = {t: f for t, f in world.frames.items() if t.startswith(f"{SIM}.")}
    simulated[SETTINGS_TABLE] = settings
    flakebench = {t: f for t, f in world.frames.items() if not t.startswith(f"{SIM}.")}
    with store.unit() as db:
        _refuse_if_occupied(db, replace)  # checked again under the lock: another process may have seeded
        # Two transactions, one per DuckDB file (see the module docstring); the first is undone from a
        # snapshot if the second fails.
        previous = _snapshot(db, tuple(simulated))
        _replace_rows(db, simulated)
        try:
            _replace_rows(db, {**{t: None for t in PRODUCT_TABLES}, **flakebench})
        except BaseException:
            _replace_rows(db, previous)
            raise
    parents = world["TEST_RESULTS"]
    parents = parents[parents["TEST_ID"] == parents["RUN_ID"]] if len(parents) else parents
    return {
        "runs": len(parents),
        "executions": len(world["QUERY_EXECUTIONS"]),
        "rows": world.counts(),
        "latency_scale": scale,
        "seed": seed,
        "now": now,
        "seconds": round(time.monotonic() - began, 2),
    }


def _snapshot(db, tables: tuple[str, ...]) -> dict[str, pd.DataFrame | None]:
    """The current rows of each table (None for an empty table: nothing to put back)."""
    return {t: db.frame(f"SELECT * FROM {t}") if db.scalar(f"SELECT COUNT(*) FROM {t}") else None for t in tables}


def _replace_rows(db, frames: dict[str, pd.DataFrame | None]) -> None:
    """Empty each table and insert its frame (None: leave it empty), in one transaction."""
    with db.transaction():
        for table, frame in frames.items():
            db.execute(f"DELETE FROM {table}")
            if frame is not None:
                db.bulk_insert(table, frame)


def _refuse_if_occupied(db, replace: bool) -> None:
    if replace:
        return
    rows = db.scalar("SELECT COUNT(*) FROM TEST_RESULTS")
    if rows:
        runs = db.scalar("SELECT COUNT(DISTINCT COALESCE(RUN_ID, TEST_ID)) FROM TEST_RESULTS")
        raise UserFacingError(
            f"The store already holds {runs} runs; pass --replace to replace them with a new demo world, "
            f"or use another ENRICHMENT_HOME."
        )

"""Versioned, idempotent migrations, applied on first use and recorded in ENRICHMENT_SCHEMA_MIGRATIONS.

Files in sql/migrations are named `NNNN_name.sql`; those named `NNNN_name.embedded.sql` create what a
real account already has (FlakeBench's tables, the simulated ACCOUNT_USAGE) and run only on the
embedded store. Every statement is itself idempotent (IF NOT EXISTS, OR REPLACE VIEW), so a crash
half-way through a file is repaired by the next run. A store whose recorded version is newer than
this code knows is refused untouched.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from enrichment.errors import UserFacingError
from enrichment.schema.requirements import FLAKEBENCH_COLUMNS_READ
from enrichment.store.port import Db, Store
from enrichment.store.sqlfiles import SQL_ROOT, split_script

MIGRATIONS_DIR = SQL_ROOT / "migrations"
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+?)(\.embedded)?\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    embedded_only: bool
    path: Path

    def statements(self) -> list[str]:
        return split_script(self.path.read_text(encoding="utf-8"))


def all_migrations() -> list[Migration]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _FILE.match(path.name)
        if not match:
            raise RuntimeError(f"Migration file {path.name} does not follow NNNN_name[.embedded].sql")
        found.append(Migration(int(match.group(1)), match.group(2), bool(match.group(3)), path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError("Two migration files share a version number")
    return found


SCHEMA_VERSION = max(m.version for m in all_migrations())


def _ensure_ledger(db: Db) -> None:
    db.execute("schema/create_migrations_table")


def applied_versions(db: Db) -> set[int]:
    return {int(r["VERSION"]) for r in db.rows("schema/applied_migrations")}


def missing_flakebench_columns(db: Db) -> dict[str, list[str]]:
    """FlakeBench tables or columns the product reads that the connected schema lacks."""
    present: dict[str, set[str]] = {}
    for row in db.rows("schema/columns_in_current_schema"):
        present.setdefault(row["TABLE_NAME"].upper(), set()).add(row["COLUMN_NAME"].upper())
    missing = {}
    for table, columns in FLAKEBENCH_COLUMNS_READ.items():
        lacking = [c for c in columns if c not in present.get(table, set())]
        if lacking:
            missing[table] = lacking if table in present else ["(table missing)"]
    return missing


def migrate(store: Store) -> list[str]:
    """Bring the store's schema to SCHEMA_VERSION. Returns the names of the migrations applied."""
    applied_now: list[str] = []
    with store.unit() as db:
        if store.kind != "embedded":
            # On a real account FlakeBench's tables must already be there: check before touching anything.
            missing = missing_flakebench_columns(db)
            if missing:
                described = "; ".join(f"{t}: {', '.join(c)}" for t, c in missing.items())
                raise UserFacingError(
                    f"FlakeBench's tables in {store.database}.{store.schema} are missing what the product reads "
                    f"({described}); point ENRICHMENT_DATABASE/ENRICHMENT_SCHEMA at FlakeBench's results schema."
                )
        _ensure_ledger(db)
        done = applied_versions(db)
        if done and max(done) > SCHEMA_VERSION:
            raise UserFacingError(
                f"This store was created by a newer version of the product (schema {max(done)}, this code knows "
                f"up to {SCHEMA_VERSION}); upgrade the product before using this store."
            )
        pending = [m for m in all_migrations() if m.version not in done]
        if store.kind != "embedded":
            pending = [m for m in pending if not m.embedded_only]
        for migration in pending:
            for statement in migration.statements():
                db.execute(statement)
            # CREATE SCHEMA makes the new schema current (on Snowflake too): go back to ours.
            db.execute(f"USE SCHEMA {store.database}.{store.schema}")
            db.execute(
                "schema/record_migration",
                [migration.version, migration.name, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)],
            )
            applied_now.append(f"{migration.version:04d}_{migration.name}")
    return applied_now

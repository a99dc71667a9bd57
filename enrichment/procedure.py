"""The runner inside Snowflake: the handler of a Python stored procedure that a task calls.

    CALL FLAKEBENCH.TEST_RESULTS.RUN_ENRICHMENT_PASS(500, 'FLAKEBENCH', 'TEST_RESULTS');

Snowflake hands the handler a Snowpark Session. The handler wraps it in `SnowflakeStore` (UTC, the
product's query tag, FlakeBench's schema), applies pending migrations and runs one pass, exactly as
`python -m enrichment.run` does, and returns the pass summary as JSON text. `max_jobs = 0` only
migrates, discovers runs and does housekeeping. Errors are raised, so the task run is recorded as
failed with the error's sentence.

The procedure is created EXECUTE AS CALLER (sql/snowflake/create_procedure.sql): an owner's-rights
procedure may not run ALTER SESSION or USE, and the store needs both (session time zone UTC, query
tag, current schema). The task's owner role is then the caller, so that role holds the grants.

Code loading: Snowflake imports `enrichment.zip` (python -m enrichment.deploy build) through
zipimport. Modules load from the archive, but the engine reads its SQL from real files next to the
package, so on first use the handler unpacks the archive into the temporary directory (once per
archive digest) and re-imports the package from there. From a normal checkout nothing is unpacked.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

DEFAULT_MAX_JOBS = 500
_PACKAGE = "enrichment"
_real_module: ModuleType | None = None  # this module, imported from unpacked files (zip case)


def run_enrichment_pass(session: Any, max_jobs: int = DEFAULT_MAX_JOBS, database: str | None = None,
                        schema: str | None = None) -> str:
    """Stored procedure handler: one pass over FlakeBench's schema; returns the summary as JSON."""
    module = _module_from_real_files()
    return module._handle(session, max_jobs, database, schema)


def _handle(session: Any, max_jobs: Any, database: str | None, schema: str | None) -> str:
    from enrichment.store.snowflake import SnowflakeStore

    settings = settings_for_session(session, database, schema)
    store = SnowflakeStore(session, settings.database, settings.schema)
    return _run_with_store(store, settings, max_jobs)


def settings_for_session(session: Any, database: str | None = None, schema: str | None = None):
    """Settings for the Snowflake backend; database and schema from the arguments, else from the
    session's current database and schema."""
    from enrichment.config import Settings, validate_identifier
    from enrichment.errors import UserFacingError

    if not database or not schema:
        row = session.sql("SELECT CURRENT_DATABASE() AS D, CURRENT_SCHEMA() AS S").collect()[0]
        database = database or row[0]
        schema = schema or row[1]
    if not database or not schema:
        raise UserFacingError(
            "The procedure does not know FlakeBench's schema (the session has no current database or schema); "
            "call it as RUN_ENRICHMENT_PASS(500, 'FLAKEBENCH', 'TEST_RESULTS') with your database and schema."
        )
    return Settings(backend="snowflake", database=validate_identifier(str(database), "database"),
                    schema=validate_identifier(str(schema), "schema"), local_user_is_admin=False,
                    app_runner_interval=0.0)


def _run_with_store(store, settings, max_jobs: Any, *, now=None) -> str:
    """Migrate, run one pass and describe it as JSON. Works on any Store (tests use the embedded one)."""
    from enrichment.errors import UserFacingError
    from enrichment.queue.claims import worker_identity
    from enrichment.runner import run_pass
    from enrichment.schema import migrate

    jobs = _whole_number(max_jobs)
    if jobs is None:
        raise UserFacingError(f"MAX_JOBS={max_jobs!r} is not a whole number of 0 or more; pass e.g. 500 "
                              f"(0 only migrates, discovers runs and does housekeeping).")
    applied = migrate(store)
    summary = run_pass(store, settings, now=now, max_jobs=jobs, worker=f"procedure:{worker_identity()}")
    result = {
        "store": store.kind,
        "database": settings.database,
        "schema": settings.schema,
        "max_jobs": jobs,
        "migrations_applied": applied,
        "summary": summary.line(),
        **summary.as_dict(),
    }
    return json.dumps(result, default=str, sort_keys=True)


def _whole_number(value: Any) -> int | None:
    """NUMBER arguments arrive as int, float or Decimal; accept any that is a whole number >= 0."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number == value and number >= 0 else None


# --- loading from enrichment.zip ---------------------------------------------------------------

def _module_from_real_files() -> ModuleType:
    """This module as loaded from real files: itself from a checkout, an unpacked copy from a zip."""
    global _real_module
    if Path(__file__).is_file():
        return sys.modules[__name__]
    if _real_module is None:
        root = _unpack_once(_containing_archive(Path(__file__)))
        for name in [m for m in sys.modules if m == _PACKAGE or m.startswith(_PACKAGE + ".")]:
            del sys.modules[name]
        sys.path.insert(0, str(root))
        importlib.invalidate_caches()
        _real_module = importlib.import_module(__name__)
    return _real_module


def _containing_archive(path: Path) -> Path:
    for parent in path.parents:
        if parent.is_file() and zipfile.is_zipfile(parent):
            return parent
    raise RuntimeError(f"{path} is neither a file nor inside a zip archive; cannot find the engine's SQL files.")


def _unpack_once(archive: Path) -> Path:
    """Unpack `archive` into <tmp>/flakebench-enrichment-<digest> unless a complete copy is there."""
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()[:16]
    root = Path(tempfile.gettempdir()) / f"flakebench-enrichment-{digest}"
    if _complete(root):
        return root
    staging = Path(tempfile.mkdtemp(prefix="flakebench-enrichment-unpacking-"))
    try:
        with zipfile.ZipFile(archive) as bundle:
            for name in bundle.namelist():
                parts = PurePosixPath(name).parts
                if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
                    raise RuntimeError(f"Refusing to unpack {archive.name}: unsafe member name {name!r}.")
            bundle.extractall(staging)
        if not _complete(staging):
            raise RuntimeError(f"{archive.name} lacks enrichment/ or sql/; build it with python -m enrichment.deploy build.")
        try:
            os.replace(staging, root)
        except OSError:
            if not _complete(root):  # not a concurrent unpack that won the race: a real failure
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return root


def _complete(root: Path) -> bool:
    return (root / _PACKAGE / "procedure.py").is_file() and (root / "sql" / "migrations").is_dir()

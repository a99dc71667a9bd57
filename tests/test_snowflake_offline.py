"""What can be checked about a real-account deployment without an account: every SQL file parses as
Snowflake SQL and uses nothing Snowflake lacks, snowflake.yml is a valid one-app project definition,
the stored procedure's handler runs a pass (on the embedded demo world, directly and through a
Snowpark-shaped session, and from the built enrichment.zip), and the engine never imports Streamlit."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import json
import logging
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
import sqlglot
import yaml
from sqlglot import exp

from enrichment import procedure
from enrichment.clock import utcnow
from enrichment.config import Settings
from enrichment.deploy import archive_members, build_archive
from enrichment.errors import UserFacingError
from enrichment.schema import migrate
from enrichment.schema.migrate import all_migrations
from enrichment.schema.requirements import FLAKEBENCH_COLUMNS_READ, PRODUCT_TABLES
from enrichment.simulation.seed import seed_demo
from enrichment.store.embedded import EmbeddedStore
from enrichment.store.sqlfiles import SQL_ROOT, split_script
from enrichment.types import GRANT_NEEDED, VIEW_OF

ROOT = Path(__file__).resolve().parents[1]
SQL_FILES = sorted(SQL_ROOT.rglob("*.sql"))
DEPLOY_DIR = SQL_ROOT / "snowflake"
FLAKEBENCH_TABLES = set(FLAKEBENCH_COLUMNS_READ)

# The Snowflake CLI template variables the deployment scripts use (snow sql -D name=value), with values
# that look like a real deployment's.
TEMPLATE_VALUES = {
    "database": "FLAKEBENCH",
    "schema": "TEST_RESULTS",
    "warehouse": "FLAKEBENCH_WH",
    "schedule": "USING CRON */15 * * * * UTC",
    "archive": "/home/me/flakebench-enrichment/dist/enrichment.zip",
    "backup_suffix": "20261126",
}
_TEMPLATE = re.compile(r"<%\s*([A-Za-z_][A-Za-z0-9_.]*)\s*%>")

# Statements sqlglot 30 only keeps as an opaque Command in Snowflake's dialect. Allowed in the
# deployment scripts only; every statement the engine runs must parse into a real expression.
OPAQUE_DEPLOYMENT_STATEMENTS = ("CREATE ROLE ", "GRANT ROLE ", "GRANT DATABASE ROLE ", "CREATE OR REPLACE TASK ",
                                "ALTER TASK ", "DROP TASK ")

# CREATE TASK's documented parameters (https://docs.snowflake.com/sql-reference/sql/create-task) plus the
# two session parameters the task sets.
TASK_PARAMETERS = {"WAREHOUSE", "SCHEDULE", "ALLOW_OVERLAPPING_EXECUTION", "USER_TASK_TIMEOUT_MS",
                   "SUSPEND_TASK_AFTER_NUM_FAILURES", "COMMENT", "TIMEZONE", "QUERY_TAG"}

# Which grant opens each view, per https://docs.snowflake.com/sql-reference/snowflake-db-roles.
DOCUMENTED_GRANT = {
    "QUERY_HISTORY": "SNOWFLAKE.GOVERNANCE_VIEWER",
    "AGGREGATE_QUERY_HISTORY": "SNOWFLAKE.GOVERNANCE_VIEWER",
    "QUERY_INSIGHTS": "SNOWFLAKE.GOVERNANCE_VIEWER",
    "HYBRID_TABLE_USAGE_HISTORY": "SNOWFLAKE.USAGE_VIEWER",
    "LOCK_WAIT_HISTORY": "IMPORTED PRIVILEGES ON DATABASE SNOWFLAKE",  # no database role lists it
}

# The handler takes no clock (its arguments are the procedure's), so it runs at the wall clock: seed
# the world two days back, when every run's documented latency has passed. The simulated views are
# frozen later still, so every row shows; _run_with_store is given that time as `now`.
SEEDED_AT = (utcnow() - dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
LANDED = SEEDED_AT + dt.timedelta(days=3)


# --- helpers ------------------------------------------------------------------------------------

def render(text: str) -> str:
    return _TEMPLATE.sub(lambda m: TEMPLATE_VALUES[m.group(1)], text)


def statements_of(path: Path) -> list[str]:
    return split_script(render(path.read_text(encoding="utf-8")))


def code_only(sql: str) -> str:
    """The statement without comments and with every string literal emptied, so words inside either
    are not mistaken for SQL."""
    out, i, n = [], 0, len(sql)
    while i < n:
        if sql[i] == "'":
            j = i + 1
            while j < n:
                if sql[j] == "'" and j + 1 < n and sql[j + 1] == "'":
                    j += 2
                elif sql[j] == "'":
                    break
                else:
                    j += 1
            out.append("''")
            i = j + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(sql[i])
            i += 1
    return "".join(out)


def parse(statement: str) -> exp.Expression:
    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # the Command fallback warns; we check for it
    return sqlglot.parse_one(statement, read="snowflake", error_level=sqlglot.ErrorLevel.RAISE)


_FORBIDDEN_TEXT = {
    "CREATE OR ALTER (fakesnow turns it into CREATE OR REPLACE and drops rows)": re.compile(r"\bCREATE\s+OR\s+ALTER\b", re.I),
    "FOR UPDATE (no documented SELECT ... FOR UPDATE)": re.compile(r"\bFOR\s+UPDATE\b", re.I),
    "SKIP LOCKED (not in Snowflake)": re.compile(r"\bSKIP\s+LOCKED\b", re.I),
    "RETURNING (Snowflake DML has no RETURNING)": re.compile(r"\bRETURNING\b", re.I),
    "ON CONFLICT (not in Snowflake; use MERGE or NOT EXISTS)": re.compile(r"\bON\s+CONFLICT\b", re.I),
    "?:: cast (fakesnow cannot parse it; write (?)::TYPE)": re.compile(r"\?\s*::"),
    "TO_TIMESTAMP_LTZ(?/TO_TIMESTAMP_TZ(? (missing on fakesnow; use CAST(? AS ...))":
        re.compile(r"\bTO_TIMESTAMP_(LTZ|TZ)\s*\(\s*\(?\s*\?", re.I),
}


def forbidden_constructs(statement: str) -> list[str]:
    """Constructs Snowflake (or the embedded store standing in for it) lacks; sqlglot accepts them all."""
    text = code_only(statement)
    found = [name for name, pattern in _FORBIDDEN_TEXT.items() if pattern.search(text)]
    try:
        tree = parse(statement)
    except sqlglot.errors.ParseError:
        return found + ["unparseable"]
    if any(True for _ in tree.find_all(exp.Returning)):
        found.append("RETURNING node")
    if any(True for _ in tree.find_all(exp.OnConflict)):
        found.append("ON CONFLICT node")
    for node in tree.find_all(exp.Update, exp.Delete):
        if node.args.get("limit") or node.args.get("order"):
            found.append(f"LIMIT/ORDER BY in {type(node).__name__.upper()}")
    return found


# --- every SQL file parses --------------------------------------------------------------------

def test_the_sql_folder_has_the_deployment_scripts():
    names = {p.name for p in DEPLOY_DIR.glob("*.sql")}
    assert {"create_procedure.sql", "create_task.sql", "grants.sql", "rollback.sql"} <= names
    assert any(p.name.endswith(".embedded.sql") for p in SQL_FILES)  # the embedded-only migrations are covered too


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: str(p.relative_to(SQL_ROOT)))
def test_every_sql_file_parses_as_snowflake_sql(path):
    raw = path.read_text(encoding="utf-8")
    names = set(_TEMPLATE.findall(raw))
    if path.parent == DEPLOY_DIR:
        assert names <= set(TEMPLATE_VALUES), f"undocumented template variables {names - set(TEMPLATE_VALUES)}"
        # The CLI renders the whole file, comments included: a stray bracket would break rendering.
        assert raw.count("<%") == raw.count("%>") == len(_TEMPLATE.findall(raw))
        assert not any("<%" in line for line in raw.splitlines() if line.lstrip().startswith("--"))
    else:
        assert not names, "the engine's SQL must be plain SQL, not a template"
    statements = statements_of(path)
    assert statements, "no statement found"
    for statement in statements:
        assert "<%" not in statement and "%>" not in statement
        tree = parse(statement)
        if isinstance(tree, exp.Command):
            assert path.parent == DEPLOY_DIR, f"sqlglot could not parse this statement:\n{statement}"
            assert statement.upper().startswith(OPAQUE_DEPLOYMENT_STATEMENTS), statement


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: str(p.relative_to(SQL_ROOT)))
def test_no_sql_uses_a_construct_snowflake_lacks(path):
    for statement in statements_of(path):
        assert forbidden_constructs(statement) == [], statement


@pytest.mark.parametrize("statement, construct", [
    ("UPDATE Q SET STATUS = 'X' WHERE ID = 1 RETURNING ID", "RETURNING"),
    ("DELETE FROM Q WHERE ID = 1 RETURNING ID", "RETURNING"),
    ("UPDATE Q SET STATUS = 'X' LIMIT 5", "LIMIT"),
    ("CREATE OR ALTER TABLE Q (ID INT)", "CREATE OR ALTER"),
    ("INSERT INTO Q (ID) VALUES (1) ON CONFLICT DO NOTHING", "ON CONFLICT"),
    ("SELECT ID FROM Q WHERE STATUS = 'P' FOR UPDATE SKIP LOCKED", "SKIP LOCKED"),
    ("SELECT ?::TIMESTAMP_NTZ", "?::"),
    ("SELECT * FROM Q WHERE T > TO_TIMESTAMP_LTZ(?)", "TO_TIMESTAMP"),
])
def test_the_construct_check_catches_each_construct(statement, construct):
    assert any(construct in found for found in forbidden_constructs(statement)), forbidden_constructs(statement)


def test_the_construct_check_ignores_comments_and_strings():
    assert forbidden_constructs("-- never CREATE OR ALTER here\nSELECT 'RETURNING ?::x' AS T, (?)::TIMESTAMP_NTZ AS U") == []


# --- the deployment scripts fit together -----------------------------------------------------

def _statement(path: Path, prefix: str) -> str:
    matches = [s for s in statements_of(path) if s.upper().startswith(prefix)]
    assert len(matches) == 1, f"{path.name}: expected one statement starting {prefix!r}"
    return matches[0]


def test_the_procedure_matches_its_handler_the_task_and_the_rollback():
    create = _statement(DEPLOY_DIR / "create_procedure.sql", "CREATE OR REPLACE PROCEDURE")
    tree = parse(create)
    assert isinstance(tree, exp.Create) and tree.kind == "PROCEDURE"
    handler = re.search(r"HANDLER\s*=\s*'([\w.]+)'", create).group(1)
    module_name, function_name = handler.rsplit(".", 1)
    assert module_name == "enrichment.procedure" and function_name == "run_enrichment_pass"
    parameters = re.findall(r"^\s*(\w+)\s+(NUMBER|VARCHAR)\s+DEFAULT\b", create, re.M)
    assert [t for _, t in parameters] == ["NUMBER", "VARCHAR", "VARCHAR"]
    # Snowflake passes the session and then the arguments positionally.
    handler_parameters = list(inspect.signature(procedure.run_enrichment_pass).parameters)
    assert len(handler_parameters) == 1 + len(parameters)
    for clause in ("LANGUAGE PYTHON", "RUNTIME_VERSION = '3.11'", "EXECUTE AS CALLER",
                   "PACKAGES = ('snowflake-snowpark-python', 'pandas')",
                   "IMPORTS = ('@FLAKEBENCH.TEST_RESULTS.FLAKEBENCH_ENRICHMENT_CODE/enrichment.zip')"):
        assert clause in create
    put = _statement(DEPLOY_DIR / "create_procedure.sql", "PUT ")
    assert "AUTO_COMPRESS = FALSE" in put and "@FLAKEBENCH.TEST_RESULTS.FLAKEBENCH_ENRICHMENT_CODE" in put

    task = _statement(DEPLOY_DIR / "create_task.sql", "CREATE OR REPLACE TASK")
    head, body = re.split(r"^\s*AS\s*$", task, maxsplit=1, flags=re.M)
    assert set(re.findall(r"^\s*(\w+)\s*=", head, re.M)) <= TASK_PARAMETERS
    assert "SCHEDULE = 'USING CRON */15 * * * * UTC'" in head and "WAREHOUSE = FLAKEBENCH_WH" in head
    call = re.fullmatch(r"\s*CALL\s+([\w.]+)\((.*)\)\s*", body, re.S)
    assert call and call.group(1) == "FLAKEBENCH.TEST_RESULTS.RUN_ENRICHMENT_PASS"
    assert len(call.group(2).split(",")) == len(parameters)
    assert any(s.upper().startswith("ALTER TASK") and s.upper().endswith("RESUME")
               for s in statements_of(DEPLOY_DIR / "create_task.sql"))

    drop = _statement(DEPLOY_DIR / "rollback.sql", "DROP PROCEDURE")
    assert "RUN_ENRICHMENT_PASS(NUMBER, VARCHAR, VARCHAR)" in drop


def test_grants_give_each_view_its_documented_grant_and_name_it_in_messages():
    grants = [s.upper() for s in statements_of(DEPLOY_DIR / "grants.sql")]
    text = (DEPLOY_DIR / "grants.sql").read_text(encoding="utf-8").upper()
    for enrichment_type, view in VIEW_OF.items():
        grant = DOCUMENTED_GRANT[view]
        assert grant in GRANT_NEEDED[enrichment_type], (view, GRANT_NEEDED[enrichment_type])
        if grant.startswith("SNOWFLAKE."):
            assert f"GRANT DATABASE ROLE {grant} TO ROLE FLAKEBENCH_ENRICHMENT" in grants
        else:  # broader than least privilege: documented, offered, not run by default
            assert f"-- GRANT {grant} TO ROLE FLAKEBENCH_ENRICHMENT;" in text.replace("--   ", "-- ")
            assert not any(s.startswith("GRANT IMPORTED PRIVILEGES") for s in grants)
    for table in FLAKEBENCH_TABLES:
        assert any(f".{table} TO ROLE FLAKEBENCH_ENRICHMENT" in s and s.startswith("GRANT SELECT") for s in grants)
    updated = {t for t in FLAKEBENCH_TABLES if any(f".{t} TO ROLE" in s and "UPDATE" in s for s in grants)}
    assert updated == {"TEST_RESULTS", "QUERY_EXECUTIONS"}
    for needed in ("CREATE ROLE IF NOT EXISTS FLAKEBENCH_ENRICHMENT", "CREATE ROLE IF NOT EXISTS FLAKEBENCH_ENRICHMENT_ADMIN",
                   "GRANT ROLE FLAKEBENCH_ENRICHMENT TO ROLE FLAKEBENCH_ENRICHMENT_ADMIN",
                   "GRANT EXECUTE TASK ON ACCOUNT TO ROLE FLAKEBENCH_ENRICHMENT",
                   "GRANT USAGE ON WAREHOUSE FLAKEBENCH_WH TO ROLE FLAKEBENCH_ENRICHMENT"):
        assert any(s.startswith(needed) for s in grants), needed
    assert not any("OWNERSHIP" in s or "ALL PRIVILEGES" in s for s in grants)


def test_rollback_backs_up_every_product_table_before_dropping_anything():
    statements = [s.upper() for s in statements_of(DEPLOY_DIR / "rollback.sql")]
    first_drop = next(i for i, s in enumerate(statements) if s.startswith("DROP "))
    backed_up = set()
    for statement in statements[:first_drop]:
        clone = re.search(r"\bCLONE\s+[\w.]*\.(\w+)$", statement)
        if clone:
            backed_up.add(clone.group(1))
        copy = re.search(r"\bFROM\s+[\w.]*\.(\w+)$", statement)
        if copy and statement.startswith("CREATE TABLE"):
            backed_up.add(copy.group(1))
    assert set(PRODUCT_TABLES) <= backed_up
    assert {"TEST_RESULTS", "QUERY_EXECUTIONS"} <= backed_up
    dropped = {re.search(r"DROP TABLE IF EXISTS [\w.]*\.(\w+)$", s).group(1) for s in statements if s.startswith("DROP TABLE")}
    assert dropped == set(PRODUCT_TABLES)
    assert not any(s.startswith("ALTER TABLE") for s in statements)  # FlakeBench's columns: commented out only
    assert not any("IF NOT EXISTS" in s for s in statements if s.startswith("CREATE TABLE"))  # a taken name stops it


# --- snowflake.yml ------------------------------------------------------------------------------

def test_snowflake_yml_is_one_container_runtime_streamlit_app_whose_artifacts_exist():
    definition = yaml.safe_load((ROOT / "snowflake.yml").read_text(encoding="utf-8"))
    assert str(definition["definition_version"]) == "2"
    entities = definition["entities"]
    assert len(entities) == 1
    (key, app), = entities.items()
    assert key == "flakebench_enrichment" and app["type"] == "streamlit"
    assert app["identifier"]["name"] == "FLAKEBENCH_ENRICHMENT"
    assert app["main_file"] == "streamlit_app.py"
    assert app["runtime_name"] == "SYSTEM$ST_CONTAINER_RUNTIME_PY3_11"
    assert app["query_warehouse"] and app["compute_pool"]
    artifacts = [a if isinstance(a, str) else a["src"] for a in app["artifacts"]]
    for artifact in artifacts:
        assert (ROOT / artifact).exists(), f"artifact {artifact} does not exist"
    for needed in ("streamlit_app.py", "pages/", "app/", "enrichment/", "sql/", "requirements.txt", ".streamlit/config.toml"):
        assert needed in artifacts
    used = set(re.findall(r"<%\s*ctx\.env\.(\w+)\s*%>", (ROOT / "snowflake.yml").read_text(encoding="utf-8")))
    assert used and used <= set(definition["env"])
    assert definition["env"]["database"] == Settings().database and definition["env"]["schema"] == Settings().schema


def test_the_pinned_requirements_fit_the_container_runtime():
    pins = dict(line.split("==", 1) for line in (ROOT / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    streamlit = tuple(int(part) for part in pins["streamlit"].split(".")[:2])
    assert streamlit >= (1, 50)  # the container runtime runs Streamlit 1.50 and later (snowflake-views.md 8)


# --- the stored procedure -----------------------------------------------------------------------

class _Frame:
    def __init__(self, columns, rows):
        self._rows = rows
        self.schema = type("Schema", (), {"names": columns})()

    def collect(self):
        return self._rows


class EmbeddedSession:
    """Just enough of a Snowpark Session (sql(query, params).collect(), schema.names) over one unit of
    work on the embedded store, so the handler runs through SnowflakeStore as it would in Snowflake."""

    def __init__(self, db):
        self._db = db
        self.statements: list[str] = []

    def sql(self, query, params=None):
        self.statements.append(query)
        columns, rows = self._db._run(query, list(params or []))
        return _Frame(columns, [tuple(row) for row in rows])

    def close(self):
        pass


@pytest.fixture(scope="module")
def demo_world(tmp_path_factory):
    """The demo world, seeded once for this module (seeding takes seconds), with every view landed."""
    home = tmp_path_factory.mktemp("procedure-world")
    store = EmbeddedStore(home, "FLAKEBENCH", "TEST_RESULTS")
    migrate(store)
    seed_demo(store, runs=15, seed=3, now=SEEDED_AT)
    with store.unit() as db:
        db.execute("DELETE FROM SNOWFLAKE.ACCOUNT_USAGE_SIM.SIM_CLOCK")
        db.execute("INSERT INTO SNOWFLAKE.ACCOUNT_USAGE_SIM.SIM_CLOCK (FROZEN_AT) VALUES (?)", [LANDED])
    return store


def test_the_handler_runs_a_pass_through_the_snowflake_store(demo_world):
    # First in the file: through one held unit of work it also does the slow part, discovering the
    # world's runs, faster than a store that opens a unit per step.
    with demo_world.unit() as db:
        session = EmbeddedSession(db)
        summary = json.loads(procedure.run_enrichment_pass(session, 2))
    assert summary["store"] == "snowflake"
    assert (summary["database"], summary["schema"]) == ("FLAKEBENCH", "TEST_RESULTS")  # the session's current ones
    assert summary["jobs_processed"] > 0 and summary["types_completed"] > 0 and summary["types_failed"] == 0
    assert "ALTER SESSION SET TIMEZONE = 'UTC'" in session.statements
    assert "ALTER SESSION SET QUERY_TAG = 'flakebench-enrichment'" in session.statements
    assert "USE SCHEMA FLAKEBENCH.TEST_RESULTS" in session.statements


def test_run_with_store_runs_a_pass_and_returns_its_summary_as_json(demo_world):
    settings = Settings(home=demo_world.home)
    summary = json.loads(procedure._run_with_store(demo_world, settings, 2, now=LANDED))
    assert summary["store"] == "embedded" and summary["migrations_applied"] == []
    assert summary["database"] == "FLAKEBENCH" and summary["schema"] == "TEST_RESULTS"
    assert 0 < summary["jobs_processed"] <= 2
    assert summary["types_completed"] > 0 and summary["types_failed"] == 0
    assert summary["summary"].startswith("discovered")


@pytest.mark.parametrize("max_jobs", [-1, 2.5, "lots", None, True])
def test_the_handler_refuses_a_bad_max_jobs_with_a_sentence(max_jobs):
    with pytest.raises(UserFacingError, match="MAX_JOBS"):
        procedure._run_with_store(None, Settings(), max_jobs)  # refused before the store is touched


def test_the_handler_refuses_a_schema_name_that_is_not_an_identifier():
    with pytest.raises(UserFacingError, match="not a plain Snowflake identifier"):
        procedure.settings_for_session(None, "FLAKEBENCH", "TEST_RESULTS; DROP TABLE X")


def test_the_procedure_runs_from_the_built_archive(tmp_path):
    """Snowflake imports enrichment.zip through zipimport; the handler must find its SQL anyway and
    must need nothing beyond the procedure's PACKAGES (snowflake-snowpark-python, pandas)."""
    archive = build_archive(tmp_path / "dist" / "enrichment.zip")
    names = zipfile.ZipFile(archive).namelist()
    assert "enrichment/procedure.py" in names and "sql/migrations/0003_enrichment_queue.sql" in names
    assert not any(name.startswith("sql/snowflake/") or "__pycache__" in name for name in names)
    assert len(names) == len(archive_members())
    assert build_archive(tmp_path / "again.zip").read_bytes() == archive.read_bytes()  # reproducible

    script = textwrap.dedent("""
        import json, os, sys
        sys.path.insert(0, sys.argv[1])
        import enrichment.procedure as zipped
        real = zipped._module_from_real_files()
        import enrichment.runner, enrichment.schema.migrate, enrichment.store.snowflake, enrichment.store.sqlfiles
        banned = sorted({m.split(".")[0] for m in sys.modules} & {"fakesnow", "duckdb", "streamlit", "sqlglot", "altair"})
        from enrichment.config import Settings
        from enrichment.store.embedded import EmbeddedStore
        store = EmbeddedStore(sys.argv[2], "FLAKEBENCH", "TEST_RESULTS")
        summary = json.loads(real._run_with_store(store, Settings(home=sys.argv[2]), 5))
        print(json.dumps({"zipped": zipped.__file__, "real": real.__file__, "again": zipped._module_from_real_files().__file__,
                          "sql_root": str(enrichment.store.sqlfiles.SQL_ROOT), "banned": banned, "summary": summary}))
    """)
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run([sys.executable, "-I", "-c", script, str(archive), str(tmp_path / "home")],
                            cwd=work, env={**os.environ, "TMPDIR": str(work)}, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["zipped"].startswith(str(archive))  # loaded from the archive, not this checkout
    unpacked = Path(report["real"]).parents[1]
    assert unpacked.parent == work and unpacked.name.startswith("flakebench-enrichment-")
    assert report["again"] == report["real"]  # unpacked once per process
    assert report["sql_root"] == str(unpacked / "sql")
    assert report["banned"] == []
    assert report["summary"]["migrations_applied"] == [f"{m.version:04d}_{m.name}" for m in all_migrations()]


# --- the engine never imports Streamlit --------------------------------------------------------

def test_the_engine_never_imports_streamlit():
    offenders = []
    for path in sorted((ROOT / "enrichment").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                    "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                names = [str(node.args[0].value)]
            else:
                continue
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno} {name}" for name in names
                          if name.split(".")[0] == "streamlit"]
    assert offenders == []

-- The runner as a Python stored procedure (handler: enrichment/procedure.py).
--
-- Run as FLAKEBENCH_ENRICHMENT (see grants.sql) from a client that can PUT local files (Snowflake
-- CLI or SnowSQL; Snowsight worksheets cannot), after `python -m enrichment.deploy build`:
--
--   snow sql -f sql/snowflake/create_procedure.sql --role FLAKEBENCH_ENRICHMENT \
--     -D database=FLAKEBENCH -D schema=TEST_RESULTS -D archive="$PWD/dist/enrichment.zip"
--
-- database, schema and archive below are Snowflake CLI template variables, filled in by -D name=value
-- (with another client, replace them by hand). database and schema are FlakeBench's results schema
-- (ENRICHMENT_DATABASE / ENRICHMENT_SCHEMA); archive is the absolute path of the built archive.
--
-- EXECUTE AS CALLER, not OWNER: an owner's-rights procedure may not run ALTER SESSION or USE, and
-- the store sets the session time zone to UTC, tags the session and selects FlakeBench's schema.
-- The caller is the task's owner role (create_task.sql), so that role needs the grants.

CREATE STAGE IF NOT EXISTS <% database %>.<% schema %>.FLAKEBENCH_ENRICHMENT_CODE
    COMMENT = 'FlakeBench delayed enrichment: enrichment.zip for RUN_ENRICHMENT_PASS';

-- AUTO_COMPRESS = FALSE keeps the name enrichment.zip (PUT would otherwise store enrichment.zip.gz).
PUT 'file://<% archive %>' @<% database %>.<% schema %>.FLAKEBENCH_ENRICHMENT_CODE
    AUTO_COMPRESS = FALSE OVERWRITE = TRUE;

CREATE OR REPLACE PROCEDURE <% database %>.<% schema %>.RUN_ENRICHMENT_PASS(
    MAX_JOBS NUMBER DEFAULT 500,
    TARGET_DATABASE VARCHAR DEFAULT NULL,
    TARGET_SCHEMA VARCHAR DEFAULT NULL
)
RETURNS VARCHAR
LANGUAGE PYTHON
RUNTIME_VERSION = '3.11'
PACKAGES = ('snowflake-snowpark-python', 'pandas')
IMPORTS = ('@<% database %>.<% schema %>.FLAKEBENCH_ENRICHMENT_CODE/enrichment.zip')
HANDLER = 'enrichment.procedure.run_enrichment_pass'
EXECUTE AS CALLER
COMMENT = 'FlakeBench delayed enrichment: one runner pass (discover, run due jobs, housekeeping); returns JSON';

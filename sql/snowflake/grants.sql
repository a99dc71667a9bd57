-- Least-privilege roles for the delayed enrichment.
--
--   FLAKEBENCH_ENRICHMENT        runs the enrichment: reads FlakeBench's tables and five
--                                ACCOUNT_USAGE views, writes enrichment columns, owns the product's
--                                tables, views, stage, procedure, task (and the Streamlit app).
--   FLAKEBENCH_ENRICHMENT_ADMIN  is granted FLAKEBENCH_ENRICHMENT, and is one of the admin roles the
--                                app and the CLI accept (ENRICHMENT_ADMIN_ROLES) for run, retry,
--                                discard and backfill.
--
-- Run once, top to bottom, as a user who can use USERADMIN, SECURITYADMIN and ACCOUNTADMIN (only
-- ACCOUNTADMIN can grant the SNOWFLAKE database roles and EXECUTE TASK):
--
--   snow sql -f sql/snowflake/grants.sql -D database=FLAKEBENCH -D schema=TEST_RESULTS -D warehouse=FLAKEBENCH_WH
--
-- database, schema and warehouse below are Snowflake CLI template variables, filled in by
-- -D name=value (with another client, replace them by hand). Then grant the roles to people and service users, for example
-- GRANT ROLE FLAKEBENCH_ENRICHMENT_ADMIN TO USER ALICE, and run `python -m enrichment.run check`
-- with the runner's connection: it names any view the role still cannot read.

USE ROLE USERADMIN;

CREATE ROLE IF NOT EXISTS FLAKEBENCH_ENRICHMENT
    COMMENT = 'FlakeBench delayed enrichment: runner and app (least privilege)';

CREATE ROLE IF NOT EXISTS FLAKEBENCH_ENRICHMENT_ADMIN
    COMMENT = 'FlakeBench delayed enrichment: admins (run, retry, discard, backfill)';

GRANT ROLE FLAKEBENCH_ENRICHMENT TO ROLE FLAKEBENCH_ENRICHMENT_ADMIN;

-- Keep the custom roles under SYSADMIN, as Snowflake recommends for role hierarchies.
GRANT ROLE FLAKEBENCH_ENRICHMENT_ADMIN TO ROLE SYSADMIN;

USE ROLE ACCOUNTADMIN;

-- The five ACCOUNT_USAGE views, through the SNOWFLAKE database roles the documentation maps them to
-- (https://docs.snowflake.com/sql-reference/snowflake-db-roles):
--   GOVERNANCE_VIEWER: QUERY_HISTORY, AGGREGATE_QUERY_HISTORY, QUERY_INSIGHTS
--   USAGE_VIEWER:      HYBRID_TABLE_USAGE_HISTORY
GRANT DATABASE ROLE SNOWFLAKE.GOVERNANCE_VIEWER TO ROLE FLAKEBENCH_ENRICHMENT;

GRANT DATABASE ROLE SNOWFLAKE.USAGE_VIEWER TO ROLE FLAKEBENCH_ENRICHMENT;

-- LOCK_WAIT_HISTORY (hybrid runs' lock contention) is not in that page's table: no SNOWFLAKE
-- database role is documented to cover it. The documented way to read it is IMPORTED PRIVILEGES,
-- which opens every schema of the SNOWFLAKE database (organization data included), so it is left to
-- you. After the grants above, run `python -m enrichment.run check`: if LOCK_WAIT_HISTORY is not
-- readable and you want lock contention for hybrid runs, run this one statement:
--   GRANT IMPORTED PRIVILEGES ON DATABASE SNOWFLAKE TO ROLE FLAKEBENCH_ENRICHMENT;
-- Without it, only the LOCK_CONTENTION type of hybrid runs fails, with a sentence naming this grant.

-- Tasks: the owner of a task needs EXECUTE TASK on the account.
GRANT EXECUTE TASK ON ACCOUNT TO ROLE FLAKEBENCH_ENRICHMENT;

USE ROLE SECURITYADMIN;

GRANT USAGE ON WAREHOUSE <% warehouse %> TO ROLE FLAKEBENCH_ENRICHMENT;

GRANT USAGE ON DATABASE <% database %> TO ROLE FLAKEBENCH_ENRICHMENT;

GRANT USAGE ON SCHEMA <% database %>.<% schema %> TO ROLE FLAKEBENCH_ENRICHMENT;

-- The product's own objects (migrations create tables and views; the runner's code lives on a stage,
-- the procedure and the task in the same schema; snow streamlit deploy creates the app and its stage).
GRANT CREATE TABLE, CREATE VIEW, CREATE STAGE, CREATE PROCEDURE, CREATE TASK, CREATE STREAMLIT
    ON SCHEMA <% database %>.<% schema %> TO ROLE FLAKEBENCH_ENRICHMENT;

-- FlakeBench's own tables: read all three; write the enrichment columns of two.
GRANT SELECT ON TABLE <% database %>.<% schema %>.RUN_STATUS TO ROLE FLAKEBENCH_ENRICHMENT;

GRANT SELECT, UPDATE ON TABLE <% database %>.<% schema %>.TEST_RESULTS TO ROLE FLAKEBENCH_ENRICHMENT;

GRANT SELECT, UPDATE ON TABLE <% database %>.<% schema %>.QUERY_EXECUTIONS TO ROLE FLAKEBENCH_ENRICHMENT;

-- First install, and upgrades that add columns to FlakeBench's tables (migration 0005 adds the
-- enrichment columns with ALTER TABLE ... ADD COLUMN IF NOT EXISTS): ALTER TABLE needs OWNERSHIP of
-- TEST_RESULTS and QUERY_EXECUTIONS, which stays with FlakeBench's own role. Do not transfer it.
-- Run that one migration with FLAKEBENCH_ENRICHMENT as the primary role (it creates and so owns the
-- product's tables) and FlakeBench's owner role as a secondary role, which authorizes everything
-- but CREATE (https://docs.snowflake.com/sql-reference/sql/use-role). For example, for a user
-- granted both roles whose DEFAULT_SECONDARY_ROLES is ('ALL'), run `python -m enrichment.run check`
-- with a connection whose role is FLAKEBENCH_ENRICHMENT (docs/snowflake.md, section 2).
-- Migrations are recorded once applied, so later passes never need the owner role again.

-- Streamlit in Snowflake, container runtime (docs/snowflake.md): the app's owner also needs the
-- compute pool, and, to install requirements.txt from PyPI, an external access integration.
-- Uncomment with your names:
--   GRANT USAGE ON COMPUTE POOL <COMPUTE_POOL> TO ROLE FLAKEBENCH_ENRICHMENT;
--   GRANT USAGE ON INTEGRATION <PYPI_ACCESS_INTEGRATION> TO ROLE FLAKEBENCH_ENRICHMENT;

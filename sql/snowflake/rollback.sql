-- Roll the delayed enrichment back out of FlakeBench's schema, safely: every table the product
-- owns is backed up (zero-copy CLONE) and the enrichment columns on FlakeBench's tables are copied
-- BEFORE anything is dropped. FlakeBench's own tables (TEST_RESULTS, QUERY_EXECUTIONS, RUN_STATUS)
-- are never dropped; removing the columns the product added to them is left commented out at the end.
--
-- Run as FLAKEBENCH_ENRICHMENT_ADMIN (it inherits FLAKEBENCH_ENRICHMENT, which owns the product's
-- objects), with a client that stops at the first error, so a failed backup drops nothing:
--
--   snow sql -f sql/snowflake/rollback.sql --role FLAKEBENCH_ENRICHMENT_ADMIN \
--     -D database=FLAKEBENCH -D schema=TEST_RESULTS -D backup_suffix=20261126
--
-- backup_suffix names the backups (<TABLE>_BACKUP_<suffix>); use today's date. The CLONE statements
-- have no IF NOT EXISTS on purpose: a name already taken stops the script before any DROP.
-- database, schema and backup_suffix are Snowflake CLI template variables; with another client,
-- replace them by hand and run the statements in order.
--
-- The plan's rollback triggers (04-implementation-phases): more than 15% of jobs failing in the
-- first 24 h, more than 200 jobs queued, or data corruption. `python -m enrichment.run status` shows
-- the first two.

-- 1. Stop the scheduled runner, so nothing writes while the backups are taken.
ALTER TASK IF EXISTS <% database %>.<% schema %>.FLAKEBENCH_ENRICHMENT_PASS SUSPEND;

-- 2. Back up every table the product owns.
CREATE TABLE <% database %>.<% schema %>.DELAYED_ENRICHMENT_QUEUE_BACKUP_<% backup_suffix %>
    CLONE <% database %>.<% schema %>.DELAYED_ENRICHMENT_QUEUE;

CREATE TABLE <% database %>.<% schema %>.DELAYED_ENRICHMENT_TYPE_STATUS_BACKUP_<% backup_suffix %>
    CLONE <% database %>.<% schema %>.DELAYED_ENRICHMENT_TYPE_STATUS;

CREATE TABLE <% database %>.<% schema %>.AGGREGATE_QUERY_INTERVALS_BACKUP_<% backup_suffix %>
    CLONE <% database %>.<% schema %>.AGGREGATE_QUERY_INTERVALS;

CREATE TABLE <% database %>.<% schema %>.AGGREGATE_QUERY_METRICS_BACKUP_<% backup_suffix %>
    CLONE <% database %>.<% schema %>.AGGREGATE_QUERY_METRICS;

CREATE TABLE <% database %>.<% schema %>.LOCK_CONTENTION_EVENTS_BACKUP_<% backup_suffix %>
    CLONE <% database %>.<% schema %>.LOCK_CONTENTION_EVENTS;

CREATE TABLE <% database %>.<% schema %>.HYBRID_TABLE_CREDITS_BACKUP_<% backup_suffix %>
    CLONE <% database %>.<% schema %>.HYBRID_TABLE_CREDITS;

CREATE TABLE <% database %>.<% schema %>.QUERY_INSIGHTS_CACHE_BACKUP_<% backup_suffix %>
    CLONE <% database %>.<% schema %>.QUERY_INSIGHTS_CACHE;

CREATE TABLE <% database %>.<% schema %>.ENRICHMENT_LOCKS_BACKUP_<% backup_suffix %>
    CLONE <% database %>.<% schema %>.ENRICHMENT_LOCKS;

CREATE TABLE <% database %>.<% schema %>.ENRICHMENT_SCHEMA_MIGRATIONS_BACKUP_<% backup_suffix %>
    CLONE <% database %>.<% schema %>.ENRICHMENT_SCHEMA_MIGRATIONS;

-- 3. Copy what the product wrote into FlakeBench's tables, keyed by their ids. (The QUERY_HISTORY
-- enrichment also overwrote the SF_* columns of measured executions; their earlier values, if any,
-- are only recoverable through Time Travel, within the table's retention period. The second copy
-- has one narrow row per execution.)
CREATE TABLE <% database %>.<% schema %>.TEST_RESULTS_ENRICHMENT_BACKUP_<% backup_suffix %> AS
SELECT TEST_ID, RUN_ID, DELAYED_ENRICHMENT_STATUS, DELAYED_ENRICHMENT_ERROR, DELAYED_ENRICHMENT_COMPLETED_AT,
       AGGREGATE_ENRICHMENT_STATUS, THROTTLED_QUERY_COUNT, HYBRID_CREDITS_USED, HYBRID_CREDITS_START_TIME,
       HYBRID_CREDITS_END_TIME, LOCK_WAIT_COUNT, LOCK_WAIT_TOTAL_MS, LOCK_WAIT_MAX_MS, QUERY_INSIGHTS_COUNT,
       QUERY_INSIGHTS_HIGH_SEVERITY_COUNT
FROM <% database %>.<% schema %>.TEST_RESULTS;

CREATE TABLE <% database %>.<% schema %>.QUERY_EXECUTIONS_ENRICHMENT_BACKUP_<% backup_suffix %> AS
SELECT EXECUTION_ID, TEST_ID, QUERY_ID, QUERY_PARAMETERIZED_HASH, SF_PARTITIONS_SCANNED, SF_PARTITIONS_TOTAL,
       SF_BYTES_SPILLED_LOCAL, SF_BYTES_SPILLED_REMOTE
FROM <% database %>.<% schema %>.QUERY_EXECUTIONS;

-- 4. Remove the runner and the app.
DROP TASK IF EXISTS <% database %>.<% schema %>.FLAKEBENCH_ENRICHMENT_PASS;

DROP PROCEDURE IF EXISTS <% database %>.<% schema %>.RUN_ENRICHMENT_PASS(NUMBER, VARCHAR, VARCHAR);

DROP STAGE IF EXISTS <% database %>.<% schema %>.FLAKEBENCH_ENRICHMENT_CODE;

DROP STREAMLIT IF EXISTS <% database %>.<% schema %>.FLAKEBENCH_ENRICHMENT;

-- 5. Drop the product's views, then its tables (all backed up in step 2).
DROP VIEW IF EXISTS <% database %>.<% schema %>.V_AGGREGATE_QUERY_STATS;

DROP VIEW IF EXISTS <% database %>.<% schema %>.V_LOCK_CONTENTION_SUMMARY;

DROP VIEW IF EXISTS <% database %>.<% schema %>.V_DELAYED_ENRICHMENT_STATUS;

DROP TABLE IF EXISTS <% database %>.<% schema %>.DELAYED_ENRICHMENT_TYPE_STATUS;

DROP TABLE IF EXISTS <% database %>.<% schema %>.DELAYED_ENRICHMENT_QUEUE;

DROP TABLE IF EXISTS <% database %>.<% schema %>.AGGREGATE_QUERY_INTERVALS;

DROP TABLE IF EXISTS <% database %>.<% schema %>.AGGREGATE_QUERY_METRICS;

DROP TABLE IF EXISTS <% database %>.<% schema %>.LOCK_CONTENTION_EVENTS;

DROP TABLE IF EXISTS <% database %>.<% schema %>.HYBRID_TABLE_CREDITS;

DROP TABLE IF EXISTS <% database %>.<% schema %>.QUERY_INSIGHTS_CACHE;

DROP TABLE IF EXISTS <% database %>.<% schema %>.ENRICHMENT_LOCKS;

DROP TABLE IF EXISTS <% database %>.<% schema %>.ENRICHMENT_SCHEMA_MIGRATIONS;

-- 6. Optional, and only with FlakeBench's owner role (ALTER TABLE needs OWNERSHIP): remove the
-- columns the product added to FlakeBench's tables. Their values are in the *_ENRICHMENT_BACKUP_*
-- tables from step 3. FlakeBench itself never reads them, so leaving them is harmless.
--   ALTER TABLE <DATABASE>.<SCHEMA>.TEST_RESULTS DROP COLUMN IF EXISTS DELAYED_ENRICHMENT_STATUS, DELAYED_ENRICHMENT_ERROR,
--     DELAYED_ENRICHMENT_COMPLETED_AT, AGGREGATE_ENRICHMENT_STATUS, THROTTLED_QUERY_COUNT, HYBRID_CREDITS_USED,
--     HYBRID_CREDITS_START_TIME, HYBRID_CREDITS_END_TIME, LOCK_WAIT_COUNT, LOCK_WAIT_TOTAL_MS, LOCK_WAIT_MAX_MS,
--     QUERY_INSIGHTS_COUNT, QUERY_INSIGHTS_HIGH_SEVERITY_COUNT;
--   ALTER TABLE <DATABASE>.<SCHEMA>.QUERY_EXECUTIONS DROP COLUMN IF EXISTS QUERY_PARAMETERIZED_HASH;

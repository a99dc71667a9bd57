-- The scheduled runner: a task that calls RUN_ENRICHMENT_PASS (create_procedure.sql) on a schedule.
--
-- Run as FLAKEBENCH_ENRICHMENT, which then owns the task; a task runs with its owner's privileges,
-- and the procedure runs with its caller's, so the grants in grants.sql are all it uses.
--
--   snow sql -f sql/snowflake/create_task.sql --role FLAKEBENCH_ENRICHMENT \
--     -D database=FLAKEBENCH -D schema=TEST_RESULTS -D warehouse=FLAKEBENCH_WH \
--     -D schedule="USING CRON */15 * * * * UTC"
--
-- schedule takes either form CREATE TASK documents: '<num> MINUTES' (e.g. 15 MINUTES) or
-- 'USING CRON <expr> <time zone>'. Every 15 minutes is plenty: views land 45 min to 3 h late, and
-- a pass only does work for runs whose view has landed. database, schema, warehouse and schedule
-- are Snowflake CLI template variables; with another client, replace them by hand.
--
-- ALLOW_OVERLAPPING_EXECUTION = FALSE: a pass still running when the next is due is not doubled
-- (claims are fenced anyway). USER_TASK_TIMEOUT_MS = 1 h, the documented default, written out.
-- TIMEZONE and QUERY_TAG are session parameters of the task's runs; the store sets both as well.

CREATE OR REPLACE TASK <% database %>.<% schema %>.FLAKEBENCH_ENRICHMENT_PASS
    WAREHOUSE = <% warehouse %>
    SCHEDULE = '<% schedule %>'
    ALLOW_OVERLAPPING_EXECUTION = FALSE
    USER_TASK_TIMEOUT_MS = 3600000
    SUSPEND_TASK_AFTER_NUM_FAILURES = 10
    TIMEZONE = 'UTC'
    QUERY_TAG = 'flakebench-enrichment'
    COMMENT = 'FlakeBench delayed enrichment: one runner pass per schedule tick'
AS
    CALL <% database %>.<% schema %>.RUN_ENRICHMENT_PASS(500, '<% database %>', '<% schema %>');

-- Tasks are created suspended.
ALTER TASK <% database %>.<% schema %>.FLAKEBENCH_ENRICHMENT_PASS RESUME;

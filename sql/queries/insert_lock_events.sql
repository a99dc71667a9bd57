-- LOCK_WAIT_HISTORY rows whose waiting statement is a measurement query of a run of the batch, one row per
-- element of BLOCKER_QUERIES (for hybrid row locks Snowflake already writes one blocker per row).
-- OBJECT_NAME is the word ROW for hybrid row locks, so the join is on QUERY_ID, never on a table name.
-- The wait is the waiting query's TRANSACTION_BLOCKED_TIME when QUERY_HISTORY has it (a 5 s wait puts
-- the query over the ~500 ms threshold, so it is there), else ACQUIRED_AT - REQUESTED_AT when positive.
-- Each view is read once for the batch's time chunk.
-- Binds: created at, chunk start, chunk end, run ids (JSON array), chunk start, chunk end, run ids.
INSERT INTO LOCK_CONTENTION_EVENTS (
    EVENT_ID, TEST_ID, RUN_ID, QUERY_ID, TRANSACTION_ID, LOCK_TYPE, OBJECT_ID, OBJECT_NAME, SCHEMA_NAME,
    DATABASE_NAME, REQUESTED_AT, ACQUIRED_AT, WAIT_MS, WAIT_SOURCE, BLOCKER_INDEX, BLOCKER_QUERY_ID,
    BLOCKER_TRANSACTION_ID, BLOCKER_IS_SNOWFLAKE, BLOCKER_IN_RUN, CREATED_AT
)
SELECT
    MD5(CONCAT(w.RUN_ID, '|', w.QUERY_ID, '|', TO_VARCHAR(w.REQUESTED_AT), '|', TO_VARCHAR(w.BLOCKER_INDEX))),
    w.TEST_ID, w.RUN_ID, w.QUERY_ID, w.TRANSACTION_ID, w.LOCK_TYPE, w.OBJECT_ID, w.OBJECT_NAME, w.SCHEMA_NAME,
    w.DATABASE_NAME, w.REQUESTED_AT, w.ACQUIRED_AT,
    COALESCE(qh.TRANSACTION_BLOCKED_TIME, IFF(w.ACQUIRED_AT > w.REQUESTED_AT, TIMESTAMPDIFF(millisecond, w.REQUESTED_AT, w.ACQUIRED_AT), NULL)),
    CASE WHEN qh.TRANSACTION_BLOCKED_TIME IS NOT NULL THEN 'QUERY_HISTORY.TRANSACTION_BLOCKED_TIME'
         WHEN w.ACQUIRED_AT > w.REQUESTED_AT THEN 'ACQUIRED_AT - REQUESTED_AT'
         ELSE NULL END,
    w.BLOCKER_INDEX, w.BLOCKER_QUERY_ID, w.BLOCKER_TRANSACTION_ID, w.BLOCKER_IS_SNOWFLAKE,
    inrun.QUERY_ID IS NOT NULL,
    (?)::TIMESTAMP_NTZ
FROM (
    SELECT
        tw.RUN_ID,
        qe.TEST_ID,
        l.QUERY_ID,
        l.TRANSACTION_ID,
        l.LOCK_TYPE,
        l.OBJECT_ID,
        l.OBJECT_NAME,
        l.SCHEMA_NAME,
        l.DATABASE_NAME,
        l.REQUESTED_AT::TIMESTAMP_NTZ AS REQUESTED_AT,
        l.ACQUIRED_AT::TIMESTAMP_NTZ AS ACQUIRED_AT,
        b.INDEX AS BLOCKER_INDEX,
        b.value:query_id::VARCHAR AS BLOCKER_QUERY_ID,
        b.value:transaction_id::NUMBER AS BLOCKER_TRANSACTION_ID,
        b.value:is_snowflake::BOOLEAN AS BLOCKER_IS_SNOWFLAKE
    FROM SNOWFLAKE.ACCOUNT_USAGE.LOCK_WAIT_HISTORY l
    JOIN QUERY_EXECUTIONS qe ON qe.QUERY_ID = l.QUERY_ID
    JOIN TEST_RESULTS tw ON tw.TEST_ID = qe.TEST_ID AND tw.TEST_ID <> tw.RUN_ID
    , LATERAL FLATTEN(input => l.BLOCKER_QUERIES) b
    WHERE l.REQUESTED_AT >= (?)::TIMESTAMP_NTZ
      AND l.REQUESTED_AT <= (?)::TIMESTAMP_NTZ
      AND tw.RUN_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)
      AND COALESCE(qe.WARMUP, FALSE) = FALSE
) w
LEFT JOIN (
    SELECT QUERY_ID, MAX(TRANSACTION_BLOCKED_TIME) AS TRANSACTION_BLOCKED_TIME
    FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
    WHERE START_TIME >= (?)::TIMESTAMP_NTZ AND START_TIME <= (?)::TIMESTAMP_NTZ
    GROUP BY QUERY_ID
) qh ON qh.QUERY_ID = w.QUERY_ID
-- Whether the blocker is itself one of the run's queries.
LEFT JOIN (
    SELECT DISTINCT bw.RUN_ID, bq.QUERY_ID
    FROM QUERY_EXECUTIONS bq
    JOIN TEST_RESULTS bw ON bw.TEST_ID = bq.TEST_ID AND bw.TEST_ID <> bw.RUN_ID
    WHERE bw.RUN_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)
) inrun ON inrun.RUN_ID = w.RUN_ID AND inrun.QUERY_ID = w.BLOCKER_QUERY_ID
-- Duplicate source rows (and duplicate client rows) collapse to one event per waiter, request and blocker:
-- exactly the parts of EVENT_ID, so ids stay unique.
QUALIFY ROW_NUMBER() OVER (PARTITION BY w.RUN_ID, w.QUERY_ID, w.REQUESTED_AT, w.BLOCKER_INDEX
                           ORDER BY w.BLOCKER_QUERY_ID, w.TEST_ID) = 1

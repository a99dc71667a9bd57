-- The measurement phase of each run of a batch as the client recorded it: the non-warmup executions
-- of the run's workers. Bind: the run ids as a JSON array.
SELECT
    w.RUN_ID,
    MIN(qe.START_TIME) AS WINDOW_START,
    MAX(qe.END_TIME) AS WINDOW_END,
    COUNT(*) AS EXECUTIONS,
    SUM(IFF(LEFT(qe.QUERY_ID, 6) = 'LOCAL_', 0, 1)) AS SNOWFLAKE_QUERY_IDS
FROM QUERY_EXECUTIONS qe
JOIN TEST_RESULTS w ON w.TEST_ID = qe.TEST_ID AND w.TEST_ID <> w.RUN_ID
WHERE w.RUN_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)
  AND COALESCE(qe.WARMUP, FALSE) = FALSE
GROUP BY w.RUN_ID

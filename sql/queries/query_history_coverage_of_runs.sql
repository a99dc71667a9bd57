-- Per run of a batch: how many of its successful measurement queries (with a Snowflake query id) the
-- view holds. Binds: chunk start, chunk end, the run ids as a JSON array.
SELECT
    w.RUN_ID,
    COUNT(DISTINCT qe.QUERY_ID) AS EXPECTED,
    COUNT(DISTINCT qh.QUERY_ID) AS FOUND
FROM QUERY_EXECUTIONS qe
JOIN TEST_RESULTS w ON w.TEST_ID = qe.TEST_ID AND w.TEST_ID <> w.RUN_ID
LEFT JOIN (
    SELECT DISTINCT QUERY_ID
    FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
    WHERE START_TIME >= (?)::TIMESTAMP_NTZ AND START_TIME <= (?)::TIMESTAMP_NTZ
) qh ON qh.QUERY_ID = qe.QUERY_ID
WHERE w.RUN_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)
  AND COALESCE(qe.WARMUP, FALSE) = FALSE
  AND qe.SUCCESS = TRUE
  AND LEFT(qe.QUERY_ID, 6) <> 'LOCAL_'
GROUP BY w.RUN_ID

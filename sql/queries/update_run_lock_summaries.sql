-- TEST_RESULTS lock summary for a batch of runs, per waiting query, not per blocker row: a query
-- blocked by two transactions waited once. Binds: the run ids (JSON array), twice.
UPDATE TEST_RESULTS
SET LOCK_WAIT_COUNT = s.WAITERS,
    LOCK_WAIT_TOTAL_MS = s.TOTAL_MS,
    LOCK_WAIT_MAX_MS = s.MAX_MS
FROM (
    SELECT b.RUN_ID, COUNT(x.QUERY_ID) AS WAITERS, COALESCE(SUM(x.W), 0) AS TOTAL_MS, MAX(x.W) AS MAX_MS
    FROM (SELECT f.value::VARCHAR AS RUN_ID FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f) b
    LEFT JOIN (
        SELECT RUN_ID, QUERY_ID, MAX(WAIT_MS) AS W
        FROM LOCK_CONTENTION_EVENTS
        WHERE RUN_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)
        GROUP BY RUN_ID, QUERY_ID
    ) x ON x.RUN_ID = b.RUN_ID
    GROUP BY b.RUN_ID
) s
WHERE TEST_RESULTS.TEST_ID = s.RUN_ID AND TEST_RESULTS.RUN_ID = TEST_RESULTS.TEST_ID

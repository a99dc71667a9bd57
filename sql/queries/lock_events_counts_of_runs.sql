-- Per run of a batch: waiting queries and blocker rows stored. Bind: the run ids (JSON array).
SELECT RUN_ID, COUNT(DISTINCT QUERY_ID) AS WAITERS, COUNT(*) AS EVENTS
FROM LOCK_CONTENTION_EVENTS
WHERE RUN_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)
GROUP BY RUN_ID

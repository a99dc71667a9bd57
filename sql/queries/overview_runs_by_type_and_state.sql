-- Parent runs (TEST_ID = RUN_ID) counted by table type and delayed-enrichment state.
-- A run with no job yet is 'NO_JOB' rather than missing, so it is still counted.
SELECT
    r.TABLE_TYPE,
    COALESCE(q.STATUS, 'NO_JOB') AS STATE,
    COUNT(*) AS RUNS
FROM TEST_RESULTS r
LEFT JOIN DELAYED_ENRICHMENT_QUEUE q ON q.RUN_ID = r.RUN_ID
WHERE r.TEST_ID = r.RUN_ID
GROUP BY r.TABLE_TYPE, COALESCE(q.STATUS, 'NO_JOB')
ORDER BY r.TABLE_TYPE, STATE

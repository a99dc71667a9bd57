-- Parent rows of ended runs whose end (or start, when the end is missing) falls in [?, ?), for backfill.
SELECT tr.RUN_ID
FROM TEST_RESULTS tr
WHERE tr.TEST_ID = tr.RUN_ID
  AND UPPER(tr.STATUS) IN ('COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED')
  AND COALESCE(tr.END_TIME, tr.START_TIME) >= (?)::TIMESTAMP_NTZ
  AND COALESCE(tr.END_TIME, tr.START_TIME) < (?)::TIMESTAMP_NTZ
ORDER BY COALESCE(tr.END_TIME, tr.START_TIME), tr.RUN_ID

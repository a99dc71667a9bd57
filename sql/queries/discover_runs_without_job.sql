-- Parent rows (TEST_ID = RUN_ID) of runs that have ended, have no job, and were never enriched (the
-- parent row remembers a finished enrichment after its job has been purged by housekeeping).
SELECT tr.RUN_ID
FROM TEST_RESULTS tr
WHERE tr.TEST_ID = tr.RUN_ID
  AND UPPER(tr.STATUS) IN ('COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED')
  AND tr.DELAYED_ENRICHMENT_STATUS IS NULL
  AND NOT EXISTS (SELECT 1 FROM DELAYED_ENRICHMENT_QUEUE q WHERE q.RUN_ID = tr.RUN_ID)
ORDER BY tr.END_TIME NULLS LAST, tr.RUN_ID
LIMIT ?

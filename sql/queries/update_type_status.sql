-- Record one type's outcome. Fenced: only the runner holding the job's claim may write it.
UPDATE DELAYED_ENRICHMENT_TYPE_STATUS
SET STATUS = ?,
    OUTCOME = ?,
    NEXT_CHECK_AT = (?)::TIMESTAMP_NTZ,
    ATTEMPTS = ?,
    ERROR_COUNT = ?,
    COVERAGE = ?,
    ROWS_WRITTEN = ?,
    DETAIL = ?,
    LAST_ERROR = ?,
    STARTED_AT = (?)::TIMESTAMP_NTZ,
    COMPLETED_AT = (?)::TIMESTAMP_NTZ,
    UPDATED_AT = (?)::TIMESTAMP_NTZ
WHERE JOB_ID = ? AND ENRICHMENT_TYPE = ?
  AND EXISTS (SELECT 1 FROM DELAYED_ENRICHMENT_QUEUE q WHERE q.JOB_ID = ? AND q.CLAIM_TOKEN = ?)

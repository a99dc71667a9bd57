-- Close a pass over a job: new status, next check, and the claim released; fenced on our token.
UPDATE DELAYED_ENRICHMENT_QUEUE
SET STATUS = ?,
    NEXT_CHECK_AT = (?)::TIMESTAMP_NTZ,
    EARLIEST_ENRICHMENT_TIME = (?)::TIMESTAMP_NTZ,
    COMPLETED_TYPES = PARSE_JSON(?),
    LAST_ERROR = ?,
    COMPLETED_AT = (?)::TIMESTAMP_NTZ,
    CLAIM_TOKEN = NULL,
    CLAIMED_BY = NULL,
    CLAIMED_AT = NULL,
    UPDATED_AT = (?)::TIMESTAMP_NTZ
WHERE JOB_ID = ? AND CLAIM_TOKEN = ?

UPDATE DELAYED_ENRICHMENT_QUEUE
SET STATUS = 'SKIPPED', LAST_ERROR = ?, COMPLETED_AT = (?)::TIMESTAMP_NTZ, NEXT_CHECK_AT = NULL,
    CLAIM_TOKEN = NULL, CLAIMED_BY = NULL, CLAIMED_AT = NULL, UPDATED_AT = (?)::TIMESTAMP_NTZ
-- Only work not yet done can be discarded: finished jobs keep their outcome, claimed ones their runner.
WHERE JOB_ID = ? AND STATUS IN ('PENDING', 'FAILED')

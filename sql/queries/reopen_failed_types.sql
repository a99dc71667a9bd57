-- A manual retry re-opens the same job: failed types go back to PENDING, due now, errors reset, with
-- a deadline no earlier than the given one. (CASE, not GREATEST: fakesnow duplicates GREATEST's binds.)
-- Binds: next check, deadline floor, deadline floor, updated at, job id.
UPDATE DELAYED_ENRICHMENT_TYPE_STATUS
SET STATUS = 'PENDING', OUTCOME = NULL, ERROR_COUNT = 0, NEXT_CHECK_AT = (?)::TIMESTAMP_NTZ,
    DEADLINE_AT = CASE WHEN DEADLINE_AT IS NULL OR DEADLINE_AT < (?)::TIMESTAMP_NTZ THEN (?)::TIMESTAMP_NTZ ELSE DEADLINE_AT END,
    DETAIL = 'Retried by hand.', COMPLETED_AT = NULL, UPDATED_AT = (?)::TIMESTAMP_NTZ
WHERE JOB_ID = ? AND STATUS = 'FAILED'

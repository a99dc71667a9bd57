-- Claim with a unique token in a bound UPDATE (Snowflake has no UPDATE ... RETURNING): the runner then
-- reads back the rows that hold its token. The eligibility test is repeated here, so a job another
-- runner claimed in the meantime is not taken again. On Snowflake, UPDATEs on one table serialise on
-- its lock; whichever token is on the row at the end owns the job, and every later write is fenced
-- on that token.
UPDATE DELAYED_ENRICHMENT_QUEUE
SET STATUS = 'IN_PROGRESS',
    CLAIM_TOKEN = ?,
    CLAIMED_BY = ?,
    CLAIMED_AT = (?)::TIMESTAMP_NTZ,
    ATTEMPTS = COALESCE(ATTEMPTS, 0) + 1,
    LAST_ATTEMPT_AT = (?)::TIMESTAMP_NTZ,
    UPDATED_AT = (?)::TIMESTAMP_NTZ
WHERE JOB_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)
  AND ((STATUS = 'PENDING' AND NEXT_CHECK_AT <= (?)::TIMESTAMP_NTZ)
       OR (STATUS = 'IN_PROGRESS' AND CLAIMED_AT < (?)::TIMESTAMP_NTZ))

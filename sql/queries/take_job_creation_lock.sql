-- First statement of every job-creating transaction: waits for any other creator to commit (see
-- migration 0007). Binds: holder, now. Affects no row only if the lock row was removed by hand.
UPDATE ENRICHMENT_LOCKS
SET HOLDER = ?, TAKEN_AT = (?)::TIMESTAMP_NTZ
WHERE NAME = 'JOB_CREATION'

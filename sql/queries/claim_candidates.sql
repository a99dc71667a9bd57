-- Jobs a runner may take now: due and unclaimed, or claimed longer ago than the lease (a runner
-- that died). Oldest due first. Bounded, so a pass never scans more than it can work on.
SELECT JOB_ID
FROM DELAYED_ENRICHMENT_QUEUE
WHERE (STATUS = 'PENDING' AND NEXT_CHECK_AT <= (?)::TIMESTAMP_NTZ)
   OR (STATUS = 'IN_PROGRESS' AND CLAIMED_AT < (?)::TIMESTAMP_NTZ)
ORDER BY NEXT_CHECK_AT, JOB_ID
LIMIT ?

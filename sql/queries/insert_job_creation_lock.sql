-- Recreate the job-creation lock row if it went missing (migration 0007 creates it).
INSERT INTO ENRICHMENT_LOCKS (NAME)
SELECT 'JOB_CREATION'
WHERE NOT EXISTS (SELECT 1 FROM ENRICHMENT_LOCKS WHERE NAME = 'JOB_CREATION')

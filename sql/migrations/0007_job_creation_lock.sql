-- A row whose lock serialises job creation. Snowflake does not enforce primary keys, and INSERTs do not
-- wait for each other, so two runners discovering the same run at the same instant could each insert
-- its job. An UPDATE does wait: it holds its lock until the transaction commits, and a second UPDATE
-- of the row waits for that commit. Job creation takes this row first in its transaction, so the
-- second creator's INSERT ... WHERE NOT EXISTS runs after the first committed, and sees its job.
CREATE TABLE IF NOT EXISTS ENRICHMENT_LOCKS (
    NAME VARCHAR(50) NOT NULL,
    HOLDER VARCHAR(200),
    TAKEN_AT TIMESTAMP_NTZ,
    PRIMARY KEY (NAME)
);

INSERT INTO ENRICHMENT_LOCKS (NAME)
SELECT 'JOB_CREATION'
WHERE NOT EXISTS (SELECT 1 FROM ENRICHMENT_LOCKS WHERE NAME = 'JOB_CREATION');

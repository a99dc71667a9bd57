-- Mirror the job's state onto FlakeBench's parent row, where FlakeBench's own UI looks for it.
UPDATE TEST_RESULTS
SET DELAYED_ENRICHMENT_STATUS = ?,
    DELAYED_ENRICHMENT_ERROR = ?,
    DELAYED_ENRICHMENT_COMPLETED_AT = ?,
    AGGREGATE_ENRICHMENT_STATUS = ?
WHERE TEST_ID = ? AND RUN_ID = TEST_ID

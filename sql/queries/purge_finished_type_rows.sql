-- Housekeeping: per-type rows of finished jobs older than the retention, in a bounded batch.
DELETE FROM DELAYED_ENRICHMENT_TYPE_STATUS
WHERE JOB_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)

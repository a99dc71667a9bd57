-- Every type row of a batch of jobs. Bind: the job ids as a JSON array.
SELECT *
FROM DELAYED_ENRICHMENT_TYPE_STATUS
WHERE JOB_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)
ORDER BY JOB_ID, ENRICHMENT_TYPE

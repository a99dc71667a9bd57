-- Which of the given runs already have a job. Bind: the run ids as a JSON array.
SELECT JOB_ID
FROM DELAYED_ENRICHMENT_QUEUE
WHERE JOB_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)

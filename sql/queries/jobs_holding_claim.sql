-- Which jobs of a batch still carry our claim token (a runner whose lease ran out has lost the others).
-- Binds: the job ids as a JSON array, the token.
SELECT JOB_ID
FROM DELAYED_ENRICHMENT_QUEUE
WHERE JOB_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)
  AND CLAIM_TOKEN = ?

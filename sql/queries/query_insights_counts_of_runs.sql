-- Per run of a batch: insights stored. Bind: the run ids (JSON array).
SELECT RUN_ID, COUNT(*) AS INSIGHTS
FROM QUERY_INSIGHTS_CACHE
WHERE RUN_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)
GROUP BY RUN_ID

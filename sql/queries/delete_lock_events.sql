-- Enrichment rewrites a run's rows: first the old ones go. Bind: the run ids as a JSON array.
DELETE FROM LOCK_CONTENTION_EVENTS
WHERE RUN_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)

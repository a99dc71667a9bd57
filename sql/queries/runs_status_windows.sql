-- RUN_STATUS times of a batch of runs, for runs without measurement executions. Bind: run ids (JSON).
SELECT RUN_ID, WARMUP_END_TIME, END_TIME
FROM RUN_STATUS
WHERE RUN_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)

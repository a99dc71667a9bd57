-- Worker (child) rows of a batch of runs: their TEST_IDs make the query tags
-- flakebench:test_id=<worker>:phase=... Bind: the run ids as a JSON array.
SELECT RUN_ID, TEST_ID
FROM TEST_RESULTS
WHERE TEST_ID <> RUN_ID
  AND RUN_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)
ORDER BY RUN_ID, TEST_ID

-- Worker (child) rows of a run: their TEST_IDs make the query tags flakebench:test_id=<child>:phase=...
SELECT TEST_ID, QUERY_TAG
FROM TEST_RESULTS
WHERE RUN_ID = ? AND TEST_ID <> RUN_ID
ORDER BY TEST_ID

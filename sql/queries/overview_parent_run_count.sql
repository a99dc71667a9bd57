-- How many FlakeBench runs there are (parent rows only: TEST_ID = RUN_ID).
SELECT COUNT(*) AS RUNS FROM TEST_RESULTS WHERE TEST_ID = RUN_ID

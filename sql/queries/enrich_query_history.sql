-- QUERY_HISTORY -> partitions, spill and parameterized hash on the measurement executions of a batch
-- of runs, matched by the Snowflake query id the client captured. The view is read once for the
-- batch's time chunk (query ids are unique, so the chunk only bounds the scan). Duplicate source rows
-- (real accounts have them) are reduced to one per QUERY_ID first, so the update stays deterministic.
-- Binds: chunk start, chunk end, the run ids as a JSON array.
UPDATE QUERY_EXECUTIONS
SET SF_PARTITIONS_SCANNED = src.PARTITIONS_SCANNED,
    SF_PARTITIONS_TOTAL = src.PARTITIONS_TOTAL,
    SF_BYTES_SPILLED_LOCAL = src.BYTES_SPILLED_TO_LOCAL_STORAGE,
    SF_BYTES_SPILLED_REMOTE = src.BYTES_SPILLED_TO_REMOTE_STORAGE,
    QUERY_PARAMETERIZED_HASH = src.QUERY_PARAMETERIZED_HASH
FROM (
    SELECT QUERY_ID, PARTITIONS_SCANNED, PARTITIONS_TOTAL, BYTES_SPILLED_TO_LOCAL_STORAGE,
           BYTES_SPILLED_TO_REMOTE_STORAGE, QUERY_PARAMETERIZED_HASH
    FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
    WHERE START_TIME >= (?)::TIMESTAMP_NTZ
      AND START_TIME <= (?)::TIMESTAMP_NTZ
    QUALIFY ROW_NUMBER() OVER (PARTITION BY QUERY_ID ORDER BY END_TIME DESC, TOTAL_ELAPSED_TIME DESC) = 1
) src
WHERE QUERY_EXECUTIONS.QUERY_ID = src.QUERY_ID
  AND QUERY_EXECUTIONS.TEST_ID IN (
      SELECT TEST_ID FROM TEST_RESULTS
      WHERE TEST_ID <> RUN_ID
        AND RUN_ID IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f)
  )
  AND COALESCE(QUERY_EXECUTIONS.WARMUP, FALSE) = FALSE

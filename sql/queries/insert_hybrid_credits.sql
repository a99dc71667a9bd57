-- HYBRID_TABLE_USAGE_HISTORY is account-level: every bucket overlapping a run's window, with its
-- credits pro-rated by the share of the bucket inside the window. Buckets that straddle the window
-- edges count in part (the plan's "inside the window" test would drop them).
-- The view is read once for the batch's time chunk.
-- Binds: created at, the runs as a JSON array of {RUN_ID, FROM_TIME, TO_TIME}, chunk start, chunk end.
INSERT INTO HYBRID_TABLE_CREDITS (
    CREDIT_ID, TEST_ID, RUN_ID, SCOPE, USAGE_START_TIME, USAGE_END_TIME, BUCKET_CREDITS_USED,
    OVERLAP_FRACTION, CREDITS_PRORATED, CREATED_AT
)
SELECT
    MD5(CONCAT(b.RUN_ID, '|', TO_VARCHAR(b.S), '|', TO_VARCHAR(b.E))),
    b.RUN_ID, b.RUN_ID, 'ACCOUNT', b.S, b.E, b.CREDITS_USED,
    b.OVERLAP_SECONDS / NULLIF(TIMESTAMPDIFF(second, b.S, b.E), 0),
    b.CREDITS_USED * b.OVERLAP_SECONDS / NULLIF(TIMESTAMPDIFF(second, b.S, b.E), 0),
    b.CREATED_AT
FROM (
    SELECT
        w.RUN_ID,
        w.CREATED_AT,
        h.START_TIME::TIMESTAMP_NTZ AS S,
        h.END_TIME::TIMESTAMP_NTZ AS E,
        MAX(h.CREDITS_USED) AS CREDITS_USED,
        TIMESTAMPDIFF(second, GREATEST(h.START_TIME::TIMESTAMP_NTZ, w.WS), LEAST(h.END_TIME::TIMESTAMP_NTZ, w.WE)) AS OVERLAP_SECONDS
    FROM SNOWFLAKE.ACCOUNT_USAGE.HYBRID_TABLE_USAGE_HISTORY h
    JOIN (
        SELECT f.value:RUN_ID::VARCHAR AS RUN_ID, (?)::TIMESTAMP_NTZ AS CREATED_AT,
               f.value:FROM_TIME::TIMESTAMP_NTZ AS WS, f.value:TO_TIME::TIMESTAMP_NTZ AS WE
        FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f
    ) w ON h.START_TIME::TIMESTAMP_NTZ < w.WE AND h.END_TIME::TIMESTAMP_NTZ > w.WS
    WHERE h.END_TIME::TIMESTAMP_NTZ > (?)::TIMESTAMP_NTZ AND h.START_TIME::TIMESTAMP_NTZ < (?)::TIMESTAMP_NTZ
    GROUP BY w.RUN_ID, w.CREATED_AT, w.WS, w.WE, h.START_TIME, h.END_TIME
) b
WHERE b.OVERLAP_SECONDS > 0

-- The five per-type rows of new jobs, in one statement. Rows that already exist are left alone, so
-- creating a job twice changes nothing.
-- (INSERT ... WHERE NOT EXISTS rather than MERGE: fakesnow cannot run MERGE inside a transaction.)
-- Binds: the rows as a JSON array of objects, now.
INSERT INTO DELAYED_ENRICHMENT_TYPE_STATUS (
    JOB_ID, RUN_ID, ENRICHMENT_TYPE, STATUS, EXPECTED_AT, NEXT_CHECK_AT, DEADLINE_AT, ATTEMPTS, ERROR_COUNT,
    DETAIL, COMPLETED_AT, UPDATED_AT
)
SELECT
    s.JOB_ID, s.JOB_ID, s.ENRICHMENT_TYPE, s.STATUS, s.EXPECTED_AT, s.NEXT_CHECK_AT, s.DEADLINE_AT, 0, 0,
    s.DETAIL, IFF(s.STATUS = 'PENDING', NULL, s.NOW_UTC), s.NOW_UTC
FROM (
    SELECT
        f.value:JOB_ID::VARCHAR AS JOB_ID,
        f.value:ENRICHMENT_TYPE::VARCHAR AS ENRICHMENT_TYPE,
        f.value:STATUS::VARCHAR AS STATUS,
        f.value:EXPECTED_AT::TIMESTAMP_NTZ AS EXPECTED_AT,
        f.value:NEXT_CHECK_AT::TIMESTAMP_NTZ AS NEXT_CHECK_AT,
        f.value:DEADLINE_AT::TIMESTAMP_NTZ AS DEADLINE_AT,
        f.value:DETAIL::VARCHAR AS DETAIL,
        (?)::TIMESTAMP_NTZ AS NOW_UTC
    FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f
) s
WHERE NOT EXISTS (
    SELECT 1 FROM DELAYED_ENRICHMENT_TYPE_STATUS t WHERE t.JOB_ID = s.JOB_ID AND t.ENRICHMENT_TYPE = s.ENRICHMENT_TYPE
)

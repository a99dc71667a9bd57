-- Per enrichment type: how many are still waiting for their ACCOUNT_USAGE view, how many of those are
-- past their expected landing (being re-checked), and the next expected landing still ahead.
-- Binds: now, now (naive UTC).
SELECT
    ENRICHMENT_TYPE,
    COUNT(*) AS WAITING,
    COUNT_IF(EXPECTED_AT <= (?)::TIMESTAMP_NTZ) AS OVERDUE,
    MIN(IFF(EXPECTED_AT > (?)::TIMESTAMP_NTZ, EXPECTED_AT, NULL)) AS NEXT_EXPECTED_AT
FROM DELAYED_ENRICHMENT_TYPE_STATUS
WHERE STATUS IN ('PENDING', 'IN_PROGRESS')
GROUP BY ENRICHMENT_TYPE
ORDER BY NEXT_EXPECTED_AT NULLS LAST, ENRICHMENT_TYPE

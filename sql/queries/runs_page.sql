-- A page of runs (parent rows) matching the filters. Every filter is bound; an empty JSON list or a
-- NULL means "any". The search text is matched literally (POSITION, not LIKE, so % and _ are text).
-- Binds: search, search, table types, table types, statuses, statuses, states, states,
--        from, from, until, until, limit, offset.
SELECT tr.RUN_ID, tr.TEST_NAME, tr.TABLE_TYPE, tr.STATUS, tr.START_TIME, tr.END_TIME, tr.QPS,
       tr.P95_LATENCY_MS, tr.ENRICHMENT_STATUS, COALESCE(q.STATUS, 'NO_JOB') AS DELAYED_STATE,
       tr.DELAYED_ENRICHMENT_STATUS, q.NEXT_CHECK_AT,
       COUNT(*) OVER () AS TOTAL_MATCHES
FROM TEST_RESULTS tr
LEFT JOIN DELAYED_ENRICHMENT_QUEUE q ON q.JOB_ID = tr.RUN_ID
WHERE tr.TEST_ID = tr.RUN_ID
  AND ((?)::VARCHAR IS NULL OR POSITION(UPPER((?)::VARCHAR) IN UPPER(COALESCE(tr.TEST_NAME, '') || ' ' || tr.RUN_ID)) > 0)
  AND ((?)::VARCHAR = '[]' OR tr.TABLE_TYPE IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f))
  AND ((?)::VARCHAR = '[]' OR tr.STATUS IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f))
  AND ((?)::VARCHAR = '[]' OR COALESCE(q.STATUS, 'NO_JOB') IN (SELECT f.value::VARCHAR FROM TABLE(FLATTEN(input => PARSE_JSON(?))) f))
  AND ((?)::TIMESTAMP_NTZ IS NULL OR COALESCE(tr.END_TIME, tr.START_TIME) >= (?)::TIMESTAMP_NTZ)
  AND ((?)::TIMESTAMP_NTZ IS NULL OR COALESCE(tr.END_TIME, tr.START_TIME) < (?)::TIMESTAMP_NTZ)
ORDER BY COALESCE(tr.END_TIME, tr.START_TIME) DESC NULLS LAST, tr.RUN_ID
LIMIT ? OFFSET ?

-- Can the connected role read the view at all?
SELECT COUNT(*) AS N FROM (SELECT 1 FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY LIMIT 1) x

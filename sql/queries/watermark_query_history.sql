-- The latest END_TIME the view has landed, looking back a bounded period (cheap on a real account).
SELECT MAX(END_TIME)::TIMESTAMP_NTZ AS WATERMARK
FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
WHERE END_TIME >= (?)::TIMESTAMP_NTZ

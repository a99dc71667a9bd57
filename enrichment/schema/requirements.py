"""The FlakeBench columns the product reads. On a real account these tables belong to FlakeBench;
the product checks for them rather than creating them, and names whatever is missing."""

FLAKEBENCH_COLUMNS_READ: dict[str, tuple[str, ...]] = {
    "TEST_RESULTS": (
        "TEST_ID", "RUN_ID", "TEST_NAME", "SCENARIO_NAME", "TABLE_NAME", "TABLE_TYPE", "WAREHOUSE",
        "WAREHOUSE_SIZE", "STATUS", "START_TIME", "END_TIME", "DURATION_SECONDS", "CONCURRENT_CONNECTIONS",
        "TOTAL_OPERATIONS", "FAILED_OPERATIONS", "QPS", "P50_LATENCY_MS", "P95_LATENCY_MS", "P99_LATENCY_MS",
        "ERROR_COUNT", "TEST_CONFIG", "QUERY_TAG", "ENRICHMENT_STATUS", "FAILURE_REASON",
    ),
    "QUERY_EXECUTIONS": (
        "EXECUTION_ID", "TEST_ID", "QUERY_ID", "QUERY_TEXT", "START_TIME", "END_TIME", "SUCCESS",
        "QUERY_KIND", "WARMUP", "APP_ELAPSED_MS", "SF_TOTAL_ELAPSED_MS", "SF_EXECUTION_MS",
        "SF_PARTITIONS_SCANNED", "SF_PARTITIONS_TOTAL", "SF_BYTES_SPILLED_LOCAL", "SF_BYTES_SPILLED_REMOTE",
    ),
    "RUN_STATUS": ("RUN_ID", "STATUS", "WARMUP_END_TIME", "END_TIME"),
}

# Tables the product creates and owns (checked by `enrichment.run check`).
PRODUCT_TABLES: tuple[str, ...] = (
    "DELAYED_ENRICHMENT_QUEUE",
    "DELAYED_ENRICHMENT_TYPE_STATUS",
    "AGGREGATE_QUERY_INTERVALS",
    "AGGREGATE_QUERY_METRICS",
    "LOCK_CONTENTION_EVENTS",
    "HYBRID_TABLE_CREDITS",
    "QUERY_INSIGHTS_CACHE",
    "ENRICHMENT_LOCKS",
    "ENRICHMENT_SCHEMA_MIGRATIONS",
)

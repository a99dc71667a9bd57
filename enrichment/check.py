"""`python -m enrichment.run check`: can the connected store be used? For each of the five views:
readable or not, the columns the store reports, and which columns the product reads are missing;
plus the product's own tables and FlakeBench's. This is the plan's startup permission probe, made
useful: it names what is wrong instead of degrading silently."""

from __future__ import annotations

from enrichment.schema.migrate import missing_flakebench_columns
from enrichment.schema.requirements import PRODUCT_TABLES
from enrichment.simulation.documented_columns import DOCUMENTED_COLUMNS
from enrichment.store.port import Store
from enrichment.types import GRANT_NEEDED, VIEW_OF

# The columns the product's SQL reads from each view.
COLUMNS_READ = {
    "QUERY_HISTORY": ("QUERY_ID", "START_TIME", "END_TIME", "TOTAL_ELAPSED_TIME", "PARTITIONS_SCANNED",
                      "PARTITIONS_TOTAL", "BYTES_SPILLED_TO_LOCAL_STORAGE", "BYTES_SPILLED_TO_REMOTE_STORAGE",
                      "QUERY_PARAMETERIZED_HASH", "TRANSACTION_BLOCKED_TIME"),
    "AGGREGATE_QUERY_HISTORY": ("CALLS", "INTERVAL_START_TIME", "INTERVAL_END_TIME", "QUERY_PARAMETERIZED_HASH",
                                "QUERY_TEXT", "SESSION_ID", "USER_NAME", "WAREHOUSE_NAME", "QUERY_TAG", "ERRORS",
                                "TOTAL_ELAPSED_TIME", "EXECUTION_TIME", "COMPILATION_TIME", "QUEUED_OVERLOAD_TIME",
                                "QUEUED_PROVISIONING_TIME", "TRANSACTION_BLOCKED_TIME",
                                "HYBRID_TABLE_REQUESTS_THROTTLED_COUNT"),
    "LOCK_WAIT_HISTORY": ("OBJECT_ID", "LOCK_TYPE", "OBJECT_NAME", "SCHEMA_NAME", "DATABASE_NAME", "QUERY_ID",
                          "TRANSACTION_ID", "REQUESTED_AT", "ACQUIRED_AT", "BLOCKER_QUERIES"),
    "HYBRID_TABLE_USAGE_HISTORY": ("START_TIME", "END_TIME", "CREDITS_USED"),
    "QUERY_INSIGHTS": ("START_TIME", "END_TIME", "TOTAL_ELAPSED_TIME", "QUERY_ID", "QUERY_PARAMETERIZED_HASH",
                       "INSIGHT_INSTANCE_ID", "INSIGHT_TYPE_ID", "MESSAGE", "SUGGESTIONS", "IS_OPPORTUNITY",
                       "INSIGHT_TOPIC"),
}
GRANT_FOR_VIEW = {view: GRANT_NEEDED[t] for t, view in VIEW_OF.items()}


def check(store: Store) -> dict:
    report = {"store": store.kind, "views": {}, "product_tables": {}, "flakebench_missing": {}, "ok": True}
    with store.unit() as db:
        for view in DOCUMENTED_COLUMNS:
            entry = {"readable": False, "columns": [], "missing_read_columns": [],
                     "documented_columns_missing": [], "error": None}
            try:
                db.scalar(f"probe_{view.lower()}")
                entry["readable"] = True
                entry["columns"] = [r["COLUMN_NAME"] for r in db.rows("view_columns", [view])]
            except Exception as exc:  # the probe's failure is the finding
                entry["error"] = (f"{' '.join(str(exc).split())[:300]} — grant {GRANT_FOR_VIEW[view]}")
            present = set(entry["columns"])
            if entry["readable"] and present:
                entry["missing_read_columns"] = [c for c in COLUMNS_READ[view] if c not in present]
                entry["documented_columns_missing"] = [c for c, _ in DOCUMENTED_COLUMNS[view] if c not in present]
            if not entry["readable"] or entry["missing_read_columns"]:
                report["ok"] = False
            report["views"][view] = entry
        tables = {r["TABLE_NAME"].upper() for r in db.rows("product_tables_present")}
        report["product_tables"] = {t: t in tables for t in PRODUCT_TABLES}
        report["flakebench_missing"] = missing_flakebench_columns(db)
    if not all(report["product_tables"].values()) or report["flakebench_missing"]:
        report["ok"] = False
    return report

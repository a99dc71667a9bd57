"""FlakeBench delayed enrichment: the dashboard's entry point (navigation, sidebar, store)."""

import streamlit as st

from app.background_runner import ensure_background_runner
from app.store import get_settings, get_store

st.set_page_config(page_title="FlakeBench delayed enrichment", page_icon=":material/ac_unit:", layout="wide")

page = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/runs.py", title="Runs", icon=":material/list:"),
        st.Page("pages/run_detail.py", title="Run detail", icon=":material/query_stats:"),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
        st.Page("pages/queue_health.py", title="Queue health", icon=":material/monitor_heart:"),
        st.Page("pages/admin.py", title="Admin", icon=":material/admin_panel_settings:"),
    ]
)

settings = get_settings()
with st.sidebar:
    if settings.embedded:
        st.badge("Demo data", icon=":material/science:", color="orange")
        st.caption("Embedded store (DuckDB via fakesnow) with a simulated ACCOUNT_USAGE; nothing here is a real run.")
    else:
        st.badge("Snowflake", icon=":material/ac_unit:", color="blue")
        st.caption(f"Reading {settings.database}.{settings.schema} on your Snowflake account.")

store = get_store()
ensure_background_runner(store, settings)
page.run()

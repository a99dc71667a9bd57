"""Streamlit helpers for the dashboard. The engine (`enrichment/`) never imports from here."""

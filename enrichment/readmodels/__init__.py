"""Read models: what each dashboard page shows, as plain data computed from a `Db` (no Streamlit)."""

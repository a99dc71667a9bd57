"""Run detail page (placeholder until the dashboard issue lands)."""

import streamlit as st

st.title("Run detail")
st.info("Coming in the dashboard issue.", icon=":material/construction:")

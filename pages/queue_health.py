"""Queue health page (placeholder until the dashboard issue lands)."""

import streamlit as st

st.title("Queue health")
st.info("Coming in the dashboard issue.", icon=":material/construction:")

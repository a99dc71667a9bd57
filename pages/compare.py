"""Compare page (placeholder until the dashboard issue lands)."""

import streamlit as st

st.title("Compare")
st.info("Coming in the dashboard issue.", icon=":material/construction:")

"""Runs page (placeholder until the dashboard issue lands)."""

import streamlit as st

st.title("Runs")
st.info("Coming in the dashboard issue.", icon=":material/construction:")

"""Tables a person can sort and export, and pagination for the bounded list pages."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from app.format import MISSING, _number
from enrichment.readmodels.filters import Page

PAGE_SIZES = (25, 50, 100)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def table(
    frame: pd.DataFrame | Any,
    *,
    key: str,
    file_name: str,
    export: pd.DataFrame | None = None,
    column_config: dict | None = None,
    height: int | str = "auto",
    label: str = "Download CSV",
    **dataframe_kwargs: Any,
):
    """A sortable table and, under it, a CSV download of `export` (raw figures; defaults to the frame).

    `frame` may be a pandas Styler (badge colours); the CSV always holds plain values.
    """
    shown = st.dataframe(frame, hide_index=True, width="stretch", height=height, column_config=column_config,
                         key=key, **dataframe_kwargs)
    data = export if export is not None else (frame.data if hasattr(frame, "data") else frame)
    st.download_button(label, csv_bytes(data), file_name=file_name, mime="text/csv", key=f"{key}_csv",
                       icon=":material/download:", on_click="ignore")  # a download needs no rerun
    return shown


def reset_page_when_changed(key: str, signature: Any) -> None:
    """Back to page 1 when the filters (their `signature`) change."""
    marker = f"_{key}_signature"
    if st.session_state.get(marker) != signature:
        st.session_state[marker] = signature
        if st.session_state.get(f"{key}_page", 1) != 1:
            st.session_state[f"{key}_page"] = 1


def current_page(key: str, size: int) -> Page:
    return Page(int(st.session_state.get(f"{key}_page") or 1), size)


def clamp_page(key: str, page: Page, total: int) -> Page | None:
    """The last page when `page` is past the end (rows were removed meanwhile); None when it fits."""
    pages = page.last_number(total)
    if page.number > pages:
        st.session_state[f"{key}_page"] = pages
        return Page(pages, page.size)
    return None


def pager(key: str, page: Page, total: int, noun: str = "matches") -> None:
    """'N matches, showing a–b' and the page buttons (after the table, where the eye ends)."""
    pages = page.last_number(total)
    first = page.offset + 1 if total else 0
    last = min(page.offset + page.size, total)
    left, middle, right = st.columns([3, 4, 2], vertical_alignment="center")
    left.caption(f"**{total:,}** {noun} · showing {first:,}–{last:,} · page {page.number} of {pages}")
    with middle:
        st.pagination(pages, key=f"{key}_page", max_visible_pages=7)
    right.selectbox("Rows per page", PAGE_SIZES, index=PAGE_SIZES.index(50), key=f"{key}_size",
                    label_visibility="collapsed", format_func=lambda n: f"{n} rows per page", persist_state="session")


def format_bytes(value: Any) -> str:
    number = _number(value)
    if number is None or number < 0:
        return MISSING
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if number < 1024 or unit == "TB":
            return f"{number:.0f} {unit}" if unit == "B" else f"{number:.1f} {unit}"
        number /= 1024
    return MISSING  # unreachable


def short(text: Any, length: int = 16) -> str:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return MISSING
    text = str(text)
    return text if len(text) <= length else text[:length]

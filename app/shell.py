"""Make sure a page runs inside the app's shell (streamlit_app.py), even on a deep link.

Streamlit keeps the old `pages/` folder behaviour until the first `st.navigation` call in the
process: when the very first request after a server start is a deep link (say a shared
`/run_detail?run=...`), Streamlit runs that page file on its own, without the entry script, so
there is no page config, no navigation and no sidebar. A page calls `ensure_shell()` first; in
that case it switches the process to `st.navigation` and reruns, and the entry script then runs
the same page properly. (Renaming the `pages/` folder would remove the cause.)

Streamlit's AppTest resets that switch before every run, so under AppTest every run would rerun and
lose its button clicks; there pages keep running as they always have.
"""

from __future__ import annotations

import streamlit as st


def ensure_shell() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without it has no such fallback either
        return
    from streamlit import config

    if PagesManager.uses_pages_directory and not config.get_option("global.appTest"):
        PagesManager.uses_pages_directory = False
        st.rerun()

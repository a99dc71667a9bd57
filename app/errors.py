"""How the dashboard shows errors: one sentence on the page, the traceback only in the server log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import streamlit as st

from enrichment.errors import UserFacingError

log = logging.getLogger("flakebench.app")

GENERIC = "Something went wrong while {action}; the details are in the server log. Reload the page to try again."


def stop_with_user_error(error: UserFacingError) -> NoReturn:
    st.error(str(error), icon=":material/warning:")
    st.stop()


def stop_with_unexpected_error(action: str) -> NoReturn:
    log.exception("Unexpected error while %s", action)  # call from inside an `except` block
    st.error(GENERIC.format(action=action), icon=":material/error:")
    st.stop()


@contextmanager
def guarded(action: str) -> Iterator[None]:
    """Turn any error inside the block into a one-sentence error and stop the script.

    st.stop() and reruns raise BaseException subclasses, so they pass through untouched.
    """
    try:
        yield
    except UserFacingError as error:
        stop_with_user_error(error)
    except Exception:
        stop_with_unexpected_error(action)

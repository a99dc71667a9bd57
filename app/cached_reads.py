"""Drop every page's cached reads after an action that changed the store, so the next page shows it."""

from app import queue_data, run_data


def forget_all() -> None:
    run_data.forget()
    queue_data.forget()

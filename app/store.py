"""The dashboard's store: opened, migrated and (on the embedded demo) seeded once per process."""

from __future__ import annotations

import logging

import streamlit as st

from app.errors import guarded
from enrichment.config import Settings, load_settings
from enrichment.errors import UserFacingError
from enrichment.readmodels.overview import count_parent_runs
from enrichment.schema import migrate
from enrichment.store import Store, open_store

log = logging.getLogger("flakebench.app")


def get_settings() -> Settings:
    with guarded("reading the settings"):
        return load_settings()


def store_key() -> str:
    """Which store cached reads came from (a cache is per process; tests open several stores)."""
    settings = get_settings()
    return f"{settings.backend}:{settings.home}:{settings.database}.{settings.schema}"


def forget_cached_reads() -> None:
    """After an action that changed the store: drop every page's cached reads (app/run_data.py,
    app/queue_data.py), so the next page shows the change instead of waiting out their few seconds."""
    st.cache_data.clear()


# Keyed by the settings, so a different ENRICHMENT_HOME (each test) gets its own store.
@st.cache_resource(show_spinner="Opening the store; the first start also builds the demo world…")
def _open(settings: Settings) -> Store:
    if settings.embedded:
        store = open_store(settings)
    else:
        store = open_store(settings, session=st.connection("snowflake").session())
    migrate(store)
    if store.kind == "embedded":
        with store.unit() as db:
            empty = count_parent_runs(db) == 0
        if empty:
            _seed(store, settings)
    return store


def _seed(store: Store, settings: Settings) -> None:
    from enrichment.simulation.seed import seed_demo  # only the embedded demo needs it

    log.info("Seeding the demo world in %s", settings.home)
    try:
        summary = seed_demo(store)
    except UserFacingError:
        with store.unit() as db:
            if count_parent_runs(db) == 0:
                raise
        return  # another process (a runner, a second app) seeded it first: use that world
    log.info("Seeded %s runs in %s s", summary.get("runs"), summary.get("seconds"))


def get_store() -> Store:
    settings = get_settings()
    with guarded("opening the store"):
        return _open(settings)

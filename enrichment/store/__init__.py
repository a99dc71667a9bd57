"""Data access: one port (`Store`), two adapters (embedded and Snowflake)."""

from __future__ import annotations

from typing import Any

from enrichment.config import Settings
from enrichment.store.port import Db, Store


def open_store(settings: Settings, session: Any | None = None) -> Store:
    """The store the settings name. A Snowpark session may be handed in (the app, a stored procedure)."""
    if settings.embedded and session is None:
        from enrichment.store.embedded import EmbeddedStore

        return EmbeddedStore(settings.home, settings.database, settings.schema, settings.lock_timeout_seconds)
    from enrichment.store.snowflake import SnowflakeStore, session_from_connection_name

    if session is None:
        session = session_from_connection_name(settings.connection_name)
    return SnowflakeStore(session, settings.database, settings.schema)


__all__ = ["Db", "Store", "open_store"]

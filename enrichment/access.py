"""Who may act. Viewing is open to whoever can open the app; running jobs, backfill, retry, discard
and housekeeping are for admins, and the check lives here, in the engine call, not only in the UI.

Embedded: the local user is admin unless ENRICHMENT_LOCAL_ADMIN=0. Snowflake: the session's current
role, or any role available to the session, must be in ENRICHMENT_ADMIN_ROLES.
"""

from __future__ import annotations

import json

from enrichment.config import Settings
from enrichment.errors import NotAuthorized
from enrichment.store.port import Store


def session_roles(store: Store) -> set[str]:
    with store.unit() as db:
        row = db.one("session_roles") or {}
    roles = {str(row.get("ROLE_NAME") or "").upper()}
    available = row.get("AVAILABLE_ROLES")
    if available:
        try:
            roles |= {str(r).upper() for r in json.loads(available)}
        except (TypeError, ValueError):
            pass
    return {r for r in roles if r}


def is_admin(store: Store, settings: Settings) -> bool:
    if store.kind == "embedded":
        return settings.local_user_is_admin
    return bool(session_roles(store) & set(settings.admin_roles))


def require_admin(store: Store, settings: Settings, action: str) -> None:
    if not is_admin(store, settings):
        if store.kind == "embedded":
            hint = "unset ENRICHMENT_LOCAL_ADMIN=0 to act as the local admin"
        else:
            hint = f"use a role listed in ENRICHMENT_ADMIN_ROLES ({', '.join(settings.admin_roles)})"
        raise NotAuthorized(f"Only admins may {action}; {hint}.")

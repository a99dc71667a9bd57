"""Settings, read once from the environment.

Every setting has a default that makes the embedded demo work with no configuration at all.
Identifiers that end up in SQL (database, schema) are validated here, so nothing downstream
ever has to quote user text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from enrichment.errors import UserFacingError

# Unquoted Snowflake identifiers: letter or underscore first, then letters, digits, _ or $.
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,254}$")

DEFAULT_DEMO_LATENCY_SCALE = 0.02


def validate_identifier(value: str, what: str) -> str:
    """Return the identifier upper-cased, or raise a UserFacingError saying what is wrong."""
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise UserFacingError(
            f"The {what} {value!r} is not a plain Snowflake identifier (letters, digits, _ and $, "
            f"starting with a letter or _); set it to a name like FLAKEBENCH."
        )
    return value.upper()


def settings_file_values(path: Path | None = None) -> dict[str, str]:
    """Settings from a TOML file (`enrichment.toml` beside the app, or ENRICHMENT_SETTINGS_FILE).

    Streamlit in Snowflake offers no environment variables, so the deploy ships this file instead;
    keys are the environment variables' names. Environment variables win over the file.
    """
    import tomllib

    path = path or Path(os.environ.get("ENRICHMENT_SETTINGS_FILE", Path(__file__).resolve().parents[1] / "enrichment.toml"))
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UserFacingError(f"The settings file {str(path)!r} is not valid TOML ({exc}); fix or remove it.") from None
    return {str(k): str(v) for k, v in data.items() if str(k).startswith("ENRICHMENT_")}


def _env() -> dict[str, str]:
    return {**settings_file_values(), **{k: v for k, v in os.environ.items() if k.startswith("ENRICHMENT_")}}


def _float(env: dict[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise UserFacingError(f"{name}={raw!r} is not a number; set it to a number between {low} and {high}.")
    if not (low <= value <= high):
        raise UserFacingError(f"{name}={raw!r} is out of range; set it to a number between {low} and {high}.")
    return value


def _csv(env: dict[str, str], name: str, default: str) -> tuple[str, ...]:
    raw = env.get(name, default)
    return tuple(part.strip().upper() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    backend: str = "embedded"  # "embedded" or "snowflake"
    home: Path = Path(".enrichment")
    database: str = "FLAKEBENCH"
    schema: str = "TEST_RESULTS"
    connection_name: str | None = None  # a named connection in ~/.snowflake/connections.toml
    latency_scale: float = DEFAULT_DEMO_LATENCY_SCALE
    lease_seconds: float = 600.0
    max_attempts: int = 3
    completeness_threshold: float = 0.99
    # How long past the documented latency an incomplete read may keep waiting before it completes
    # with the coverage it has.
    completeness_grace_hours: float = 6.0
    enrich_failed_runs: bool = False
    admin_roles: tuple[str, ...] = field(default_factory=lambda: ("ACCOUNTADMIN", "FLAKEBENCH_ENRICHMENT_ADMIN"))
    local_user_is_admin: bool = True
    app_runner_interval: float = 15.0  # seconds between passes of the app's built-in runner; 0 disables it
    lock_timeout_seconds: float = 60.0
    # Jobs claimed and enriched together: each view is read once per batch and time chunk, so a
    # bigger batch means fewer ACCOUNT_USAGE scans (1 = one run at a time, the slow baseline).
    batch_size: int = 100
    # The longest stretch of time one read of a view may cover; runs further apart are read apart.
    chunk_hours: float = 24.0

    @property
    def embedded(self) -> bool:
        return self.backend == "embedded"


def load_settings() -> Settings:
    env = _env()
    backend = env.get("ENRICHMENT_BACKEND", "embedded").strip().lower()
    if backend not in ("embedded", "snowflake"):
        raise UserFacingError(
            f"ENRICHMENT_BACKEND={backend!r} is not known; set it to 'embedded' (the default) or 'snowflake'."
        )
    attempts_raw = env.get("ENRICHMENT_MAX_ATTEMPTS", "3")
    if not attempts_raw.isdigit() or not (1 <= int(attempts_raw) <= 20):
        raise UserFacingError(f"ENRICHMENT_MAX_ATTEMPTS={attempts_raw!r} must be a whole number from 1 to 20.")
    return Settings(
        backend=backend,
        home=Path(env.get("ENRICHMENT_HOME", ".enrichment")),
        database=validate_identifier(env.get("ENRICHMENT_DATABASE", "FLAKEBENCH"), "database"),
        schema=validate_identifier(env.get("ENRICHMENT_SCHEMA", "TEST_RESULTS"), "schema"),
        connection_name=env.get("ENRICHMENT_CONNECTION") or None,
        latency_scale=_float(env, "ENRICHMENT_LATENCY_SCALE", DEFAULT_DEMO_LATENCY_SCALE, 0.0001, 10.0),
        lease_seconds=_float(env, "ENRICHMENT_LEASE_SECONDS", 600.0, 1.0, 86400.0),
        max_attempts=int(attempts_raw),
        completeness_threshold=_float(env, "ENRICHMENT_COMPLETENESS_THRESHOLD", 0.99, 0.0, 1.0),
        completeness_grace_hours=_float(env, "ENRICHMENT_COMPLETENESS_GRACE_HOURS", 6.0, 0.0, 24.0 * 30),
        enrich_failed_runs=env.get("ENRICHMENT_ENRICH_FAILED_RUNS", "0").lower() in ("1", "true", "yes"),
        admin_roles=_csv(env, "ENRICHMENT_ADMIN_ROLES", "ACCOUNTADMIN,FLAKEBENCH_ENRICHMENT_ADMIN"),
        local_user_is_admin=env.get("ENRICHMENT_LOCAL_ADMIN", "1").lower() in ("1", "true", "yes"),
        app_runner_interval=_float(env, "ENRICHMENT_APP_RUNNER_INTERVAL", 15.0, 0.0, 86400.0),
        lock_timeout_seconds=_float(env, "ENRICHMENT_LOCK_TIMEOUT_SECONDS", 60.0, 1.0, 3600.0),
        batch_size=int(_float(env, "ENRICHMENT_BATCH_SIZE", 100, 1, 1000)),
        chunk_hours=_float(env, "ENRICHMENT_CHUNK_HOURS", 24.0, 0.1, 24.0 * 31),
    )

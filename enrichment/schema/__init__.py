"""The product's schema: versioned migrations in sql/migrations, and what it needs from FlakeBench."""

from enrichment.schema.migrate import SCHEMA_VERSION, migrate

__all__ = ["SCHEMA_VERSION", "migrate"]

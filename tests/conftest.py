"""Shared fixtures: every test gets its own embedded store in a temporary ENRICHMENT_HOME."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from enrichment.schema import migrate  # noqa: E402
from enrichment.store.embedded import EmbeddedStore  # noqa: E402


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "enrichment-home"
    monkeypatch.setenv("ENRICHMENT_HOME", str(path))
    return path


@pytest.fixture
def store(home) -> EmbeddedStore:
    """A migrated, empty embedded store."""
    s = EmbeddedStore(home, "FLAKEBENCH", "TEST_RESULTS")
    migrate(s)
    return s

from __future__ import annotations

import pytest

from enrichment.config import load_settings, validate_identifier
from enrichment.errors import UserFacingError


def test_defaults_are_the_embedded_demo(monkeypatch):
    for name in ("ENRICHMENT_BACKEND", "ENRICHMENT_SETTINGS_FILE", "ENRICHMENT_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENRICHMENT_SETTINGS_FILE", "/nonexistent/enrichment.toml")
    settings = load_settings()
    assert settings.embedded and settings.database == "FLAKEBENCH" and settings.schema == "TEST_RESULTS"


def test_settings_file_is_read_and_environment_wins(tmp_path, monkeypatch):
    path = tmp_path / "enrichment.toml"
    path.write_text('ENRICHMENT_BACKEND = "snowflake"\nENRICHMENT_SCHEMA = "results"\nOTHER = "ignored"\n')
    monkeypatch.setenv("ENRICHMENT_SETTINGS_FILE", str(path))
    monkeypatch.delenv("ENRICHMENT_BACKEND", raising=False)
    monkeypatch.setenv("ENRICHMENT_SCHEMA", "FROM_ENV")
    settings = load_settings()
    assert settings.backend == "snowflake" and settings.schema == "FROM_ENV"


def test_broken_settings_file_is_one_sentence(tmp_path, monkeypatch):
    path = tmp_path / "enrichment.toml"
    path.write_text("ENRICHMENT_BACKEND = = nope")
    monkeypatch.setenv("ENRICHMENT_SETTINGS_FILE", str(path))
    with pytest.raises(UserFacingError, match="not valid TOML"):
        load_settings()


@pytest.mark.parametrize("bad", ["", "1ABC", "A.B", 'X"; DROP', "A B", "x" * 300])
def test_identifiers_from_configuration_are_validated(bad):
    with pytest.raises(UserFacingError):
        validate_identifier(bad, "schema")


@pytest.mark.parametrize("name,value", [("ENRICHMENT_LATENCY_SCALE", "fast"), ("ENRICHMENT_LATENCY_SCALE", "-1"),
                                        ("ENRICHMENT_MAX_ATTEMPTS", "0"), ("ENRICHMENT_BACKEND", "oracle")])
def test_bad_numbers_and_names_are_one_sentence(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(UserFacingError):
        load_settings()

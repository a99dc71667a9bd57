"""The Snowpark adapter's session preparation, against a stand-in session (no account is reachable)."""

from __future__ import annotations

import pytest

from enrichment.errors import UserFacingError
from enrichment.store.snowflake import prepare_session


class Result:
    def __init__(self, rows):
        self.rows = rows

    def collect(self):
        return self.rows


class StandInSession:
    """Answers like Snowpark; `owners_rights` refuses ALTER SESSION and USE as Snowflake does there."""

    def __init__(self, owners_rights=False, timezone="America/Los_Angeles", where=("FLAKEBENCH", "TEST_RESULTS")):
        self.owners_rights, self.timezone, self.where, self.seen = owners_rights, timezone, list(where), []

    def sql(self, text, params=None):
        self.seen.append(text)
        upper = text.upper()
        if upper.startswith(("ALTER SESSION", "USE ")) and self.owners_rights:
            raise RuntimeError("Unsupported statement type 'USE' / ALTER SESSION in owner's rights")
        if upper.startswith("ALTER SESSION SET TIMEZONE"):
            self.timezone = "UTC"
        if upper.startswith("USE SCHEMA"):
            self.where = text.split()[-1].split(".")
        if upper.startswith("SHOW PARAMETERS"):
            return Result([("TIMEZONE", self.timezone, "America/Los_Angeles", "SESSION")])
        if upper == "SELECT CURRENT_DATABASE()":
            return Result([(self.where[0],)])
        if upper == "SELECT CURRENT_SCHEMA()":
            return Result([(self.where[1],)])
        return Result([])


def test_a_normal_session_is_set_to_utc_tagged_and_placed():
    session = StandInSession(where=("OTHER", "PUBLIC"))
    prepare_session(session, "FLAKEBENCH", "TEST_RESULTS")
    assert "ALTER SESSION SET QUERY_TAG = 'flakebench-enrichment'" in session.seen
    assert session.timezone == "UTC" and session.where == ["FLAKEBENCH", "TEST_RESULTS"]


def test_owners_rights_with_a_utc_user_in_the_right_schema_is_accepted():
    prepare_session(StandInSession(owners_rights=True, timezone="UTC"), "FLAKEBENCH", "TEST_RESULTS")


def test_owners_rights_in_another_time_zone_is_one_sentence():
    with pytest.raises(UserFacingError, match="TIMEZONE = 'UTC'"):
        prepare_session(StandInSession(owners_rights=True), "FLAKEBENCH", "TEST_RESULTS")


def test_owners_rights_in_another_schema_is_one_sentence():
    with pytest.raises(UserFacingError, match="not FLAKEBENCH.TEST_RESULTS"):
        prepare_session(StandInSession(owners_rights=True, timezone="UTC", where=("X", "Y")), "FLAKEBENCH", "TEST_RESULTS")

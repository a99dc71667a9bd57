"""The headless runner as a user runs it: real subprocesses, exit codes, one-sentence errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from enrichment.simulation.documented_columns import DOCUMENTED_COLUMNS

ROOT = Path(__file__).resolve().parents[1]


def run_cli(home: Path, *args: str, timeout: int = 180, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "ENRICHMENT_HOME": str(home), **env}
    return subprocess.run([sys.executable, "-m", "enrichment.run", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=timeout)


def assert_one_sentence(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip() and " INFO " not in line]
    assert len(lines) == 1, result.stderr


def test_check_lists_all_five_views_with_their_documented_columns(tmp_path):
    result = run_cli(tmp_path / "home", "check", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    for view, documented in DOCUMENTED_COLUMNS.items():
        entry = report["views"][view]
        assert entry["readable"] and entry["missing_read_columns"] == []
        assert entry["columns"] == [name for name, _ in documented]
    assert all(report["product_tables"].values())


def test_check_names_the_grant_when_a_view_cannot_be_read(store, home):
    with store.unit() as db:
        db.execute("DROP VIEW SNOWFLAKE.ACCOUNT_USAGE.LOCK_WAIT_HISTORY")
    result = run_cli(home, "check", "--json")
    assert result.returncode == 2
    entry = json.loads(result.stdout)["views"]["LOCK_WAIT_HISTORY"]
    assert entry["readable"] is False and "GOVERNANCE_VIEWER" in entry["error"]


def test_status_json_and_an_empty_pass(tmp_path):
    home = tmp_path / "home"
    assert run_cli(home, "--quiet").returncode == 0
    result = run_cli(home, "status", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["worst"] == "OK"


@pytest.mark.parametrize("args", [
    ("backfill", "--since", "2026-11-20", "--until", "2026-11-01"),   # reversed
    ("backfill", "--since", "2099-01-01"),                            # future
    ("backfill", "--since", "yesterday'; DROP TABLE TEST_RESULTS;--"),  # not a date
    ("retry", "no-such-job"),
    ("retry",),
    ("not-a-command",),
])
def test_bad_input_is_one_sentence_and_exit_2(tmp_path, args):
    result = run_cli(tmp_path / "home", *args)
    assert result.returncode == 2
    assert_one_sentence(result)


def test_unwritable_home_exits_2_with_one_sentence(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = run_cli(blocker / "home", "--quiet")
    assert result.returncode == 2
    assert_one_sentence(result)
    assert "ENRICHMENT_HOME" in result.stderr


def test_bad_identifier_in_configuration_is_refused(tmp_path):
    result = run_cli(tmp_path / "home", "status", ENRICHMENT_SCHEMA="TEST_RESULTS; DROP TABLE X")
    assert result.returncode == 2
    assert_one_sentence(result)


def test_a_connection_name_that_does_not_exist_is_one_sentence(tmp_path):
    (tmp_path / "empty-home").mkdir()
    result = run_cli(tmp_path / "home", "status", ENRICHMENT_BACKEND="snowflake", ENRICHMENT_CONNECTION="nope",
                     HOME=str(tmp_path / "empty-home"))
    assert result.returncode == 2
    assert "'nope' was not found" in result.stderr and "Traceback" not in result.stderr

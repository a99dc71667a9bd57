"""Several processes on one embedded store: two runners and a reader at once, three runners and the app
on a backlog of 500 due jobs, and a runner killed with SIGKILL mid-batch. Nothing is lost or doubled:
the result equals one uninterrupted runner's."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from enrichment.clock import utcnow
from enrichment.config import Settings
from enrichment.runner import run_pass
from enrichment.schema import migrate
from enrichment.simulation.seed import seed_demo
from enrichment.store.embedded import EmbeddedStore
from tests.engine_helpers import table_snapshots

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
RESULT_TABLES = ["AGGREGATE_QUERY_INTERVALS", "AGGREGATE_QUERY_METRICS", "LOCK_CONTENTION_EVENTS",
                 "HYBRID_TABLE_CREDITS", "QUERY_INSIGHTS_CACHE"]
RUNS, SEED = 30, 5
# One fixed world time for every store in this module, so their worlds are identical.
WORLD_NOW = (utcnow() - dt.timedelta(days=1)).replace(microsecond=0)


def seeded_store(home: Path) -> EmbeddedStore:
    store = EmbeddedStore(home, "FLAKEBENCH", "TEST_RESULTS")
    migrate(store)
    # Every run ended at least a day ago, so every applicable type is due on the first pass.
    seed_demo(store, runs=RUNS, seed=SEED, latency_scale=0.02, now=WORLD_NOW)
    return store


def outcome(store: EmbeddedStore) -> dict:
    with store.unit() as db:
        run_ids = [r["RUN_ID"] for r in db.rows("SELECT RUN_ID FROM DELAYED_ENRICHMENT_QUEUE ORDER BY RUN_ID")]
        types = db.rows("SELECT RUN_ID, ENRICHMENT_TYPE, STATUS, OUTCOME, ROWS_WRITTEN FROM DELAYED_ENRICHMENT_TYPE_STATUS "
                        "ORDER BY RUN_ID, ENRICHMENT_TYPE")
        enriched_qe = db.rows("SELECT QUERY_ID, SF_PARTITIONS_SCANNED, QUERY_PARAMETERIZED_HASH FROM QUERY_EXECUTIONS "
                              "ORDER BY EXECUTION_ID")
    snapshots = {t: table_snapshots(store, t) for t in RESULT_TABLES}
    tables = {t: {r: snapshots[t].get(r, []) for r in run_ids} for t in RESULT_TABLES}
    return {"types": types, "tables": tables, "qe": enriched_qe}


def runner(home: Path, *args: str, **env) -> subprocess.Popen:
    environment = {**os.environ, "ENRICHMENT_HOME": str(home), **env}
    return subprocess.Popen([sys.executable, "-m", "enrichment.run", "--quiet", *args], cwd=ROOT, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


READER = """
import sys, time
from enrichment.store.embedded import EmbeddedStore
from enrichment.readmodels import overview, runs
from enrichment.readmodels.filters import Page, RunFilter
store = EmbeddedStore(sys.argv[1], "FLAKEBENCH", "TEST_RESULTS")
reads, deadline = 0, time.time() + float(sys.argv[2])
while time.time() < deadline:
    with store.unit() as db:
        overview.runs_by_type_and_state(db)
        runs.runs_page(db, RunFilter(), Page(1, 50))
    reads += 1
print(reads)
"""


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> dict:
    store = seeded_store(tmp_path_factory.mktemp("baseline"))
    summary = run_pass(store, Settings(latency_scale=0.02))
    assert summary.types_failed == 0 and summary.jobs_processed > 0
    return outcome(store)


def test_two_runners_and_a_reader_at_once_lose_and_double_nothing(tmp_path, baseline):
    home = tmp_path / "home"
    store = seeded_store(home)
    environment = {**os.environ, "ENRICHMENT_HOME": str(home)}
    reader = subprocess.Popen([sys.executable, "-c", READER, str(home), "20"], cwd=ROOT, env=environment,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Small batches, so the two runners interleave their claims instead of one taking everything.
    first, second = runner(home, ENRICHMENT_BATCH_SIZE="4"), runner(home, ENRICHMENT_BATCH_SIZE="4")
    results = [p.communicate(timeout=600) + (p.returncode,) for p in (first, second, reader)]
    for out, err, code in results:
        assert code == 0, err
        assert "lock" not in err.lower() and "Traceback" not in err, err
    assert int(results[2][0].strip()) > 0  # the reader got the store while the runners worked
    assert outcome(store) == baseline
    with store.unit() as db:
        twice = db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_TYPE_STATUS WHERE STATUS = 'COMPLETED' AND ATTEMPTS <> 1")
    assert twice == 0  # every type was enriched exactly once


def test_a_runner_killed_mid_batch_is_taken_over_after_its_lease(tmp_path, baseline):
    home = tmp_path / "home"
    store = seeded_store(home)
    victim = runner(home)
    deadline = time.time() + 120
    while time.time() < deadline:  # wait until it holds claimed jobs it has not finished
        with store.unit() as db:
            claimed = db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_QUEUE WHERE STATUS = 'IN_PROGRESS'")
        if claimed:
            break
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    with store.unit() as db:
        orphaned = db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_QUEUE WHERE STATUS = 'IN_PROGRESS'")
    assert orphaned > 0, "the runner finished before it could be killed"

    # Before the lease runs out, another runner leaves the claimed jobs alone...
    polite = runner(home, ENRICHMENT_LEASE_SECONDS="3600")
    polite.communicate(timeout=600)
    with store.unit() as db:
        assert db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_QUEUE WHERE STATUS = 'IN_PROGRESS'") == orphaned
    # ...and once it has, any runner takes them over and finishes them.
    time.sleep(1.5)
    rescuer = runner(home, ENRICHMENT_LEASE_SECONDS="1")
    out, err, = rescuer.communicate(timeout=600)
    assert rescuer.returncode == 0, err
    assert outcome(store) == baseline


BACKLOG = 500  # due jobs
WORLD_RUNS = 700  # of the world's runs about 70% are due for enrichment (not Postgres, not failed)


def test_three_runners_and_the_app_on_500_due_jobs_lose_and_double_nothing(tmp_path, monkeypatch):
    """Three `python -m enrichment.run` processes and the dashboard (its built-in runner thread every
    second, and its pages rendered in a loop) on one store holding more than 500 due jobs."""
    import shutil

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from app.background_runner import _start

    home = tmp_path / "home"
    store = EmbeddedStore(home, "FLAKEBENCH", "TEST_RESULTS")
    migrate(store)
    seed_demo(store, runs=WORLD_RUNS, seed=SEED, latency_scale=0.02, now=WORLD_NOW)
    # The backlog: every run gets its job (discovery takes at most 500 runs a pass), nothing processed yet.
    while run_pass(store, Settings(latency_scale=0.02), max_jobs=0).discovered:
        pass
    with store.unit() as db:
        due = db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_QUEUE WHERE STATUS = 'PENDING'")
    assert due >= BACKLOG
    shutil.copytree(home, tmp_path / "baseline")
    reference = EmbeddedStore(tmp_path / "baseline", "FLAKEBENCH", "TEST_RESULTS")
    assert run_pass(reference, Settings(latency_scale=0.02), max_jobs=2 * WORLD_RUNS).jobs_processed == due
    expected = outcome(reference)

    for name, value in {"ENRICHMENT_HOME": str(home), "ENRICHMENT_APP_RUNNER_INTERVAL": "1",
                        "ENRICHMENT_BATCH_SIZE": "20"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ENRICHMENT_BACKEND", raising=False)
    runners = [runner(home, "--json", "--max-jobs", str(2 * WORLD_RUNS)) for _ in range(3)]  # batches of 20 (environment)
    renders = 0
    try:
        while any(p.poll() is None for p in runners):
            for page in ("pages/queue_health.py", "pages/overview.py", "pages/runs.py"):
                at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
                at.run()  # the entry script starts the app's runner thread (once per process)
                at.switch_page(page).run()
                assert not at.exception, [e.value for e in at.exception]
                renders += 1
        results = [p.communicate(timeout=600) + (p.returncode,) for p in runners]
    finally:
        for p in runners:
            if p.poll() is None:
                p.kill()
        from enrichment.config import load_settings

        _start(load_settings(), None).set()  # stop the app's runner thread
        st.cache_resource.clear()
    for out, err, code in results:
        assert code == 0, err
        assert "Traceback" not in err and "lock" not in err.lower(), err
    assert renders > 0
    shares = [json.loads(out)["jobs_processed"] for out, _, _ in results]
    print(f"{len(expected['types']) // 5} jobs, {due} due; processed by the three runners: {shares}, the rest by "
          f"the app's runner thread; page renders meanwhile: {renders}")
    assert 0 < sum(shares) <= due  # each due job processed once, by one of the runners or by the app
    assert outcome(store) == expected  # nothing lost, nothing doubled, nothing different
    with store.unit() as db:
        statuses = {r["STATUS"]: r["N"] for r in db.rows(
            "SELECT STATUS, COUNT(*) AS N FROM DELAYED_ENRICHMENT_QUEUE GROUP BY STATUS")}
        twice = db.scalar("SELECT COUNT(*) FROM DELAYED_ENRICHMENT_TYPE_STATUS WHERE STATUS = 'COMPLETED' AND ATTEMPTS <> 1")
    assert sum(statuses.values()) == len(expected["types"]) // 5
    assert "PENDING" not in statuses and "IN_PROGRESS" not in statuses
    assert twice == 0  # every type of every job was enriched exactly once

"""What a person types into the Runs and Queue filters reaches SQL only as bound values."""

from __future__ import annotations

import datetime as dt

import pytest

from enrichment.errors import UserFacingError
from enrichment.readmodels.filters import JobFilter, Page, RunFilter
from enrichment.readmodels.queue import jobs_page
from enrichment.readmodels.runs import runs_page
from enrichment.simulation.seed import seed_demo
from tests.engine_helpers import SEEDED_AT


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from enrichment.schema import migrate
    from enrichment.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path_factory.mktemp("filters"), "FLAKEBENCH", "TEST_RESULTS")
    migrate(store)
    seed_demo(store, runs=15, seed=41, now=SEEDED_AT)
    return store


@pytest.mark.parametrize("text", ["'; DROP TABLE TEST_RESULTS; --", "%", "_", "\\", "x' OR '1'='1", "名前 ünïcode"])
def test_search_text_is_literal_and_harmless(world, text):
    with world.unit() as db:
        frame, total = runs_page(db, RunFilter(search=text), Page(1, 50))
        assert total == 0 and frame.empty
        assert db.scalar("SELECT COUNT(*) FROM TEST_RESULTS") > 0


def test_search_filters_and_pages(world):
    with world.unit() as db:
        everything, total = runs_page(db, RunFilter(), Page(1, 5))
        hybrid, hybrid_total = runs_page(db, RunFilter(search="HYBRID", table_types=["HYBRID"]), Page(1, 500))
        second, _ = runs_page(db, RunFilter(), Page(2, 5))
    assert len(everything) == 5 and total > 5
    assert hybrid_total == len(hybrid) > 0 and set(hybrid["TABLE_TYPE"]) == {"HYBRID"}
    assert not set(everything["RUN_ID"]) & set(second["RUN_ID"])


def test_bad_filters_are_one_sentence(world):
    with pytest.raises(UserFacingError):
        Page(1, 10_000)
    with world.unit() as db:
        with pytest.raises(UserFacingError, match="reversed"):
            runs_page(db, RunFilter(ended_from=SEEDED_AT, ended_until=SEEDED_AT - dt.timedelta(days=1)), Page())
        with pytest.raises(UserFacingError, match="longer"):
            jobs_page(db, JobFilter(error_text="x" * 500), Page())
        frame, total = jobs_page(db, JobFilter(error_text="'); DELETE FROM DELAYED_ENRICHMENT_QUEUE; --"), Page())
        assert total == 0


@pytest.mark.parametrize("total, size, last", [(0, 50, 1), (1, 50, 1), (50, 50, 1), (51, 50, 2), (1000, 7, 143)])
def test_the_last_page_number_covers_every_row(total, size, last):
    assert Page(1, size).last_number(total) == last
